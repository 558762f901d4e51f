"""Forms of the SCORM import (Flask-WTF; CSRF on)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

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
    # The player's options, stored in ``activity.settings`` under the keys lms.scorm.attempts.DEFAULTS reads.
    scorm_display = SelectField(
        _l("Display"), default="iframe",
        choices=[("iframe", _l("In the page")), ("window", _l("In a new window")),
                 ("fullscreen", _l("Full screen"))])
    max_attempts = IntegerField(
        _l("Maximum number of attempts"), default=0, validators=[Optional(), NumberRange(min=0, max=1000)],
        description=_l("0 means unlimited."))
    new_attempt = SelectField(
        _l("Start a new attempt when the learner opens a finished activity"), default="never",
        choices=[("never", _l("Never (the learner reviews the last attempt)")),
                 ("completed", _l("When the last attempt is completed")),
                 ("passed", _l("When the last attempt is passed")),
                 ("failed", _l("When the last attempt is failed")), ("always", _l("Always"))])
    learner_new_attempt = BooleanField(_l("Learners may start a new attempt themselves"), default=True)
    grading_method = SelectField(
        _l("Grading method"), default="highest",
        choices=[("highest", _l("Highest score of the SCOs")), ("average", _l("Average score of the SCOs")),
                 ("sum", _l("Sum of the SCO scores")), ("objects", _l("Learning objects completed"))])
    attempt_grading = SelectField(
        _l("Attempt that counts"), default="highest",
        choices=[("highest", _l("Highest attempt")), ("average", _l("Average of the attempts")),
                 ("first", _l("First attempt")), ("last", _l("Last attempt"))])
    completion_status_required = SelectField(
        _l("Status required to complete an attempt"), default="completed",
        choices=[("completed", _l("Completed")), ("passed", _l("Passed"))])
    completion_min_score = FloatField(
        _l("Minimum score to complete an attempt (%)"), validators=[Optional(), NumberRange(0, 100)])
    completion_all_scos = BooleanField(_l("Every SCO must be completed"), default=True)
    lenient_suspend_data = BooleanField(
        _l("Accept suspend data longer than the standard allows"), default=False,
        description=_l("Some authoring tools write more than the standard's limit."))


class UploadForm(FlaskForm):
    """The dedicated upload page (with its progress bar)."""

    package = FileField(_l("SCORM package (.zip)"), validators=[FileRequired(_l("Choose a file.")), ZIP_ONLY])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave empty to use the title in the package."))


class OrganizationForm(FlaskForm):
    organization = SelectField(_l("Organization to play"), choices=[])
