"""SCORM 1.2 and 2004: package import (manifest, safe extraction, versions), player and run-time, sequencing."""


def init_app(app):
    from . import activity_type  # noqa: F401 - registers the "scorm" activity type
    from . import cli  # noqa: F401 - registers the "scorm" package kind for `lms content`
    from .services import translate_issue

    app.jinja_env.globals["scorm_issue_message"] = translate_issue
