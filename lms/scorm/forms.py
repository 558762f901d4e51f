"""Forms of the SCORM import (Flask-WTF; CSRF on)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from lms.core.i18n import _l

ZIP_ONLY = FileAllowed(["zip"], _l("Choose a .zip file."))


class ScormFields(FlaskForm):
    """The fields the ``scorm`` activity type adds to the course's activity form."""

    package = FileField(_l("SCORM package (.zip)"), validators=[ZIP_ONLY],
                        description=_l("SCORM 1.2 or 2004 zip exported by your authoring tool. Uploading a "
                                       "new file adds a version; earlier versions are kept."))
    keep_version_for_attempts = BooleanField(
        _l("Attempts in progress stay on the version they started with"), default=True,
        description=_l("Otherwise, learners continue on the newest version."))


class UploadForm(FlaskForm):
    """The dedicated upload page (with its progress bar)."""

    package = FileField(_l("SCORM package (.zip)"), validators=[FileRequired(_l("Choose a file.")), ZIP_ONLY])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave empty to use the title in the package."))


class OrganizationForm(FlaskForm):
    organization = SelectField(_l("Organization to play"), choices=[])
