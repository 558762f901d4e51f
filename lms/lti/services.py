"""LTI Advantage services we call on the platform: AGS scores and line items, NRPS rosters, and the
client-credentials tokens they need (cached in the database until they expire, shared by all workers)."""
from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import jwt
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.db import db, utcnow
from lms.core.outbox import enqueue, outbox_handler

from . import keys
from .models import LtiAccessToken, LtiContext, LtiGradeTarget, LtiPlatform, LtiResourceLink
from .platforms import http_session, http_timeout, registration_for

log = logging.getLogger(__name__)

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class _TimeoutSession:
    """requests.Session with a default timeout (pylti1p3 never passes one)."""

    def __init__(self):
        self._session = http_session()
        self.headers = self._session.headers

    def get(self, url, **kwargs):
        kwargs.setdefault("timeout", http_timeout())
        return self._session.get(url, **kwargs)

    def post(self, url, **kwargs):
        kwargs.setdefault("timeout", http_timeout())
        return self._session.post(url, **kwargs)


class TamkeenServiceConnector(ServiceConnector):
    """pylti1p3's connector with: tokens cached in the database until expiry, our key id on the
    assertion, one retry with a fresh token on 401, and a ``Link`` header read without lowercasing it
    (pylti1p3 lowercases the whole header, which breaks next-page URLs carrying upper-case tokens)."""

    def __init__(self, platform: LtiPlatform):
        super().__init__(registration_for(platform), _TimeoutSession())
        self.platform = platform

    @staticmethod
    def _scope_key(scopes) -> str:
        return hashlib.sha256(" ".join(sorted(set(scopes))).encode()).hexdigest()

    def _cached(self, scope_key: str) -> LtiAccessToken | None:
        return db.session.scalar(select(LtiAccessToken).where(LtiAccessToken.platform_id == self.platform.id,
                                                              LtiAccessToken.scope_key == scope_key))

    def get_access_token(self, scopes) -> str:
        scope_key = self._scope_key(scopes)
        cached = self._cached(scope_key)
        if cached is not None and cached.expires_at > utcnow() + timedelta(seconds=30):
            return cached.access_token
        key = keys.current_key()
        keys.mark_used(key)
        now = int(time.time())
        assertion = jwt.encode({
            "iss": self.platform.client_id, "sub": self.platform.client_id,
            "aud": self.platform.auth_audience or self.platform.auth_token_url,
            "iat": now - 5, "exp": now + 300, "jti": "tamkeen-" + uuid.uuid4().hex,
        }, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
        response = self._requests_session.post(self.platform.auth_token_url, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(sorted(set(scopes))),
        }, headers={"Accept": "application/json"})
        if not response.ok:
            raise LtiServiceException(response)
        body = response.json()
        token = body["access_token"]
        expires_at = utcnow() + timedelta(seconds=max(int(body.get("expires_in") or 3600), 60))
        if cached is not None:
            cached.access_token, cached.expires_at = token, expires_at
        else:
            try:
                with db.session.begin_nested():
                    db.session.add(LtiAccessToken(platform_id=self.platform.id, scope_key=scope_key,
                                                  access_token=token, expires_at=expires_at))
            except IntegrityError:  # another worker cached one at the same moment: both are valid
                pass
        db.session.flush()
        return token

    def forget_token(self, scopes) -> None:
        cached = self._cached(self._scope_key(scopes))
        if cached is not None:
            db.session.delete(cached)
            db.session.flush()

    def make_service_request(self, scopes, url, is_post=False, data=None, content_type="application/json",
                             accept="application/json", case_insensitive_headers=False):
        for attempt in (1, 2):
            headers = {"Authorization": "Bearer " + self.get_access_token(scopes), "Accept": accept}
            if is_post:
                headers["Content-Type"] = content_type
                response = self._requests_session.post(url, data=data or None, headers=headers)
            else:
                response = self._requests_session.get(url, headers=headers)
            if response.status_code == 401 and attempt == 1:
                self.forget_token(scopes)  # revoked or expired early: one more try with a new token
                continue
            break
        if not response.ok:
            raise LtiServiceException(response)
        next_url = response.links.get("next", {}).get("url")  # RFC 8288 parsing, case preserved
        return {
            "headers": response.headers if case_insensitive_headers else dict(response.headers),
            "body": response.json() if response.content else None,
            "next_page_url": next_url or None,
        }


