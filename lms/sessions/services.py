"""Domain operations of training management: plain functions that flush, never commit.

Registration, withdrawal and approval decisions lock the event and the session rows (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite transactions are ``BEGIN IMMEDIATE``), so seats and quotas are counted race-free.
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select

from lms.accounts.models import SiteRole, User
from lms.core.db import db, lock_for_update, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, current_locale, force_locale, format_date, format_datetime, localized
from lms.core.mail import send_mail
from lms.core.permissions import can

from . import xapi
from .models import (
    ACTIVE_STATES,
    SEAT_STATES,
    AdministrationQuota,
    ApprovalMode,
    Attendance,
    AttendanceStatus,
    EventCompletion,
    EventStatus,
    FeedToken,
    Registration,
    RegistrationChange,
    RegistrationState,
    SessionStatus,
    SurveyInvitation,
    SurveyResponse,
    TrainingEvent,
    TrainingSession,
)

log = logging.getLogger(__name__)

# zoneinfo, the time-zone database lms.core.i18n formats with, so a time typed in a form is shown back
# unchanged (pytz's tables for Morocco stop in 2026).
LOCAL_TZ = ZoneInfo("Africa/Casablanca")
S = RegistrationState


# -- time ------------------------------------------------------------------------------------------------

def local_to_utc(value: datetime) -> datetime:
    """A wall-clock time in Morocco (form input) as an aware UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(timezone.utc)


def utc_to_local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


# -- events and sessions ---------------------------------------------------------------------------------

def create_event(*, title: dict, organiser: User | None = None, **fields) -> TrainingEvent:
    event = TrainingEvent(title=title, organiser_id=getattr(organiser, "id", None), **fields)
    if not event.survey_questions:
        event.survey_questions = default_survey_questions()
    db.session.add(event)
    db.session.flush()
    return event


def add_session(event: TrainingEvent, starts_at: datetime, ends_at: datetime, **fields) -> TrainingSession:
    if ends_at <= starts_at:
        raise DomainError(_("A session must end after it starts."), code="invalid_dates", field="ends_at")
    session = TrainingSession(event=event, starts_at=starts_at, ends_at=ends_at, **fields)
    db.session.add(session)
    db.session.flush()
    return session


RECURRENCES = ("none", "daily", "weekdays", "weekly")


def generate_sessions(event: TrainingEvent, first_start_local: datetime, first_end_local: datetime, *,
                      repeat: str = "none", occurrences: int = 1, **fields) -> list[TrainingSession]:
    """Create a multi-day or recurring series from the first occurrence (Moroccan wall-clock times).

    Each occurrence keeps the local start and end times, so a series crossing a clock change (Ramadan)
    stays at 09:00 local time.
    """
    if repeat not in RECURRENCES:
        raise DomainError(_("Unknown repetition."), code="invalid_repeat")
    occurrences = 1 if repeat == "none" else max(1, min(int(occurrences), 60))
    duration = first_end_local - first_start_local
    day = first_start_local.date()
    start_time = first_start_local.time()
    created = []
    while len(created) < occurrences:
        if repeat == "weekdays" and day.weekday() >= 5:  # Saturday, Sunday
            day += timedelta(days=1)
            continue
        start = datetime.combine(day, start_time)
        created.append(add_session(event, local_to_utc(start), local_to_utc(start + duration), **fields))
        day += timedelta(days=7 if repeat == "weekly" else 1)
    return created


def _active_registrations(session: TrainingSession) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.session_id == session.id,
                                                              Registration.state.in_(ACTIVE_STATES))))


def cancel_session(session: TrainingSession, actor: User | None, reason: str | None = None) -> None:
    if session.status == SessionStatus.cancelled:
        return
    session.status = SessionStatus.cancelled
    session.sequence += 1
    for registration in _active_registrations(session):
        _transition(registration, S.cancelled, actor, reason="session_cancelled", comment=reason, notify=False)
        _mail_session_change(registration.user, session, cancelled=True, reason=reason)
    db.session.flush()


