"""Locale selection, text direction, localized author content and Babel formatting.

Interface strings go through gettext (``_``/``_l``); content that authors write in several languages is a
JSON mapping ``{"ar": ..., "fr": ..., "en": ...}`` shown with :func:`localized`.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates

from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale as _force_locale
from flask_babel import format_decimal, format_number  # noqa: F401 (re-export)
from flask_babel import get_locale as _babel_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext  # noqa: F401 (re-export)

__all__ = ["_", "_l", "ngettext", "localized", "current_locale", "text_direction", "force_locale", "babel"]

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
# Babel formats dates and numbers for Morocco (Latin digits, as Moroccan administrations write them).
FORMAT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}

babel = Babel()


def select_locale() -> str:
    """The Babel locale for this request: the language chosen below, with Morocco's formats."""
    language = select_language()
    return FORMAT_LOCALES.get(language, language)


def select_language() -> str:
    """User preference, then the language switcher (session), then Accept-Language, then the default."""
    supported = current_app.config["LOCALES"]
    forced = getattr(g, "forced_locale", None)
    if forced in supported:
        return forced
    from flask_login import current_user

    # An explicit ?lang= in the URL (hreflang alternates, shared links) shows that version.
    if has_request_context():
        asked = request.args.get("lang")
        if asked in supported:
            return asked
    if current_user and getattr(current_user, "is_authenticated", False):
        preferred = getattr(current_user, "preferred_language", None)
        if preferred in supported:
            return preferred
    chosen = session.get("lang") if has_request_context() else None
    if chosen in supported:
        return chosen
    if has_request_context():
        best = request.accept_languages.best_match(supported)
        if best:
            return best
        return current_app.config["DEFAULT_LOCALE"]
    # Command line and workers: operators read English unless told otherwise (mails use force_locale).
    return current_app.config.get("CLI_LOCALE", "en")


def current_locale() -> str:
    locale = _babel_locale()
    return locale.language if locale else "ar"


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_locale()) in RTL_LANGUAGES else "ltr"


def localized(value, language: str | None = None, default: str = "") -> str:
    """Pick the user's language from a {lang: text} mapping, falling back to ar, fr, en, then any."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    language = language or current_locale()
    for candidate in (language, "ar", "fr", "en"):
        text = value.get(candidate)
        if text:
            return text
    for text in value.values():
        if text:
            return text
    return default


def localized_language(value, language: str | None = None) -> str | None:
    """Which language :func:`localized` actually shows (for lang/dir attributes on mixed content)."""
    if not value or isinstance(value, str):
        return None
    language = language or current_locale()
    for candidate in (language, "ar", "fr", "en"):
        if value.get(candidate):
            return candidate
    return next((k for k, v in value.items() if v), None)


def user_timezone() -> ZoneInfo:
    """The signed-in user's zone, else the site's (Africa/Casablanca)."""
    from flask_login import current_user

    name = None
    if has_request_context() and current_user and getattr(current_user, "is_authenticated", False):
        name = getattr(current_user, "timezone", None)
    try:
        return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Africa/Casablanca")


def to_local(value: datetime) -> datetime:
    """UTC (stored) → the user's zone. zoneinfo reads the system tz database: pytz, which Babel would use,
    lacks Morocco's rules after 2026 and would show times an hour off."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(user_timezone())


def _babel_locale_or_default():
    return _babel_locale() or current_app.config.get("DEFAULT_LOCALE", "ar")


def format_datetime(value: datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    value = value or datetime.now(timezone.utc)
    if rebase:
        value = to_local(value)
    return babel_dates.format_datetime(value, format or "medium", locale=_babel_locale_or_default())


def format_date(value: date | datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    value = value or datetime.now(timezone.utc)
    if isinstance(value, datetime) and rebase:
        value = to_local(value).date()
    return babel_dates.format_date(value, format or "medium", locale=_babel_locale_or_default())


def format_time(value: datetime, format: str | None = None, rebase: bool = True) -> str:
    if rebase:
        value = to_local(value)
    return babel_dates.format_time(value, format or "short", locale=_babel_locale_or_default())


@contextmanager
def force_locale(language: str | None):
    """Render something (a mail, a PDF) in another person's language."""
    language = language if language in current_app.config["LOCALES"] else current_app.config["DEFAULT_LOCALE"]
    with _force_locale(language):
        yield


def translation_directories(project_root: Path) -> list[str]:
    """One catalogue per area under translations/<area>/, merged by flask-babel at run time."""
    root = project_root / "translations"
    if not root.is_dir():
        return [str(root)]
    return [str(path) for path in sorted(root.iterdir()) if path.is_dir()]


def init_app(app, project_root: Path) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["DEFAULT_TIMEZONE"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(project_root))
    babel.init_app(app, locale_selector=select_locale)

    def loc(value, default=""):
        return localized(value, default=default)

    def loc_lang(value):
        return localized_language(value)

    app.jinja_env.filters["loc"] = loc
    app.jinja_env.filters["loc_lang"] = loc_lang
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["time"] = lambda v, fmt="short": format_time(v, fmt) if v else ""
    app.jinja_env.filters["localtime"] = lambda v: to_local(v) if v else None
    app.jinja_env.filters["number"] = lambda v: format_decimal(v) if v is not None else ""

    @app.context_processor
    def _i18n_context():
        language = current_locale()
        return {
            "current_locale": language,
            "text_dir": text_direction(language),
            "language_names": LANGUAGE_NAMES,
            "supported_locales": app.config["LOCALES"],
        }
