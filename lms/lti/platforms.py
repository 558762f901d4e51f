"""Platform registrations: lookup by (issuer, client_id), deployments, the platform's JWKS (cached in the
database, refreshed when a token names an unknown key) and the pylti1p3 tool configuration over them."""
from __future__ import annotations

from datetime import timedelta

import requests
from flask import current_app
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _

from . import keys
from .models import LtiDeployment, LtiPlatform

def http_timeout() -> float:
    from .settings import setting

    return setting("LTI_HTTP_TIMEOUT_SECONDS")



def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "Tamkeen-LMS-LTI/1.0"
    return session


def find_platforms(issuer: str) -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).where(LtiPlatform.issuer == issuer,
                                                             LtiPlatform.active.is_(True))))


def find_platform(issuer: str | None, client_id: str | None) -> LtiPlatform | None:
    """Canvas sends one issuer for every tenant: the client id decides. Without a client id, the issuer
    must have exactly one registration."""
    if not issuer:
        return None
    candidates = find_platforms(issuer)
    if client_id:
        return next((p for p in candidates if p.client_id == client_id), None)
    return candidates[0] if len(candidates) == 1 else None


def find_inactive_platform(issuer: str | None, client_id: str | None) -> LtiPlatform | None:
    """The deactivated registration a refused login or launch was for (to say why it is refused)."""
    if not issuer:
        return None
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.active.is_(False))
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    return db.session.scalars(query).first()


def refuse_if_inactive(issuer: str | None, client_ids) -> None:
    for client_id in client_ids or [None]:
        if find_inactive_platform(issuer, client_id) is not None:
            from .launch import LaunchRejected

            raise LaunchRejected(_("This platform's registration is deactivated in Tamkeen: launches from it are "
                                   "refused. A Tamkeen administrator can reactivate it on the LTI registrations "
                                   "screen."), "lti_platform_inactive", 403)


def find_deployment(platform: LtiPlatform, deployment_id: str | None) -> LtiDeployment | None:
    if not deployment_id:
        return None
    return db.session.scalar(select(LtiDeployment).where(LtiDeployment.platform_id == platform.id,
                                                         LtiDeployment.deployment_id == deployment_id))