def reschedule_session(session: TrainingSession, starts_at: datetime, ends_at: datetime, actor: User | None,
                       reason: str | None = None, capacity: int | None = None, **fields) -> bool:
    """Move a session or change its place; registrants are told when the date, time or place changed.

    A larger capacity gives the new seats to the waiting list at once. Returns whether registrants were told.
    """
    if ends_at <= starts_at:
        raise DomainError(_("A session must end after it starts."), code="invalid_dates", field="ends_at")
    session = _lock_session(session.id)
    if session.status == SessionStatus.cancelled:
        raise DomainError(_("This session is cancelled."), code="session_cancelled", status=409)
    moved = (session.starts_at, session.ends_at) != (starts_at, ends_at) or any(
        getattr(session, key) != value for key, value in fields.items())
    session.starts_at, session.ends_at = starts_at, ends_at
    for key, value in fields.items():
        setattr(session, key, value)
    if moved:
        session.sequence += 1
        for registration in _active_registrations(session):
            _mail_session_change(registration.user, session, cancelled=False, reason=reason,
                                 with_link=registration.state == S.confirmed)
    if capacity is not None and capacity != session.capacity:
        if capacity < seats_taken(session):
            raise DomainError(_("%(count)d people already hold a seat: the capacity cannot be lower.",
                                count=seats_taken(session)), code="capacity_too_low", status=409, field="capacity")
        session.capacity = capacity
        db.session.flush()
        promote_waiting_list(session, actor)
    db.session.flush()
    return moved


def cancel_event(event: TrainingEvent, actor: User | None, reason: str | None = None) -> None:
    for session in event.sessions:
        cancel_session(session, actor, reason)
    event.status = EventStatus.cancelled
    db.session.flush()


def set_quota(event: TrainingEvent, administration_id: int, seats: int | None) -> None:
    quota = db.session.scalar(select(AdministrationQuota).where(AdministrationQuota.event_id == event.id,
                                                                AdministrationQuota.administration_id == administration_id))
    if seats is None:
        if quota is not None:
            db.session.delete(quota)
    elif quota is None:
        db.session.add(AdministrationQuota(event_id=event.id, administration_id=administration_id, seats=seats))
    else:
        quota.seats = seats
    db.session.flush()


# -- registration workflow -------------------------------------------------------------------------------

def _lock_session(session_id: int) -> TrainingSession:
    """Lock the event row, then the session row (always in this order: no deadlock between registrations)."""
    event_id = db.session.scalar(select(TrainingSession.event_id).where(TrainingSession.id == session_id))
    if event_id is None:
        raise DomainError(_("This session does not exist."), code="not_found", status=404)
    db.session.execute(lock_for_update(select(TrainingEvent.id).where(TrainingEvent.id == event_id)))
    return db.session.execute(
        lock_for_update(select(TrainingSession).where(TrainingSession.id == session_id))
        .execution_options(populate_existing=True)).scalar_one()


def seats_taken(session: TrainingSession) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.session_id == session.id, Registration.state.in_(SEAT_STATES))) or 0


def waiting_count(session: TrainingSession) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.session_id == session.id, Registration.state == S.waitlisted)) or 0


def registration_deadline(session: TrainingSession) -> datetime:
    return session.registration_deadline or session.event.registration_deadline or session.starts_at


def withdrawal_cutoff(session: TrainingSession) -> datetime:
    return session.starts_at - timedelta(hours=session.event.withdrawal_cutoff_hours or 0)


def _quota_for(event: TrainingEvent, user: User) -> AdministrationQuota | None:
    if user.administration_id is None:
        return None
    return db.session.scalar(select(AdministrationQuota).where(AdministrationQuota.event_id == event.id,
                                                               AdministrationQuota.administration_id == user.administration_id))


def _quota_used(event: TrainingEvent, administration_id: int, excluding_user_id: int) -> int:
    """People of one administration holding a seat or a waiting-list place in any session of the event."""
    return db.session.scalar(
        select(func.count(func.distinct(Registration.user_id)))
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .join(User, User.id == Registration.user_id)
        .where(TrainingSession.event_id == event.id, User.administration_id == administration_id,
               Registration.state.in_(ACTIVE_STATES), Registration.user_id != excluding_user_id)) or 0


def has_manager(user: User) -> bool:
    if user.administration_id is None:
        return False
    return db.session.scalar(select(func.count(User.id)).where(
        User.role == SiteRole.manager, User.active.is_(True), User.administration_id == user.administration_id,
        User.id != user.id)) > 0


def _first_state(event: TrainingEvent, user: User) -> RegistrationState:
    """Where a request starts; without a manager in the learner's administration the organiser decides."""
    if event.approval_mode == ApprovalMode.none:
        return S.confirmed
    return S.pending_manager if has_manager(user) else S.pending_organiser


def find_registration(session: TrainingSession, user: User) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.session_id == session.id,
                                                        Registration.user_id == user.id))


