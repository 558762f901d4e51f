"""LTI 1.3 Advantage tool (and LTI 1.1): other LMSes launch our courses and activities in their pages
and receive grades, completion and rosters through AGS, NRPS and Basic Outcomes."""

EMBED_SESSION_KEY = "lti_embedded"


def init_app(app):
    from flask import request, session

    from lms.courses.results import result_recorded

    from . import lti11, permissions, services  # noqa: F401 — registers rules and outbox handlers

    app.config.setdefault("LTI_CLOCK_SKEW_SECONDS", 60)
    app.config.setdefault("LTI_MAX_TOKEN_AGE_SECONDS", 600)
    app.config.setdefault("LTI_JWKS_MIN_REFRESH_SECONDS", 10)
    app.config.setdefault("LTI_KEY_RETIRE_GRACE_HOURS", 72)
    app.config.setdefault("LTI11_TIMESTAMP_WINDOW_SECONDS", 300)
    app.config.setdefault("LTI_ROLE_MAP", {})
    result_recorded.connect(services.on_result_recorded, weak=False)

    @app.context_processor
    def _embedded():
        # Base templates may honour `embedded` (compact layout inside a platform iframe).
        try:
            embedded = bool(session.get(EMBED_SESSION_KEY)) or request.args.get("embed") == "1"
        except RuntimeError:
            embedded = False
        return {"embedded": embedded}

    @app.after_request
    def _iframe_session_cookie(response):
        """Inside a platform iframe the session cookie is third-party: over TLS it needs SameSite=None."""
        if not request.is_secure or not session.get(EMBED_SESSION_KEY):
            return response
        name = app.config.get("SESSION_COOKIE_NAME", "session")
        cookies = response.headers.getlist("Set-Cookie")
        if not any(c.startswith(name + "=") for c in cookies):
            return response
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            if cookie.startswith(name + "="):
                parts = [p for p in cookie.split("; ") if not p.lower().startswith("samesite=")]
                if "Secure" not in parts:
                    parts.append("Secure")
                parts.append("SameSite=None")
                cookie = "; ".join(parts)
            response.headers.add("Set-Cookie", cookie)
        return response
