"""Deep Linking 2.0: the instructor picks our courses or activities; we answer with a signed
``LtiDeepLinkingResponse`` carrying ``ltiResourceLink`` items (with a ``lineItem`` when graded)."""
from __future__ import annotations

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import select

from lms.core.errors import DomainError
from lms.core.i18n import _, localized
from lms.core.db import db
from lms.courses.models import Activity, Course

from . import keys
from .launch import LTI, launch_url
from .models import LtiPlatform
from .platforms import registration_for

DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def _resource_for(item: str) -> DeepLinkResource | None:
    kind, _sep, ref = item.partition(":")
    if kind == "course":
        course = db.session.scalar(select(Course).where(Course.uuid == ref))
        if course is None:
            return None
        return (DeepLinkResource().set_title(localized(course.title)).set_url(launch_url())
                .set_custom_params({"tamkeen_course": course.uuid}))
    if kind == "activity":
        activity = db.session.scalar(select(Activity).where(Activity.uuid == ref))
        if activity is None:
            return None
        resource = (DeepLinkResource().set_title(localized(activity.title)).set_url(launch_url())
                    .set_custom_params({"tamkeen_activity": activity.uuid}))
        if activity.graded:
            resource.set_lineitem(LineItem().set_score_maximum(float(activity.grade_max or 100.0))
                                  .set_label(localized(activity.title)).set_resource_id(activity.uuid)
                                  .set_tag(f"tamkeen:{activity.uuid}"))
        return resource
    return None


def build_response(platform: LtiPlatform, launch_data: dict, items: list[str]) -> tuple[str, str]:
    """(deep_link_return_url, signed JWT) for the chosen items."""
    settings = launch_data.get(DL_SETTINGS) or {}
    return_url = settings.get("deep_link_return_url")
    if not return_url:
        raise DomainError(_("The platform did not say where to send the choice."), code="lti_no_return_url")
    if str(settings.get("accept_multiple", "true")).lower() == "false":
        items = items[:1]
    resources = [r for r in (_resource_for(item) for item in items) if r is not None]
    if not resources:
        raise DomainError(_("Choose at least one course or activity."), code="lti_nothing_chosen")
    deep_link = DeepLink(registration_for(platform), launch_data[LTI + "deployment_id"], settings)
    message = deep_link.get_message_jwt(resources)
    if message.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") is None:
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data", None)
    message["azp"] = platform.client_id
    key = keys.current_key()
    keys.mark_used(key)
    token = jwt.encode(message, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    return return_url, token