def register(session_id: int, user: User, actor: User | None = None, now: datetime | None = None) -> Registration:
    """Ask for a seat: confirmed or pending approval when one is free, otherwise on the waiting list."""
    now = now or utcnow()
    session = _lock_session(session_id)
    event = session.event
    if event.status != EventStatus.published or session.status != SessionStatus.scheduled:
        raise DomainError(_("Registration is not open for this session."), code="registration_closed", status=409)
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError(_("Registration opens on %(date)s.", date=format_datetime(event.registration_opens_at)),
                          code="registration_not_open", status=409)
    deadline = registration_deadline(session)
    if now >= deadline:
        raise DomainError(_("The registration deadline (%(date)s) has passed: registration for this session "
                            "is closed.", date=format_datetime(deadline)), code="deadline_passed", status=409)
    existing = find_registration(session, user)
    if existing is not None and existing.state in ACTIVE_STATES:
        raise DomainError(_("You are already registered for this session (%(state)s).", state=existing.state.title),
                          code="already_registered", status=409)
    quota = _quota_for(event, user)
    if quota is not None and _quota_used(event, quota.administration_id, user.id) >= quota.seats:
        raise DomainError(_("Your administration's quota for this training (%(seats)d places) is used up.",
                            seats=quota.seats), code="quota_full", status=409)
    state = _first_state(event, user) if seats_taken(session) < session.capacity else S.waitlisted
    if existing is None:
        registration = Registration(session_id=session.id, user_id=user.id, state=state, requested_at=now)
        registration.session, registration.user = session, user
        db.session.add(registration)
        db.session.flush()
        _record(registration, None, state, actor or user, reason="registered")
    else:
        registration = existing
        registration.requested_at = now
        _transition(registration, state, actor or user, reason="registered", notify=False)
    _notify(registration)
    if state == S.confirmed:
        xapi.registered(registration)
    return registration


def withdraw(registration: Registration, actor: User, now: datetime | None = None, comment: str | None = None) -> None:
    now = now or utcnow()
    session = _lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.state not in ACTIVE_STATES:
        raise DomainError(_("This registration is no longer active."), code="not_active", status=409)
    organiser_acting = actor.id != registration.user_id and can(actor, "sessions.manage_event", session.event)
    if not organiser_acting and now >= withdrawal_cutoff(session):
        raise DomainError(_("Withdrawal closed on %(date)s. Please contact the organiser.",
                            date=format_datetime(withdrawal_cutoff(session))), code="withdrawal_closed", status=409)
    freed = registration.state in SEAT_STATES
    _transition(registration, S.withdrawn, actor, reason="withdrawn", comment=comment)
    if freed:
        promote_waiting_list(session, actor)


def decide(registration: Registration, actor: User, approve: bool, comment: str | None = None) -> None:
    """The manager (then the organiser) approves or declines a pending registration."""
    session = _lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.state not in (S.pending_manager, S.pending_organiser):
        raise DomainError(_("This registration is not awaiting a decision."), code="not_pending", status=409)
    if not can(actor, "sessions.decide", registration):
        raise DomainError(_("You cannot decide on this registration."), code="forbidden", status=403)
    if not approve:
        _transition(registration, S.declined, actor, reason="declined", comment=comment)
        promote_waiting_list(session, actor)
        return
    if registration.state == S.pending_manager and session.event.approval_mode == ApprovalMode.manager_organiser:
        _transition(registration, S.pending_organiser, actor, reason="manager_approved", comment=comment)
        return
    _transition(registration, S.confirmed, actor, reason="approved", comment=comment)
    xapi.registered(registration)


def promote_waiting_list(session: TrainingSession, actor: User | None = None) -> list[Registration]:
    """Give freed seats to the waiting list in request order (the caller holds the session lock)."""
    promoted = []
    if session.status != SessionStatus.scheduled:
        return promoted
    free = session.capacity - seats_taken(session)
    if free <= 0:
        return promoted
    waiting = db.session.scalars(select(Registration).where(Registration.session_id == session.id,
                                                            Registration.state == S.waitlisted)
                                 .order_by(Registration.requested_at, Registration.id)).all()
    for registration in waiting:
        if free <= 0:
            break
        state = _first_state(session.event, registration.user)
        _transition(registration, state, actor, reason="promoted")
        if state == S.confirmed:
            xapi.registered(registration)
        promoted.append(registration)
        free -= 1
    return promoted


