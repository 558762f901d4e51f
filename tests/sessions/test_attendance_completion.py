"""Completion follows from attendance; the course activity and the certificate follow from completion."""
import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.core.db import db
from lms.core.errors import DomainError
from lms.courses.results import get_result
from lms.sessions import services
from lms.sessions.models import AttendanceStatus as A, EventCompletion, SurveyInvitation
from tests.factories import make_activity, make_course, make_user
from tests.sessions.factories import make_event, make_session


def _event_with_sessions(n=2, **fields):
    event = make_event(**fields)
    sessions = [make_session(event, days=3 + i) for i in range(n)]
    return event, sessions


def test_attending_every_session_completes_and_issues_a_certificate(app):
    learner = make_user(language="fr")
    event, sessions = _event_with_sessions(2, require_all_sessions=True)
    for session in sessions:
        services.register(session.id, learner)
    services.record_attendance(sessions[0], {learner.id: A.present}, None)
    assert services.get_completion(event, learner) is None  # 1 of 2 sessions
    services.record_attendance(sessions[1], {learner.id: A.late}, None)
    completion = services.get_completion(event, learner)
    assert completion is not None and completion.attendance_percent == 100.0
    assert completion.hours == pytest.approx(6.0)
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == completion.certificate_code))
    assert certificate.kind == "training" and certificate.user_id == learner.id


def test_absence_below_the_threshold_does_not_complete(app):
    learner = make_user()
    event, sessions = _event_with_sessions(2, require_all_sessions=True, min_attendance_percent=100)
    for session in sessions:
        services.register(session.id, learner)
    services.record_attendance(sessions[0], {learner.id: A.present}, None)
    services.record_attendance(sessions[1], {learner.id: A.excused}, None)
    assert services.get_completion(event, learner) is None


def test_a_partial_attendance_rule(app):
    learner = make_user()
    event, sessions = _event_with_sessions(4, require_all_sessions=True, min_attendance_percent=75)
    for session in sessions:
        services.register(session.id, learner)
    for session, status in zip(sessions[:3], (A.present, A.absent, A.present)):
        services.record_attendance(session, {learner.id: status}, None)
    assert services.get_completion(event, learner) is None  # 2 of 4
    services.record_attendance(sessions[3], {learner.id: A.present}, None)
    assert services.get_completion(event, learner).attendance_percent == 75.0


def test_completion_is_reported_to_the_course_activity(app):
    learner = make_user()
    course = make_course()
    activity = make_activity(course, "training_event", completion_rule="completed")
    event, sessions = _event_with_sessions(1, activity_id=activity.id)
    services.register(sessions[0].id, learner)
    services.record_attendance(sessions[0], {learner.id: A.present}, None)
    result = get_result(activity, learner)
    assert result is not None and result.completed is True and result.is_complete


def test_only_confirmed_people_can_be_marked(app):
    event, sessions = _event_with_sessions(1)
    with pytest.raises(DomainError):
        services.record_attendance(sessions[0], {make_user().id: A.present}, None)


def test_attendance_of_the_last_session_sends_the_survey_to_attendees(app):
    present, absent = make_user(), make_user()
    event, sessions = _event_with_sessions(2)
    for person in (present, absent):
        services.register(sessions[1].id, person)
    services.record_attendance(sessions[0], {}, None)
    assert db.session.scalars(select(SurveyInvitation)).all() == []
    services.record_attendance(sessions[1], {present.id: A.present, absent.id: A.absent}, None)
    invited = db.session.scalars(select(SurveyInvitation.user_id)).all()
    assert invited == [present.id]
    services.send_survey_invitations(event)  # idempotent
    assert len(db.session.scalars(select(SurveyInvitation)).all()) == 1


def test_the_trainer_takes_attendance_through_the_phone_form(app, client, auth):
    trainer = make_user(role="instructor")
    learner = make_user()
    event, sessions = _event_with_sessions(1)
    sessions[0].trainer_id = trainer.id
    services.register(sessions[0].id, learner)
    db.session.commit()
    auth.login(learner)
    assert client.get(f"/training/sessions/{sessions[0].id}/attendance").status_code == 403
    auth.logout()
    auth.login(trainer)
    page = client.get(f"/training/sessions/{sessions[0].id}/attendance")
    assert page.status_code == 200 and f'name="status-{learner.id}"' in page.get_data(as_text=True)
    response = client.post(f"/training/sessions/{sessions[0].id}/attendance", data={f"status-{learner.id}": "present"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(EventCompletion).where(EventCompletion.user_id == learner.id)) is not None


def test_everyone_else_present_in_one_tap(app, client, auth):
    trainer = make_user(role="instructor")
    late, others = make_user(), [make_user(), make_user()]
    event, sessions = _event_with_sessions(1)
    sessions[0].trainer_id = trainer.id
    for person in [late, *others]:
        services.register(sessions[0].id, person)
    db.session.commit()
    auth.login(trainer)
    client.post(f"/training/sessions/{sessions[0].id}/attendance",
                data={f"status-{late.id}": "late", "all_present": "1"})
    from lms.sessions.models import Attendance

    db.session.expire_all()
    marks = {a.user_id: a.status for a in db.session.scalars(select(Attendance))}
    assert marks == {late.id: A.late, others[0].id: A.present, others[1].id: A.present}


def test_sign_in_sheet_pdf_has_the_arabic_names(app, client, auth):
    from io import BytesIO

    from pypdf import PdfReader

    trainer = make_user(role="instructor")
    learner = make_user(full_name="فاطمة الزهراء بناني")
    event, sessions = _event_with_sessions(1)
    sessions[0].trainer_id = trainer.id
    services.register(sessions[0].id, learner)
    db.session.commit()
    auth.login(trainer)
    response = client.get(f"/training/sessions/{sessions[0].id}/sign-in-sheet.pdf?lang=ar")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert "Naskh" in str([reader.pages[0]["/Resources"]["/Font"][f].get_object()["/BaseFont"] for f in
                            reader.pages[0]["/Resources"]["/Font"]]), fonts


def test_knowledge_tests_before_and_after_show_the_progress(app):
    from lms.courses.results import report_result

    course = make_course()
    pre = make_activity(course, "page", graded=True, completion_rule="grade", completion_min_grade=0)
    post = make_activity(course, "page", graded=True, completion_rule="grade", completion_min_grade=0)
    event, sessions = _event_with_sessions(1, pre_test_activity_id=pre.id, post_test_activity_id=post.id)
    people = [make_user(), make_user()]
    for person, before, after in zip(people, (0.4, 0.6), (0.8, 0.9)):
        services.register(sessions[0].id, person)
        report_result(pre, person, score=before)
        report_result(post, person, score=after)
    tests = services.knowledge_tests(event)
    assert tests["pre"]["mean"] == 50.0 and tests["post"]["mean"] == 85.0 and tests["gain"] == 35.0
