"""reset_result: an activity's result dropped (an instructor voided the learner's attempts) — the gradebook
and progress follow, listeners are told (SQLite and PostgreSQL)."""
from __future__ import annotations

from lms.courses import services
from lms.courses.gradebook import course_grade_for
from lms.courses.results import get_result, report_result, reset_result, result_recorded
from tests.factories import make_activity, make_course, make_user


def test_reset_clears_the_result_and_the_course_follows(db):
    course = make_course()
    quiz = make_activity(course, "page", completion_rule="passed", graded=True)
    other = make_activity(course, "page", completion_rule="viewed", graded=False)
    user = make_user()
    enrolment = services.enrol_user(course, user, "learner")
    report_result(other, user, viewed=True)
    report_result(quiz, user, viewed=True, completed=True, passed=True, score=0.8, raw=80, max=100,
                  duration=60,
                  details={"attempts": 1})
    assert enrolment.progress == 100.0 and course_grade_for(course, user.id) is not None
    seen = []

    def listener(activity, **kwargs):
        seen.append((activity.id, kwargs["changed"]))

    result_recorded.connect(listener)
    try:
        result = reset_result(quiz, user)
    finally:
        result_recorded.disconnect(listener)
    assert (result.completed, result.passed, result.score, result.score_raw, result.score_max,
            result.duration_seconds, result.is_complete, result.completed_at) == (None,) * 6 + (False, None)
    assert result.viewed_at is not None and "reset_at" in result.details and "attempts" not in result.details
    assert seen and seen[0][0] == quiz.id and {"reset", "score", "is_complete", "passed"} <= seen[0][1]
    assert enrolment.progress == 50.0
    assert course_grade_for(course, user.id) is None
    assert get_result(quiz, user).score is None
    # a later report records again
    report_result(quiz, user, completed=True, passed=True, score=0.9)
    assert get_result(quiz, user).is_complete and enrolment.progress == 100.0


def test_reset_without_a_result_is_a_no_op(db):
    course = make_course()
    activity = make_activity(course, "page")
    assert reset_result(activity, make_user()) is None