def _record(registration: Registration, old: RegistrationState | None, new: RegistrationState, actor: User | None,
            reason: str | None = None, comment: str | None = None) -> None:
    db.session.add(RegistrationChange(registration_id=registration.id, from_state=old.value if old else None,
                                      to_state=new.value, actor_id=getattr(actor, "id", None), reason=reason,
                                      comment=comment))


def _transition(registration: Registration, new: RegistrationState, actor: User | None, *, reason: str | None = None,
                comment: str | None = None, notify: bool = True) -> None:
    old = registration.state
    registration.state = new
    _record(registration, old, new, actor, reason, comment)
    db.session.flush()
    if notify:
        _notify(registration, comment=comment)


# -- mail ------------------------------------------------------------------------------------------------

def _absolute(endpoint: str, **values) -> str:
    """A link for a mail: works in a request and in the worker or a CLI command (no request)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["SITE_URL"].rstrip("/") + path


def when_text(session: TrainingSession) -> str:
    """"Monday 14 December 2026, 09:00–15:00" in the current language and Morocco time."""
    start, end = utc_to_local(session.starts_at), utc_to_local(session.ends_at)
    comma = "،" if current_locale() == "ar" else ","
    text = f"{format_date(session.starts_at, 'full')}{comma} {format_datetime(session.starts_at, 'HH:mm')}"
    if start.date() == end.date():
        return f"{text}–{format_datetime(session.ends_at, 'HH:mm')}"
    return f"{text} – {format_date(session.ends_at, 'full')}{comma} {format_datetime(session.ends_at, 'HH:mm')}"


def _session_line(session: TrainingSession, with_link: bool = False) -> str:
    text = when_text(session)
    if session.location:
        text += f"\n{session.location}"
    if with_link and session.online_url:
        text += "\n" + _("Online meeting: %(link)s", link=session.online_url)
    return text


def _notify(registration: Registration, comment: str | None = None) -> None:
    """Tell the registrant (in their language) and, when a decision is needed, the people who decide."""
    user, session = registration.user, registration.session
    event = session.event
    with force_locale(user.preferred_language):
        title = localized(event.title)
        subject = _("Training “%(title)s”: %(state)s", title=title, state=registration.state.title)
        body = [_("Hello %(name)s,", name=user.display_name), "",
                _("Your registration for the training “%(title)s” is now: %(state)s.", title=title,
                  state=registration.state.title), "",
                _session_line(session, with_link=registration.state == S.confirmed)]
        if comment:
            body += ["", _("Comment: %(comment)s", comment=comment)]
        body += ["", _absolute("sessions.view_event", event_id=event.id)]
        send_mail(user, subject, "\n".join(body))
    if registration.state in (S.pending_manager, S.pending_organiser):
        for approver in approvers(registration):
            with force_locale(approver.preferred_language):
                title = localized(event.title)
                send_mail(approver, _("Registration to approve: %(title)s", title=title), "\n".join([
                    _("%(name)s asks to attend the training “%(title)s”.", name=user.display_name, title=title),
                    "", _session_line(session), "", _absolute("sessions.approvals")]))


def _mail_session_change(user: User, session: TrainingSession, cancelled: bool, reason: str | None,
                         with_link: bool = False) -> None:
    with force_locale(user.preferred_language):
        title = localized(session.event.title)
        if cancelled:
            subject = _("Session cancelled: %(title)s", title=title)
            intro = _("The following session of the training “%(title)s” is cancelled.", title=title)
        else:
            subject = _("Session rescheduled: %(title)s", title=title)
            intro = _("The following session of the training “%(title)s” has a new date, time or place.",
                      title=title)
        body = [_("Hello %(name)s,", name=user.display_name), "", intro, "",
                _session_line(session, with_link=with_link and not cancelled)]
        if reason:
            body += ["", _("Reason: %(reason)s", reason=reason)]
        body += ["", _absolute("sessions.view_event", event_id=session.event_id)]
        send_mail(user, subject, "\n".join(body))


def approvers(registration: Registration) -> list[User]:
    if registration.state == S.pending_manager:
        if registration.user.administration_id is None:
            return []
        return list(db.session.scalars(select(User).where(User.role == SiteRole.manager, User.active.is_(True),
                                                          User.administration_id == registration.user.administration_id)))
    organiser = registration.session.event.organiser
    return [organiser] if organiser is not None else []


def pending_for(user: User) -> list[Registration]:
    """Registrations this person can decide on now."""
    query = (select(Registration).where(Registration.state.in_((S.pending_manager, S.pending_organiser)))
             .order_by(Registration.requested_at))
    return [r for r in db.session.scalars(query) if can(user, "sessions.decide", r)]


# -- attendance and completion ---------------------------------------------------------------------------

def attendance_roster(session: TrainingSession) -> list[tuple[Registration, Attendance | None]]:
    registrations = db.session.scalars(select(Registration).where(Registration.session_id == session.id,
                                                                  Registration.state == S.confirmed)).all()
    marks = {a.user_id: a for a in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))}
    rows = [(r, marks.get(r.user_id)) for r in registrations]
    return sorted(rows, key=lambda row: row[0].user.display_name.casefold())


def record_attendance(session: TrainingSession, marks: dict[int, AttendanceStatus], actor: User | None,
                      now: datetime | None = None) -> None:
    now = now or utcnow()
    if session.status != SessionStatus.scheduled:
        raise DomainError(_("This session is cancelled."), code="session_cancelled", status=409)
    confirmed = {r.user_id: r for r in db.session.scalars(
        select(Registration).where(Registration.session_id == session.id, Registration.state == S.confirmed))}
    existing = {a.user_id: a for a in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))}
    for user_id, status in marks.items():
        if user_id not in confirmed:
            raise DomainError(_("This person is not registered for the session."), code="not_registered")
        row = existing.get(user_id)
        if row is None:
            row = Attendance(session_id=session.id, user_id=user_id, status=status, marked_by_id=getattr(actor, "id", None),
                             marked_at=now)
            db.session.add(row)
        elif row.status != status:
            row.status, row.marked_by_id, row.marked_at = status, getattr(actor, "id", None), now
        else:
            continue
        if status.attended:
            xapi.attended(session, confirmed[user_id].user, status)
    session.attendance_taken_at = now
    db.session.flush()
    for registration in confirmed.values():
        evaluate_completion(session.event, registration.user)
    if session.event.last_session_end and session.ends_at >= session.event.last_session_end:
        send_survey_invitations(session.event)


def counted_sessions(event: TrainingEvent, user: User) -> list[TrainingSession]:
    if event.require_all_sessions:
        return event.scheduled_sessions
    ids = set(db.session.scalars(select(Registration.session_id).where(Registration.user_id == user.id,
                                                                       Registration.state == S.confirmed)))
    return [s for s in event.scheduled_sessions if s.id in ids]


def attendance_summary(event: TrainingEvent, user: User) -> tuple[float, float]:
    """(percent of counted sessions attended, hours attended)."""
    sessions = counted_sessions(event, user)
    if not sessions:
        return 0.0, 0.0
    marks = {a.session_id: a.status for a in db.session.scalars(
        select(Attendance).where(Attendance.user_id == user.id, Attendance.session_id.in_([s.id for s in sessions])))}
    attended = [s for s in sessions if marks.get(s.id) is not None and marks[s.id].attended]
    return 100.0 * len(attended) / len(sessions), sum(s.hours for s in attended)


def get_completion(event: TrainingEvent, user: User) -> EventCompletion | None:
    return db.session.scalar(select(EventCompletion).where(EventCompletion.event_id == event.id,
                                                           EventCompletion.user_id == user.id))


def evaluate_completion(event: TrainingEvent, user: User) -> EventCompletion | None:
    """Complete the event for ``user`` once the attendance rule is met (recorded once, never undone)."""
    completion = get_completion(event, user)
    if completion is not None:
        return completion
    percent, hours = attendance_summary(event, user)
    if percent <= 0 or percent + 1e-9 < event.min_attendance_percent:
        return None
    completion = EventCompletion(event_id=event.id, user_id=user.id, attendance_percent=round(percent, 1),
                                 hours=round(hours, 2))
    db.session.add(completion)
    db.session.flush()
    if event.certificate_enabled:
        from lms.certificates.services import issue_certificate

        certificate = issue_certificate(user, "training", event.title, source_key=f"training:{event.id}",
                                        details={"hours": round(hours, 1)})
        completion.certificate_code = certificate.code
        db.session.flush()
    if event.activity_id is not None:
        from lms.courses.models import Activity
        from lms.courses.results import report_result

        activity = db.session.get(Activity, event.activity_id)
        if activity is not None:
            report_result(activity, user, completed=True, score=min(percent / 100.0, 1.0),
                          duration=hours * 3600, details={"attendance_percent": round(percent, 1)})
    xapi.completed(event, user, percent, hours)
    with force_locale(user.preferred_language):
        title = localized(event.title)
        body = [_("Hello %(name)s,", name=user.display_name), "",
                _("You have completed the training “%(title)s”.", title=title)]
        if completion.certificate_code:
            body += ["", _("Your certificate of attendance:"), _absolute("certificates.mine")]
        send_mail(user, _("Training completed: %(title)s", title=title), "\n".join(body))
    return completion


def certificate_for(completion: EventCompletion):
    if not completion or not completion.certificate_code:
        return None
    from lms.certificates.services import find_by_code

    return find_by_code(completion.certificate_code)


# -- satisfaction survey ---------------------------------------------------------------------------------

def default_survey_questions() -> list[dict]:
    return [
        {"id": "overall", "kind": "scale", "text": {
            "ar": "ما مدى رضاك العام عن هذا التكوين؟", "fr": "Dans l'ensemble, êtes-vous satisfait(e) de cette formation ?",
            "en": "Overall, how satisfied are you with this training?"}},
        {"id": "content", "kind": "scale", "text": {
            "ar": "استجاب المحتوى لحاجياتي المهنية", "fr": "Le contenu a répondu à mes besoins professionnels",
            "en": "The content met my professional needs"}},
        {"id": "organisation", "kind": "scale", "text": {
            "ar": "التنظيم والظروف المادية", "fr": "Organisation et conditions matérielles",
            "en": "Organisation and logistics"}},
        {"id": "comments", "kind": "text", "text": {
            "ar": "ملاحظات واقتراحات", "fr": "Remarques et suggestions", "en": "Comments and suggestions"}},
    ]


def set_survey_questions(event: TrainingEvent, scale: list[str], free_text: list[str], language: str) -> None:
    """Replace the questions (one text per line, written in ``language``); unchanged lines keep their
    translations and ids. Refused once someone has answered, so results always match their questions."""
    answered = db.session.scalar(select(func.count(SurveyResponse.id)).where(SurveyResponse.event_id == event.id))
    if answered:
        raise DomainError(_("People have already answered: the questions can no longer change."),
                          code="survey_answered", status=409)
    existing = list(event.survey_questions or [])
    used_ids = {q["id"] for q in existing}
    questions = []
    for kind, lines in (("scale", scale), ("text", free_text)):
        for line in lines:
            text = line.strip()
            if not text:
                continue
            same = next((q for q in existing if q["kind"] == kind and localized(q["text"], language) == text
                         and q not in questions), None)
            if same is None:
                number = len(used_ids) + 1
                while f"q{number}" in used_ids:
                    number += 1
                used_ids.add(f"q{number}")
                same = {"id": f"q{number}", "kind": kind, "text": {language: text[:500]}}
            questions.append(same)
    event.survey_questions = questions
    db.session.flush()


def survey_trainers(event: TrainingEvent) -> list[User]:
    people = {u.id: u for u in event.trainers}
    for session in event.scheduled_sessions:
        if session.trainer is not None:
            people.setdefault(session.trainer.id, session.trainer)
    return sorted(people.values(), key=lambda u: u.display_name)


def send_survey_invitations(event: TrainingEvent) -> int:
    """Invite everyone who attended at least one session (idempotent: once per person)."""
    attendees = db.session.scalars(
        select(User).join(Attendance, Attendance.user_id == User.id)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.event_id == event.id,
               Attendance.status.in_((AttendanceStatus.present, AttendanceStatus.late))).distinct()).all()
    invited = set(db.session.scalars(select(SurveyInvitation.user_id).where(SurveyInvitation.event_id == event.id)))
    count = 0
    for user in attendees:
        if user.id in invited:
            continue
        db.session.add(SurveyInvitation(event_id=event.id, user_id=user.id))
        with force_locale(user.preferred_language):
            title = localized(event.title)
            send_mail(user, _("Your opinion on the training “%(title)s”", title=title), "\n".join([
                _("Hello %(name)s,", name=user.display_name), "",
                _("Thank you for taking part in the training “%(title)s”. Please tell us what you thought of it.",
                  title=title),
                _("Your answers are anonymous.") if event.survey_anonymous else "",
                "", _absolute("sessions.survey", event_id=event.id)]),
                dedupe_key=f"training-survey:{event.id}:{user.id}")
        count += 1
    db.session.flush()
    return count


def send_reminders(now: datetime | None = None, hours: int = 24) -> int:
    """Remind confirmed participants of a session starting within ``hours`` (once per date of the session)."""
    now = now or utcnow()
    count = 0
    sessions = db.session.scalars(select(TrainingSession).join(TrainingEvent).where(
        TrainingEvent.status == EventStatus.published, TrainingSession.status == SessionStatus.scheduled,
        TrainingSession.starts_at > now, TrainingSession.starts_at <= now + timedelta(hours=hours)))
    for session in sessions:
        for registration in session.registrations:
            if registration.state != S.confirmed:
                continue
            user = registration.user
            with force_locale(user.preferred_language):
                title = localized(session.event.title)
                message = send_mail(user, _("Reminder: %(title)s", title=title), "\n".join([
                    _("Hello %(name)s,", name=user.display_name), "",
                    _("A reminder of your training session “%(title)s”:", title=title), "",
                    _session_line(session, with_link=True), "",
                    _absolute("sessions.view_event", event_id=session.event_id)]),
                    dedupe_key=f"training-reminder:{session.id}:{user.id}:{session.sequence}")
            count += 1 if message is not None else 0
    db.session.flush()
    return count


def send_due_surveys(now: datetime | None = None) -> int:
    """For the worker/cron: invite attendees of events whose last session has ended."""
    now = now or utcnow()
    total = 0
    for event in db.session.scalars(select(TrainingEvent).where(TrainingEvent.status == EventStatus.published)):
        if event.last_session_end and event.last_session_end <= now:
            total += send_survey_invitations(event)
    return total


def get_invitation(event: TrainingEvent, user: User) -> SurveyInvitation | None:
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.event_id == event.id,
                                                            SurveyInvitation.user_id == user.id))


def submit_survey(event: TrainingEvent, user: User, answers: dict) -> SurveyResponse:
    invitation = get_invitation(event, user)
    if invitation is None:
        raise DomainError(_("This survey is for the participants of the training."), code="not_invited", status=403)
    if invitation.responded_at is not None:
        raise DomainError(_("You have already answered this survey. Thank you!"), code="already_answered", status=409)
    clean: dict = {}
    keys = {q["id"]: q["kind"] for q in event.survey_questions}
    keys.update({f"trainer:{t.id}": "scale" for t in survey_trainers(event)})
    for key, kind in keys.items():
        value = answers.get(key)
        if value in (None, ""):
            continue
        if kind == "scale":
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise DomainError(_("Please choose a value from 1 to 5."), code="invalid_answer", field=key) from None
            if not 1 <= number <= 5:
                raise DomainError(_("Please choose a value from 1 to 5."), code="invalid_answer", field=key)
            clean[key] = number
        else:
            clean[key] = str(value).strip()[:4000]
    today = datetime.combine(utcnow().date(), time(0), tzinfo=timezone.utc)
    response = SurveyResponse(event_id=event.id, user_id=None if event.survey_anonymous else user.id,
                              answers=clean, submitted_on=today)
    db.session.add(response)
    invitation.responded_at = utcnow()
    db.session.flush()
    return response


def _scale_stats(values: list[int]) -> dict:
    count = len(values)
    return {"count": count, "mean": round(sum(values) / count, 2) if count else None,
            "distribution": {n: values.count(n) for n in range(1, 6)},
            "satisfied_percent": round(100.0 * sum(1 for v in values if v >= 4) / count, 1) if count else None}


def survey_results(event: TrainingEvent) -> dict:
    responses = db.session.scalars(select(SurveyResponse).where(SurveyResponse.event_id == event.id)).all()
    invited = db.session.scalar(select(func.count(SurveyInvitation.id)).where(SurveyInvitation.event_id == event.id))
    questions = []
    for question in event.survey_questions:
        answers = [r.answers.get(question["id"]) for r in responses if r.answers.get(question["id"]) not in (None, "")]
        item = {"id": question["id"], "kind": question["kind"], "text": question["text"]}
        if question["kind"] == "scale":
            item.update(_scale_stats([int(a) for a in answers]))
        else:
            item["texts"] = [str(a) for a in answers]
        questions.append(item)
    trainers = []
    for trainer in survey_trainers(event):
        values = [int(r.answers[f"trainer:{trainer.id}"]) for r in responses if f"trainer:{trainer.id}" in r.answers]
        trainers.append({"trainer": trainer, **_scale_stats(values)})
    overall = next((q for q in questions if q["id"] == "overall"), None)
    return {"responses": len(responses), "invited": invited or 0,
            "response_rate": round(100.0 * len(responses) / invited, 1) if invited else None,
            "satisfaction_percent": overall.get("satisfied_percent") if overall else None,
            "questions": questions, "trainers": trainers}


def trainer_results(trainer: User) -> dict:
    """One trainer's ratings across every event (key ``trainer:<id>`` in the answers)."""
    key = f"trainer:{trainer.id}"
    values = []
    events = set()
    for response in db.session.scalars(select(SurveyResponse)):
        if key in (response.answers or {}):
            values.append(int(response.answers[key]))
            events.add(response.event_id)
    return {"trainer": trainer, "events": len(events), **_scale_stats(values)}


