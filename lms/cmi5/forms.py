"""Forms of the cmi5 and TinCan activity types (Flask-WTF; CSRF on)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, SelectField

from lms.core.i18n import _l


class Cmi5Fields(FlaskForm):
    package = FileField(_l("cmi5 course (.zip or cmi5.xml)"), validators=[
        FileAllowed(["zip", "xml"], _l("Choose a .zip file or a cmi5.xml file."))],
        description=_l("A zip with cmi5.xml at its root, or a bare cmi5.xml whose AU URLs are absolute."))


class TinCanFields(FlaskForm):
    package = FileField(_l("TinCan package (.zip)"),
                        validators=[FileAllowed(["zip"], _l("Choose a .zip file."))],
                        description=_l("A zip with tincan.xml at its root."))


class LaunchForm(FlaskForm):
    mode = HiddenField(default="Normal")


class WaiveForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=[("Administrative", _l("Administrative")),
                                                ("Tested Out", _l("Tested out")),
                                                ("Equivalent AU", _l("Equivalent AU")),
                                                ("Equivalent Outside Activity",
                                                 _l("Equivalent outside activity"))])
