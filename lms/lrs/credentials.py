"""LRS credentials: HTTP Basic key/secret pairs with scopes and an authority agent.

Secrets are 256-bit random values, stored as their SHA-256 (a slow password hash would add ~50 ms to
every xAPI request and brings nothing for random secrets). Launch credentials are short-lived, act for
one learner (their actor) and one registration, and are issued by the players (SCORM, cmi5) through
:func:`issue_launch_credential`.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, g
from sqlalchemy import select

from lms.core.db import db, utcnow

from .models import Credential

SCOPES = ("all", "all/read", "statements/write", "statements/read", "statements/read/mine", "state", "define",
          "profile")
LAUNCH_SCOPES = ["statements/write", "statements/read/mine", "state"]
_CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, "Principal | None"]] = {}


@dataclass(frozen=True)
class Principal:
    """The caller of an xAPI request, as the resources need it (detached from the session)."""

    id: int
    key: str
    secret_hash: str
    name: str
    scopes: frozenset = field(default_factory=frozenset)
    authority: dict = field(default_factory=dict)
    actor_ifi: str | None = None        # launch credentials: the only actor allowed
    registration: str | None = None
    activity_iri: str | None = None
    expires_at: datetime | None = None

    def allows(self, *scopes: str) -> bool:
        return "all" in self.scopes or any(scope in self.scopes for scope in scopes)

    @property
    def is_launch(self) -> bool:
        return self.actor_ifi is not None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def default_authority(name: str, key: str) -> dict:
    return {"objectType": "Agent", "name": name,
            "account": {"homePage": current_app.config["SITE_URL"].rstrip("/"), "name": key}}


def create_credential(name: str, scopes: list[str] | tuple[str, ...] = ("all",), authority: dict | None = None,
                      *, user=None, actor: dict | None = None, registration: str | None = None,
                      activity_iri: str | None = None, expires_at: datetime | None = None) -> tuple[str, str]:
    """Create a credential (flush only); returns ``(key, secret)``. The secret is shown once."""
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    key = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    credential = Credential(key=key, secret_hash=_hash(secret), name=name, scopes=list(scopes),
                            authority=authority or default_authority(name, key),
                            user_id=getattr(user, "id", None), actor=actor, registration=registration,
                            activity_iri=activity_iri, expires_at=expires_at)
    db.session.add(credential)
    db.session.flush()
    return key, secret


def issue_launch_credential(user, registration: str, activity_iri: str | None = None,
                            ttl: int | timedelta = 4 * 3600) -> tuple[str, str]:
    """Short-lived credentials for one learner and one registration (flush only): the content may write
    statements whose actor is this learner in this registration, read its own statements and keep its
    State. Returns ``(key, secret)`` for HTTP Basic (``Authorization: Basic base64(key:secret)``)."""
    from .emitter import actor_for
    from .store import system_authority

    ttl = ttl if isinstance(ttl, timedelta) else timedelta(seconds=int(ttl))
    actor = actor_for(user)
    return create_credential(f"launch {user.username} {registration}", LAUNCH_SCOPES,
                             authority=system_authority(), user=user, actor=actor,
                             registration=registration.lower(), activity_iri=activity_iri,
                             expires_at=utcnow() + ttl)


def revoke_credential(key: str) -> bool:
    credential = db.session.scalar(select(Credential).where(Credential.key == key))
    if credential is None or credential.revoked_at is not None:
        return False
    credential.revoked_at = utcnow()
    db.session.flush()
    _cache.pop(key, None)
    return True


def _principal(credential: Credential) -> Principal:
    from .store import agent_ifi

    return Principal(id=credential.id, key=credential.key, secret_hash=credential.secret_hash,
                     name=credential.name, scopes=frozenset(credential.scopes or ()),
                     authority=credential.authority, actor_ifi=agent_ifi(credential.actor),
                     registration=credential.registration, activity_iri=credential.activity_iri,
                     expires_at=credential.expires_at)


def authenticate(key: str, secret: str) -> Principal | None:
    """The principal for a key/secret pair, or None (unknown, wrong secret, revoked, expired).

    Looked-up credentials are cached for a few seconds per process, so that a request can authenticate
    before it opens its transaction (on SQLite, before it takes the write lock). A principal that came from
    the cache is confirmed by :func:`still_valid` inside the request's transaction, so a revocation made by
    any process is effective for every request that starts after it."""
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        principal = cached[1]
        if principal is not None:
            g.lrs_principal_from_cache = True
    else:
        credential = db.session.scalar(select(Credential).where(Credential.key == key))
        valid = credential is not None and credential.revoked_at is None
        principal = _principal(credential) if valid else None
        if len(_cache) > 10000:
            _cache.clear()
        _cache[key] = (now + _CACHE_SECONDS, principal)
    if principal is None:
        return None
    if principal.expires_at is not None and principal.expires_at <= utcnow():
        return None
    if not hmac.compare_digest(principal.secret_hash, _hash(secret)):
        return None
    return principal


def still_valid(principal: Principal) -> bool:
    """Whether a principal authenticated from the process cache is still not revoked, read in the current
    transaction (one primary-key lookup, only when the cache answered)."""
    if not g.pop("lrs_principal_from_cache", False):
        return True
    from .store import Driver  # on every request: the driver's cursor, no SQLAlchemy statement overhead

    sql = Driver()
    rows = sql.rows(f"SELECT revoked_at FROM lrs_credential WHERE id = {sql.mark}", (principal.id,))
    if not rows or rows[0][0] is not None:
        _cache.pop(principal.key, None)
        return False
    return True


def clear_cache() -> None:
    _cache.clear()