def register_platform(*, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str, jwks_url: str,
                      deployment_ids: list[str] | tuple[str, ...] = (), name: str = "",
                      auth_audience: str | None = None) -> LtiPlatform:
    """Create or update the registration (idempotent: the CLI and Dynamic Registration call it again)."""
    for url in (auth_login_url, auth_token_url, jwks_url):
        if not url.startswith(("https://", "http://")):
            raise DomainError(_("The platform URLs must start with https://."), code="lti_bad_url")
    platform = db.session.scalar(select(LtiPlatform).where(LtiPlatform.issuer == issuer,
                                                           LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, role_map={})
        db.session.add(platform)
    platform.name = name or platform.name or issuer
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.auth_audience = auth_audience
    if platform.jwks_url != jwks_url:
        platform.jwks = None
        platform.jwks_fetched_at = None
    platform.jwks_url = jwks_url
    platform.active = True
    db.session.flush()
    for deployment_id in deployment_ids:
        add_deployment(platform, deployment_id)
    return platform


def update_platform(platform: LtiPlatform, *, name: str, auth_login_url: str, auth_token_url: str, jwks_url: str,
                    auth_audience: str | None, deployment_ids: list[str], role_map: dict,
                    default_course_id: int | None) -> LtiPlatform:
    """The admin screen's edit: every field but the (issuer, client id) key; the deployment list replaces the
    registered one (a removed deployment's launches are refused from then on)."""
    for url in (auth_login_url, auth_token_url, jwks_url):
        if not url.startswith(("https://", "http://")):
            raise DomainError(_("The platform URLs must start with https://."), code="lti_bad_url")
    validate_role_map(role_map)
    platform.name = name or platform.issuer
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.auth_audience = auth_audience or None
    if platform.jwks_url != jwks_url:
        platform.jwks = None
        platform.jwks_fetched_at = None
    platform.jwks_url = jwks_url
    platform.role_map = dict(role_map)
    platform.default_course_id = default_course_id
    wanted = list(dict.fromkeys(d.strip() for d in deployment_ids if d.strip()))
    for deployment in list(platform.deployments):
        if deployment.deployment_id not in wanted:
            platform.deployments.remove(deployment)
            db.session.delete(deployment)
    db.session.flush()
    for deployment_id in wanted:
        add_deployment(platform, deployment_id)
    db.session.expire(platform, ["deployments"])
    return platform


def set_platform_active(platform: LtiPlatform, active: bool) -> LtiPlatform:
    """A deactivated platform keeps its data (accounts, links, grade targets); its launches are refused."""
    platform.active = bool(active)
    db.session.flush()
    return platform


def validate_role_map(mapping) -> dict:
    from .roles import RANK

    if not isinstance(mapping, dict) or any(not isinstance(k, str) or v not in RANK for k, v in mapping.items()):
        raise DomainError(_("Each role must map to one of: %(roles)s.", roles=", ".join(RANK)), code="lti_bad_role_map")
    return mapping


def parse_role_map(text: str) -> dict:
    """``Mentor = instructor`` lines (or a JSON object) → {role: course role}."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        import json

        try:
            return validate_role_map(json.loads(text))
        except ValueError:
            raise DomainError(_("The role map is not valid JSON."), code="lti_bad_role_map")
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        role, sep, target = line.rpartition("=")
        if not sep or not role.strip():
            raise DomainError(_("Write one role a line, as: Mentor = instructor."), code="lti_bad_role_map")
        mapping[role.strip()] = target.strip().lower()
    return validate_role_map(mapping)


def format_role_map(mapping: dict | None) -> str:
    return "\n".join(f"{role} = {target}" for role, target in sorted((mapping or {}).items()))


def add_deployment(platform: LtiPlatform, deployment_id: str) -> LtiDeployment:
    existing = find_deployment(platform, deployment_id)
    if existing is not None:
        return existing
    deployment = LtiDeployment(platform_id=platform.id, deployment_id=deployment_id)
    db.session.add(deployment)
    db.session.flush()
    return deployment


# -- the platform's keys ------------------------------------------------------------------------------
def fetch_jwks(platform: LtiPlatform) -> dict:
    try:
        response = http_session().get(platform.jwks_url, timeout=http_timeout())
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("LTI: cannot fetch the JWKS of %s: %s", platform.issuer, error)
        return platform.jwks or {"keys": []}
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        return platform.jwks or {"keys": []}
    platform.jwks = data
    platform.jwks_fetched_at = utcnow()
    return data


def _find_key(key_set: dict | None, kid: str | None) -> dict | None:
    for key in (key_set or {}).get("keys", []):
        if kid is not None and key.get("kid") == kid:
            return key
    if kid is None and key_set and len(key_set.get("keys", [])) == 1:
        return key_set["keys"][0]
    return None


def platform_public_key(platform: LtiPlatform, kid: str | None) -> dict | None:
    """The JWK that signed a token; the cached set is refreshed once when the kid is unknown (the platform
    rotated its keys), at most every ``LTI_JWKS_MIN_REFRESH_SECONDS`` so forged kids cannot hammer it."""
    key = _find_key(platform.jwks, kid)
    if key is not None:
        return key
    from .settings import setting

    min_interval = timedelta(seconds=setting("LTI_JWKS_MIN_REFRESH_SECONDS"))
    if platform.jwks_fetched_at is None or utcnow() - platform.jwks_fetched_at >= min_interval:
        fetch_jwks(platform)
        key = _find_key(platform.jwks, kid)
    return key


# -- pylti1p3 configuration over the database ------------------------------------------------------------
def registration_for(platform: LtiPlatform) -> Registration:
    tool_key = keys.current_key()
    registration = (Registration()
                    .set_issuer(platform.issuer)
                    .set_client_id(platform.client_id)
                    .set_auth_login_url(platform.auth_login_url)
                    .set_auth_token_url(platform.auth_token_url)
                    .set_key_set_url(platform.jwks_url)
                    .set_key_set(platform.jwks)
                    .set_tool_private_key(tool_key.private_pem)
                    .set_tool_public_key(tool_key.public_pem))
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class DatabaseToolConf(ToolConfAbstract):
    """pylti1p3's tool configuration read from ``lti_platform``: always "many client ids per issuer"."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = find_platform(iss, None)
        return registration_for(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = find_platform(iss, client_id)
        return registration_for(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        platform = find_platform(iss, None)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(find_platform(iss, client_id), deployment_id)

    @staticmethod
    def _deployment(platform, deployment_id):
        if platform is None or find_deployment(platform, deployment_id) is None:
            return None
        return Deployment().set_deployment_id(deployment_id)
