from flask_wtf import FlaskForm
from wtforms import StringField
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
