"""CSRF, login manager and password hashing."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from .i18n import _l

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"

# argon2id with the library's current recommended parameters (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class SessionlessAPIInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except under the path prefixes of machine APIs authenticated per request
    (the xAPI endpoint takes HTTP Basic credentials on every call): there the session is a read-only empty one
    and no cookie is read or written, which saves decoding and signing on every statement sent."""

    sessionless_prefixes: tuple[str, ...] = ()

    def open_session(self, app, request):
        if request.path.startswith(self.sessionless_prefixes):
            return self.make_null_session(app)
        return super().open_session(app, request)


def sessionless(prefix: str) -> None:
    """Declare a path prefix whose requests carry no cookie session (see SessionlessAPIInterface)."""
    if prefix not in SessionlessAPIInterface.sessionless_prefixes:
        SessionlessAPIInterface.sessionless_prefixes += (prefix,)


def init_app(app) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    app.session_interface = SessionlessAPIInterface()

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        from .errors import render_error
        from .i18n import _

        return render_error(400, _("The form has expired or was not sent from this site. "
                                   "Please reload the page and try again."), code="csrf_failed")
