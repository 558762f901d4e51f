"""Thin handlers: load the objects named in the URL (404), check access (401/403), call a service, render."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import Administration, SiteRole, User
from lms.courses.models import Activity
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, current_locale, localized, text_direction
from lms.core.permissions import can, require

from . import ical, reports, services
from .forms import (ActionForm, CancelForm, DecisionForm, EventForm, QuotaForm, RescheduleForm, SessionForm,
                    SurveyQuestionsForm)
from .models import (ApprovalMode, AttendanceStatus, EventMode, EventStatus, Registration, RegistrationState,
                     TrainingEvent, TrainingSession)

LANGS = ("ar", "fr", "en")


# -- helpers ---------------------------------------------------------------------------------------------

def _event(event_id: int, permission: str) -> TrainingEvent:
    event = db.get_or_404(TrainingEvent, event_id)
    require(permission, event)
    return event


def _session(session_id: int, permission: str | None = None) -> TrainingSession:
    session = db.get_or_404(TrainingSession, session_id)
    if permission:
        require(permission, session if permission == "sessions.take_attendance" else session.event)
    return session


def _refused(error: DomainError, target: str):
    """Show a workflow refusal on the page the person came from (nothing of the attempt is kept)."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target)


def _administration_choices(empty_label):
    items = [(a.id, localized(a.name)) for a in db.session.scalars(select(Administration))]
    return [("", empty_label)] + sorted(items, key=lambda item: item[1])


def _staff_choices():
    people = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(
        (SiteRole.instructor, SiteRole.manager, SiteRole.administrator))).order_by(User.full_name)).all()
    return [(u.id, u.display_name) for u in people]


def _filters() -> dict:
    args = request.args
    administration = args.get("administration", type=int)
    mode = args.get("mode") if args.get("mode") in {m.value for m in EventMode} else None
    language = args.get("language") if args.get("language") in LANGS else None
    return {"topic": (args.get("topic") or "").strip() or None, "administration_id": administration,
            "mode": mode, "language": language}


def _anchor() -> date:
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return services.utc_to_local(utcnow()).date()


def _local_day_start(day: date) -> datetime:
    return services.local_to_utc(datetime.combine(day, datetime.min.time()))


# -- calendar --------------------------------------------------------------------------------------------

def calendar():
    view = request.args.get("view") if request.args.get("view") in ("list", "month", "week") else "list"
    filters = _filters()
    anchor = _anchor()
    context = {"view": view, "filters": filters, "anchor": anchor}
    if view == "month":
        first, following = services.month_bounds(anchor)
        grid_start = first - timedelta(days=first.weekday())
        grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
        sessions = services.calendar_sessions(_local_day_start(grid_start), _local_day_start(grid_end), **filters)
        by_day: dict[date, list] = {}
        for session in sessions:
            by_day.setdefault(services.utc_to_local(session.starts_at).date(), []).append(session)
        weeks, day = [], grid_start
        while day < grid_end:
            weeks.append([day + timedelta(days=i) for i in range(7)])
            day += timedelta(days=7)
        context.update(weeks=weeks, by_day=by_day, month=first,
                       previous=(first - timedelta(days=1)).replace(day=1), following=following)
    elif view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        days = [monday + timedelta(days=i) for i in range(7)]
        sessions = services.calendar_sessions(_local_day_start(monday), _local_day_start(monday + timedelta(days=7)),
                                              **filters)
        by_day = {}
        for session in sessions:
            by_day.setdefault(services.utc_to_local(session.starts_at).date(), []).append(session)
        context.update(days=days, by_day=by_day, previous=monday - timedelta(days=7),
                       following=monday + timedelta(days=7))
    else:
        sessions = services.calendar_sessions(_local_day_start(anchor), None, **filters)[:300]
        context.update(sessions=sessions)
    published = db.session.scalars(select(TrainingEvent).where(TrainingEvent.status == EventStatus.published)).all()
    context["topics"] = sorted({e.topic for e in published if e.topic})
    context["organisers"] = sorted({e.organising_administration for e in published if e.organising_administration},
                                   key=lambda a: localized(a.name))
    context["modes"] = list(EventMode)
    context["languages"] = LANGS
    context["local_date"] = lambda value: services.utc_to_local(value).date()
    return render_template("sessions/calendar.html", **context)


