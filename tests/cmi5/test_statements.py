"""The LRS enforces cmi5 rules for statements sent by a launched AU (cmi5 §9, §10.2.2), and the LMS issues
its own statements: satisfied, abandoned, waived (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.cmi5 import services
from lms.cmi5.models import AUState, Cmi5Registration, Cmi5Session
from lms.cmi5.services import CATEGORY_MOVEON, EXT_REASON, EXT_SESSION, VERBS
from lms.courses.results import get_result
from lms.lrs.store import query_statements
from tests.cmi5.helpers import launch, setup_course, sign_in
from tests.cmi5.packages import BASE, au_xml, block_xml


def _started(client, auth, tmp_path, attrs=None, children=None):
    row, user = setup_course(tmp_path, children or [au_xml(attrs=attrs or {"moveOn": "CompletedAndPassed",
                                                                           "masteryScore": "0.8"})])
    sign_in(client, user)
    au = launch(client, row).start()
    return row, user, au


def _error(response):
    return response.status_code, response.get_json()["error"]["message"]


def test_a_conforming_session_is_accepted(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    for response in (au.initialized(), au.say("http://adlnet.gov/expapi/verbs/experienced", defined=False),
                     au.completed(), au.passed(0.9), au.terminated()):
        assert response.status_code == 200, response.get_data(as_text=True)
    session = db.session.scalar(select(Cmi5Session))
    assert session.verbs == ["initialized", "completed", "passed", "terminated"]
    assert session.terminated_at is not None


def test_first_statement_must_be_initialized(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    status, message = _error(au.completed())
    assert status == 403 and "initialized" in message
    assert _error(au.say("http://adlnet.gov/expapi/verbs/experienced", defined=False))[0] == 403
    assert au.initialized().status_code == 200


def test_no_statement_after_terminated(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    au.terminated()
    # The credential is revoked at terminated: the AU's token no longer opens the LRS.
    assert au.say("http://adlnet.gov/expapi/verbs/experienced", defined=False).status_code in (401, 403)


def test_statements_after_terminated_in_the_same_batch_are_refused(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    status, message = _error(au.send(au.statement("terminated", result={"duration": "PT1S"}),
                                     au.statement("http://adlnet.gov/expapi/verbs/experienced", defined=False)))
    assert status == 403 and "terminated" in message
    assert db.session.scalar(select(Cmi5Session)).terminated_at is None  # the whole batch was rolled back


@pytest.mark.parametrize("verb", ["initialized", "completed"])
def test_verbs_are_not_duplicated_in_a_session(db, client, auth, tmp_path, verb):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    if verb == "completed":
        au.completed()
        assert _error(au.completed())[0] == 403
    else:
        assert _error(au.initialized())[0] == 403


def test_passed_and_failed_rules(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    assert au.failed(0.5).status_code == 200
    assert _error(au.passed(0.9))[0] == 403  # one of passed/failed per session
    au.terminated()
    au2 = launch(client, row).start()
    au2.initialized()
    assert au2.passed(0.9).status_code == 200
    au2.terminated()
    au3 = launch(client, row).start()
    au3.initialized()
    assert _error(au3.failed(0.1))[0] == 403  # no failed after passed in the registration
    assert _error(au3.passed(0.95))[0] == 403  # one passed per registration


def test_scores_must_agree_with_mastery_score(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    assert _error(au.passed(0.5))[0] == 403
    assert _error(au.failed(0.95))[0] == 403
    missing = au.statement("passed", result={"success": True, "duration": "PT1S", "score": {"scaled": 0.9}})
    assert _error(au.send(missing))[0] == 403  # the masteryScore extension is required


@pytest.mark.parametrize("case", ["no_session", "wrong_session", "no_grouping", "wrong_object", "score_on_completed",
                                  "no_duration", "no_moveon_category", "moveon_on_initialized", "success_false",
                                  "no_id", "no_timestamp", "not_utc", "group_actor", "raw_without_min",
                                  "moveon_on_allowed", "completion_false"])
def test_malformed_cmi5_statements_get_403(db, client, auth, tmp_path, case):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    statement = au.statement("completed", result={"completion": True, "duration": "PT1S"})
    if case == "no_session":
        del statement["context"]["extensions"][EXT_SESSION]
    elif case == "wrong_session":
        statement["context"]["extensions"][EXT_SESSION] = "another"
    elif case == "no_grouping":
        del statement["context"]["contextActivities"]["grouping"]
    elif case == "wrong_object":
        statement["object"]["id"] = row.aus[0].publisher_id
    elif case == "score_on_completed":
        statement["result"]["score"] = {"scaled": 1}
    elif case == "no_duration":
        del statement["result"]["duration"]
    elif case == "no_moveon_category":
        statement["context"]["contextActivities"]["category"] = [
            c for c in statement["context"]["contextActivities"]["category"] if c["id"] != CATEGORY_MOVEON]
    elif case == "moveon_on_initialized":
        statement = au.statement("terminated", result={"duration": "PT1S"}, moveon=True)
    elif case == "success_false":
        statement = au.statement("passed", result={"success": False, "duration": "PT1S"})
    elif case == "no_id":
        del statement["id"]
    elif case == "no_timestamp":
        del statement["timestamp"]
    elif case == "not_utc":
        statement["timestamp"] = statement["timestamp"].replace("Z", "-06:00")
    elif case == "group_actor":
        statement["actor"] = dict(statement["actor"], objectType="Group")
    elif case == "raw_without_min":
        statement = au.statement("passed", result={"success": True, "duration": "PT1S",
                                                   "score": {"raw": 90, "max": 100}},
                                 extensions={"https://w3id.org/xapi/cmi5/context/extensions/masteryscore": 0.8})
    elif case == "moveon_on_allowed":
        statement = au.statement("http://adlnet.gov/expapi/verbs/experienced", defined=False,
                                 context={"contextActivities": {
                                     **au.launch_data["contextTemplate"]["contextActivities"],
                                     "category": [{"id": CATEGORY_MOVEON}]}})
    elif case == "completion_false":
        statement["result"]["completion"] = False
    assert au.send(statement).status_code == 403


@pytest.mark.parametrize("verb", ["launched", "satisfied", "waived", "abandoned"])
def test_lms_verbs_are_forbidden_to_the_au(db, client, auth, tmp_path, verb):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    assert au.say(verb).status_code == 403


def test_the_au_cannot_void(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    [launched] = query_statements(verb=VERBS["launched"])
    voiding = au.statement("http://adlnet.gov/expapi/verbs/voided", defined=False)
    voiding["object"] = {"objectType": "StatementRef", "id": launched["id"]}
    status, message = _error(au.send(voiding))
    assert status == 403 and "void" in message


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_record_no_satisfaction(db, client, auth, tmp_path, mode):
    row, user = setup_course(tmp_path, [au_xml(attrs={"moveOn": "Completed"})])
    sign_in(client, user)
    au = launch(client, row, mode=mode).start()
    au.initialized()
    assert _error(au.completed())[0] == 403
    assert au.terminated().status_code == 200


def test_satisfied_statements_for_block_and_course_feed_results(db, client, auth, tmp_path):
    children = [block_xml(f"{BASE}/block/1", [au_xml(f"{BASE}/au/1", attrs={"moveOn": "Completed"}),
                                              au_xml(f"{BASE}/au/2", attrs={"moveOn": "NotApplicable"})]),
                au_xml(f"{BASE}/au/3", attrs={"moveOn": "Passed", "masteryScore": "0.5"})]
    row, user = setup_course(tmp_path, children)
    sign_in(client, user)
    au = launch(client, row, 0).start()
    au.initialized()
    au.completed()
    sid = au.launch_data["contextTemplate"]["extensions"][EXT_SESSION]
    [block_sat] = query_statements(verb=VERBS["satisfied"])
    assert block_sat["object"]["id"] == row.blocks[0].lms_iri
    assert block_sat["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/block"
    assert block_sat["context"]["extensions"][EXT_SESSION] == sid  # the launch session's id
    assert get_result(row.activity, user) is None or not get_result(row.activity, user).completed
    au.terminated()
    au3 = launch(client, row, 2).start()
    au3.initialized()
    au3.passed(0.75)
    au3.terminated()
    satisfied = query_statements(verb=VERBS["satisfied"])
    assert [s["object"]["id"] for s in satisfied] == [row.lms_iri, row.blocks[0].lms_iri]
    assert satisfied[0]["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/course"
    result = get_result(row.activity, user)
    assert result.completed and result.passed and result.score == 0.75 and result.is_complete


def test_abandoned_when_a_new_launch_finds_the_session_open(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    again = launch(client, row)
    [abandoned] = query_statements(verb=VERBS["abandoned"])
    assert abandoned["context"]["extensions"][EXT_SESSION] == au.launch_data["contextTemplate"]["extensions"][EXT_SESSION]
    assert abandoned["result"]["duration"].startswith("PT")
    assert abandoned["object"]["id"] == au.activity_id
    # Nothing more is recorded for the abandoned session.
    assert au.say("http://adlnet.gov/expapi/verbs/experienced", defined=False).status_code in (401, 403)
    assert again.registration == au.registration


def test_abandoned_for_idle_sessions_and_never_twice(db, client, auth, tmp_path):
    from datetime import timedelta

    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    assert services.abandon_idle_sessions(timedelta(seconds=0)) == 1
    assert services.abandon_idle_sessions(timedelta(seconds=0)) == 0
    db.session.commit()
    assert len(query_statements(verb=VERBS["abandoned"])) == 1
    terminated = launch(client, row).start()
    terminated.initialized()
    terminated.terminated()
    assert services.abandon_idle_sessions(timedelta(seconds=0)) == 0


def test_waived_statement_satisfies_the_au(db, client, auth, tmp_path):
    row, user = setup_course(tmp_path, [au_xml(attrs={"moveOn": "Passed"})])
    statement_id = services.waive(row.activity, row.aus[0], user, "Tested Out")
    db.session.commit()
    [waived] = query_statements(verb=VERBS["waived"])
    assert waived["id"] == statement_id
    assert waived["result"] == {"success": True, "completion": True, "extensions": {EXT_REASON: "Tested Out"}}
    waived_session = waived["context"]["extensions"][EXT_SESSION]
    [satisfied] = query_statements(verb=VERBS["satisfied"])
    assert satisfied["object"]["id"] == row.lms_iri
    assert satisfied["context"]["extensions"][EXT_SESSION] == waived_session
    launched = query_statements(verb=VERBS["launched"])
    assert not launched  # waived has its own session id, with no launch
    state = db.session.scalar(select(AUState))
    assert state.waived and state.satisfied
    assert get_result(row.activity, user).completed
    from lms.core.errors import DomainError

    with pytest.raises(DomainError):
        services.waive(row.activity, row.aus[0], user, "Administrative")  # once per registration


def test_instructor_waives_through_the_page(db, client, auth, tmp_path):
    from tests.factories import enrol, make_user

    row, learner = setup_course(tmp_path, [au_xml(attrs={"moveOn": "Completed"})])
    teacher = make_user()
    enrol(teacher, row.activity.course, role="instructor")
    db.session.commit()
    sign_in(client, learner)
    url = f"/activities/{row.activity_id}/cmi5/aus/{row.aus[0].id}/waive/{learner.id}"
    assert client.post(url, data={"reason": "Administrative"}).status_code == 403
    sign_in(client, teacher)
    assert client.post(url, data={"reason": "Administrative"}).status_code == 302
    assert len(query_statements(verb=VERBS["waived"])) == 1


def test_registration_per_enrolment_attempt(db, client, auth, tmp_path):
    row, user, au = _started(client, auth, tmp_path)
    au.initialized()
    au.terminated()
    assert client.post(f"/activities/{row.activity_id}/cmi5/attempts/new").status_code == 302
    second = launch(client, row).start()
    assert second.registration != au.registration
    registrations = db.session.scalars(select(Cmi5Registration).order_by(Cmi5Registration.attempt)).all()
    assert [r.attempt for r in registrations] == [1, 2]
    # A new registration starts over: completed may be sent again.
    second.initialized()
    assert second.completed().status_code == 200


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "DELETE_ALL"])
def test_launch_data_is_read_only_for_the_au(db, client, auth, tmp_path, method):
    import json

    row, user, au = _started(client, auth, tmp_path)
    query = {"activityId": au.activity_id, "agent": json.dumps(au.actor), "registration": au.registration}
    if method != "DELETE_ALL":
        query["stateId"] = "LMS.LaunchData"
    response = client.open("/xapi/activities/state", method=method.split("_")[0], headers=au.headers(),
                           query_string=query, json={"launchMode": "Normal"} if method in ("PUT", "POST") else None)
    assert response.status_code == 403
    assert au.get_state().get_json() == au.launch_data
    # The AU keeps its own state documents.
    own = client.put("/xapi/activities/state", headers=au.headers(), json={"page": 3},
                     query_string={**query, "stateId": "bookmark"})
    assert own.status_code == 204


def test_learners_page_lists_progress_and_waives(db, client, tmp_path):
    from tests.factories import enrol, make_user

    row, learner = setup_course(tmp_path, [au_xml(f"{BASE}/au/1", attrs={"moveOn": "Completed"}),
                                           au_xml(f"{BASE}/au/2", attrs={"moveOn": "Passed"})])
    teacher = make_user()
    enrol(teacher, row.activity.course, role="instructor")
    sign_in(client, learner)
    assert client.get(f"/activities/{row.activity_id}/cmi5/learners").status_code == 403
    sign_in(client, teacher)
    page = client.get(f"/activities/{row.activity_id}/cmi5/learners")
    assert page.status_code == 200 and learner.full_name.encode() in page.data and b"0 / 2" in page.data
    for au in row.aus:
        response = client.post(f"/activities/{row.activity_id}/cmi5/waive",
                               data={"au_id": au.id, "user_id": learner.id, "reason": "Equivalent AU"})
        assert response.status_code == 302
    page = client.get(f"/activities/{row.activity_id}/cmi5/learners")
    assert b"2 / 2" in page.data
    assert len(query_statements(verb=VERBS["waived"])) == 2
    assert get_result(row.activity, learner).completed


def test_statements_wait_until_the_au_read_the_learner_preferences(db, client, tmp_path):
    import json

    row, user = setup_course(tmp_path)
    sign_in(client, user)
    au = launch(client, row)
    au.auth = "Basic " + au.fetch().get_json()["auth-token"]
    au.launch_data = au.get_state().get_json()
    status, message = _error(au.initialized())
    assert status == 403 and "preferences" in message
    preferences = au.client.get("/xapi/agents/profile", headers=au.headers(), query_string={
        "agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"})
    assert preferences.status_code == 200
    assert au.initialized().status_code == 200
