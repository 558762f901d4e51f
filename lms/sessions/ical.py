"""iCalendar (RFC 5545) feeds of training sessions, built with the ``icalendar`` library.

Calendar applications update an entry they already imported when the UID is stable and SEQUENCE grows:
each session's UID is its uuid, SEQUENCE is bumped on every reschedule or cancellation, a cancelled session
stays in the feed with STATUS:CANCELLED so subscribers remove it. Times are written in UTC (``Z``), which
every application converts to the reader's zone.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from icalendar import Calendar, Event

from lms.core.db import utcnow
from lms.core.i18n import localized

from .models import RegistrationState, SessionStatus


def _site() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def _uid(session) -> str:
    host = urlsplit(_site()).hostname or "tamkeen.local"
    return f"training-session-{session.uuid}@{host}"


def build_calendar(sessions, name: str, language: str, cancelled_ids: set[int] | None = None,
                   link_ids: set[int] | None = None, tentative_ids: set[int] | None = None) -> bytes:
    """``cancelled_ids``: sessions shown as cancelled for this reader (e.g. they withdrew); ``tentative_ids``:
    not confirmed yet (awaiting approval, waiting list); ``link_ids``: sessions whose online meeting link this
    reader may see (the public feed never shows one)."""
    cancelled_ids, link_ids, tentative_ids = cancelled_ids or set(), link_ids or set(), tentative_ids or set()
    calendar = Calendar()
    calendar.add("prodid", "-//Tamkeen LMS//Training calendar//" + language.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Africa/Casablanca")
    now = utcnow()
    for session in sessions:
        event = session.event
        item = Event()
        item.add("uid", _uid(session))
        item.add("dtstamp", now)
        item.add("last-modified", session.updated_at or now)
        item.add("dtstart", session.starts_at)
        item.add("dtend", session.ends_at)
        summary = localized(event.title, language)
        if session.title:
            summary = f"{summary} — {localized(session.title, language)}"
        item.add("summary", summary)
        description = localized(event.description, language) if event.description else ""
        link = _site() + url_for("sessions.view_event", event_id=event.id)
        item.add("description", f"{description}\n\n{link}".strip())
        item.add("url", link)
        location = session.location
        if session.online_url and session.id in link_ids:
            location = f"{location} — {session.online_url}" if location else session.online_url
        if location:
            item.add("location", location)
        if event.topic:
            item.add("categories", [event.topic])
        item.add("sequence", session.sequence)
        cancelled = session.status == SessionStatus.cancelled or session.id in cancelled_ids
        item.add("status", "CANCELLED" if cancelled else "TENTATIVE" if session.id in tentative_ids else "CONFIRMED")
        item.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        calendar.add_component(item)
    return calendar.to_ical()


def user_calendar(rows, name: str, language: str) -> bytes:
    """``rows``: (session, registration or None for a trainer) pairs of one person."""
    inactive = (RegistrationState.withdrawn, RegistrationState.declined, RegistrationState.cancelled)
    sessions, cancelled, links, tentative = [], set(), set(), set()
    for session, registration in rows:
        if registration is not None and registration.state in inactive:
            cancelled.add(session.id)
        elif registration is not None and registration.state != RegistrationState.confirmed:
            tentative.add(session.id)
        if registration is None or registration.state == RegistrationState.confirmed:
            links.add(session.id)
        sessions.append(session)
    return build_calendar(sessions, name, language, cancelled, links, tentative)
