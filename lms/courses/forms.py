"""Forms of the courses area (Flask-WTF; CSRF on)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeLocalField, FloatField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from lms.core.i18n import _l

REQUIRED = _l("This field is required.")


def to_utc(value: datetime | None) -> datetime | None:
    """Form datetimes are typed in the site's time zone (Africa/Casablanca); we store UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(current_app.config["DEFAULT_TIMEZONE"]))
    return value.astimezone(timezone.utc)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).replace(tzinfo=None)


def _datetime_field(label, description=None):
    return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M", validators=[Optional()], description=description)


class MultilingualTitleMixin:
    """Author content in Arabic, French and English (at least one)."""

    title_ar = StringField(_l("Title (Arabic)"), validators=[Length(max=300)], render_kw={"lang": "ar", "dir": "rtl"})
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=300)], render_kw={"lang": "fr", "dir": "ltr"})
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)], render_kw={"lang": "en", "dir": "ltr"})

    def validate_title_ar(self, field):
        if not any((getattr(self, f"title_{code}").data or "").strip() for code in ("ar", "fr", "en")):
            raise ValidationError(_l("Give a title in at least one language."))

    def title_dict(self) -> dict:
        return {code: (getattr(self, f"title_{code}").data or "").strip()
                for code in ("ar", "fr", "en") if (getattr(self, f"title_{code}").data or "").strip()}

    def fill_title(self, value: dict | None) -> None:
        for code in ("ar", "fr", "en"):
            getattr(self, f"title_{code}").data = (value or {}).get(code, "")


class CourseForm(MultilingualTitleMixin, FlaskForm):
    shortname = StringField(_l("Short name"), validators=[DataRequired(message=REQUIRED), Length(max=100),
                                                          Regexp(r"^[A-Za-z0-9._-]+$",
                                                                 message=_l("Letters, digits, dots, dashes only."))],
                            description=_l("A unique code, e.g. DIGI-101."))
    summary_ar = TextAreaField(_l("Summary (Arabic)"), render_kw={"lang": "ar", "dir": "rtl", "rows": 3})
    summary_fr = TextAreaField(_l("Summary (French)"), render_kw={"lang": "fr", "dir": "ltr", "rows": 3})
    summary_en = TextAreaField(_l("Summary (English)"), render_kw={"lang": "en", "dir": "ltr", "rows": 3})
    category_id = SelectField(_l("Category"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    languages = SelectMultipleField(_l("Teaching languages"),
                                    choices=[("ar", "العربية"), ("fr", "Français"), ("en", "English")])
    image = FileField(_l("Image"), description=_l("PNG or JPEG, shown in the catalogue."))
    visible = BooleanField(_l("Visible in the catalogue"), default=True)
    start_at = _datetime_field(_l("Start date"))
    end_at = _datetime_field(_l("End date"))
    self_enrolment = SelectField(_l("Self-enrolment"), choices=[("closed", _l("Closed")), ("open", _l("Open")),
                                                                ("key", _l("With an enrolment key"))])
    enrolment_key = StringField(_l("Enrolment key"), validators=[Optional(), Length(max=100)])
    enrol_start_at = _datetime_field(_l("Enrolment opens"))
    enrol_end_at = _datetime_field(_l("Enrolment closes"))
    capacity = IntegerField(_l("Capacity (learners)"), validators=[Optional(), NumberRange(min=1)],
                            description=_l("Leave empty for no limit."))
    completion_mode = SelectField(_l("Course completion"), choices=[
        ("all", _l("All activities with a completion rule")),
        ("selected", _l("Only the activities marked as required")),
        ("grade", _l("Course grade reaches a minimum"))])
    completion_grade = FloatField(_l("Minimum course grade (%)"), validators=[Optional(), NumberRange(0, 100)])
    grade_aggregation = SelectField(_l("Grade aggregation"), choices=[
        ("weighted_mean", _l("Weighted mean")), ("mean", _l("Simple mean")), ("sum", _l("Sum of points"))])
    grade_display = SelectField(_l("Grade display"), choices=[
        ("percent", _l("Percentage")), ("letter", _l("Letter")), ("passfail", _l("Pass / fail"))])
    grade_pass = FloatField(_l("Passing grade (%)"), default=50, validators=[Optional(), NumberRange(0, 100)])
    certificate_enabled = BooleanField(_l("Issue a certificate on completion"), default=True)

    def validate_enrolment_key(self, field):
        if self.self_enrolment.data == "key" and not (field.data or "").strip():
            raise ValidationError(_l("An enrolment key is required for this self-enrolment mode."))


class CategoryForm(MultilingualTitleMixin, FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=REQUIRED), Length(max=64)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional()])


