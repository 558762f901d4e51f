"""Organiser, manager and learner pages: creating events and sessions, approvals, reports and exports."""
from io import BytesIO

from sqlalchemy import select

from lms.core.db import db
from lms.sessions import services
from lms.sessions.models import AttendanceStatus as A, RegistrationState as S, TrainingEvent
from tests.factories import make_administration, make_user
from tests.sessions.factories import make_event, make_session


def test_an_instructor_creates_an_event_and_a_weekly_series(app, client, auth):
    organiser = make_user(role="instructor")
    db.session.commit()
    auth.login(organiser)
    response = client.post("/training/events/new", data={
        "title_ar": "التواصل المؤسساتي", "title_fr": "Communication institutionnelle", "language": "fr",
        "mode": "blended", "approval_mode": "manager", "withdrawal_cutoff_hours": "24",
        "min_attendance_percent": "100", "status": "published", "topic": "communication"})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(TrainingEvent))
    assert event.organiser_id == organiser.id and event.title["fr"] == "Communication institutionnelle"
    response = client.post(f"/training/events/{event.id}/sessions", data={
        "s-starts_at": "2031-03-03T09:00", "s-ends_at": "2031-03-03T12:30", "s-capacity": "15",
        "s-repeat": "weekly", "s-occurrences": "3", "s-venue": "ENSA", "s-trainer_id": ""})
    assert response.status_code == 302
    db.session.expire_all()
    sessions = db.session.get(TrainingEvent, event.id).sessions
    assert len(sessions) == 3
    assert [services.utc_to_local(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in sessions] == [
        "2031-03-03 09:00", "2031-03-10 09:00", "2031-03-17 09:00"]
    assert client.get(f"/training/events/{event.id}/manage").status_code == 200
    page = client.get(f"/training/events/{event.id}").get_data(as_text=True)
    assert "09:00" in page and "12:30" in page  # shown back in Morocco time, as typed


def test_a_december_time_is_shown_back_as_typed(app, client, auth):
    organiser = make_user(role="instructor")
    event = make_event(organiser=organiser)
    db.session.commit()
    auth.login(organiser)
    client.post(f"/training/events/{event.id}/sessions", data={
        "s-starts_at": "2031-12-10T09:00", "s-ends_at": "2031-12-10T11:00", "s-capacity": "5", "s-repeat": "none",
        "s-occurrences": "1", "s-trainer_id": ""})
    page = client.get(f"/training/events/{event.id}").get_data(as_text=True)
    assert "09:00" in page and "11:00" in page


def test_a_learner_cannot_create_events(app, client, auth):
    learner = make_user()
    db.session.commit()
    auth.login(learner)
    assert client.get("/training/events/new").status_code == 403


def test_register_then_manager_approves_through_the_pages(app, client, auth):
    administration = make_administration()
    manager = make_user(role="manager", administration=administration)
    learner = make_user(administration=administration)
    session = make_session(make_event(approval="manager"))
    db.session.commit()
    auth.login(learner)
    assert client.post(f"/training/sessions/{session.id}/register").status_code == 302
    auth.logout()
    auth.login(manager)
    page = client.get("/training/approvals").get_data(as_text=True)
    assert learner.display_name in page
    registration = services.find_registration(session, learner)
    assert client.post(f"/training/registrations/{registration.id}/decide",
                       data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert services.find_registration(session, learner).state == S.confirmed


def test_reports_and_exports(app, client, auth):
    from openpyxl import load_workbook

    central = make_administration(level="central")
    local = make_administration(level="local")
    manager = make_user(role="manager", administration=central)
    woman = make_user(administration=central, gender="female")
    man = make_user(administration=local, gender="male")
    trainer = make_user(role="instructor")
    event = make_event()
    session = make_session(event, hours=4, trainer_id=trainer.id)
    for person in (woman, man):
        services.register(session.id, person)
    services.record_attendance(session, {woman.id: A.present, man.id: A.absent}, None)
    services.submit_survey(event, woman, {"overall": "5", f"trainer:{trainer.id}": "4"})
    db.session.commit()
    auth.login(manager)
    assert client.get("/training/reports").status_code == 200
    from lms.sessions import reports

    totals = reports.summary(reports.report_events())["totals"]
    assert (totals["people"], totals["women"], totals["men"], totals["central"], totals["local"]) == (2, 1, 1, 1, 1)
    assert totals["attendance_rate"] == 50.0 and totals["satisfaction_rate"] == 100.0
    assert totals["hours"] == 4.0 and totals["hours_per_person"] == 2.0
    (trainer_row,) = reports.summary(reports.report_events())["trainers"]
    assert trainer_row["trainer"].id == trainer.id and trainer_row["mean"] == 4.0
    csv = client.get("/training/reports/participants.csv")
    assert csv.status_code == 200 and woman.username in csv.get_data(as_text=True)
    xlsx = client.get("/training/reports/participants.xlsx")
    workbook = load_workbook(BytesIO(xlsx.data))
    assert workbook.worksheets[0].max_row == 3
    assert client.get(f"/training/events/{event.id}/results").status_code == 200


def test_reports_are_closed_to_learners(app, client, auth):
    learner = make_user()
    db.session.commit()
    auth.login(learner)
    assert client.get("/training/reports").status_code == 403
    assert client.get("/training/reports/participants.csv").status_code == 403


def test_my_trainings_page(app, client, auth):
    learner = make_user()
    session = make_session(make_event())
    services.register(session.id, learner)
    db.session.commit()
    auth.login(learner)
    html = client.get("/training/my").get_data(as_text=True)
    assert "/training/feed/" in html and f"/training/events/{session.event_id}" in html


def test_demo_data_has_an_upcoming_event_with_two_sessions(app):
    from lms.sessions.demo import load_demo

    # What the accounts demo provides to ours (created here with the fast factories).
    make_administration("ensa"), make_administration("mtnra")
    make_user("trainer.ensa", role="instructor"), make_user("trainer2.ensa", role="instructor")
    load_demo()
    load_demo()  # idempotent
    events = db.session.scalars(select(TrainingEvent)).all()
    assert len(events) == 2
    assert all(len(e.sessions) == 2 for e in events)
    assert {e.language for e in events} == {"ar", "fr"}
    assert len(services.calendar_sessions(services.utcnow())) == 4
    assert all(e.trainers and e.organising_administration_id for e in events)


def test_the_organiser_cancels_an_event(app, client, auth):
    organiser = make_user(role="instructor")
    learner = make_user(language="fr")
    event = make_event(organiser=organiser)
    sessions = [make_session(event, days=d) for d in (3, 4)]
    services.register(sessions[0].id, learner)
    db.session.commit()
    auth.login(organiser)
    assert client.post(f"/training/events/{event.id}/cancel", data={"e-reason": "Report"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingEvent, event.id).status.value == "cancelled"
    assert services.find_registration(sessions[0], learner).state == S.cancelled


def test_organiser_pages_reschedule_cancel_and_set_quotas(app, client, auth):
    organiser = make_user(role="instructor")
    administration = make_administration()
    learner = make_user(language="fr")
    event = make_event(organiser=organiser)
    first, second = make_session(event, days=5), make_session(event, days=6)
    services.register(first.id, learner)
    db.session.commit()
    auth.login(organiser)
    response = client.post(f"/training/sessions/{first.id}/reschedule", data={
        "starts_at": "2031-05-05T10:00", "ends_at": "2031-05-05T13:00", "room": "B12", "capacity": "12",
        "reason": "Salle changée"})
    assert response.status_code == 302
    bad = client.post(f"/training/sessions/{first.id}/reschedule", data={
        "starts_at": "2031-05-05T10:00", "ends_at": "2031-05-05T09:00", "capacity": "12"})
    assert bad.status_code == 400
    assert client.post(f"/training/sessions/{second.id}/cancel", data={"c-reason": "Grève"}).status_code == 302
    assert client.post(f"/training/events/{event.id}/quotas",
                       data={"q-administration_id": str(administration.id), "q-seats": "3"}).status_code == 302
    db.session.expire_all()
    event = db.session.get(TrainingEvent, event.id)
    moved, cancelled = sorted(event.sessions, key=lambda s: s.id)
    assert services.utc_to_local(moved.starts_at).strftime("%H:%M") == "10:00"
    assert (moved.room, moved.capacity, moved.sequence) == ("B12", 12, 1)
    assert cancelled.status.value == "cancelled"
    assert [(q.administration_id, q.seats) for q in event.quotas] == [(administration.id, 3)]


def test_a_learner_withdraws_from_the_event_page_and_others_cannot(app, client, auth):
    learner, other = make_user(), make_user()
    session = make_session(make_event())
    registration = services.register(session.id, learner)
    db.session.commit()
    auth.login(other)
    assert client.post(f"/training/registrations/{registration.id}/withdraw").status_code == 403
    auth.logout()
    auth.login(learner)
    assert client.post(f"/training/registrations/{registration.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert services.find_registration(session, learner).state == S.withdrawn
