"""LTI 1.1 launch parameters → account, course, activity, enrolment and outcome target."""
from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.courses.models import Activity, Course

from .launch import LaunchRejected
from .models import LtiConsumer, LtiConsumerContext
from .provisioning import enrol, link_user, remember_grade_target, target_from
from .roles import course_role_for


def _link(consumer: LtiConsumer, kind: str, remote_id: str | None) -> LtiConsumerContext | None:
    if not remote_id:
        return None
    link = db.session.scalar(select(LtiConsumerContext).where(LtiConsumerContext.consumer_id == consumer.id,
                                                              LtiConsumerContext.kind == kind,
                                                              LtiConsumerContext.remote_id == remote_id))
    if link is None:
        link = LtiConsumerContext(consumer_id=consumer.id, kind=kind, remote_id=remote_id)
        db.session.add(link)
        db.session.flush()
    return link


def provision_lti11(consumer: LtiConsumer, form):
    from lms.core.i18n import _

    user_id = form.get("user_id")
    if not user_id:
        raise LaunchRejected(_("The launch does not identify the user (no user_id)."), "lti_anonymous")
    custom = {key[len("custom_"):]: value for key, value in form.items() if key.startswith("custom_")}
    course, activity = target_from(custom, None)
    context = _link(consumer, "context", form.get("context_id"))
    resource = _link(consumer, "resource", form.get("resource_link_id"))
    if activity is None and resource is not None and resource.activity_id:
        activity = db.session.get(Activity, resource.activity_id)
        course = activity.course if activity else course
    if course is None and resource is not None and resource.course_id:
        course = db.session.get(Course, resource.course_id)
    if course is None and context is not None and context.course_id:
        course = db.session.get(Course, context.course_id)
    if course is None:
        raise LaunchRejected(_("This link is not connected to a Tamkeen course. Add the custom parameter "
                               "tamkeen_course or tamkeen_activity to the link."), "lti_no_target", 404)
    if resource is not None:
        resource.course_id = course.id
        resource.activity_id = activity.id if activity else resource.activity_id
    if context is not None and context.course_id is None:
        context.course_id = course.id
    name = form.get("lis_person_name_full") or " ".join(
        filter(None, [form.get("lis_person_name_given"), form.get("lis_person_name_family")]))
    user = link_user(f"lti11:{consumer.key}", user_id, name=name, email=form.get("lis_person_contact_email_primary"),
                     language=form.get("launch_presentation_locale"))
    enrol(course, user, course_role_for(form.get("roles") or "", consumer.role_map))
    if activity is not None and form.get("lis_outcome_service_url") and form.get("lis_result_sourcedid"):
        remember_grade_target(user, activity, source_key=f"c{consumer.id}",
                              resource_link_id=form.get("resource_link_id") or "", consumer_id=consumer.id,
                              outcome_url=form.get("lis_outcome_service_url"),
                              result_sourcedid=form.get("lis_result_sourcedid"))
    db.session.flush()
    return user, course, activity