# -- AGS ---------------------------------------------------------------------------------------------------
def scores_url(lineitem_url: str) -> str:
    """``.../lineitems/7?type_id=3`` (Moodle) → ``.../lineitems/7/scores?type_id=3``."""
    parts = urlsplit(lineitem_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/scores", parts.query, parts.fragment))


def iso_timestamp(value: datetime | None = None) -> str:
    value = (value or utcnow()).astimezone(timezone.utc)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def enqueue_score(target: LtiGradeTarget, result) -> None:
    activity = result.activity
    score = result.effective_score
    payload = {
        "target_id": target.id,
        "score": score,
        "score_max": float(activity.grade_max or 100.0),
        "completed": bool(result.is_complete or result.completed or result.passed),
        "started": True,
        "timestamp": iso_timestamp(result.updated_at),
    }
    kind = "lti_ags_score" if target.platform_id else "lti11_outcome"
    if kind == "lti11_outcome" and score is None:
        return  # LTI 1.1 outcomes carry a score or nothing
    enqueue(kind, payload)


def on_result_recorded(activity, user=None, result=None, changed=None, **_kwargs) -> None:
    """Listener on ``lms.courses.results.result_recorded``: queue a score post per place the learner came from."""
    if user is None or result is None:
        return
    if changed is not None and not (set(changed) & {"score", "completed", "passed", "is_complete", "override_score"}):
        return
    targets = db.session.scalars(select(LtiGradeTarget).where(LtiGradeTarget.user_id == user.id,
                                                              LtiGradeTarget.activity_id == activity.id))
    for target in targets:
        enqueue_score(target, result)


def _lineitem_for(target: LtiGradeTarget, connector: TamkeenServiceConnector) -> str:
    if target.lineitem_url:
        return target.lineitem_url
    link = db.session.scalar(select(LtiResourceLink).where(LtiResourceLink.platform_id == target.platform_id,
                                                           LtiResourceLink.resource_link_id == target.resource_link_id))
    if link is not None and link.lineitem_url:
        target.lineitem_url = link.lineitem_url
        return link.lineitem_url
    context = db.session.get(LtiContext, link.context_pk) if link is not None and link.context_pk else None
    if context is None or not context.lineitems_url or SCOPE_LINEITEM not in (context.ags_scopes or []):
        raise LookupError("no line item for this placement and no permission to create one")
    from lms.courses.models import Activity

    activity = db.session.get(Activity, target.activity_id)
    service = AssignmentsGradesService(connector, {"scope": context.ags_scopes, "lineitems": context.lineitems_url})
    wanted = (LineItem().set_tag(f"tamkeen:{activity.uuid}").set_resource_id(activity.uuid)
              .set_resource_link_id(target.resource_link_id).set_label(activity.display_title or activity.uuid)
              .set_score_maximum(float(activity.grade_max or 100.0)))
    found = service.find_or_create_lineitem(wanted, find_by="tag")
    target.lineitem_url = found.get_id()
    if link is not None:
        link.lineitem_url = found.get_id()
    db.session.flush()
    return target.lineitem_url


@outbox_handler("lti_ags_score")
def deliver_score(payload: dict) -> None:
    target = db.session.get(LtiGradeTarget, payload["target_id"])
    if target is None or target.platform_id is None:
        return  # the placement is gone: nothing to deliver
    platform = db.session.get(LtiPlatform, target.platform_id)
    connector = TamkeenServiceConnector(platform)
    lineitem_url = _lineitem_for(target, connector)
    grade = (Grade().set_user_id(target.sub).set_timestamp(payload["timestamp"])
             .set_activity_progress("Completed" if payload.get("completed") else "InProgress"))
    if payload.get("score") is not None:
        maximum = float(payload["score_max"])
        grade.set_score_given(round(float(payload["score"]) * maximum, 4)).set_score_maximum(maximum)
        grade.set_grading_progress("FullyGraded")
    else:
        grade.set_grading_progress("Pending" if payload.get("completed") else "NotReady")
    connector.make_service_request([SCOPE_SCORE], scores_url(lineitem_url), is_post=True, data=grade.get_value(),
                                   content_type="application/vnd.ims.lis.v1.score+json")


# -- NRPS ----------------------------------------------------------------------------------------------------
def fetch_members(platform: LtiPlatform, memberships_url: str) -> list[dict]:
    """Every member, following each page's ``Link: <...>; rel="next"``."""
    connector = TamkeenServiceConnector(platform)
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": memberships_url})
    members: list[dict] = []
    url: str | None = memberships_url
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        page, url = service.get_members_page(url)
        members.extend(page)
    return members


def sync_roster(context: LtiContext) -> int:
    """Create the accounts and enrolments of the platform's roster; returns the number of active members."""
    from lms.courses.models import Course

    from .contexts import record_cohort
    from .provisioning import enrol, link_user
    from .roles import course_role_for

    if not context.memberships_url or context.course_id is None:
        return 0
    platform = db.session.get(LtiPlatform, context.platform_id)
    if platform is None or not platform.active:
        return 0  # a deactivated platform is not called for rosters
    course = db.session.get(Course, context.course_id)
    count = 0
    for member in fetch_members(platform, context.memberships_url):
        if not member.get("user_id"):
            continue
        if member.get("status", "Active") != "Active":
            _suspend_lti_enrolment(platform.issuer, str(member["user_id"]), course)
            continue
        user = link_user(platform.issuer, str(member["user_id"]), name=member.get("name"), email=member.get("email"),
                         platform_id=platform.id)
        enrolment = enrol(course, user, course_role_for(member.get("roles") or [], platform.role_map))
        record_cohort(enrolment, context)
        count += 1
    context.roster_synced_at = utcnow()
    db.session.flush()
    return count


def _suspend_lti_enrolment(issuer: str, sub: str, course) -> None:
    """A member the platform marks Inactive or Deleted loses access; manual enrolments are left alone."""
    from lms.courses.models import Enrolment, EnrolmentMethod, EnrolmentStatus

    from .models import LtiUserLink

    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.issuer == issuer, LtiUserLink.sub == sub))
    if link is None:
        return
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                          Enrolment.user_id == link.user_id))
    if enrolment is not None and enrolment.method == EnrolmentMethod.lti:
        enrolment.status = EnrolmentStatus.suspended


def enqueue_roster_sync(context: LtiContext) -> None:
    bucket = utcnow().strftime("%Y%m%d%H")  # at most one automatic sync per context per hour
    enqueue("lti_nrps_sync", {"context_id": context.id}, dedupe_key=f"lti-nrps:{context.id}:{bucket}")


@outbox_handler("lti_nrps_sync")
def deliver_roster_sync(payload: dict) -> None:
    context = db.session.get(LtiContext, payload["context_id"])
    if context is not None:
        sync_roster(context)