def calendar_ics():
    language = request.args.get("lang") if request.args.get("lang") in LANGS else current_locale()
    start = utcnow() - timedelta(days=180)
    sessions = services.calendar_sessions(start, None, include_cancelled=True, **_filters())
    body = ical.build_calendar(sessions, _("Tamkeen training calendar"), language)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="tamkeen-training.ics"', "Cache-Control": "public, max-age=300"})


def user_feed(token: str):
    user = services.user_for_feed_token(token)
    if user is None or not user.is_active:
        abort(404)
    body = ical.user_calendar(services.user_sessions(user), _("My trainings — Tamkeen"), user.preferred_language)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="my-trainings.ics"', "Cache-Control": "private, no-store"})


@login_required
def my_trainings():
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        services.feed_token(current_user, regenerate=True)
        flash(_("A new calendar link was created; the previous one no longer works."), "success")
        return redirect(url_for("sessions.my_trainings"))
    token = services.feed_token(current_user)
    rows = services.user_sessions(current_user)
    completions = db.session.scalars(select(services.EventCompletion).where(
        services.EventCompletion.user_id == current_user.id)).all()
    invitations = db.session.scalars(select(services.SurveyInvitation).where(
        services.SurveyInvitation.user_id == current_user.id, services.SurveyInvitation.responded_at.is_(None))).all()
    return render_template("sessions/my.html", rows=rows, completions=completions, form=form,
                           feed_url=url_for("sessions.user_feed", token=token, _external=True),
                           surveys=[db.session.get(TrainingEvent, i.event_id) for i in invitations],
                           certificate_for=services.certificate_for, hours=reports.user_hours(current_user))


# -- events ----------------------------------------------------------------------------------------------

def view_event(event_id: int):
    event = _event(event_id, "sessions.view_event")
    mine = {}
    if current_user.is_authenticated:
        for registration in db.session.scalars(select(Registration).join(TrainingSession).where(
                TrainingSession.event_id == event.id, Registration.user_id == current_user.id)):
            mine[registration.session_id] = registration
    seats = {s.id: (services.seats_taken(s), services.waiting_count(s)) for s in event.sessions}
    completion = services.get_completion(event, current_user) if current_user.is_authenticated else None
    invitation = services.get_invitation(event, current_user) if current_user.is_authenticated else None
    tests = {}
    for key, activity_id in (("pre", event.pre_test_activity_id), ("post", event.post_test_activity_id)):
        activity = db.session.get(Activity, activity_id) if activity_id else None
        if activity is not None:
            tests[key] = (activity, activity.type.launch_url(activity))
    return render_template("sessions/event.html", event=event, mine=mine, tests=tests, seats=seats, form=ActionForm(),
                           completion=completion, invitation=invitation, now=utcnow(),
                           deadline=services.registration_deadline, cutoff=services.withdrawal_cutoff,
                           certificate=services.certificate_for(completion) if completion else None)


def _fill_event(form: EventForm, event: TrainingEvent) -> None:
    def trio(prefix):
        value = {lang: (getattr(form, f"{prefix}_{lang}").data or "").strip() for lang in LANGS}
        return {k: v for k, v in value.items() if v} or None

    event.title = trio("title")
    event.description = trio("description")
    event.objectives = trio("objectives")
    event.target_audience = trio("audience")
    event.topic = (form.topic.data or "").strip() or None
    event.language = form.language.data
    event.mode = EventMode(form.mode.data)
    event.organising_administration_id = form.organising_administration_id.data
    event.approval_mode = ApprovalMode(form.approval_mode.data)
    event.registration_deadline = (services.local_to_utc(form.registration_deadline.data)
                                   if form.registration_deadline.data else None)
    event.registration_opens_at = (services.local_to_utc(form.registration_opens_at.data)
                                   if form.registration_opens_at.data else None)
    event.withdrawal_cutoff_hours = form.withdrawal_cutoff_hours.data or 0
    event.min_attendance_percent = form.min_attendance_percent.data
    event.require_all_sessions = form.require_all_sessions.data
    event.certificate_enabled = form.certificate_enabled.data
    event.survey_anonymous = form.survey_anonymous.data
    event.status = EventStatus(form.status.data)
    event.trainers = [db.session.get(User, i) for i in form.trainer_ids.data or [] if db.session.get(User, i)]
    event.pre_test_activity_id = form.pre_test_activity_id.data
    event.post_test_activity_id = form.post_test_activity_id.data


