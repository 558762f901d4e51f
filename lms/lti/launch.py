"""OIDC third-party login and id_token validation (LTI 1.3 core, 1EdTech security framework).

pylti1p3 supplies the message plumbing (registration and deployment lookup over our tool configuration,
the message-type validators, deep-linking and service objects). What it leaves open, we close here:

* state and nonce live in the database, created together at login; the nonce in the id_token must be the
  one issued with *that* state, and both are consumed once (pylti1p3 never consumes nonces, and it marks a
  state "valid" for an id_token hash, so the same token posted again from another browser passes);
* the state is bound to the browser that started the login: a secret in a cookie, or in the platform's
  client-side storage (``lti_storage_target``) when third-party cookies are blocked;
* the signature is checked with the platform's JWKS, refreshed once when the ``kid`` is unknown; ``alg``
  must be RS256/384/512 (never ``none``, never HMAC); ``iss``, ``aud`` (string, or list with ``azp``),
  ``exp``/``iat``/``nbf`` with a small clock skew, and the required claims are all enforced.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import jwt
from flask import current_app, request
from jwcrypto.jwk import JWK
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _

from .models import LtiLaunch, LtiLoginState, LtiPlatform, LtiUsedToken
from .platforms import DatabaseToolConf, find_deployment, find_platform, platform_public_key, refuse_if_inactive
from .settings import setting

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
STATE_COOKIE_PREFIX = "lti1p3-state-"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")


class LaunchRejected(DomainError):
    """A launch refused: the message says why, in the user's language."""

    def __init__(self, message: str, code: str, status: int = 400):
        super().__init__(message, code=code, status=status)