class SectionForm(MultilingualTitleMixin, FlaskForm):
    visible = BooleanField(_l("Visible to learners"), default=True)

    def validate_title_ar(self, field):  # a section may be untitled
        return None


COMPLETION_RULE_CHOICES = [
    ("none", _l("No completion tracking")), ("viewed", _l("Viewed")), ("completed", _l("Completed")),
    ("passed", _l("Passed")), ("grade", _l("Minimum grade")),
]


class ActivityForm(MultilingualTitleMixin, FlaskForm):
    """Fields every activity has; each type's ``form_class`` adds its own (combined in :func:`activity_form`)."""

    section_id = SelectField(_l("Section"), coerce=int)
    visible = BooleanField(_l("Visible to learners"), default=True)
    available_from = _datetime_field(_l("Available from"))
    available_until = _datetime_field(_l("Available until"))
    due_at = _datetime_field(_l("Due date"), description=_l("Shown in the learners' upcoming deadlines."))
    completion_rule = SelectField(_l("Completion rule"), choices=COMPLETION_RULE_CHOICES, default="viewed")
    completion_min_grade = FloatField(_l("Minimum grade for completion (%)"), validators=[Optional(), NumberRange(0, 100)])
    required_for_completion = BooleanField(_l("Required for course completion"), default=True)
    grade_max = FloatField(_l("Maximum grade"), default=100, validators=[Optional(), NumberRange(min=0.01)])
    grade_weight = FloatField(_l("Weight in the course grade"), default=1, validators=[Optional(), NumberRange(min=0)])
    grade_pass = FloatField(_l("Passing grade (%)"), validators=[Optional(), NumberRange(0, 100)])


_combined_forms: dict[str, type] = {}


def activity_form(activity_type, *args, **kwargs) -> ActivityForm:
    """The common activity form merged with the type's own fields, so one page edits both."""
    extra = activity_type.form_class
    if extra is None:
        cls = ActivityForm
    else:
        cls = _combined_forms.get(activity_type.key)
        if cls is None:
            cls = type(f"{type(activity_type).__name__}Form", (ActivityForm, extra), {})
            _combined_forms[activity_type.key] = cls
    form = cls(*args, **kwargs)
    allowed = set(activity_type.completion_rules) | {"none"}
    form.completion_rule.choices = [(v, label) for v, label in COMPLETION_RULE_CHOICES if v in allowed]
    return form


class EnrolKeyForm(FlaskForm):
    enrolment_key = PasswordField(_l("Enrolment key"), validators=[Optional(), Length(max=100)])


class ManualEnrolForm(FlaskForm):
    usernames = TextAreaField(_l("Usernames or e-mail addresses"), render_kw={"rows": 3},
                              description=_l("One per line."))
    administration_id = SelectField(_l("Or a whole administration"), coerce=lambda v: int(v) if v else None,
                                    validators=[Optional()])
    include_children = BooleanField(_l("Include its sub-bodies"), default=True)
    role = SelectField(_l("Course role"), choices=[("learner", _l("Learner")), ("tutor", _l("Tutor")),
                                                    ("instructor", _l("Instructor"))])
    as_rule = BooleanField(_l("Keep enrolling new members of this administration (rule)"))
    time_end = _datetime_field(_l("Enrolment ends"))


class OverrideForm(FlaskForm):
    score = FloatField(_l("Grade (%)"), validators=[Optional(), NumberRange(0, 100)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    archive = FileField(_l("Course archive (.zip)"))
