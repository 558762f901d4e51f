"""The player's server side: attempts, numbered commits validated again, resume, grading, navigation,
xAPI statements, resets and reports — through the HTTP endpoints the player's script calls."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.courses.results import get_result
from lms.scorm import attempts as service
from lms.scorm.player import attempt_token
from lms.scorm.runtime.models import (ScoTrack, ScormAttempt, ScormAttemptReset, ScormCommit, ScormInteraction,
                                      ScormObjective)
from tests.factories import enrol, make_user

from tests.scorm.player_fixtures import setup_activity, sign_in
from tests.scorm.player_packages import multi_12, package_2004, single_12


class Player:
    """What the browser script does, as plain requests."""

    def __init__(self, client, activity):
        self.client = client
        self.activity = activity
        self.seq = None

    def open(self, status=200):
        response = self.client.get(f"/activities/{self.activity.id}/play")
        assert response.status_code == status, response.data[:500]
        return response

    @property
    def attempt(self) -> ScormAttempt:
        return db.session.scalars(select(ScormAttempt).where(ScormAttempt.activity_id == self.activity.id)
                                  .order_by(ScormAttempt.id.desc())).first()

    def post(self, name, payload, attempt=None, token=None):
        attempt = attempt or self.attempt
        body = {**payload, "token": token if token is not None else attempt_token(attempt)}
        return self.client.post(f"/scorm/attempts/{attempt.id}/{name}", json=body)

    def nav(self, request, target=None):
        response = self.post("nav", {"request": request, "target": target})
        assert response.status_code == 200, response.json
        return response.json

    def launch(self, item):
        response = self.post("launch", {"item": item})
        assert response.status_code == 200, response.json
        self.seq = response.json["last_seq"]
        return response.json

    def commit(self, item, calls, seq=None, expect=200):
        if seq is None:
            self.seq += 1
            seq = self.seq
        response = self.post("commit", {"seq": seq, "item": item, "calls": calls})
        assert response.status_code == expect, response.json
        return response.json


def sets(*pairs):
    return [["set", element, value] for element, value in pairs]


@pytest.fixture
def single(app, tmp_path, client, auth):
    course, learner, activity = setup_activity(single_12(tmp_path, mastery=80))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.learner = learner
    return player


def test_player_page_offers_the_api_config(single):
    page = single.open().get_data(as_text=True)
    assert 'id="scorm-config"' in page and "runtime.js" in page and "player.js" in page
    assert single.attempt.number == 1


def test_a_12_session_is_stored_structured_and_graded(single):
    single.open()
    assert single.nav("start")["delivered"] == "SCO-1"
    data = single.launch("SCO-1")
    assert data["values"]["cmi.core.entry"] == "ab-initio"
    assert data["values"]["cmi.core.student_name"] == "Benali, Amina"
    assert data["values"]["cmi.student_data.mastery_score"] == "80"
    result = single.commit("SCO-1", [["init"]] + sets(
        ("cmi.core.lesson_location", "page-4"), ("cmi.suspend_data", "A1B2"),
        ("cmi.core.score.raw", "85"), ("cmi.core.score.max", "100"), ("cmi.core.lesson_status", "completed"),
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.student_response", "b"), ("cmi.interactions.0.result", "correct"),
        ("cmi.interactions.0.correct_responses.0.pattern", "b"),
        ("cmi.objectives.0.id", "obj1"), ("cmi.objectives.0.status", "passed"),
        ("cmi.core.session_time", "00:02:30"), ("cmi.core.exit", "")) + [["commit"], ["term"]])
    assert result == {"ok": True, "seq": 1, "rejected": []}
    track = single.attempt.track("SCO-1")
    # mastery score 80 and raw 85: the LMS decides "passed"
    assert (track.lesson_status, track.score_raw, track.location, track.suspend_data) == ("passed", 85, "page-4",
                                                                                         "A1B2")
    assert track.total_seconds == 150
    (interaction,) = track.interactions
    assert (interaction.identifier, interaction.type, interaction.learner_response, interaction.result,
            interaction.correct_responses) == ("q1", "choice", "b", "correct", ["b"])
    (objective,) = track.objectives
    assert (objective.identifier, objective.success_status) == ("obj1", "passed")
    result = get_result(single.activity, single.learner)
    assert result.completed and result.passed and result.score == pytest.approx(0.85)
    assert single.attempt.finished_at is not None


def test_a_resent_commit_is_acknowledged_not_applied_twice(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    calls = [["init"]] + sets(("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.result", "wrong"))
    single.commit("SCO-1", calls, seq=1)
    again = single.commit("SCO-1", calls, seq=1)
    assert again["duplicate"] is True
    assert db.session.scalar(select(ScormCommit.seq).where(ScormCommit.attempt_id == single.attempt.id)) == 1
    assert len(db.session.scalars(select(ScormInteraction)).all()) == 1


def test_a_commit_after_a_gap_is_refused_with_the_number_expected(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]], seq=1)
    response = single.commit("SCO-1", sets(("cmi.core.lesson_location", "x")), seq=3, expect=409)
    assert response["expected"] == 2
    assert single.attempt.track("SCO-1").location in (None, "")


def test_the_server_validates_every_value_again(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    result = single.commit("SCO-1", [["init"]] + sets(
        ("cmi.core.score.raw", "150"), ("cmi.core.lesson_status", "finished"), ("cmi.core.student_id", "me"),
        ("cmi", "{}"), ("cmi.core.session_time", "PT1M"), ("cmi.suspend_data", "x" * 5000),
        ("cmi.core.lesson_location", "ok")))
    assert [r[2] for r in result["rejected"]] == [405, 405, 403, 201, 405, 405]
    track = single.attempt.track("SCO-1")
    assert track.score_raw is None and track.location == "ok" and track.suspend_data in (None, "")


def test_the_lenient_switch_keeps_oversized_suspend_data(app, tmp_path, client, auth):
    _course, learner, activity = setup_activity(single_12(tmp_path), settings={"lenient_suspend_data": True})
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    player.nav("start")
    player.launch("SCO-1")
    result = player.commit("SCO-1", [["init"]] + sets(("cmi.suspend_data", "x" * 9000)))
    assert result["rejected"] == []
    assert len(player.attempt.track("SCO-1").suspend_data) == 9000


def test_a_commit_needs_the_attempt_token_and_its_learner(single, client, auth):
    single.open()
    attempt = single.attempt
    response = single.post("commit", {"seq": 1, "item": "SCO-1", "calls": [["init"]]}, token="forged")
    assert response.status_code == 403
    other = make_user()
    enrol(other, single.activity.course)
    db.session.commit()
    sign_in(client, other)
    response = single.post("commit", {"seq": 1, "item": "SCO-1", "calls": [["init"]]}, attempt=attempt)
    assert response.status_code == 403


def test_suspend_and_resume_restore_the_data_and_add_up_the_time(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_location", "p7"), ("cmi.suspend_data", "S=1"),
                                             ("cmi.core.exit", "suspend"), ("cmi.core.session_time", "00:01:00"))
                  + [["term"]])
    assert single.attempt.suspended and single.attempt.finished_at is None
    single.open()
    single.nav("start")
    data = single.launch("SCO-1")
    values = data["values"]
    assert values["cmi.core.entry"] == "resume"
    assert values["cmi.suspend_data"] == "S=1" and values["cmi.core.lesson_location"] == "p7"
    assert values["cmi.core.total_time"] == "0000:01:00.00"
    assert "cmi.core.exit" not in values and "cmi.core.session_time" not in values
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.session_time", "00:00:30")) + [["term"]])
    assert single.attempt.track("SCO-1").total_seconds == 90


def test_a_page_closed_without_terminate_resumes_where_it_stopped(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.suspend_data", "half-way"), ("cmi.core.session_time", "00:00:20")))
    # the learner closes the tab: no LMSFinish arrives
    single.open()
    single.nav("start")
    values = single.launch("SCO-1")["values"]
    assert values["cmi.core.entry"] == "resume" and values["cmi.suspend_data"] == "half-way"
    assert values["cmi.core.total_time"] == "0000:00:20.00"


def test_scorm_2004_starts_a_fresh_sco_attempt_after_a_normal_exit(app, tmp_path, client, auth):
    _course, learner, activity = setup_activity(package_2004(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    assert player.nav("start")["delivered"] == "SCO-1"
    data = player.launch("SCO-1")
    assert data["values"]["cmi.entry"] == "ab-initio" and data["values"]["cmi.learner_name"] == "Amina Benali"
    player.commit("SCO-1", [["init"]] + sets(("cmi.location", "p2"), ("cmi.completion_status", "incomplete"),
                                             ("cmi.exit", "normal")) + [["term"]])
    assert player.nav("choice", "SCO-1")["delivered"] == "SCO-1"
    values = player.launch("SCO-1")["values"]
    assert values["cmi.entry"] == "ab-initio" and "cmi.location" not in values


def test_a_finished_attempt_reopens_in_review_mode_and_changes_nothing(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "95"),
                                             ("cmi.core.lesson_location", "end")) + [["term"]])
    assert single.attempt.finished_at is not None
    page = single.open().get_data(as_text=True)
    assert 'id="scorm-review"' in page and single.attempt.number == 1
    single.nav("start")
    data = single.launch("SCO-1")
    assert data["review"] is True
    assert (data["values"]["cmi.core.lesson_mode"], data["values"]["cmi.core.credit"]) == ("review", "no-credit")
    assert data["values"]["cmi.core.lesson_location"] == "end"
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.score.raw", "10"), ("cmi.core.lesson_location", "x"))
                  + [["term"]])
    track = single.attempt.track("SCO-1")
    assert (track.score_raw, track.location, track.launches) == (95, "end", 1)
    assert get_result(single.activity, single.learner).score == pytest.approx(0.95)


def test_a_2004_session_goes_through_the_sequencing_engine(app, tmp_path, client, auth):
    _course, learner, activity = setup_activity(package_2004(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    started = player.nav("start")
    assert started["delivered"] == "SCO-1" and started["nav"]["engine"] is True
    data = player.launch("SCO-1")
    assert data["nav_context"]["continue"] is True
    player.commit("SCO-1", [["init"]] + sets(
        ("cmi.completion_status", "completed"), ("cmi.success_status", "passed"), ("cmi.score.scaled", "0.9"),
        ("cmi.score.raw", "9"), ("cmi.score.max", "10"), ("cmi.session_time", "PT45S"),
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "true-false"),
        ("cmi.interactions.0.learner_response", "true"), ("cmi.interactions.0.result", "correct"),
        ("adl.nav.request", "continue")) + [["term"]])
    moved = player.nav("continue")
    assert moved["delivered"] == "SCO-2"
    rows = {row["id"]: row for row in moved["nav"]["toc"]}
    assert rows["SCO-1"]["completed"] is True and rows["SCO-2"]["current"] is True
    player.launch("SCO-2")
    player.commit("SCO-2", [["init"]] + sets(("cmi.completion_status", "completed"), ("cmi.score.scaled", "0.5"))
                  + [["term"]])
    ended = player.nav("exitAll")
    assert ended["ended"] is True
    attempt = player.attempt
    assert attempt.finished_at is not None and attempt.completed is True
    assert attempt.score == pytest.approx(0.9)  # grading method: highest


def test_12_multi_sco_flow_and_choice(app, tmp_path, client, auth):
    _course, learner, activity = setup_activity(multi_12(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    assert player.nav("start")["delivered"] == "SCO-1"
    assert player.nav("continue")["delivered"] == "SCO-2"
    assert player.nav("previous")["delivered"] == "SCO-1"
    assert player.nav("previous")["valid"] is False
    assert player.nav("choice", "SCO-2")["delivered"] == "SCO-2"
    assert player.nav("continue")["ended"] is True


def test_max_attempts_are_enforced(app, tmp_path, client, auth):
    _course, learner, activity = setup_activity(single_12(tmp_path),
                                                settings={"max_attempts": 1, "new_attempt": "always"})
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    player.nav("start")
    player.launch("SCO-1")
    player.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_status", "completed")) + [["term"]])
    assert player.attempt.finished_at is not None
    response = client.get(f"/activities/{activity.id}/play")
    assert response.status_code == 200  # the only attempt is reopened: no new one beyond the limit
    assert len(service.attempts_of(activity, learner)) == 1
    response = client.post(f"/activities/{activity.id}/attempts/new")
    assert response.status_code == 409


@pytest.mark.parametrize("rule,status,new", [("completed", "completed", True), ("passed", "failed", False),
                                             ("failed", "failed", True), ("never", "completed", False),
                                             ("always", "incomplete", True)])
def test_new_attempt_rules(app, tmp_path, client, auth, rule, status, new):
    _course, learner, activity = setup_activity(single_12(tmp_path), settings={"new_attempt": rule})
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    player.nav("start")
    player.launch("SCO-1")
    player.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_status", status)) + [["term"]])
    player.open()
    assert (player.attempt.number == 2) is new


def test_a_learner_may_start_a_new_attempt(single, client):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]])
    response = client.post(f"/activities/{single.activity.id}/attempts/new")
    assert response.status_code == 302
    assert single.attempt.number == 2


def test_an_instructor_reset_voids_attempts_with_an_audit(single, client, auth):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.score.raw", "40")) + [["term"]])
    teacher = make_user(role="instructor")
    enrol(teacher, single.activity.course, role="instructor")
    db.session.commit()
    sign_in(client, teacher)
    response = client.post(f"/activities/{single.activity.id}/scorm/reset/{single.learner.id}",
                           data={"reason": "technical problem"})
    assert response.status_code == 302
    audit = db.session.scalar(select(ScormAttemptReset))
    assert audit.attempts == [1] and audit.reason == "technical problem" and audit.reset_by_id == teacher.id
    assert service.attempts_of(single.activity, single.learner) == []
    assert single.attempt.voided_at is not None  # kept, not deleted


def test_a_learner_cannot_reset(single, client):
    response = client.post(f"/activities/{single.activity.id}/scorm/reset/{single.learner.id}")
    assert response.status_code == 403


def _track(attempt, item, **values):
    track = ScoTrack(attempt=attempt, item_identifier=item, cmi={}, **values)
    db.session.add(track)
    return track


@pytest.mark.parametrize("method,expected", [("highest", 0.8), ("average", 0.6), ("sum", 0.6),
                                             ("objects", 0.5)])
def test_grading_methods(app, tmp_path, method, expected):
    _course, learner, activity = setup_activity(multi_12(tmp_path), settings={"grading_method": method})
    attempt = service._create_attempt(activity, learner)
    _track(attempt, "SCO-1", score_raw=80, score_max=100, lesson_status="passed")
    _track(attempt, "SCO-2", score_raw=40, score_max=100, lesson_status="incomplete")
    db.session.flush()
    assert service.attempt_outcome(attempt)["score"] == pytest.approx(expected)


@pytest.mark.parametrize("rule,expected", [("highest", 0.9), ("average", 0.6), ("first", 0.3), ("last", 0.9)])
def test_which_attempt_counts(app, tmp_path, rule, expected):
    _course, learner, activity = setup_activity(single_12(tmp_path), settings={"attempt_grading": rule})
    for score in (30, 90):
        attempt = service._create_attempt(activity, learner)
        _track(attempt, "SCO-1", score_raw=score, lesson_status="completed")
        db.session.flush()
        service._grade(attempt)
    assert get_result(activity, learner).score == pytest.approx(expected)


def test_completion_rules_minimum_score_and_all_scos(app, tmp_path):
    _course, learner, activity = setup_activity(multi_12(tmp_path), settings={
        "completion_min_score": 70, "completion_all_scos": True, "grading_method": "average"})
    attempt = service._create_attempt(activity, learner)
    _track(attempt, "SCO-1", score_raw=90, lesson_status="completed")
    db.session.flush()
    assert service.attempt_outcome(attempt)["completed"] is False  # SCO-2 not done
    _track(attempt, "SCO-2", score_raw=40, lesson_status="completed")
    db.session.flush()
    assert service.attempt_outcome(attempt)["completed"] is False  # average 65 < 70
    attempt.tracks[1].score_raw = 60
    db.session.flush()
    assert service.attempt_outcome(attempt)["completed"] is True
    activity.settings = {**activity.settings, "completion_status_required": "passed"}
    assert service.attempt_outcome(attempt)["completed"] is False


def test_xapi_statements_follow_the_scorm_profile(single):
    from lms.lrs.store import query_statements

    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "true-false"),
        ("cmi.interactions.0.student_response", "t"), ("cmi.interactions.0.result", "correct"),
        ("cmi.core.score.raw", "90"), ("cmi.core.lesson_status", "passed"), ("cmi.core.exit", "suspend"),
        ("cmi.core.session_time", "00:00:10")) + [["term"]])
    statements = query_statements(agent=single.learner, ascending=True)
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
    for expected in ("initialized", "responded", "completed", "passed", "scored", "suspended"):
        assert expected in verbs, verbs
    attempt = single.attempt
    assert all(s["context"]["registration"] == attempt.uuid for s in statements if "context" in s)
    passed = next(s for s in statements if s["verb"]["id"].endswith("passed"))
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == pytest.approx(0.9)
    responded = next(s for s in statements if s["verb"]["id"].endswith("responded"))
    assert responded["object"]["id"].endswith("/interactions/q1") and responded["result"]["response"] == "t"
    suspended = next(s for s in statements if s["verb"]["id"].endswith("suspended"))
    assert suspended["result"]["duration"] == "PT0H0M10S"
    # a second launch resumes
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]])
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in query_statements(agent=single.learner)]
    assert "resumed" in verbs


def test_reports_show_attempts_items_and_export(single, client, auth):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.result", "correct"),
        ("cmi.interactions.1.id", "q2"), ("cmi.interactions.1.result", "wrong"),
        ("cmi.objectives.0.id", "o1"), ("cmi.objectives.0.status", "passed"),
        ("cmi.core.score.raw", "50")) + [["term"]])
    teacher = make_user(role="instructor")
    enrol(teacher, single.activity.course, role="instructor")
    db.session.commit()
    sign_in(client, teacher)
    page = client.get(f"/activities/{single.activity.id}/scorm/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "q1" in html and "o1" in html and "Amina Benali" in html
    csv_text = client.get(f"/activities/{single.activity.id}/scorm/report.csv").get_data(as_text=True)
    assert "Amina Benali" in csv_text and ",50.0," in csv_text
    items = client.get(f"/activities/{single.activity.id}/scorm/report.csv?table=interactions").get_data(as_text=True)
    assert "q1" in items and "100.0" in items and "q2" in items
    xlsx = client.get(f"/activities/{single.activity.id}/scorm/report.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 1).value == "Amina Benali"
    detail = client.get(f"/scorm/attempts/{single.attempt.id}/report").get_data(as_text=True)
    assert "q2" in detail and "wrong" in detail and "o1" in detail


def test_reports_need_the_right(single, client):
    assert client.get(f"/activities/{single.activity.id}/scorm/report").status_code == 403


def test_objectives_and_interactions_are_rows_not_a_blob(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(*[(f"cmi.interactions.{i}.id", f"q{i}") for i in range(5)]))
    assert db.session.scalar(select(ScormInteraction.identifier).where(ScormInteraction.index == 4)) == "q4"
    assert db.session.scalars(select(ScormObjective)).all() == []


def test_a_reused_number_with_other_calls_is_a_conflict_not_a_duplicate(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_location", "tab-1")), seq=1)
    response = single.commit("SCO-1", sets(("cmi.suspend_data", "tab-2")), seq=1, expect=409)
    assert response["conflict"] is True and response["expected"] == 2
    single.commit("SCO-1", sets(("cmi.suspend_data", "tab-2")), seq=2)
    track = single.attempt.track("SCO-1")
    assert (track.location, track.suspend_data) == ("tab-1", "tab-2")


def test_run_time_endpoints_answer_401_not_a_login_redirect(single, client):
    single.open()
    attempt = single.attempt
    token = attempt_token(attempt)
    with client.session_transaction() as session:
        session.clear()
    response = client.post(f"/scorm/attempts/{attempt.id}/commit",
                           data='{"seq": 1, "item": "SCO-1", "calls": [], "token": "%s"}' % token,
                           content_type="text/plain")
    assert response.status_code == 401


def test_the_smallest_attempt_limit_wins(app, tmp_path):
    _course, _learner, activity = setup_activity(package_2004(tmp_path), settings={"max_attempts": 5})
    version = service.package_of(activity).latest_version
    assert service.max_attempts(activity, version) == 5
    version.activity_tree = {**(version.activity_tree or {}), "root": {**((version.activity_tree or {}).get("root")
                                                                         or {}), "attempt_limit": 3}}
    assert service.max_attempts(activity, version) == 3
    app.config["SCORM_MAX_ATTEMPTS"] = 2
    assert service.max_attempts(activity, version) == 2
    activity.settings = {**activity.settings, "max_attempts": 0}
    version.activity_tree = None
    app.config["SCORM_MAX_ATTEMPTS"] = 0
    assert service.max_attempts(activity, version) == 0


def test_an_incomplete_attempt_left_normally_goes_on_not_in_review(single):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_status", "incomplete"),
                                             ("cmi.core.lesson_location", "p5")) + [["term"]])
    assert single.attempt.finished_at is not None and not service.is_review(single.attempt)
    single.open()
    single.nav("start")
    data = single.launch("SCO-1")
    assert "review" not in data and data["values"]["cmi.core.entry"] == ""
    assert data["values"]["cmi.core.lesson_location"] == "p5"
    assert single.attempt.finished_at is None and single.attempt.number == 1


def test_adl_data_stores_are_shared_through_the_sequencing_session(app, tmp_path, client, auth):
    from tests.scorm.packages import scorm2004_package

    _course, learner, activity = setup_activity(scorm2004_package(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    assert player.nav("start")["delivered"] == "ITEM-1"
    data = player.launch("ITEM-1")
    assert [m["id"] for m in data["shared_data"]] == ["notes"]
    result = player.commit("ITEM-1", [["init"]] + sets(("adl.data.0.store", "shared note")) + [["commit"]])
    assert result["rejected"] == []
    data = player.launch("ITEM-1")
    assert data["shared_data"][0]["store"] == "shared note"


def test_global_objectives_are_shared_between_packages_of_a_learner(app, tmp_path, client, auth):
    from lms.scorm.services import import_package
    from tests.scorm.player_packages import package_2004_global_objective

    course, learner, first = setup_activity(package_2004_global_objective(tmp_path, "a.zip"))
    second = import_package(course, package_2004_global_objective(tmp_path, "b.zip")).package.activity
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, first)
    player.open()
    player.nav("start")
    player.launch("SCO-1")
    player.commit("SCO-1", [["init"]] + sets(("cmi.success_status", "passed"), ("cmi.completion_status", "completed"))
                  + [["term"]])
    other = Player(client, second)
    other.open()
    other.nav("start")
    values = other.launch("SCO-1")["values"]
    assert values["cmi.objectives.0.id"] == "safety"
    assert values["cmi.objectives.0.success_status"] == "passed"


def test_a_hidden_or_closed_activity_cannot_be_played_by_learners(single):
    from datetime import timedelta

    from lms.core.db import utcnow

    single.activity.visible = False
    db.session.commit()
    single.open(status=404)
    single.activity.visible = True
    single.activity.available_from = utcnow() + timedelta(days=1)
    db.session.commit()
    single.open(status=403)


def test_a_learner_not_enrolled_cannot_play(app, tmp_path, client):
    _course, _learner, activity = setup_activity(single_12(tmp_path))
    stranger = make_user()
    db.session.commit()
    sign_in(client, stranger)
    assert client.get(f"/activities/{activity.id}/play").status_code == 403


def test_a_reset_drops_the_result_from_the_gradebook(single, client):
    single.open()
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.score.raw", "90"), ("cmi.core.lesson_status", "completed"))
                  + [["term"]])
    assert get_result(single.activity, single.learner).score == pytest.approx(0.9)
    teacher = make_user(role="instructor")
    enrol(teacher, single.activity.course, role="instructor")
    db.session.commit()
    sign_in(client, teacher)
    assert client.post(f"/activities/{single.activity.id}/scorm/reset/{single.learner.id}").status_code == 302
    result = get_result(single.activity, single.learner)
    assert (result.score, result.passed, result.completed, result.is_complete) == (None, None, None, False)
    # the learner's next attempt is graded afresh
    sign_in(client, single.learner)
    single.open()
    assert single.attempt.number == 2
    single.nav("start")
    single.launch("SCO-1")
    single.commit("SCO-1", [["init"]] + sets(("cmi.core.score.raw", "50"), ("cmi.core.lesson_status", "completed"))
                  + [["term"]])
    assert get_result(single.activity, single.learner).score == pytest.approx(0.5)