def _test_choices():
    from lms.courses.models import Activity

    activities = db.session.scalars(select(Activity).where(Activity.graded.is_(True))
                                    .order_by(Activity.course_id, Activity.position).limit(300)).all()
    return [("", _("None"))] + [(a.id, f"{a.course.display_title} — {a.display_title}") for a in activities]


def _event_form(event: TrainingEvent | None) -> EventForm:
    form = EventForm()
    form.organising_administration_id.choices = _administration_choices(_("None"))
    form.trainer_ids.choices = _staff_choices()
    form.pre_test_activity_id.choices = form.post_test_activity_id.choices = _test_choices()
    if request.method == "GET" and event is not None:
        form.pre_test_activity_id.data = event.pre_test_activity_id
        form.post_test_activity_id.data = event.post_test_activity_id
        for prefix, value in (("title", event.title), ("description", event.description),
                              ("objectives", event.objectives), ("audience", event.target_audience)):
            for lang in LANGS:
                getattr(form, f"{prefix}_{lang}").data = (value or {}).get(lang, "")
        form.topic.data = event.topic
        form.language.data = event.language
        form.mode.data = event.mode.value
        form.organising_administration_id.data = event.organising_administration_id
        form.trainer_ids.data = [t.id for t in event.trainers]
        form.approval_mode.data = event.approval_mode.value
        form.registration_deadline.data = (services.utc_to_local(event.registration_deadline).replace(tzinfo=None)
                                           if event.registration_deadline else None)
        form.registration_opens_at.data = (services.utc_to_local(event.registration_opens_at).replace(tzinfo=None)
                                           if event.registration_opens_at else None)
        form.withdrawal_cutoff_hours.data = event.withdrawal_cutoff_hours
        form.min_attendance_percent.data = event.min_attendance_percent
        form.require_all_sessions.data = event.require_all_sessions
        form.certificate_enabled.data = event.certificate_enabled
        form.survey_anonymous.data = event.survey_anonymous
        form.status.data = event.status.value if event.status != EventStatus.cancelled else "draft"
    elif request.method == "GET":
        form.organising_administration_id.data = current_user.administration_id
    return form


@login_required
def new_event():
    require("sessions.create_event")
    form = _event_form(None)
    if form.validate_on_submit():
        event = services.create_event(title={}, organiser=current_user)
        _fill_event(form, event)
        db.session.flush()
        flash(_("The training event is created. Now add its sessions."), "success")
        return redirect(url_for("sessions.manage_event", event_id=event.id))
    return render_template("sessions/event_form.html", form=form, event=None), (400 if request.method == "POST" else 200)


