"""The LTI settings, read from ``current_app.config`` at the moment they are used, with defaults.

Every one can be set from the environment like the core settings (``LMS_LTI_CLOCK_SKEW_SECONDS=120``,
``LMS_LTI_ROLE_MAP='{"Mentor": "instructor"}'``): the core configuration parses ``LMS_<KEY>`` as JSON when
it parses. A value of the wrong type (a typo in an environment variable) falls back to the default with a
warning in the log rather than breaking every launch. See docs/lti.md § "Settings".
"""
from __future__ import annotations

import json
import logging

from flask import current_app

log = logging.getLogger(__name__)

DEFAULTS: dict[str, object] = {
    "LTI_CLOCK_SKEW_SECONDS": 60,           # leeway on exp/iat/nbf of id_tokens
    "LTI_MAX_TOKEN_AGE_SECONDS": 600,       # an id_token older than this (iat) is refused even if exp is later
    "LTI_STATE_TTL_SECONDS": 600,           # an OIDC login must come back as a launch within this time
    "LTI_LAUNCH_TTL_SECONDS": 7200,         # deep-linking choice and continue-in-a-new-window tickets
    "LTI_JWKS_MIN_REFRESH_SECONDS": 10,     # at most one platform JWKS refetch per unknown kid in this time
    "LTI_KEY_RETIRE_GRACE_HOURS": 72,       # a retired signing key stays published this long after its last use
    "LTI_HTTP_TIMEOUT_SECONDS": 15,         # every call to a platform (JWKS, token, AGS, NRPS, registration)
    "LTI11_TIMESTAMP_WINDOW_SECONDS": 300,  # LTI 1.1 oauth_timestamp accepted this far from our clock
    "LTI_ROLE_MAP": {},                     # LIS role (URI or short name) → instructor | tutor | learner
}


def setting(name: str):
    default = DEFAULTS[name]
    value = current_app.config.get(name, default)
    if isinstance(default, dict):
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except ValueError:
                value = None
        if not isinstance(value, dict):
            log.warning("LTI: the setting %s must be a JSON object; using the default", name)
            return dict(default)
        return value
    if value is None or isinstance(value, bool):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        log.warning("LTI: the setting %s must be a number (got %r); using %s", name, value, default)
        return default
    if number < 0:
        log.warning("LTI: the setting %s must not be negative (got %r); using %s", name, value, default)
        return default
    return int(number) if isinstance(default, int) and number.is_integer() else number


def install_defaults(app) -> None:
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, json.loads(json.dumps(default)))
