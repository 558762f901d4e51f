"""Idarathon forms (Flask-WTF; CSRF on)."""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, URL

from lms.core.i18n import _l

REQUIRED = _l("This field is required.")


def _zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def aware_utc(value):
    """A local date and time typed in a form (the user's zone, Casablanca by default) as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=_zone()).astimezone(timezone.utc)


def local_naive(value):
    """The inverse, to prefill datetime-local inputs."""
    if value is None:
        return None
    return value.astimezone(_zone()).replace(tzinfo=None)


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class EditionForm(FlaskForm):
    slug = StringField(_l("Short name (in addresses)"), validators=[DataRequired(message=REQUIRED), Length(max=64)])
    year = IntegerField(_l("Year"), validators=[DataRequired(message=REQUIRED), NumberRange(2000, 2100)])
    title_ar = StringField(_l("Title (Arabic)"), validators=[DataRequired(message=REQUIRED), Length(max=255)])
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=255)])
    theme_ar = StringField(_l("Theme (Arabic)"), validators=[Optional(), Length(max=255)])
    theme_fr = StringField(_l("Theme (French)"), validators=[Optional(), Length(max=255)])
    description_ar = TextAreaField(_l("Presentation (Arabic)"), validators=[Optional()])
    description_fr = TextAreaField(_l("Presentation (French)"), validators=[Optional()])
    rules_ar = TextAreaField(_l("Rules (Arabic)"), validators=[Optional()])
    rules_fr = TextAreaField(_l("Rules (French)"), validators=[Optional()])
    faq = TextAreaField(_l("FAQ"), validators=[Optional()],
                        description=_l("One question per line: question | answer"))
    partners = TextAreaField(_l("Partners"), validators=[Optional()],
                             description=_l("One partner per line: name | web address"))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), validators=[DataRequired(message=REQUIRED)])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), validators=[DataRequired(message=REQUIRED)])
    kickoff_at = DateTimeLocalField(_l("Kick-off"), validators=[DataRequired(message=REQUIRED)])
    submission_deadline = DateTimeLocalField(_l("Submission deadline"), validators=[DataRequired(message=REQUIRED)])
    jury_starts_at = DateTimeLocalField(_l("Jury starts"), validators=[DataRequired(message=REQUIRED)])
    jury_ends_at = DateTimeLocalField(_l("Jury ends"), validators=[DataRequired(message=REQUIRED)])
    results_at = DateTimeLocalField(_l("Results announced"), validators=[DataRequired(message=REQUIRED)])
    team_min_size = IntegerField(_l("Minimum team size"), default=2, validators=[NumberRange(1, 20)])
    team_max_size = IntegerField(_l("Maximum team size"), default=5, validators=[NumberRange(1, 20)])
    max_file_mb = IntegerField(_l("Largest file (MB)"), default=20, validators=[NumberRange(1, 500)])
    allowed_extensions = StringField(_l("Accepted file types"), validators=[Optional()],
                                     description=_l("Extensions separated by commas, e.g. pdf, pptx, zip"))
    blind_scoring = BooleanField(_l("Blind scoring (the jury does not see team names and members)"))
    conflict_same_administration = BooleanField(_l("Jurors may not score teams with a member from their "
                                                   "administration"), default=True)


class StaffForm(FlaskForm):
    username = StringField(_l("Username or e-mail"), validators=[DataRequired(message=REQUIRED)])
    role = SelectField(_l("Role"), choices=[("organiser", _l("Organiser")), ("mentor", _l("Mentor")),
                                            ("jury", _l("Jury member"))])


class RegistrationForm(FlaskForm):
    administration_id = SelectField(_l("Administration"), coerce=_int_or_none, validators=[Optional()])
    job_role = StringField(_l("Your role in your administration"),
                           validators=[DataRequired(message=REQUIRED), Length(max=255)])
    skills = StringField(_l("Skills"), validators=[Optional(), Length(max=500)],
                         description=_l("Separated by commas, e.g. data analysis, design, law"))
    motivation = TextAreaField(_l("Motivation"), validators=[Optional(), Length(max=2000)])


class ChallengeForm(FlaskForm):
    type_key = SelectField(_l("Kind of challenge"))
    title_ar = StringField(_l("Title (Arabic)"), validators=[DataRequired(message=REQUIRED), Length(max=255)])
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=255)])
    context_ar = TextAreaField(_l("Context (Arabic)"), validators=[DataRequired(message=REQUIRED)])
    context_fr = TextAreaField(_l("Context (French)"), validators=[Optional()])
    outcome_ar = TextAreaField(_l("Expected outcome (Arabic)"), validators=[DataRequired(message=REQUIRED)])
    outcome_fr = TextAreaField(_l("Expected outcome (French)"), validators=[Optional()])
    administration_id = SelectField(_l("Proposing administration"), coerce=_int_or_none, validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(message=REQUIRED), Length(max=255)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."))])
    resources = MultipleFileField(_l("Data and resources"))
    answer_key = FileField(_l("Answer key (data challenges: CSV id,label; never shown to teams)"))


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("publish", _l("Publish")), ("reject", _l("Reject"))])
    note = TextAreaField(_l("Note to the proposer"), validators=[Optional()])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    description = TextAreaField(_l("Presentation"), validators=[Optional(), Length(max=2000)])
    challenge_id = SelectField(_l("Challenge"), coerce=_int_or_none, validators=[Optional()])


class JoinForm(FlaskForm):
    code = StringField(_l("Invitation code"), validators=[DataRequired(message=REQUIRED), Length(max=20)])


class JoinRequestForm(FlaskForm):
    message = TextAreaField(_l("Message to the captain"), validators=[Optional(), Length(max=1000)])


class ChooseChallengeForm(FlaskForm):
    challenge_id = SelectField(_l("Challenge"), coerce=_int_or_none, validators=[DataRequired(message=REQUIRED)])


class SubmissionForm(FlaskForm):
    summary = TextAreaField(_l("Summary of the solution"), validators=[Optional(), Length(max=5000)])
    link_url = StringField(_l("Link (repository, prototype)"), validators=[Optional(), URL(message=_l("Enter a valid web address.")), Length(max=500)])
    video_url = StringField(_l("Short video (link)"), validators=[Optional(), URL(message=_l("Enter a valid web address.")), Length(max=500)])
    deliverable = MultipleFileField(_l("Deliverables"))
    pitch_deck = FileField(_l("Pitch deck"))
    data = FileField(_l("Predictions file (CSV)"))


class OverrideForm(FlaskForm):
    until = DateTimeLocalField(_l("Extended until"), validators=[DataRequired(message=REQUIRED)])
    reason = TextAreaField(_l("Reason (recorded)"), validators=[DataRequired(message=REQUIRED)])


class ConflictForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class RubricForm(FlaskForm):
    criteria = TextAreaField(_l("Criteria"), validators=[DataRequired(message=REQUIRED)],
                             description=_l("One criterion per line: weight | maximum points | name in Arabic | "
                                            "name in French"))


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=255)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=REQUIRED)])
    challenge_id = SelectField(_l("Recipients"), coerce=_int_or_none, validators=[Optional()])
    by_email = BooleanField(_l("Also send by e-mail"), default=True)


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Your question"), validators=[DataRequired(message=REQUIRED), Length(max=3000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(message=REQUIRED), Length(max=5000)])


class PublishForm(FlaskForm):
    when = SelectField(_l("Publication"), choices=[("announced", _l("At the announced time")),
                                                   ("now", _l("Now"))])


class MentorForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor"), coerce=_int_or_none, validators=[Optional()])


class MoveForm(FlaskForm):
    member_id = SelectField(_l("Member"), coerce=_int_or_none, validators=[DataRequired(message=REQUIRED)])
    target_team_id = SelectField(_l("Move to team"), coerce=_int_or_none, validators=[DataRequired(message=REQUIRED)])


class AssignJuryForm(FlaskForm):
    user_id = SelectField(_l("Jury member"), coerce=_int_or_none, validators=[DataRequired(message=REQUIRED)])