class NeedsPlatformStorage(Exception):
    """The browser binding must be read from the platform's storage first (third-party cookies blocked)."""

    def __init__(self, login_state: LtiLoginState):
        super().__init__("platform storage")
        self.login_state = login_state


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def tool_url(path: str) -> str:
    """Absolute URL of ours: the launch and login URLs the platform registered must match exactly."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def launch_url() -> str:
    return tool_url("/lti/launch")


def state_cookie_name(state: str) -> str:
    return STATE_COOKIE_PREFIX + sha256(state)[:24]


def cookie_options() -> dict:
    """SameSite=None; Secure when served over TLS (directly or behind ProxyFix), as iframes require."""
    if request.is_secure:
        return {"secure": True, "samesite": "None", "httponly": True}
    return {"secure": False, "samesite": "Lax", "httponly": True}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- OIDC login ------------------------------------------------------------------------------------------
def start_login(params) -> tuple[LtiLoginState, str, str]:
    """Validate a third-party login initiation; returns (state row, authorization URL, browser secret)."""
    issuer = params.get("iss")
    if not issuer:
        raise LaunchRejected(_("The platform did not say who it is (no issuer)."), "lti_no_issuer")
    if not params.get("login_hint"):
        raise LaunchRejected(_("The platform did not send a login hint."), "lti_no_login_hint")
    platform = find_platform(issuer, params.get("client_id"))
    if platform is None:
        refuse_if_inactive(issuer, [params.get("client_id")])
        raise LaunchRejected(_("This platform is not registered with Tamkeen (unknown issuer or client id)."),
                             "lti_unknown_platform", 403)
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and find_deployment(platform, deployment_id) is None:
        raise LaunchRejected(_("This deployment of the platform is not registered with Tamkeen."),
                             "lti_unknown_deployment", 403)
    target = params.get("target_link_uri")
    if target and _origin(target) != _origin(tool_url("/")):
        raise LaunchRejected(_("The link target is not on this site."), "lti_bad_target")
    if secrets.randbelow(200) == 0:
        purge_expired()  # housekeeping without a scheduler: now and then, at a login
    secret = secrets.token_urlsafe(32)
    storage_target = params.get("lti_storage_target") or None
    login_state = LtiLoginState(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), platform_id=platform.id,
        browser_secret_hash=sha256(secret), storage_target=storage_target,
        storage_origin=_origin(platform.auth_login_url) if storage_target else None,
        target_link_uri=target, expires_at=utcnow() + timedelta(seconds=setting("LTI_STATE_TTL_SECONDS")))
    db.session.add(login_state)
    db.session.flush()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url(),
        "state": login_state.state,
        "nonce": login_state.nonce,
        "login_hint": params.get("login_hint"),
    }
    if params.get("lti_message_hint") is not None:
        query["lti_message_hint"] = params.get("lti_message_hint")  # passed back unchanged
    separator = "&" if "?" in platform.auth_login_url else "?"
    return login_state, platform.auth_login_url + separator + urlencode(query), secret


# -- launch ------------------------------------------------------------------------------------------------
class _FormRequest:
    """The minimal pylti1p3 request over the form post."""

    def __init__(self, form):
        self._form = form
        self.session = {}

    def get_param(self, key):
        return self._form.get(key)

    def get_cookie(self, key):
        return request.cookies.get(key)

    def is_secure(self):
        return request.is_secure


class TamkeenMessageLaunch(MessageLaunch):
    """pylti1p3's launch with the validation order and the checks it lacks (see the module docstring)."""

    def __init__(self, form):
        fake_request = _FormRequest(form)
        super().__init__(fake_request, DatabaseToolConf(), session_service=_NoSession(),
                         cookie_service=_NoCookies())
        self.form = form
        self.platform: LtiPlatform | None = None
        self.login_state: LtiLoginState | None = None
        self.claims: dict = {}

    def _get_request_param(self, key):
        return self.form.get(key)

    def get_client_id(self) -> str:
        body = self._jwt.get("body", {})
        aud = body.get("aud")
        if isinstance(aud, list):
            azp = body.get("azp")
            if azp:
                return azp
            return aud[0] if len(aud) == 1 else ""
        return aud

    # The full pipeline: nothing is written until every check passed.
    def validate(self) -> TamkeenMessageLaunch:
        self._validated = True
        try:
            self.check_platform_error()
            self.decode_unverified()
            self.check_algorithm()
            self.find_platform()
            self.verify_signature_and_claims()
            self.check_deployment()
            self.check_message()
            self.check_state_and_nonce()
            self.consume()
        except LtiException as error:
            self._validated = False
            raise LaunchRejected(_("The launch message is not valid: %(why)s", why=str(error)), "lti_invalid")
        except Exception:
            self._validated = False
            raise
        return self

    def check_platform_error(self) -> None:
        if self.form.get("error"):
            raise LaunchRejected(_("The platform refused the login: %(why)s",
                                   why=self.form.get("error_description") or self.form.get("error")),
                                 "lti_platform_error", 401)
        if not self.form.get("id_token"):
            raise LaunchRejected(_("The launch carries no id_token."), "lti_no_token")
        if not self.form.get("state"):
            raise LaunchRejected(_("The launch carries no state."), "lti_no_state")

    def decode_unverified(self) -> None:
        token = self.form["id_token"]
        try:
            self._jwt = {"header": jwt.get_unverified_header(token),
                         "body": jwt.decode(token, options={"verify_signature": False})}
        except jwt.PyJWTError:
            raise LaunchRejected(_("The id_token is not a well-formed JWT."), "lti_malformed_token")

    def check_algorithm(self) -> None:
        alg = (self._jwt["header"].get("alg") or "").strip()
        if alg.lower() == "none" or not alg:
            raise LaunchRejected(_("Unsigned id_tokens (alg: none) are refused."), "lti_unsigned", 401)
        if alg not in ALLOWED_ALGORITHMS:
            raise LaunchRejected(_("The id_token algorithm %(alg)s is not accepted (RS256 is expected).",
                                   alg=alg), "lti_bad_algorithm", 401)

    def find_platform(self) -> None:
        body = self._jwt["body"]
        issuer = body.get("iss")
        aud = body.get("aud")
        if not issuer or not aud:
            raise LaunchRejected(_("The id_token has no issuer or audience."), "lti_missing_claims")
        candidates = [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)]
        azp = body.get("azp")
        if azp:
            if azp not in candidates:
                raise LaunchRejected(_("The authorised party (azp) is not one of the audiences."), "lti_bad_azp",
                                     401)
            candidates = [azp]
        elif len(candidates) > 1:
            raise LaunchRejected(_("An id_token with several audiences must name the authorised party (azp)."),
                                 "lti_bad_azp", 401)
        platforms = [p for p in (find_platform(issuer, c) for c in candidates) if p is not None]
        if not platforms:
            from .platforms import find_platforms

            refuse_if_inactive(issuer, candidates)

            if not find_platforms(issuer):
                raise LaunchRejected(_("This platform is not registered with Tamkeen (unknown issuer)."),
                                     "lti_unknown_issuer", 403)
            raise LaunchRejected(_("The id_token is not addressed to Tamkeen (wrong audience)."),
                                 "lti_wrong_audience", 401)
        self.platform = platforms[0]
        self.validate_registration()  # pylti1p3: registration for (iss, client_id) and client id check

    def verify_signature_and_claims(self) -> None:
        header = self._jwt["header"]
        jwk = platform_public_key(self.platform, header.get("kid"))
        if jwk is None:
            raise LaunchRejected(_("The id_token is signed with a key the platform does not publish."),
                                 "lti_unknown_key", 401)
        if jwk.get("alg") and jwk["alg"] != header["alg"]:
            raise LaunchRejected(_("The id_token algorithm does not match the platform key."), "lti_bad_algorithm",
                                 401)
        try:
            public_key = jwt.PyJWK(jwk, algorithm=header["alg"]).key
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            try:
                public_key = JWK.from_json(json.dumps(jwk)).export_to_pem()
            except Exception:  # noqa: BLE001 — an unusable key is a refusal, not a crash
                raise LaunchRejected(_("The platform key cannot be read."), "lti_bad_key", 401)
        skew = setting("LTI_CLOCK_SKEW_SECONDS")
        try:
            self.claims = jwt.decode(
                self.form["id_token"], public_key, algorithms=[header["alg"]], audience=self.platform.client_id,
                issuer=self.platform.issuer, leeway=skew,
                options={"require": ["iss", "aud", "exp", "iat", "nonce"], "verify_iat": True})
        except jwt.ExpiredSignatureError:
            raise LaunchRejected(_("The launch has expired. Please launch again from the platform."),
                                 "lti_expired", 401)
        except jwt.ImmatureSignatureError:
            raise LaunchRejected(_("The id_token is dated in the future; check the platform clock."),
                                 "lti_not_yet_valid", 401)
        except jwt.InvalidAudienceError:
            raise LaunchRejected(_("The id_token is not addressed to Tamkeen (wrong audience)."),
                                 "lti_wrong_audience", 401)
        except jwt.InvalidIssuerError:
            raise LaunchRejected(_("The id_token issuer does not match the platform."), "lti_wrong_issuer", 401)
        except jwt.MissingRequiredClaimError as error:
            raise LaunchRejected(_("The id_token lacks the required claim %(claim)s.", claim=error.claim),
                                 "lti_missing_claims")
        except jwt.InvalidSignatureError:
            raise LaunchRejected(_("The id_token signature is not valid."), "lti_bad_signature", 401)
        except jwt.PyJWTError as error:
            raise LaunchRejected(_("The id_token is not valid: %(why)s", why=str(error)), "lti_invalid_token", 401)
        # Limit how old a token can be even if the platform gives it a long life.
        max_age = setting("LTI_MAX_TOKEN_AGE_SECONDS")
        if self.claims["iat"] < utcnow().timestamp() - max_age - skew:
            raise LaunchRejected(_("The launch has expired. Please launch again from the platform."),
                                 "lti_expired", 401)
        self._jwt["body"] = self.claims

    def check_deployment(self) -> None:
        deployment_id = self.claims.get(LTI + "deployment_id")
        if not deployment_id or find_deployment(self.platform, deployment_id) is None:
            raise LaunchRejected(_("This deployment of the platform is not registered with Tamkeen."),
                                 "lti_unknown_deployment", 403)

    def check_message(self) -> None:
        message_type = self.claims.get(LTI + "message_type")
        if message_type not in MESSAGE_TYPES:
            raise LaunchRejected(_("This kind of LTI message (%(type)s) is not supported.", type=message_type or "?"),
                                 "lti_unsupported_message")
        if self.claims.get(LTI + "version") != "1.3.0":
            raise LaunchRejected(_("Only LTI version 1.3.0 is supported."), "lti_bad_version")
        if not self.claims.get("sub"):
            raise LaunchRejected(_("The launch does not identify the user (no sub)."), "lti_anonymous")
        self.validate_message()  # pylti1p3's validators: roles, resource link id, deep-linking settings

    def check_state_and_nonce(self) -> None:
        state = self.form["state"]
        login_state = db.session.scalar(select(LtiLoginState).where(LtiLoginState.state == state))
        if login_state is None or login_state.platform_id != self.platform.id:
            raise LaunchRejected(_("This launch was not started from here (unknown state). Please launch again."),
                                 "lti_unknown_state", 401)
        if login_state.used_at is not None:
            raise LaunchRejected(_("This launch has already been used. Please launch again from the platform."),
                                 "lti_replayed", 401)
        if login_state.expires_at < utcnow():
            raise LaunchRejected(_("The launch has expired. Please launch again from the platform."),
                                 "lti_expired", 401)
        if not secrets.compare_digest(login_state.nonce, str(self.claims.get("nonce"))):
            raise LaunchRejected(_("The nonce does not belong to this login."), "lti_bad_nonce", 401)
        secret = request.cookies.get(state_cookie_name(state)) or self.form.get("lti_storage_secret")
        if not secret:
            if login_state.storage_target and not self.form.get("lti_storage_checked"):
                raise NeedsPlatformStorage(login_state)
            raise LaunchRejected(_("This launch was started in another browser. Please launch again."),
                                 "lti_other_browser", 401)
        if not secrets.compare_digest(login_state.browser_secret_hash, sha256(secret)):
            raise LaunchRejected(_("This launch was started in another browser. Please launch again."),
                                 "lti_other_browser", 401)
        self.login_state = login_state

    def consume(self) -> None:
        """Single use: the state (and its nonce) and the token itself, atomically on both engines."""
        now = utcnow()
        result = db.session.execute(update(LtiLoginState)
                                    .where(LtiLoginState.id == self.login_state.id, LtiLoginState.used_at.is_(None))
                                    .values(used_at=now))
        if result.rowcount != 1:
            raise LaunchRejected(_("This launch has already been used. Please launch again from the platform."),
                                 "lti_replayed", 401)
        # Kept at least as long as a token can be accepted (its age limit plus the skew), never less than 2 h.
        expires = now + max(timedelta(hours=2), timedelta(seconds=setting("LTI_MAX_TOKEN_AGE_SECONDS")
                                                          + 2 * setting("LTI_CLOCK_SKEW_SECONDS")))
        marks = {sha256(f"{self.platform.issuer}|nonce|{self.claims['nonce']}")}
        if self.claims.get("jti"):
            marks.add(sha256(f"{self.platform.issuer}|jti|{self.claims['jti']}"))
        for mark in marks:
            try:
                with db.session.begin_nested():
                    db.session.add(LtiUsedToken(token_key=mark, expires_at=expires))
            except IntegrityError:
                raise LaunchRejected(_("This launch has already been used. Please launch again from the platform."),
                                     "lti_replayed", 401)

    # -- after validation -----------------------------------------------------------------------------
    @property
    def message_type(self) -> str:
        return self.claims.get(LTI + "message_type")

    def save(self, user_id: int | None, landing_url: str | None = None) -> LtiLaunch:
        self._launch_id = secrets.token_urlsafe(32)
        record = LtiLaunch(launch_id=self._launch_id, platform_id=self.platform.id, user_id=user_id, data=self.claims,
                           landing_url=landing_url,
                           expires_at=utcnow() + timedelta(seconds=setting("LTI_LAUNCH_TTL_SECONDS")),
                           via_platform_storage=bool(self.form.get("lti_storage_checked")))
        db.session.add(record)
        db.session.flush()
        return record


class _NoSession:
    """pylti1p3 insists on a session service; ours keeps nothing in the session."""

    def set_data_storage(self, *_args):
        pass


class _NoCookies:
    def get_cookie(self, name):
        return None

    def set_cookie(self, *args, **kwargs):
        pass


def purge_expired() -> int:
    """Housekeeping for the worker or cron: expired states, token marks and launches."""
    from sqlalchemy import delete

    from .models import LtiAccessToken, LtiConsumerNonce

    now = utcnow()
    count = 0
    for model in (LtiLoginState, LtiUsedToken, LtiLaunch, LtiConsumerNonce, LtiAccessToken):
        count += db.session.execute(delete(model).where(model.expires_at < now - timedelta(hours=1))).rowcount or 0
    return count
