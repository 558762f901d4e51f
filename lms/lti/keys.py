"""Our signing keys: one current RSA key, retired keys published until platforms no longer need them.

Platforms cache our JWKS; a key signed a client assertion or a deep-linking response a few minutes ago
must still verify after a rotation. A retired key stays in the JWKS for ``LTI_KEY_RETIRE_GRACE_HOURS``
after its last use, then ``lms lti prune-keys`` (or the next rotation) removes it.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select

from lms.core.db import db, utcnow

from .models import LtiToolKey

DEFAULT_GRACE_HOURS = 72


def _kid_for(public_pem: str) -> str:
    jwk = JWK.from_pem(public_pem.encode())
    thumb = jwk.thumbprint()  # RFC 7638: stable across hosts
    return thumb


def generate_key() -> LtiToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    key = LtiToolKey(kid=_kid_for(public_pem), private_pem=private_pem, public_pem=public_pem)
    db.session.add(key)
    db.session.flush()
    return key


def current_key() -> LtiToolKey:
    """The signing key; created on first use (flush only: the caller's transaction keeps it)."""
    key = db.session.scalar(select(LtiToolKey).where(LtiToolKey.retired_at.is_(None))
                            .order_by(LtiToolKey.created_at.desc(), LtiToolKey.id.desc()).limit(1))
    if key is None:
        key = generate_key()
    return key


def mark_used(key: LtiToolKey) -> None:
    key.last_used_at = utcnow()


def rotate() -> LtiToolKey:
    """Retire the current key (still published) and start signing with a new one."""
    now = utcnow()
    for key in db.session.scalars(select(LtiToolKey).where(LtiToolKey.retired_at.is_(None))):
        key.retired_at = now
    new = generate_key()
    prune()
    return new


def _grace() -> timedelta:
    from .settings import setting

    return timedelta(hours=setting("LTI_KEY_RETIRE_GRACE_HOURS"))


def prune() -> int:
    """Drop retired keys nobody can still be verifying: retired and unused for the grace period."""
    limit = utcnow() - _grace()
    removed = 0
    for key in db.session.scalars(select(LtiToolKey).where(LtiToolKey.retired_at.is_not(None))):
        last = max(d for d in (key.retired_at, key.last_used_at) if d is not None)
        if last < limit:
            db.session.delete(key)
            removed += 1
    db.session.flush()
    return removed


def public_jwk(key: LtiToolKey) -> dict:
    data = json.loads(JWK.from_pem(key.public_pem.encode()).export_public())
    data.update(kid=key.kid, alg="RS256", use="sig")
    return data


def jwks() -> dict:
    current_key()
    keys = db.session.scalars(select(LtiToolKey).order_by(LtiToolKey.created_at.desc(), LtiToolKey.id.desc()))
    return {"keys": [public_jwk(key) for key in keys]}


def b64url_sha256(value: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()).decode().rstrip("=")
