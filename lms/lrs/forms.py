"""Forms of the LRS operator pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from lms.core.i18n import _l

SCOPE_LABELS = [
    ("all", _l("Everything")), ("all/read", _l("Read everything")),
    ("statements/write", _l("Write statements")), ("statements/read", _l("Read statements")),
    ("statements/read/mine", _l("Read its own statements")), ("state", _l("State documents")),
    ("profile", _l("Profile documents")), ("define", _l("Define activities")),
]


class CredentialForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)],
                       description=_l("Who will use these credentials (a content tool, a reporting system...)."))
    scopes = SelectMultipleField(_l("Scopes"), choices=SCOPE_LABELS, default=["statements/write"],
                                 validators=[DataRequired()],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class RevokeForm(FlaskForm):
    pass
