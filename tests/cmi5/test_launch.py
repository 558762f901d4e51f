"""Launch (cmi5 §8), the one-time fetch URL (§8.2), LMS.LaunchData (§10), learner preferences (§11) and the
launched statement (§9.3.1), through the real routes (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from sqlalchemy import select

from lms.cmi5.models import Cmi5Session
from lms.cmi5.services import (EXT_LAUNCH_MODE, EXT_LAUNCH_PARAMETERS, EXT_LAUNCH_URL, EXT_MASTERY, EXT_MOVE_ON,
                               EXT_SESSION, VERBS)
from lms.lrs.store import query_statements
from tests.cmi5.helpers import VERSION, launch, launch_params, setup_course, sign_in
from tests.cmi5.packages import au_xml


def _course(tmp_path, **attrs):
    return setup_course(tmp_path, [au_xml(url="au1/index.html?lang=ar", attrs=attrs or {"moveOn": "Passed",
                                                                                       "masteryScore": "0.8"},
                                          launch_parameters="Start=1,QuizMode=1", entitlement_key="xyz-123")])


def test_launch_url_carries_the_five_parameters(db, client, auth, tmp_path, app):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row)
    params = launch_params(au.url)
    assert params["lang"] == "ar"  # the AU's own query string is kept
    assert params["endpoint"] == app.config["SITE_URL"] + "/xapi"
    assert urlsplit(params["fetch"]).path.startswith("/cmi5/fetch/")
    assert json.loads(params["actor"]) == {"objectType": "Agent",
                                           "account": {"homePage": "http://lms.test", "name": user.uuid}}
    assert params["activityId"] == row.aus[0].lms_iri != row.aus[0].publisher_id
    assert len(params["registration"]) == 36
    # Same activityId and registration on the next launch of the same AU.
    again = launch(client, row)
    assert (again.activity_id, again.registration) == (au.activity_id, au.registration)


def test_fetch_returns_the_token_once_then_error_1(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row)
    first = au.fetch()
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert set(first.get_json()) == {"auth-token"}
    second = au.fetch()
    assert second.status_code == 200
    assert second.get_json()["error-code"] == "1"
    assert client.post("/cmi5/fetch/forged-token").get_json()["error-code"] == "2"
    assert client.get(urlsplit(au.params["fetch"]).path).status_code == 405  # GET is not allowed (§8.2.1)


def test_token_works_against_our_lrs_and_only_for_this_learner(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row).start()
    assert au.get_state().status_code == 200
    other = dict(au.actor, account={"homePage": "http://lms.test", "name": "someone-else"})
    response = client.get("/xapi/activities/state", headers=au.headers(), query_string={
        "activityId": au.activity_id, "agent": json.dumps(other), "registration": au.registration,
        "stateId": "LMS.LaunchData"})
    assert response.status_code == 403


def test_launch_data_contents(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row).start()
    data = au.launch_data
    session = db.session.scalar(select(Cmi5Session))
    assert data["contextTemplate"]["extensions"] == {EXT_SESSION: session.session_id}
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": row.aus[0].publisher_id}]
    assert data["launchMode"] == "Normal"
    assert data["launchParameters"] == "Start=1,QuizMode=1"
    assert data["masteryScore"] == 0.8
    assert data["moveOn"] == "Passed"
    assert data["entitlementKey"] == {"courseStructure": "xyz-123"}
    assert urlsplit(data["returnURL"]).path == f"/cmi5/sessions/{session.session_id}/return"


def test_launch_modes_browse_and_review(db, client, auth, tmp_path):
    row, user = _course(tmp_path, moveOn="Completed")
    sign_in(client, user)
    assert launch(client, row, mode="Browse").start().launch_data["launchMode"] == "Browse"
    assert launch(client, row, mode="Review").start().launch_data["launchMode"] == "Review"
    assert client.post(f"/activities/{row.activity_id}/cmi5/aus/{row.aus[0].id}/launch",
                       data={"mode": "Sideways"}).status_code == 400


def test_learner_preferences_profile_is_written_and_readable_by_the_au(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row).start()
    response = client.get("/xapi/agents/profile", headers=au.headers(), query_string={
        "agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"})
    assert response.status_code == 200
    assert response.get_json() == {"languagePreference": "en,ar,fr", "audioPreference": "on"}
    # The AU may not overwrite it (§11 allows the LMS to answer 403).
    assert client.put("/xapi/agents/profile", headers=au.headers(), json={"audioPreference": "off"},
                      query_string={"agent": json.dumps(au.actor),
                                    "profileId": "cmi5LearnerPreferences"}).status_code == 403


def test_launched_statement_is_recorded_before_launch(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row).start()
    [statement] = query_statements(verb=VERBS["launched"])
    ext = statement["context"]["extensions"]
    assert statement["object"]["id"] == au.activity_id
    assert statement["context"]["registration"] == au.registration
    assert ext[EXT_SESSION] == au.launch_data["contextTemplate"]["extensions"][EXT_SESSION]
    assert ext[EXT_LAUNCH_MODE] == "Normal" and ext[EXT_MOVE_ON] == "Passed" and ext[EXT_MASTERY] == 0.8
    assert ext[EXT_LAUNCH_PARAMETERS] == "Start=1,QuizMode=1"
    assert ext[EXT_LAUNCH_URL] == au.url.split("?")[0] + "?lang=ar"
    assert {"id": row.aus[0].publisher_id, "objectType": "Activity"} in \
        statement["context"]["contextActivities"]["grouping"]


def test_own_window_redirects_and_any_window_plays_in_a_frame(db, client, auth, tmp_path):
    row, user = setup_course(tmp_path, [au_xml("https://example.test/cmi5/au/1", attrs={"launchMethod": "OwnWindow"}),
                                        au_xml("https://example.test/cmi5/au/2", "au1/index.html")])
    sign_in(client, user)
    own = client.post(f"/activities/{row.activity_id}/cmi5/aus/{row.aus[0].id}/launch", data={"mode": "Normal"})
    assert own.status_code == 302 and "fetch=" in own.headers["Location"]
    anywhere = client.post(f"/activities/{row.activity_id}/cmi5/aus/{row.aus[1].id}/launch", data={"mode": "Normal"})
    assert anywhere.status_code == 200 and b'<iframe src="' in anywhere.data


def test_content_files_need_enrolment_and_launch_needs_participation(db, client, auth, tmp_path):
    row, user = setup_course(tmp_path, learner=False)
    sign_in(client, user)
    assert client.get(f"/cmi5/content/{row.id}/au1/index.html").status_code == 403
    assert client.post(f"/activities/{row.activity_id}/cmi5/aus/{row.aus[0].id}/launch",
                       data={"mode": "Normal"}).status_code == 403


def test_return_url_leads_back_to_the_course(db, client, auth, tmp_path):
    row, user = _course(tmp_path)
    sign_in(client, user)
    au = launch(client, row).start()
    page = client.get(urlsplit(au.launch_data["returnURL"]).path)
    assert page.status_code == 200
    assert f'href="/activities/{row.activity_id}/cmi5"'.encode() in page.data
