"""Courses: catalogue, sections, activities (the registry every activity type plugs into), enrolment,
completion, gradebook and reports."""


def init_app(app):
    from . import completion  # noqa: F401 — listens to result_recorded (progress, course completion)
    from . import xapi  # noqa: F401 — the course-completion statement
    from . import permissions  # noqa: F401 — registers the course rules
    from . import types  # noqa: F401 — registers the page, file and url activity types

    from .reports import may_view_reports

    app.jinja_env.globals["may_view_reports"] = lambda: may_view_reports(_current_user())
    app.jinja_env.filters["lang_attr"] = _lang_attr


def _lang_attr(value):
    """` lang="xx"` for author content shown in another language than the page, or nothing."""
    from markupsafe import Markup

    from lms.core.i18n import localized_language

    language = localized_language(value)
    return Markup(f' lang="{language}"') if language in ("ar", "fr", "en") else ""


def _current_user():
    from flask_login import current_user

    return current_user
