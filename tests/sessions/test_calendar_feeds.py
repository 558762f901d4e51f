"""Calendar pages and iCalendar feeds, parsed back with the icalendar library."""
from datetime import timedelta

from icalendar import Calendar

from lms.core.db import db
from lms.sessions import services
from tests.factories import make_administration, make_user
from tests.sessions.factories import make_event, make_session


def _events(body: bytes):
    calendar = Calendar.from_ical(body)
    return calendar, [c for c in calendar.walk("VEVENT")]


def test_public_feed_lists_published_sessions_with_stable_uids(app, client):
    event = make_event(topic="cybersecurity")
    first = make_session(event, venue="ENSA", room="Salle 3")
    make_session(make_event(status="draft"))
    db.session.commit()
    response = client.get("/training/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, items = _events(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert len(items) == 1
    item = items[0]
    assert str(item["UID"]).startswith(f"training-session-{first.uuid}@")
    assert item["DTSTAMP"].dt.tzinfo is not None
    assert item.decoded("DTSTART") == first.starts_at and item.decoded("DTEND") == first.ends_at
    assert str(item["STATUS"]) == "CONFIRMED" and int(item["SEQUENCE"]) == 0
    assert "ENSA" in str(item["LOCATION"])
    assert str(item["SUMMARY"]) in event.title.values()


def test_rescheduled_and_cancelled_sessions_update_calendar_apps(app, client):
    event = make_event()
    moved, cancelled = make_session(event), make_session(event, days=12)
    new_start = moved.starts_at + timedelta(days=1)
    services.reschedule_session(moved, new_start, new_start + timedelta(hours=2), None)
    services.cancel_session(cancelled, None)
    db.session.commit()
    _calendar, items = _events(client.get("/training/calendar.ics").data)
    by_uid = {str(i["UID"]).split("@")[0]: i for i in items}
    moved_item = by_uid[f"training-session-{moved.uuid}"]
    assert int(moved_item["SEQUENCE"]) == 1 and moved_item.decoded("DTSTART") == new_start
    cancelled_item = by_uid[f"training-session-{cancelled.uuid}"]
    assert str(cancelled_item["STATUS"]) == "CANCELLED" and int(cancelled_item["SEQUENCE"]) == 1


def test_personal_feed_marks_waiting_list_places_tentative(app, client):
    first, second = make_user(), make_user()
    session = make_session(make_event(), capacity=1)
    services.register(session.id, first)
    services.register(session.id, second)
    token = services.feed_token(second)
    db.session.commit()
    _calendar, items = _events(client.get(f"/training/feed/{token}.ics").data)
    assert str(items[0]["STATUS"]) == "TENTATIVE"


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(app, client):
    event = make_event()
    session = make_session(event)
    services.cancel_event(event, None)
    db.session.commit()
    _calendar, items = _events(client.get("/training/calendar.ics").data)
    assert [str(i["STATUS"]) for i in items] == ["CANCELLED"]
    assert str(items[0]["UID"]).startswith(f"training-session-{session.uuid}@")
    assert "/training/events/" not in client.get("/training/").get_data(as_text=True)


def test_personal_feed_needs_the_secret_token(app, client, auth):
    learner = make_user()
    session = make_session(make_event())
    other = make_session(make_event())
    registration = services.register(session.id, learner)
    token = services.feed_token(learner)
    db.session.commit()
    assert client.get("/training/feed/not-the-token.ics").status_code == 404
    _calendar, items = _events(client.get(f"/training/feed/{token}.ics").data)
    assert [str(i["UID"]).split("@")[0] for i in items] == [f"training-session-{session.uuid}"]
    assert other.uuid not in client.get(f"/training/feed/{token}.ics").get_data(as_text=True)
    services.withdraw(registration, learner)
    db.session.commit()
    _calendar, items = _events(client.get(f"/training/feed/{token}.ics").data)
    assert str(items[0]["STATUS"]) == "CANCELLED"
    new_token = services.feed_token(learner, regenerate=True)
    db.session.commit()
    assert client.get(f"/training/feed/{token}.ics").status_code == 404
    assert client.get(f"/training/feed/{new_token}.ics").status_code == 200


def test_calendar_views_and_filters(app, client):
    administration = make_administration()
    cyber = make_event(topic="cybersecurity", language="ar", organising_administration_id=administration.id)
    innovation = make_event(topic="innovation", language="fr",
                            title={"fr": "Innovation publique", "ar": "الابتكار العمومي"})
    make_session(cyber, days=2)
    make_session(innovation, days=3)
    db.session.commit()
    page = client.get("/training/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "الابتكار العمومي" in html and 'dir="rtl"' in html
    filtered = client.get("/training/?topic=cybersecurity").get_data(as_text=True)
    assert "الابتكار العمومي" not in filtered
    assert "الابتكار العمومي" not in client.get(f"/training/?administration={administration.id}").get_data(as_text=True)
    assert "الابتكار العمومي" in client.get("/training/?language=fr&mode=in_person").get_data(as_text=True)
    day = services.utc_to_local(cyber.sessions[0].starts_at).date().isoformat()
    for view in ("month", "week"):
        response = client.get(f"/training/?view={view}&date={day}")
        assert response.status_code == 200
        assert f"/training/events/{cyber.id}" in response.get_data(as_text=True)


def test_event_page_for_visitors_and_draft_events_hidden(app, client):
    event = make_event()
    make_session(event)
    draft = make_event(status="draft")
    db.session.commit()
    assert client.get(f"/training/events/{event.id}").status_code == 200
    assert client.get(f"/training/events/{draft.id}").status_code == 401
