"""The registration workflow: approval, waiting list, quotas, deadlines, withdrawal, history and mail."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.outbox import OutboxMessage
from lms.sessions import services
from lms.sessions.models import RegistrationChange, RegistrationState as S
from tests.factories import make_administration, make_user
from tests.sessions.factories import make_event, make_session


def _mails_to(address):
    return [m.payload for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email"))
            if m.payload["to"] == address]


def test_without_approval_registration_is_confirmed_and_mailed_in_the_learners_language(app):
    learner = make_user(language="fr")
    session = make_session(make_event())
    registration = services.register(session.id, learner)
    assert registration.state == S.confirmed
    mails = _mails_to(learner.email)
    assert len(mails) == 1
    assert "Confirmé" in mails[0]["subject"] or "Confirmée" in mails[0]["subject"] or "confirm" in mails[0]["body"].lower()


def test_manager_then_organiser_approval(app):
    administration = make_administration()
    organiser = make_user(role="instructor")
    manager = make_user(role="manager", administration=administration)
    learner = make_user(administration=administration, language="ar")
    session = make_session(make_event(organiser=organiser, approval="manager_organiser"))

    registration = services.register(session.id, learner)
    assert registration.state == S.pending_manager
    assert any("approve" in m["subject"].lower() or "موافقة" in m["subject"] for m in _mails_to(manager.email))
    with pytest.raises(DomainError):
        services.decide(registration, organiser, approve=True)  # not the organiser's turn yet
    services.decide(registration, manager, approve=True)
    assert registration.state == S.pending_organiser
    services.decide(registration, organiser, approve=True, comment="OK")
    assert registration.state == S.confirmed
    states = [(c.from_state, c.to_state) for c in registration.history]
    assert states == [(None, "pending_manager"), ("pending_manager", "pending_organiser"),
                      ("pending_organiser", "confirmed")]
    assert registration.history[-1].actor_id == organiser.id


def test_a_manager_decides_only_for_their_administration(app):
    learner = make_user(administration=make_administration())
    other_manager = make_user(role="manager", administration=make_administration())
    session = make_session(make_event(approval="manager"))
    registration = services.register(session.id, learner)
    with pytest.raises(DomainError) as refused:
        services.decide(registration, other_manager, approve=True)
    assert refused.value.status == 403


def test_declining_frees_the_seat_for_the_waiting_list(app):
    administration = make_administration()
    manager = make_user(role="manager", administration=administration)
    first, second = (make_user(administration=administration) for _ in range(2))
    session = make_session(make_event(approval="manager"), capacity=1)
    a = services.register(session.id, first)
    b = services.register(session.id, second)
    assert (a.state, b.state) == (S.pending_manager, S.waitlisted)
    services.decide(a, manager, approve=False, comment="Pas cette fois")
    assert a.state == S.declined
    assert b.state == S.pending_manager  # promoted, now awaiting approval


def test_withdrawal_promotes_the_first_person_on_the_waiting_list(app):
    people = [make_user() for _ in range(4)]
    session = make_session(make_event(), capacity=2)
    registrations = [services.register(session.id, person) for person in people]
    assert [r.state for r in registrations] == [S.confirmed, S.confirmed, S.waitlisted, S.waitlisted]
    services.withdraw(registrations[0], people[0])
    assert registrations[0].state == S.withdrawn
    assert registrations[2].state == S.confirmed
    assert registrations[3].state == S.waitlisted
    promoted = registrations[2].history[-1]
    assert (promoted.from_state, promoted.to_state, promoted.reason) == ("waitlisted", "confirmed", "promoted")
    assert any("confirm" in m["body"].lower() or "مؤكد" in m["body"] for m in _mails_to(people[2].email))


def test_withdrawal_after_the_cutoff_is_refused(app):
    learner = make_user()
    session = make_session(make_event(withdrawal_cutoff_hours=48), days=1)
    registration = services.register(session.id, learner)
    with pytest.raises(DomainError) as refused:
        services.withdraw(registration, learner)
    assert refused.value.code == "withdrawal_closed"
    assert registration.state == S.confirmed


def test_registration_after_the_deadline_gives_a_clear_error(app):
    session = make_session(make_event(registration_deadline=utcnow() - timedelta(hours=1)))
    with pytest.raises(DomainError) as refused:
        services.register(session.id, make_user(language="fr"))
    assert refused.value.code == "deadline_passed"
    assert refused.value.status == 409
    assert "deadline" in refused.value.message.lower() or "date limite" in refused.value.message.lower() \
        or "آخر أجل" in refused.value.message


def test_registration_page_shows_the_deadline_error(app, client, auth):
    learner = make_user()
    session = make_session(make_event(registration_deadline=utcnow() - timedelta(hours=1)))
    db.session.commit()
    auth.login(learner)
    response = client.post(f"/training/sessions/{session.id}/register", follow_redirects=True)
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert services.find_registration(session, learner) is None


def test_quota_per_administration(app):
    administration, other = make_administration(), make_administration()
    event = make_event()
    session = make_session(event, capacity=10)
    services.set_quota(event, administration.id, 2)
    services.register(session.id, make_user(administration=administration))
    services.register(session.id, make_user(administration=administration))
    with pytest.raises(DomainError) as refused:
        services.register(session.id, make_user(administration=administration))
    assert refused.value.code == "quota_full"
    assert services.register(session.id, make_user(administration=other)).state == S.confirmed


def test_registering_twice_is_refused(app):
    learner = make_user()
    session = make_session(make_event())
    services.register(session.id, learner)
    with pytest.raises(DomainError) as refused:
        services.register(session.id, learner)
    assert refused.value.code == "already_registered"


def test_every_change_is_recorded(app):
    learner = make_user()
    session = make_session(make_event())
    registration = services.register(session.id, learner)
    services.withdraw(registration, learner)
    registration = services.register(session.id, learner)  # registering again reuses the row
    changes = db.session.scalars(select(RegistrationChange).where(RegistrationChange.registration_id == registration.id)
                                 .order_by(RegistrationChange.id)).all()
    assert [c.to_state for c in changes] == ["confirmed", "withdrawn", "confirmed"]


def test_cancelling_a_session_notifies_registrants_and_bumps_the_sequence(app):
    learner = make_user(language="fr")
    session = make_session(make_event())
    registration = services.register(session.id, learner)
    services.cancel_session(session, None, reason="Salle indisponible")
    assert registration.state == S.cancelled
    assert session.sequence == 1
    assert any("annulée" in m["subject"].lower() and "Salle indisponible" in m["body"] for m in _mails_to(learner.email))


def test_rescheduling_notifies_registrants(app):
    learner = make_user(language="ar")
    session = make_session(make_event())
    services.register(session.id, learner)
    new_start = session.starts_at + timedelta(days=2)
    services.reschedule_session(session, new_start, new_start + timedelta(hours=3), None)
    assert session.sequence == 1 and session.starts_at == new_start
    assert len(_mails_to(learner.email)) == 2


def test_weekday_series_skips_the_weekend_and_keeps_local_time(app):
    from datetime import datetime

    event = make_event()
    friday = datetime(2031, 3, 7, 9, 0)  # a Friday
    sessions = services.generate_sessions(event, friday, friday.replace(hour=12), repeat="weekdays", occurrences=3)
    local = [services.utc_to_local(s.starts_at) for s in sessions]
    assert [d.weekday() for d in local] == [4, 0, 1]
    assert all(d.hour == 9 for d in local)


def test_more_seats_promote_the_waiting_list_and_fewer_than_taken_is_refused(app):
    people = [make_user() for _ in range(3)]
    session = make_session(make_event(), capacity=1)
    registrations = [services.register(session.id, person) for person in people]
    moved = services.reschedule_session(session, session.starts_at, session.ends_at, None, capacity=2)
    assert moved is False and session.sequence == 0  # same date and place: nobody is bothered
    assert [r.state for r in registrations] == [S.confirmed, S.confirmed, S.waitlisted]
    with pytest.raises(DomainError) as refused:
        services.reschedule_session(session, session.starts_at, session.ends_at, None, capacity=1)
    assert refused.value.code == "capacity_too_low"


def test_the_registrant_mail_is_in_their_own_language(app):
    french, arabic = make_user(language="fr"), make_user(language="ar")
    session = make_session(make_event(title={"ar": "تكوين", "fr": "Formation"}))
    services.register(session.id, french)
    services.register(session.id, arabic)
    (fr_mail,) = _mails_to(french.email)
    (ar_mail,) = _mails_to(arabic.email)
    assert fr_mail["subject"] == "Formation « Formation » : Confirmée"
    assert ar_mail["subject"] == "التكوين «تكوين»: مؤكد"
    assert fr_mail["body"].startswith("Bonjour") and ar_mail["body"].startswith("مرحبًا")


def test_without_a_manager_in_the_administration_the_organiser_decides(app):
    organiser = make_user(role="instructor")
    learner = make_user(administration=make_administration())
    session = make_session(make_event(organiser=organiser, approval="manager"))
    registration = services.register(session.id, learner)
    assert registration.state == S.pending_organiser
    assert services.pending_for(organiser) == [registration]
    services.decide(registration, organiser, approve=True)
    assert registration.state == S.confirmed


def test_the_online_link_goes_only_to_confirmed_people(app, client):
    event = make_event()
    session = make_session(event, capacity=1, online_url="https://meet.example.org/secret-room")
    confirmed, waiting = make_user(), make_user()
    services.register(session.id, confirmed)
    services.register(session.id, waiting)
    assert "secret-room" in _mails_to(confirmed.email)[0]["body"]
    assert "secret-room" not in _mails_to(waiting.email)[0]["body"]
    db.session.commit()
    assert "secret-room" not in client.get("/training/calendar.ics").get_data(as_text=True)
    assert "secret-room" not in client.get(f"/training/events/{event.id}").get_data(as_text=True)
    token = services.feed_token(confirmed)
    db.session.commit()
    assert "secret-room" in client.get(f"/training/feed/{token}.ics").get_data(as_text=True)


def test_reminders_go_once_to_confirmed_people_of_tomorrows_sessions(app, runner):
    confirmed, waiting = make_user(), make_user()
    soon = make_session(make_event(), days=0.5, capacity=1)
    make_session(make_event(), days=5)  # too far
    services.register(soon.id, confirmed)
    services.register(soon.id, waiting)
    db.session.commit()
    result = runner.invoke(args=["training", "send-reminders"])
    assert result.exit_code == 0, result.output
    reminders = [m for m in _mails_to(confirmed.email) if "Reminder" in m["subject"]]
    assert len(reminders) == 1
    assert not [m for m in _mails_to(waiting.email) if "Reminder" in m["subject"]]
    runner.invoke(args=["training", "send-reminders"])
    assert len([m for m in _mails_to(confirmed.email) if "Reminder" in m["subject"]]) == 1


def test_registration_before_it_opens_is_refused(app):
    session = make_session(make_event(registration_opens_at=utcnow() + timedelta(days=1)))
    with pytest.raises(DomainError) as refused:
        services.register(session.id, make_user())
    assert refused.value.code == "registration_not_open"