# -- knowledge tests -------------------------------------------------------------------------------------

def knowledge_tests(event: TrainingEvent) -> dict:
    """Average scores (percent) of the participants on the pre- and post-training tests, and the gain."""
    from lms.courses.models import Activity, ActivityResult

    participants = set(db.session.scalars(
        select(Registration.user_id).join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(TrainingSession.event_id == event.id, Registration.state == S.confirmed)))
    out: dict = {}
    for key, activity_id in (("pre", event.pre_test_activity_id), ("post", event.post_test_activity_id)):
        activity = db.session.get(Activity, activity_id) if activity_id else None
        scores = {}
        if activity is not None and participants:
            for result in db.session.scalars(select(ActivityResult).where(
                    ActivityResult.activity_id == activity.id, ActivityResult.user_id.in_(participants))):
                if result.effective_score is not None:
                    scores[result.user_id] = result.effective_score * 100
        out[key] = {"activity": activity, "count": len(scores),
                    "mean": round(sum(scores.values()) / len(scores), 1) if scores else None, "scores": scores}
    both = set(out["pre"]["scores"]) & set(out["post"]["scores"])
    out["gain"] = (round(sum(out["post"]["scores"][u] - out["pre"]["scores"][u] for u in both) / len(both), 1)
                   if both else None)
    return out


