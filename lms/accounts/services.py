"""Account operations: plain functions, flush only (the caller's transaction commits)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, format_datetime
from lms.core.security import hash_password, needs_rehash, verify_password

from .models import Administration, AdministrationLevel, Gender, SiteRole, User

MIN_PASSWORD_LENGTH = 8


def load_user_for_session(session_id: str) -> User | None:
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return user


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    lowered = login.lower()
    return db.session.scalar(
        select(User).where((func.lower(User.username) == lowered) | (func.lower(User.email) == lowered)))


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
                          code="weak_password", field="password")


def create_user(username: str, password: str | None, *, role: SiteRole | str = SiteRole.learner,
                email: str | None = None, full_name: str = "", administration: Administration | None = None,
                gender: Gender | str | None = None, preferred_language: str = "ar") -> User:
    username = (username or "").strip()
    if not username:
        raise DomainError(_("A username is required."), code="username_required", field="username")
    if find_user(username) is not None or (email and find_user(email) is not None):
        raise DomainError(_("This username or e-mail address is already taken."), code="user_exists", status=409,
                          field="username")
    if password is not None:
        validate_password(password)
    user = User(
        username=username,
        email=(email or None) and email.strip().lower(),
        full_name=full_name,
        password_hash=hash_password(password) if password else None,
        role=SiteRole(role) if isinstance(role, str) else role,
        administration=administration,
        gender=Gender(gender) if isinstance(gender, str) else gender,
        preferred_language=preferred_language,
    )
    db.session.add(user)
    db.session.flush()
    return user


class LoginRefused(DomainError):
    pass


def authenticate(login: str, password: str) -> User:
    """Check credentials; count failures and lock the account after too many of them.

    Unknown user and wrong password give the same answer (401), so usernames cannot be probed.
    """
    config = current_app.config
    user = find_user(login)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(_("This account is locked after too many failed attempts. Try again after %(when)s.",
                             when=format_datetime(user.locked_until, "short")), code="account_locked", status=403)
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= int(config["LOGIN_MAX_FAILURES"]):
                user.locked_until = now + timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"]))
                user.failed_logins = 0
            db.session.flush()
        raise LoginRefused(_("Wrong username or password."), code="invalid_credentials", status=401)
    if not user.is_active:
        raise LoginRefused(_("This account is disabled. Contact your administrator."), code="account_disabled",
                           status=403)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def set_password(user: User, new_password: str) -> None:
    validate_password(new_password)
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # signs out other sessions and voids outstanding reset links
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("The current password is wrong."), code="invalid_credentials", status=400,
                          field="current_password")
    set_password(user, new_password)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "v": user.session_version})


def user_from_reset_token(token: str) -> User:
    max_age = int(current_app.config["PASSWORD_RESET_HOURS"]) * 3600
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_("This reset link has expired. Ask for a new one."), code="token_expired")
    except BadSignature:
        raise DomainError(_("This reset link is not valid."), code="token_invalid")
    user = db.session.get(User, data.get("u"))
    if user is None or user.session_version != data.get("v"):
        raise DomainError(_("This reset link has already been used."), code="token_used")
    return user


def get_or_create_administration(code: str, name: dict, *, parent: Administration | None = None,
                                 level: AdministrationLevel = AdministrationLevel.central,
                                 acronym: str | None = None) -> Administration:
    administration = db.session.scalar(select(Administration).where(Administration.code == code))
    if administration is None:
        administration = Administration(code=code, name=name, parent=parent, level=level, acronym=acronym)
        db.session.add(administration)
        db.session.flush()
    return administration


def administration_subtree_ids(administration: Administration) -> list[int]:
    """The administration and every body below it (managers see their whole subtree)."""
    ids, frontier = [administration.id], [administration.id]
    while frontier:
        frontier = list(db.session.scalars(select(Administration.id).where(Administration.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def save_administration(administration: Administration | None, *, code: str, name: dict, acronym: str | None,
                        parent: Administration | None, level: AdministrationLevel,
                        logo_digest: str | None = None) -> Administration:
    import re

    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", code):
        raise DomainError(_("The code may only contain lowercase letters, digits and dashes."), code="invalid_code",
                          field="code")
    name = {lang: text.strip() for lang, text in name.items() if text and text.strip()}
    if not name:
        raise DomainError(_("Give the administration a name in at least one language."), code="name_required",
                          field="name_ar")
    clash = db.session.scalar(select(Administration).where(Administration.code == code))
    if clash is not None and clash is not administration:
        raise DomainError(_("Another administration already uses this code."), code="duplicate_code", status=409,
                          field="code")
    if administration is not None and parent is not None and parent.id in administration_subtree_ids(administration):
        raise DomainError(_("An administration cannot be placed under itself or one of its own bodies."),
                          code="cycle", field="parent_id")
    if administration is None:
        administration = Administration(code=code, name=name)
        db.session.add(administration)
    administration.code = code
    administration.name = name
    administration.acronym = (acronym or "").strip() or None
    administration.parent = parent
    administration.level = level
    if logo_digest:
        administration.logo_digest = logo_digest
    db.session.flush()
    return administration
