"""Who launched, into what: platform users → accounts, contexts → courses, enrolments, grade targets.

A platform user is identified by (issuer, sub) only. The e-mail the platform sends is copied to a new
account when nobody uses it yet, and never used to attach the launch to an existing account: a platform
administrator could otherwise sign in as any of our users by typing their address.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from lms.accounts.models import SiteRole, User
from lms.core.db import db, utcnow
from lms.courses.models import Activity, Course, CourseRole, Enrolment, EnrolmentMethod

from .models import LtiContext, LtiGradeTarget, LtiResourceLink, LtiUserLink

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _username_for(issuer: str, sub: str) -> str:
    """Stable, unique and free of the platform's own login names."""
    digest = hashlib.sha256(f"{issuer}|{sub}".encode()).hexdigest()[:12]
    clean = re.sub(r"[^A-Za-z0-9_.-]", "", sub)[:40]
    return f"lti-{digest}-{clean}" if clean else f"lti-{digest}"


def _email_is_free(email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower())) is None


def link_user(issuer: str, sub: str, *, name: str | None = None, email: str | None = None,
              language: str | None = None, platform_id: int | None = None) -> User:
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.issuer == issuer, LtiUserLink.sub == sub))
    if link is not None:
        user = link.user
        if name and not user.full_name:
            user.full_name = name[:255]
        link.last_launch_at = utcnow()
        db.session.flush()
        return user
    from flask import current_app

    locales = current_app.config["LOCALES"]
    user = User(username=_username_for(issuer, sub)[:150], full_name=(name or "")[:255],
                email=email.strip().lower() if _email_is_free(email) else None,
                password_hash=None, role=SiteRole.learner,
                preferred_language=(language or "")[:2] if (language or "")[:2] in locales
                else current_app.config["DEFAULT_LOCALE"])
    db.session.add(user)
    db.session.flush()
    db.session.add(LtiUserLink(issuer=issuer, sub=sub, user_id=user.id, platform_id=platform_id,
                               last_launch_at=utcnow()))
    db.session.flush()
    return user


def enrol(course: Course, user: User, role: str) -> Enrolment:
    """The one place LTI creates enrolments: the courses area's service (roles raised, never lowered)."""
    from lms.courses.services import enrol_user

    return enrol_user(course, user, CourseRole(role), EnrolmentMethod.lti)


# -- what the launch points at ---------------------------------------------------------------------------
def _by_uuid(model, value):
    if not value:
        return None
    return db.session.scalar(select(model).where(model.uuid == str(value)))


def target_from(custom: dict | None, target_link_uri: str | None) -> tuple[Course | None, Activity | None]:
    """Deep-linked items carry ``custom.tamkeen_activity``/``tamkeen_course``; hand-made links may use
    ``?activity=<uuid>`` or ``?course=<uuid>`` (or a shortname) on the launch URL."""
    custom = custom or {}
    query = parse_qs(urlsplit(target_link_uri or "").query)

    def pick(*names):
        for name in names:
            if custom.get(name):
                return str(custom[name])
            if query.get(name):
                return query[name][0]
        return None

    activity = _by_uuid(Activity, pick("tamkeen_activity", "activity"))
    if activity is not None:
        return activity.course, activity
    course_ref = pick("tamkeen_course", "course")
    course = _by_uuid(Course, course_ref)
    if course is None and course_ref:
        course = db.session.scalar(select(Course).where(Course.shortname == course_ref))
    return course, None


def upsert_context(platform_id: int, claim: dict | None, course: Course | None, claims: dict) -> LtiContext | None:
    if not claim or not claim.get("id"):
        return None
    context = db.session.scalar(select(LtiContext).where(LtiContext.platform_id == platform_id,
                                                         LtiContext.context_id == str(claim["id"])))
    if context is None:
        context = LtiContext(platform_id=platform_id, context_id=str(claim["id"]), ags_scopes=[])
        db.session.add(context)
    context.title = (claim.get("title") or "")[:255] or context.title
    context.label = (claim.get("label") or "")[:255] or context.label
    if course is not None and context.course_id is None:
        context.course_id = course.id
    nrps = claims.get(NRPS) or {}
    if nrps.get("context_memberships_url"):
        context.memberships_url = nrps["context_memberships_url"]
    ags = claims.get(AGS) or {}
    if ags.get("lineitems"):
        context.lineitems_url = ags["lineitems"]
        context.ags_scopes = list(ags.get("scope") or [])
    db.session.flush()
    return context


def upsert_resource_link(platform_id: int, claim: dict | None, context: LtiContext | None, course: Course | None,
                         activity: Activity | None, claims: dict) -> LtiResourceLink | None:
    if not claim or not claim.get("id"):
        return None
    link = db.session.scalar(select(LtiResourceLink).where(LtiResourceLink.platform_id == platform_id,
                                                           LtiResourceLink.resource_link_id == str(claim["id"])))
    if link is None:
        link = LtiResourceLink(platform_id=platform_id, resource_link_id=str(claim["id"]), ags_scopes=[])
        db.session.add(link)
    link.context_pk = context.id if context else link.context_pk
    link.title = (claim.get("title") or "")[:255] or link.title
    if activity is not None:
        link.activity_id, link.course_id = activity.id, activity.course_id
    elif course is not None and link.course_id is None:
        link.course_id = course.id
    ags = claims.get(AGS) or {}
    if ags.get("lineitem"):
        link.lineitem_url = ags["lineitem"]
    if ags.get("scope"):
        link.ags_scopes = list(ags["scope"])
    db.session.flush()
    return link


def remember_grade_target(user: User, activity: Activity, *, source_key: str, resource_link_id: str,
                          platform_id: int | None = None, sub: str | None = None, lineitem_url: str | None = None,
                          consumer_id: int | None = None, outcome_url: str | None = None,
                          result_sourcedid: str | None = None) -> LtiGradeTarget:
    target = db.session.scalar(select(LtiGradeTarget).where(
        LtiGradeTarget.user_id == user.id, LtiGradeTarget.activity_id == activity.id,
        LtiGradeTarget.source_key == source_key, LtiGradeTarget.resource_link_id == resource_link_id))
    if target is None:
        target = LtiGradeTarget(user_id=user.id, activity_id=activity.id, source_key=source_key,
                                resource_link_id=resource_link_id)
        db.session.add(target)
    target.platform_id, target.sub, target.consumer_id = platform_id, sub, consumer_id
    if lineitem_url:
        target.lineitem_url = lineitem_url
    if outcome_url:
        target.outcome_url = outcome_url
    if result_sourcedid:
        target.result_sourcedid = result_sourcedid
    db.session.flush()
    return target
