"""One error renderer: JSON with a machine-readable code for API clients, an HTML page for people."""
from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .db import db
from .i18n import _

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/xapi/", "/lti/jwks", "/lti/register")


class DomainError(Exception):
    """A refusal a user must read: translated message, stable code, HTTP status."""

    def __init__(self, message: str, code: str = "invalid", status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.field = field


def wants_json() -> bool:
    if request.path.startswith(API_PREFIXES) or request.path in ("/xapi", "/api"):
        return True
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _status_code_name(status: int) -> str:
    return {
        400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
        409: "conflict", 410: "gone", 412: "precondition_failed", 413: "too_large", 415: "unsupported_media_type",
        422: "unprocessable", 429: "too_many_requests", 500: "server_error", 503: "unavailable",
    }.get(status, "error")


def _default_message(status: int) -> str:
    messages = {
        400: _("The request was not understood. Please check what you sent."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to do this."),
        404: _("The page you are looking for does not exist."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with the current state of the data."),
        413: _("The file is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been recorded."),
    }
    return messages.get(status, _("The request could not be completed."))


def render_error(status: int, message: str | None = None, code: str | None = None, field: str | None = None):
    message = message or _default_message(status)
    code = code or _status_code_name(status)
    if wants_json():
        body = {"error": {"code": code, "message": message, "status": status}}
        if field:
            body["error"]["field"] = field
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("core/error.html", status=status, message=message, code=code), status


def init_app(app) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message, error.code, error.field)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code and error.code >= 400:
            db.session.rollback()
        if error.code is None or error.code < 400:
            return error
        # A handler that aborted with its own description keeps it; werkzeug's English defaults do not.
        description = error.description if getattr(error, "lms_message", False) else None
        response = render_error(error.code, description)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            if isinstance(response, tuple):
                return response[0], response[1], {"Allow": ", ".join(error.valid_methods)}
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_EXCEPTIONS") and app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error
        return render_error(500)


def abort_with(status: int, message: str):
    """abort() with a translated message that the renderer shows as is."""
    from werkzeug.exceptions import default_exceptions

    exc_class = default_exceptions.get(status, InternalServerError)
    exc = exc_class(description=message)
    exc.lms_message = True
    raise exc