@login_required
def edit_event(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    form = _event_form(event)
    if form.validate_on_submit():
        _fill_event(form, event)
        db.session.flush()
        flash(_("The training event is saved."), "success")
        return redirect(url_for("sessions.manage_event", event_id=event.id))
    return render_template("sessions/event_form.html", form=form, event=event), (400 if request.method == "POST" else 200)


def _session_form() -> SessionForm:
    form = SessionForm(prefix="s")
    form.trainer_id.choices = [("", _("None"))] + _staff_choices()
    return form


@login_required
def manage_event(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    quota_form = QuotaForm(prefix="q")
    quota_form.administration_id.choices = _administration_choices(_("Choose"))[1:]
    registrations = {s.id: list(s.registrations) for s in event.sessions}
    return render_template("sessions/manage.html", event=event, session_form=_session_form(), quota_form=quota_form,
                           registrations=registrations, cancel_form=CancelForm(prefix="c"), action=ActionForm(),
                           cancel_event_form=CancelForm(prefix="e"), survey_form=_survey_form(event),
                           seats={s.id: services.seats_taken(s) for s in event.sessions})


def _survey_form(event: TrainingEvent) -> SurveyQuestionsForm:
    form = SurveyQuestionsForm(prefix="sq")
    if request.method == "GET":
        for kind, field in (("scale", form.scale), ("text", form.free_text)):
            field.data = "\n".join(localized(q["text"]) for q in event.survey_questions or [] if q["kind"] == kind)
    return form


@login_required
def edit_survey(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    form = _survey_form(event)
    target = url_for("sessions.manage_event", event_id=event.id) + "#survey-title"
    if form.validate_on_submit():
        try:
            services.set_survey_questions(event, (form.scale.data or "").splitlines(),
                                          (form.free_text.data or "").splitlines(), current_locale())
        except DomainError as error:
            return _refused(error, target)
        flash(_("The survey questions are saved."), "success")
    return redirect(target)


@login_required
def add_sessions(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    form = _session_form()
    target = url_for("sessions.manage_event", event_id=event.id)
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(target)
    try:
        created = services.generate_sessions(
            event, form.starts_at.data, form.ends_at.data, repeat=form.repeat.data, occurrences=form.occurrences.data,
            title={current_locale(): form.title.data.strip()} if form.title.data else None,
            venue=form.venue.data or None, address=form.address.data or None, room=form.room.data or None,
            online_url=form.online_url.data or None, capacity=form.capacity.data, trainer_id=form.trainer_id.data)
    except DomainError as error:
        return _refused(error, target)
    flash(_("%(count)d session(s) added.", count=len(created)), "success")
    return redirect(target)


@login_required
def reschedule_session(session_id: int):
    session = _session(session_id, "sessions.manage_event")
    form = RescheduleForm()
    if request.method == "GET":
        form.starts_at.data = services.utc_to_local(session.starts_at).replace(tzinfo=None)
        form.ends_at.data = services.utc_to_local(session.ends_at).replace(tzinfo=None)
        for name in ("venue", "address", "room", "online_url", "capacity"):
            getattr(form, name).data = getattr(session, name)
    if form.validate_on_submit():
        try:
            moved = services.reschedule_session(
                session, services.local_to_utc(form.starts_at.data), services.local_to_utc(form.ends_at.data),
                current_user, reason=form.reason.data or None, capacity=form.capacity.data,
                venue=form.venue.data or None, address=form.address.data or None, room=form.room.data or None,
                online_url=form.online_url.data or None)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field if error.field in ("capacity", "ends_at") else "ends_at").errors = [error.message]
        else:
            flash(_("The session is rescheduled; the registrants are notified.") if moved
                  else _("The session is saved."), "success")
            return redirect(url_for("sessions.manage_event", event_id=session.event_id))
    return render_template("sessions/reschedule.html", form=form, session=session), \
        (400 if request.method == "POST" else 200)


@login_required
def cancel_session(session_id: int):
    session = _session(session_id, "sessions.manage_event")
    form = CancelForm(prefix="c")
    if form.validate_on_submit():
        services.cancel_session(session, current_user, form.reason.data or None)
        flash(_("The session is cancelled; the registrants are notified."), "success")
    return redirect(url_for("sessions.manage_event", event_id=session.event_id))


@login_required
def cancel_event(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    form = CancelForm(prefix="e")
    if form.validate_on_submit():
        services.cancel_event(event, current_user, form.reason.data or None)
        flash(_("The training event is cancelled; the registrants are notified."), "success")
    return redirect(url_for("sessions.manage_event", event_id=event.id))


@login_required
def set_quota(event_id: int):
    event = _event(event_id, "sessions.manage_event")
    form = QuotaForm(prefix="q")
    form.administration_id.choices = _administration_choices(_("Choose"))[1:]
    if form.validate_on_submit():
        services.set_quota(event, form.administration_id.data, form.seats.data)
        flash(_("The quota is saved."), "success")
    return redirect(url_for("sessions.manage_event", event_id=event.id))


# -- registration ----------------------------------------------------------------------------------------

@login_required
def register(session_id: int):
    session = _session(session_id)
    require("sessions.register", session)
    target = url_for("sessions.view_event", event_id=session.event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        registration = services.register(session.id, current_user)
    except DomainError as error:
        return _refused(error, target)
    if registration.state == RegistrationState.confirmed:
        flash(_("You are registered. A confirmation was sent by e-mail."), "success")
    elif registration.state == RegistrationState.waitlisted:
        flash(_("The session is full: you are on the waiting list and will be told when a seat frees."), "warning")
    else:
        flash(_("Your registration request is sent for approval."), "success")
    return redirect(target)


@login_required
def withdraw(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    if registration.user_id != current_user.id and not can(current_user, "sessions.manage_event",
                                                           registration.session.event):
        abort(403)
    target = request.form.get("next") or url_for("sessions.view_event", event_id=registration.session.event_id)
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("sessions.my_trainings")
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(registration, current_user)
    except DomainError as error:
        return _refused(error, target)
    flash(_("The registration is withdrawn."), "success")
    return redirect(target)


@login_required
def approvals():
    require("sessions.view_approvals")
    return render_template("sessions/approvals.html", registrations=services.pending_for(current_user),
                           form=DecisionForm())


@login_required
def decide(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    require("sessions.decide", registration)
    form = DecisionForm()
    if not form.validate_on_submit() or request.form.get("decision") not in ("approve", "decline"):
        abort(400)
    try:
        services.decide(registration, current_user, request.form["decision"] == "approve", form.comment.data or None)
    except DomainError as error:
        return _refused(error, url_for("sessions.approvals"))
    flash(_("Decision recorded for %(name)s.", name=registration.user.display_name), "success")
    return redirect(url_for("sessions.approvals"))


# -- attendance ------------------------------------------------------------------------------------------

@login_required
def attendance(session_id: int):
    session = _session(session_id, "sessions.take_attendance")
    form = ActionForm()
    roster = services.attendance_roster(session)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        marks = {}
        everyone_present = request.form.get("all_present") == "1"
        for registration, _mark in roster:
            value = request.form.get(f"status-{registration.user_id}")
            if not value and everyone_present:
                value = AttendanceStatus.present.value
            if value:
                try:
                    marks[registration.user_id] = AttendanceStatus(value)
                except ValueError:
                    abort(400)
        try:
            services.record_attendance(session, marks, current_user)
        except DomainError as error:
            return _refused(error, url_for("sessions.attendance", session_id=session.id))
        flash(_("Attendance saved (%(count)d people).", count=len(marks)), "success")
        return redirect(url_for("sessions.attendance", session_id=session.id))
    return render_template("sessions/attendance.html", session=session, roster=roster, form=form,
                           statuses=list(AttendanceStatus))


@login_required
def signin_sheet(session_id: int):
    from .pdf import signin_sheet as render

    session = _session(session_id, "sessions.take_attendance")
    roster = [registration for registration, _mark in services.attendance_roster(session)]
    language = request.args.get("lang") if request.args.get("lang") in LANGS else current_locale()
    body = render(session, roster, language)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="sign-in-sheet-{session.id}.pdf"'})


# -- survey and results ----------------------------------------------------------------------------------

@login_required
def survey(event_id: int):
    event = _event(event_id, "sessions.view_event")
    invitation = services.get_invitation(event, current_user)
    if invitation is None:
        abort(403)
    form = ActionForm()
    trainers = services.survey_trainers(event)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.submit_survey(event, current_user, request.form.to_dict())
        except DomainError as error:
            return _refused(error, url_for("sessions.survey", event_id=event.id))
        flash(_("Thank you for your answers!"), "success")
        return redirect(url_for("sessions.view_event", event_id=event.id))
    return render_template("sessions/survey.html", event=event, form=form, trainers=trainers,
                           answered=invitation.responded_at is not None)


@login_required
def event_results(event_id: int):
    event = _event(event_id, "sessions.view_reports")
    rows = reports.participant_rows([event])
    return render_template("sessions/results.html", event=event, results=services.survey_results(event), rows=rows,
                           history=_history(event), tests=services.knowledge_tests(event), state_title=lambda value: RegistrationState(value).title)


def _history(event: TrainingEvent):
    from .models import RegistrationChange

    return db.session.scalars(select(RegistrationChange).join(Registration).join(TrainingSession)
                              .where(TrainingSession.event_id == event.id)
                              .order_by(RegistrationChange.at.desc(), RegistrationChange.id.desc()).limit(200)).all()


def _report_filters():
    def parse(name):
        try:
            return _local_day_start(date.fromisoformat(request.args.get(name, "")))
        except ValueError:
            return None

    end = parse("to")
    return {"start": parse("from"), "end": end + timedelta(days=1) if end else None,
            "administration_id": request.args.get("administration", type=int),
            "topic": (request.args.get("topic") or "").strip() or None}


@login_required
def report():
    require("sessions.view_reports")
    events = reports.report_events(**_report_filters())
    administrations = _administration_choices(_("All"))
    return render_template("sessions/reports.html", summary=reports.summary(events), administrations=administrations,
                           args=request.args.to_dict())


@login_required
def export_report(fmt: str):
    require("sessions.view_reports")
    events = reports.report_events(**_report_filters())
    rows = reports.participant_rows(events)
    if fmt == "csv":
        return Response(reports.to_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="training-participants.csv"'})
    body = reports.to_xlsx(rows, reports.summary(events)["totals"], rtl=text_direction() == "rtl")
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="training-participants.xlsx"'})


@login_required
def trainer_report(user_id: int):
    require("sessions.view_reports")
    trainer = db.get_or_404(User, user_id)
    return render_template("sessions/trainer.html", result=services.trainer_results(trainer))
