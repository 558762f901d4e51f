"""The ``training_event`` activity type: a training event placed in a course section.

The event's own rows (sessions, registrations, attendance) live in this area, keyed by ``activity_id``;
completion flows back through ``lms.courses.results.report_result`` when the attendance rule is met.
"""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional

from lms.core.db import db
from lms.core.i18n import _l, localized
from lms.courses.activities import XAPI_ACTIVITY_TYPES, ActivityType, register_activity_type

from .models import TrainingEvent


def _standalone_event_choices():
    events = db.session.scalars(select(TrainingEvent).where(TrainingEvent.activity_id.is_(None))
                                .order_by(TrainingEvent.id.desc()).limit(200)).all()
    return [("", _l("Create a new training event"))] + [(str(e.id), localized(e.title)) for e in events]


class TrainingEventActivityForm(FlaskForm):
    event_id = SelectField(_l("Training event"), choices=_standalone_event_choices, validators=[Optional()],
                           description=_l("Link an existing training event, or create a new one to schedule "
                                          "in the training calendar."))


def event_for_activity(activity) -> TrainingEvent | None:
    return db.session.scalar(select(TrainingEvent).where(TrainingEvent.activity_id == activity.id))


@register_activity_type
class TrainingEventType(ActivityType):
    key = "training_event"
    title = _l("Training event")
    description = _l("Face-to-face or online sessions with registration, attendance and a certificate.")
    icon = "📅"
    graded = False
    form_class = TrainingEventActivityForm
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "meeting"
    completion_rules = ("completed",)

    def create(self, activity, form) -> None:
        event = None
        event_id = getattr(getattr(form, "event_id", None), "data", None) if form is not None else None
        if event_id:
            event = db.session.get(TrainingEvent, int(event_id))
        if event is None or event.activity_id is not None:
            from .services import create_event

            organiser = current_user if getattr(current_user, "is_authenticated", False) else None
            event = create_event(title=dict(activity.title or {}), description=activity.description,
                                 organiser=organiser)
        event.activity_id = activity.id
        if activity.completion_rule in (None, "viewed", "none"):
            activity.completion_rule = "completed"
        db.session.flush()

    def fill_form(self, activity, form) -> None:
        event = event_for_activity(activity)
        if event is not None and hasattr(form, "event_id"):
            form.event_id.choices = [(str(event.id), localized(event.title))]
            form.event_id.data = str(event.id)

    def launch_url(self, activity) -> str:
        event = event_for_activity(activity)
        if event is None:
            return url_for("sessions.calendar")
        return url_for("sessions.view_event", event_id=event.id)

    def export_data(self, activity) -> dict:
        event = event_for_activity(activity)
        if event is None:
            return {}
        return {"event": {
            "title": event.title, "description": event.description, "objectives": event.objectives,
            "target_audience": event.target_audience, "topic": event.topic, "language": event.language,
            "mode": event.mode.value, "approval_mode": event.approval_mode.value,
            "withdrawal_cutoff_hours": event.withdrawal_cutoff_hours,
            "min_attendance_percent": event.min_attendance_percent,
            "require_all_sessions": event.require_all_sessions, "certificate_enabled": event.certificate_enabled,
            "survey_anonymous": event.survey_anonymous, "survey_questions": event.survey_questions}}

    def import_data(self, activity, data: dict) -> None:
        """A copy gets the event's description and rules, as a draft without dates (sessions are per run)."""
        from .models import ApprovalMode, EventMode
        from .services import create_event

        fields = dict((data or {}).get("event") or {})
        if not fields:
            fields = {"title": dict(activity.title or {})}
        fields["mode"] = EventMode(fields.get("mode", "in_person"))
        fields["approval_mode"] = ApprovalMode(fields.get("approval_mode", "none"))
        event = create_event(**fields)
        event.activity_id = activity.id
        db.session.flush()
