"""Configuration from environment variables with safe defaults.

Every setting can be overridden with an environment variable of the same name prefixed by ``LMS_``
(``LMS_DATABASE_URL``, ``LMS_SITE_URL``...), or by the ``config`` mapping given to ``create_app``.
Settings that areas declare themselves (``LMS_LTI_…``) are read the same way, as JSON when they parse.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    "SITE_NAME": "Tamkeen",
    "SITE_URL": "http://127.0.0.1:5000",
    "DATABASE_URL": None,  # None → SQLite file in the instance folder
    "CONTENT_PACKAGES_DIR": None,  # None → <project>/content_packages
    "DEFAULT_LOCALE": "ar",
    "LOCALES": ["ar", "fr", "en"],
    "DEFAULT_TIMEZONE": "Africa/Casablanca",
    "PROXY_FIX_HOPS": 0,  # number of trusted reverse proxies setting X-Forwarded-*
    "SESSION_COOKIE_SECURE": False,
    "MAIL_SERVER": None,  # None → mails are written to the log (development)
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_FROM": "no-reply@tamkeen.local",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "PASSWORD_RESET_HOURS": 2,
    "MAX_CONTENT_LENGTH": 1024 * 1024 * 1024,
    "SCORM_MAX_TOTAL_BYTES": 1024 * 1024 * 1024,
    "SCORM_MAX_RATIO": 200,
    "SCORM_MAX_FILES": 20000,
    "REDIS_URL": None,
}

_INT_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
_BOOL_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}


def _coerce(key: str, raw: str):
    if key not in DEFAULTS:
        # Settings an area declares itself (LTI_CLOCK_SKEW_SECONDS...): JSON when it parses (numbers,
        # booleans, lists), the raw string otherwise.
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in _INT_KEYS:
        return int(raw)
    if key == "LOCALES":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def load_settings(instance_path: str) -> dict[str, object]:
    settings = dict(DEFAULTS)
    for name, env in os.environ.items():
        if name.startswith("LMS_") and name not in ("LMS_SECRET_KEY", "LMS_AREAS") and not name.startswith("LMS_TEST_"):
            settings[name[4:]] = _coerce(name[4:], env)
    settings["SECRET_KEY"] = os.environ.get("LMS_SECRET_KEY") or instance_secret_key(instance_path)
    return settings


def instance_secret_key(instance_path: str) -> str:
    """Generated once, kept in the instance folder; several hosts share it through LMS_SECRET_KEY."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must end up with the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_uri(settings: dict, instance_path: str) -> str:
    url = settings.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "tamkeen.sqlite3")
    url = str(url)
    # psycopg 3 is the PostgreSQL driver; accept the plain URLs operators write.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