# -- calendar feeds --------------------------------------------------------------------------------------

def feed_token(user: User, regenerate: bool = False) -> str:
    row = db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))
    if row is None:
        row = FeedToken(user_id=user.id, token=secrets.token_urlsafe(24))
        db.session.add(row)
    elif regenerate:
        row.token = secrets.token_urlsafe(24)
        row.created_at = utcnow()
    db.session.flush()
    return row.token


def user_for_feed_token(token: str) -> User | None:
    row = db.session.scalar(select(FeedToken).where(FeedToken.token == token))
    return db.session.get(User, row.user_id) if row is not None else None


def calendar_sessions(start: datetime | None = None, end: datetime | None = None, *, topic: str | None = None,
                      administration_id: int | None = None, mode: str | None = None, language: str | None = None,
                      include_cancelled: bool = False) -> list[TrainingSession]:
    query = (select(TrainingSession).join(TrainingEvent, TrainingEvent.id == TrainingSession.event_id)
             .order_by(TrainingSession.starts_at))
    if include_cancelled:  # feeds keep cancelled entries (STATUS:CANCELLED) so subscribed calendars drop them
        query = query.where(TrainingEvent.status.in_((EventStatus.published, EventStatus.cancelled)))
    else:
        query = query.where(TrainingEvent.status == EventStatus.published,
                            TrainingSession.status == SessionStatus.scheduled)
    if start is not None:
        query = query.where(TrainingSession.ends_at >= start)
    if end is not None:
        query = query.where(TrainingSession.starts_at < end)
    if topic:
        query = query.where(TrainingEvent.topic == topic)
    if administration_id:
        query = query.where(TrainingEvent.organising_administration_id == administration_id)
    if mode:
        query = query.where(TrainingEvent.mode == mode)
    if language:
        query = query.where(TrainingEvent.language == language)
    return list(db.session.scalars(query))


def user_sessions(user: User) -> list[tuple[TrainingSession, Registration | None]]:
    """Sessions a person is registered for (any state) or trains."""
    rows = [(r.session, r) for r in db.session.scalars(select(Registration).where(Registration.user_id == user.id))]
    seen = {s.id for s, _r in rows}
    trained = db.session.scalars(select(TrainingSession).where(TrainingSession.trainer_id == user.id)).all()
    rows += [(s, None) for s in trained if s.id not in seen]
    return sorted(rows, key=lambda row: row[0].starts_at)


def month_bounds(anchor: date) -> tuple[date, date]:
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following
