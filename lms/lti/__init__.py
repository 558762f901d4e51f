"""LTI 1.3 Advantage tool (and LTI 1.1): other LMSes launch our courses and activities in their pages
and receive grades, completion and rosters through AGS, NRPS and Basic Outcomes."""

EMBED_SESSION_KEY = "lti_embedded"


def init_app(app):
    from flask import has_request_context, request, session

    from lms.courses.results import result_recorded

    from . import lti11, permissions, services  # noqa: F401 — registers rules and outbox handlers

    from .settings import install_defaults

    install_defaults(app)  # LMS_LTI_* environment variables, already in app.config, win
    result_recorded.connect(services.on_result_recorded, weak=False)

    @app.context_processor
    def _embedded():
        """`embedded`: templates use a compact layout inside a platform iframe. Browsers say where a page is
        shown (``Sec-Fetch-Dest``), so the same session opened in a tab gets the full layout; browsers that
        do not say fall back to "this session came from an LTI launch"."""
        if not has_request_context():
            return {"embedded": False}
        if request.args.get("embed") == "1":
            return {"embedded": True}
        destination = request.headers.get("Sec-Fetch-Dest")
        if destination in ("iframe", "frame", "embed", "object"):
            return {"embedded": True}
        if destination == "document":
            return {"embedded": False}
        return {"embedded": bool(session.get(EMBED_SESSION_KEY))}

    # Inside a platform iframe the session cookie is third-party: over TLS it must be SameSite=None; Secure.
    # Flask writes the session cookie after every after_request hook, so this is said to the session
    # interface itself (subclassing whatever interface is installed).
    base = type(app.session_interface)

    class EmbeddedAwareSessionInterface(base):
        def _embedded_over_tls(self) -> bool:
            return has_request_context() and request.is_secure and bool(session.get(EMBED_SESSION_KEY))

        def get_cookie_samesite(self, app):
            return "None" if self._embedded_over_tls() else super().get_cookie_samesite(app)

        def get_cookie_secure(self, app):
            return True if self._embedded_over_tls() else super().get_cookie_secure(app)

    app.session_interface = EmbeddedAwareSessionInterface()
