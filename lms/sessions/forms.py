"""Forms of training management. Date and time fields are Moroccan wall-clock times (Africa/Casablanca)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, FloatField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, URLField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, URL

from lms.core.i18n import LANGUAGE_NAMES, _l

from .models import ApprovalMode, EventMode, EventStatus

REQUIRED = _l("This field is required.")
DT_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _language_choices():
    return [(code, name) for code, name in LANGUAGE_NAMES.items()]


class EventForm(FlaskForm):
    title_ar = StringField(_l("Title (Arabic)"), validators=[Optional(), Length(max=255)])
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=255)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=255)])
    description_ar = TextAreaField(_l("Description (Arabic)"), validators=[Optional()])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional()])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional()])
    objectives_ar = TextAreaField(_l("Objectives (Arabic)"), validators=[Optional()])
    objectives_fr = TextAreaField(_l("Objectives (French)"), validators=[Optional()])
    objectives_en = TextAreaField(_l("Objectives (English)"), validators=[Optional()])
    audience_ar = StringField(_l("Target audience (Arabic)"), validators=[Optional(), Length(max=500)])
    audience_fr = StringField(_l("Target audience (French)"), validators=[Optional(), Length(max=500)])
    audience_en = StringField(_l("Target audience (English)"), validators=[Optional(), Length(max=500)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=100)],
                        description=_l("For example: digital transformation, cybersecurity, communication."))
    language = SelectField(_l("Language of the training"), choices=_language_choices)
    mode = SelectField(_l("Mode"), choices=lambda: [(m.value, m.title) for m in EventMode])
    organising_administration_id = SelectField(_l("Organising administration"),
                                               coerce=lambda v: int(v) if v else None, validators=[Optional()])
    trainer_ids = SelectMultipleField(_l("Trainers"), coerce=int, validators=[Optional()])
    approval_mode = SelectField(_l("Approval of registrations"),
                                choices=lambda: [(m.value, m.title) for m in ApprovalMode])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=DT_FORMAT, validators=[Optional()],
                                               description=_l("Morocco time. Empty: open as soon as published."))
    registration_deadline = DateTimeLocalField(_l("Registration deadline"), format=DT_FORMAT, validators=[Optional()],
                                               description=_l("Morocco time. Empty: until each session starts."))
    withdrawal_cutoff_hours = IntegerField(_l("Withdrawal allowed until (hours before the session)"), default=24,
                                           validators=[NumberRange(min=0, max=24 * 60)])
    min_attendance_percent = FloatField(_l("Attendance required for completion (%)"), default=100,
                                        validators=[NumberRange(min=1, max=100)])
    require_all_sessions = BooleanField(_l("Every session of the event counts (multi-day training)"))
    certificate_enabled = BooleanField(_l("Issue a certificate of attendance"), default=True)
    survey_anonymous = BooleanField(_l("Anonymous satisfaction survey"), default=True)
    pre_test_activity_id = SelectField(_l("Knowledge test before the training"), coerce=lambda v: int(v) if v else None,
                                       validators=[Optional()],
                                       description=_l("Optional: a graded course activity (quiz, SCORM...)."))
    post_test_activity_id = SelectField(_l("Knowledge test after the training"), coerce=lambda v: int(v) if v else None,
                                        validators=[Optional()])
    status = SelectField(_l("Status"), choices=lambda: [(s.value, s.title) for s in EventStatus
                                                        if s != EventStatus.cancelled])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.title_ar.data or self.title_fr.data or self.title_en.data):
            self.title_ar.errors = list(self.title_ar.errors) + [_l("Give a title in at least one language.")]
            ok = False
        return ok


def _trainer_choice(value):
    return int(value) if value else None


class SessionForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Starts"), format=DT_FORMAT, validators=[DataRequired(message=REQUIRED)])
    ends_at = DateTimeLocalField(_l("Ends"), format=DT_FORMAT, validators=[DataRequired(message=REQUIRED)])
    title = StringField(_l("Session title (optional)"), validators=[Optional(), Length(max=255)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=255)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    online_url = URLField(_l("Online meeting link"), validators=[Optional(), URL(message=_l("Enter a valid link.")),
                                                                 Length(max=500)])
    capacity = IntegerField(_l("Capacity (seats)"), default=20, validators=[NumberRange(min=1, max=10000)])
    trainer_id = SelectField(_l("Trainer"), coerce=_trainer_choice, validators=[Optional()])
    repeat = SelectField(_l("Repeat"), choices=lambda: [("none", _l("Once")), ("daily", _l("Every day")),
                                                        ("weekdays", _l("Every working day (Mon–Fri)")),
                                                        ("weekly", _l("Every week"))])
    occurrences = IntegerField(_l("Number of sessions"), default=1, validators=[NumberRange(min=1, max=60)])


class RescheduleForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("New start"), format=DT_FORMAT, validators=[DataRequired(message=REQUIRED)])
    ends_at = DateTimeLocalField(_l("New end"), format=DT_FORMAT, validators=[DataRequired(message=REQUIRED)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=255)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    online_url = URLField(_l("Online meeting link"), validators=[Optional(), URL(message=_l("Enter a valid link.")),
                                                                 Length(max=500)])
    capacity = IntegerField(_l("Capacity (seats)"), validators=[NumberRange(min=1, max=10000)])
    reason = StringField(_l("Reason (sent to the registrants)"), validators=[Optional(), Length(max=500)])


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason (sent to the registrants)"), validators=[Optional(), Length(max=500)])


class QuotaForm(FlaskForm):
    administration_id = SelectField(_l("Administration"), coerce=int)
    seats = IntegerField(_l("Places (empty to remove the quota)"), validators=[Optional(), NumberRange(min=0)])


class SurveyQuestionsForm(FlaskForm):
    scale = TextAreaField(_l("Questions rated from 1 to 5"), description=_l("One question per line."))
    free_text = TextAreaField(_l("Free-text questions"), description=_l("One question per line."))


class DecisionForm(FlaskForm):
    comment = StringField(_l("Comment (optional)"), validators=[Optional(), Length(max=500)])


class ActionForm(FlaskForm):
    """A button that only needs CSRF protection."""
