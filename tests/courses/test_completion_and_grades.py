"""Completion rules (activity and course) and gradebook aggregation."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from lms.certificates.models import Certificate
from lms.core.db import utcnow
from lms.courses import gradebook, services
from lms.courses.models import GradeOverride
from lms.courses.results import report_result
from tests.courses.factories import make_page
from tests.factories import make_activity, make_course, make_user


def _enrolled(course, **user_fields):
    user = make_user(**user_fields)
    return user, services.enrol_user(course, user, "learner")


@pytest.mark.parametrize("rule,report,complete", [
    ("viewed", {"viewed": True}, True),
    ("completed", {"viewed": True}, False),
    ("completed", {"completed": True}, True),
    ("passed", {"completed": True, "passed": False}, False),
    ("passed", {"passed": True}, True),
    ("grade", {"score": 0.69}, False),
    ("grade", {"score": 0.7}, True),
    ("none", {"completed": True}, False),
])
def test_activity_completion_rules(db, rule, report, complete):
    course = make_course()
    activity = make_activity(course, "page", completion_rule=rule, completion_min_grade=70, graded=True)
    user, _e = _enrolled(course)
    assert report_result(activity, user, **report).is_complete is complete


def test_course_completes_when_all_counted_activities_are_done_with_its_date(db):
    course = make_course()
    first, second = make_page(course), make_page(course)
    make_activity(course, "page", completion_rule="none")  # not counted
    user, enrolment = _enrolled(course)
    report_result(first, user, viewed=True)
    assert enrolment.progress == 50.0 and enrolment.completed_at is None
    report_result(second, user, viewed=True)
    assert enrolment.progress == 100.0
    assert enrolment.completed_at is not None and abs((utcnow() - enrolment.completed_at).total_seconds()) < 60


def test_course_completion_with_selected_activities(db):
    course = make_course()
    course.completion_mode = "selected"
    required = make_page(course)
    make_page(course, required_for_completion=False)
    user, enrolment = _enrolled(course)
    report_result(required, user, viewed=True)
    assert enrolment.completed_at is not None


def test_course_completion_by_grade(db):
    course = make_course()
    course.completion_mode, course.completion_grade = "grade", 60
    quiz = make_activity(course, "page", graded=True, completion_rule="grade", completion_min_grade=100)
    user, enrolment = _enrolled(course)
    report_result(quiz, user, score=0.5)
    assert enrolment.completed_at is None and enrolment.final_grade == 50.0
    report_result(quiz, user, score=0.65)
    assert enrolment.completed_at is not None


def test_course_completion_is_one_xapi_statement_with_the_course_grade(db):
    from lms.lrs.emitter import activity_iri, actor_for
    from lms.lrs.store import query_statements

    course = make_course()
    course.completion_mode, course.completion_grade = "grade", 60
    quiz = make_activity(course, "page", graded=True, completion_rule="grade", completion_min_grade=100)
    user, enrolment = _enrolled(course)
    course_iri = activity_iri(course, kind="course")
    report_result(quiz, user, score=0.5)
    assert query_statements(agent=user, activity=course_iri) == []
    report_result(quiz, user, score=0.65)
    report_result(quiz, user, score=0.9)  # completion is recorded once: no second statement
    statements = query_statements(agent=user, activity=course_iri)
    assert len(statements) == 1
    statement = statements[0]
    assert statement["actor"] == actor_for(user)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert statement["result"] == {"completion": True, "score": {"scaled": 0.65}}
    assert statement["timestamp"].startswith(enrolment.completed_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_completion_is_recorded_once_and_issues_one_certificate(db):
    course = make_course()
    page = make_page(course)
    user, enrolment = _enrolled(course)
    report_result(page, user, viewed=True)
    first_date = enrolment.completed_at
    report_result(page, user, completed=True, when=utcnow() + timedelta(days=3))
    assert enrolment.completed_at == first_date
    assert db.session.query(Certificate).filter_by(user_id=user.id).count() == 1


def test_no_certificate_when_disabled(db):
    course = make_course()
    course.certificate_enabled = False
    page = make_page(course)
    user, _enrolment = _enrolled(course)
    report_result(page, user, viewed=True)
    assert db.session.query(Certificate).filter_by(user_id=user.id).count() == 0


def _graded_course(aggregation):
    course = make_course()
    course.grade_aggregation = aggregation
    a = make_activity(course, "page", graded=True, grade_weight=3, grade_max=10, completion_rule="none")
    b = make_activity(course, "page", graded=True, grade_weight=1, grade_max=30, completion_rule="none")
    c = make_activity(course, "page", graded=True, grade_weight=1, grade_max=10, completion_rule="none")
    return course, a, b, c


@pytest.mark.parametrize("aggregation,expected", [
    ("weighted_mean", 80.0),   # (3*1.0 + 1*0.2) / 4
    ("mean", 60.0),            # (1.0 + 0.2) / 2
    ("sum", 40.0),             # (10 + 6) / 40
])
def test_grade_aggregation_leaves_empty_grades_out(db, aggregation, expected):
    course, a, b, _c = _graded_course(aggregation)
    user, enrolment = _enrolled(course)
    report_result(a, user, score=1.0)
    report_result(b, user, score=0.2)
    assert gradebook.course_grade_for(course, user.id) == expected
    assert enrolment.final_grade == expected


def test_no_grade_yet_is_none(db):
    course, *_items = _graded_course("weighted_mean")
    user, _e = _enrolled(course)
    assert gradebook.course_grade_for(course, user.id) is None


def test_override_replaces_the_score_and_is_audited(db):
    course, a, b, _c = _graded_course("mean")
    user, enrolment = _enrolled(course)
    teacher = make_user(role="instructor")
    report_result(a, user, score=0.4)
    gradebook.override_grade(a, user, 90, by=teacher, reason="Oral exam")
    gradebook.override_grade(a, user, 95, by=teacher, reason="Correction")
    assert gradebook.course_grade_for(course, user.id) == 95.0
    assert enrolment.final_grade == 95.0
    audit = db.session.query(GradeOverride).order_by(GradeOverride.id).all()
    assert [(o.old_score, o.new_score, o.reason) for o in audit] == [(None, 0.9, "Oral exam"), (0.9, 0.95, "Correction")]
    assert all(o.changed_by_id == teacher.id for o in audit)
    gradebook.override_grade(a, user, None, by=teacher)
    assert gradebook.course_grade_for(course, user.id) == 40.0


@pytest.mark.parametrize("display,percent,text", [("letter", 85, "B"), ("letter", 49.9, "F"), ("passfail", 50, "Pass"),
                                                  ("passfail", 49, "Fail"), ("percent", 72.25, "72.2 %")])
def test_grade_display(app, display, percent, text):
    from lms.courses.models import Course

    course = Course(grade_display=display, grade_pass=50)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gradebook.display_grade(course, percent) in (text, text.replace(".", ","))


def test_gradebook_exports_open_with_the_expected_rows(db, client, auth):
    course, a, b, _c = _graded_course("weighted_mean")
    teacher = make_user(role="instructor")
    services.enrol_user(course, teacher, "instructor")
    alice, _e = _enrolled(course, username="alice", full_name="Alice", language="en")
    bob, _e = _enrolled(course, username="bob", full_name="Bob")
    report_result(a, alice, score=1.0)
    report_result(b, bob, score=0.5)
    db.session.commit()
    auth.login(teacher)
    csv_text = client.get(f"/courses/{course.id}/gradebook.csv").get_data().decode("utf-8-sig")
    lines = [line for line in csv_text.splitlines() if line]
    assert len(lines) == 3
    assert lines[1].startswith("alice,Alice") and ",100.0," in lines[1]
    assert lines[2].startswith("bob,Bob") and ",50.0," in lines[2]
    response = client.get(f"/courses/{course.id}/gradebook.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][0] == "alice" and rows[1][3] == 100.0 and rows[1][6] == 100.0
    assert rows[2][0] == "bob" and rows[2][4] == 50.0 and rows[2][6] == 50.0


def test_override_over_http_by_a_tutor(db, client, auth):
    course, a, _b, _c = _graded_course("mean")
    tutor = make_user(role="instructor", language="fr")
    services.enrol_user(course, tutor, "tutor")
    learner, _e = _enrolled(course)
    db.session.commit()
    auth.login(tutor)
    page = client.get(f"/courses/{course.id}/gradebook")
    assert page.status_code == 200 and "Note (%)" in page.get_data(as_text=True)
    response = client.post(f"/courses/{course.id}/gradebook/{a.id}/{learner.id}", data={"score": "77", "reason": "ok"})
    assert response.status_code == 302
    assert gradebook.course_grade_for(course, learner.id) == 77.0


def test_csv_neutralises_formulas(app):
    data = gradebook.to_csv(["name"], [["=HYPERLINK(\"x\")"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in data


def test_structure_changes_recompute_progress_in_bulk(db):
    from lms.courses.completion import refresh_course

    course = make_course()
    first = make_page(course)
    users = [_enrolled(course) for _ in range(3)]
    report_result(first, users[0][0], viewed=True)
    report_result(first, users[1][0], viewed=True)
    # completion_rule "completed": viewing alone does not complete it, so nobody is complete any more
    extra = make_activity(course, "page", completion_rule="completed")
    refresh_course(course)
    assert [e.progress for _u, e in users] == [50.0, 50.0, 0.0]
    db.session.delete(extra)
    db.session.flush()
    refresh_course(course)
    assert [e.progress for _u, e in users] == [100.0, 100.0, 0.0]
    assert users[0][1].completed_at is not None and users[2][1].completed_at is None
