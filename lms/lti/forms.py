from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, URL

from lms.core.i18n import _l


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=255)])
    issuer = StringField(_l("Issuer (platform ID)"), validators=[DataRequired(), Length(max=255)])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    deployment_ids = StringField(_l("Deployment IDs (comma separated)"), validators=[Optional(), Length(max=2000)])
    auth_url = StringField(_l("OIDC authentication URL"), validators=[DataRequired(), URL(require_tld=False)])
    token_url = StringField(_l("Access token URL"), validators=[DataRequired(), URL(require_tld=False)])
    jwks_url = StringField(_l("Public keyset (JWKS) URL"), validators=[DataRequired(), URL(require_tld=False)])


class ConsumerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=255)])
    key = StringField(_l("Consumer key"), validators=[DataRequired(), Length(max=255)])
    secret = StringField(_l("Shared secret"), validators=[DataRequired(), Length(max=255)])


class SimpleForm(FlaskForm):
    """A button: CSRF token only."""


class PlatformEditForm(FlaskForm):
    """Everything but the (issuer, client id) key of a registration."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=255)])
    auth_url = StringField(_l("OIDC authentication URL"), validators=[DataRequired(), URL(require_tld=False)])
    token_url = StringField(_l("Access token URL"), validators=[DataRequired(), URL(require_tld=False)])
    jwks_url = StringField(_l("Public keyset (JWKS) URL"), validators=[DataRequired(), URL(require_tld=False)])
    audience = StringField(_l("Token audience (when it differs from the token URL)"),
                           validators=[Optional(), Length(max=1024)])
    deployment_ids = TextAreaField(_l("Deployment IDs (one a line)"), validators=[Optional(), Length(max=5000)])
    role_map = TextAreaField(_l("Role map (one a line, as: Mentor = instructor)"),
                             validators=[Optional(), Length(max=5000)])
    default_course = SelectField(_l("Course that placements not linked to any content open"), coerce=int,
                                 choices=[])


class ContextLinkForm(FlaskForm):
    """A platform course (context) → a course, optionally one of its sections, optionally a cohort tag."""

    platform = SelectField(_l("Platform"), coerce=int, choices=[])
    context_id = StringField(_l("Platform course (context) ID"), validators=[DataRequired(), Length(max=255)])
    course = SelectField(_l("Tamkeen course"), coerce=int, choices=[])
    section = SelectField(_l("Section the launch lands on"), coerce=int, choices=[])
    cohort = StringField(_l("Cohort recorded on the enrolments"), validators=[Optional(), Length(max=100)])


class ActiveForm(FlaskForm):
    active = HiddenField()
