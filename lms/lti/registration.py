"""Registering platforms and consumers: command line, admin screen and LTI Dynamic Registration 1.0.

Dynamic Registration: our administrator creates a one-time registration URL on the LTI screen and gives
it to the other LMS's administrator, who pastes it in the platform. The platform opens it with
``openid_configuration`` and ``registration_token``; we read the platform's configuration, post our
registration request, store the platform and its deployment, and tell the platform window we are done.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import requests
from flask import current_app
from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _

from .launch import sha256, tool_url
from .models import LtiConsumer, LtiPlatform, LtiRegistrationInvite
from .platforms import add_deployment, http_timeout, http_session, register_platform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


def add_consumer(key: str, secret: str, name: str = "") -> LtiConsumer:
    if not key or not secret:
        raise DomainError(_("A key and a secret are required."), code="lti_consumer_invalid")
    consumer = db.session.scalar(select(LtiConsumer).where(LtiConsumer.key == key))
    if consumer is None:
        consumer = LtiConsumer(key=key, secret=secret, name=name or key, role_map={})
        db.session.add(consumer)
    else:
        consumer.secret, consumer.active = secret, True
        consumer.name = name or consumer.name
    db.session.flush()
    return consumer


def create_invite(user=None, hours: int = 24) -> str:
    token = secrets.token_urlsafe(24)
    db.session.add(LtiRegistrationInvite(token_hash=sha256(token), created_by_id=getattr(user, "id", None),
                                         expires_at=utcnow() + timedelta(hours=hours)))
    db.session.flush()
    return tool_url(f"/lti/dynamic-registration/{token}")


def registration_request() -> dict:
    site = current_app.config.get("SITE_NAME") or "Tamkeen"
    launch = tool_url("/lti/launch")
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool_url("/lti/login"),
        "redirect_uris": [launch],
        "client_name": site,
        "jwks_uri": tool_url("/lti/jwks"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": tool_url("/").split("://", 1)[1].rstrip("/"),
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": site,
                 "placements": ["ContentArea", "link_selection", "assignment_selection"]},
            ],
            "description": "Tamkeen LMS: courses, SCORM and cmi5 activities",
        },
    }


def dynamic_register(token: str, openid_configuration_url: str, registration_token: str | None) -> LtiPlatform:
    invite = db.session.scalar(select(LtiRegistrationInvite).where(LtiRegistrationInvite.token_hash == sha256(token)))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise DomainError(_("This registration link is not valid any more. Ask a Tamkeen administrator for a new "
                            "one."), code="lti_invite_invalid", status=403)
    session = http_session()
    try:
        response = session.get(openid_configuration_url, timeout=http_timeout(),
                                headers={"Accept": "application/json",
                                         **({"Authorization": f"Bearer {registration_token}"}
                                            if registration_token else {})})
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError):
        raise DomainError(_("The platform configuration could not be read."), code="lti_config_unreadable",
                          status=502)
    issuer = config.get("issuer") or ""
    if not issuer or not openid_configuration_url.startswith(issuer.rstrip("/")):
        raise DomainError(_("The platform configuration is not published under its issuer."),
                          code="lti_config_issuer", status=400)
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if not config.get(field):
            raise DomainError(_("The platform configuration lacks %(field)s.", field=field), code="lti_config_incomplete")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = session.post(config["registration_endpoint"], json=registration_request(), headers=headers,
                              timeout=http_timeout())
        answer.raise_for_status()
        client = answer.json()
    except (requests.RequestException, ValueError):
        raise DomainError(_("The platform refused the registration."), code="lti_registration_refused", status=502)
    tool_config = client.get(TOOL_CONFIGURATION) or {}
    platform_config = config.get(PLATFORM_CONFIGURATION) or {}
    platform = register_platform(
        issuer=issuer, client_id=str(client["client_id"]), auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"], jwks_url=config["jwks_uri"],
        auth_audience=config.get("authorization_server"),
        name=platform_config.get("product_family_code") or issuer)
    if tool_config.get("deployment_id"):
        add_deployment(platform, str(tool_config["deployment_id"]))
    invite.used_at = utcnow()
    invite.platform_id = platform.id
    db.session.flush()
    return platform
