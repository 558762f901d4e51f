"""Platform contexts linked to a course, optionally narrowed to one of its sections and/or tagged with a
cohort.

* The **course** is where the enrolment goes (always the whole course: progress, gradebook and
  certificates stay the course's).
* The **section**, when set, is where a launch lands that names no activity: the platform course is,
  say, "module 2" of a longer Tamkeen course.
* The **cohort**, when set, is recorded for every enrolment made or confirmed through the context
  (launches and roster syncs) in ``lti_enrolment_cohort``; lists and reports filter enrolments by it.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.courses.models import Course, Enrolment, Section

from .models import LtiContext, LtiEnrolmentCohort, LtiPlatform

COHORT_MAX = 100


def clean_cohort(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > COHORT_MAX:
        raise DomainError(_("A cohort name has at most %(n)d characters.", n=COHORT_MAX), code="lti_bad_cohort")
    return value or None


def link_context(platform: LtiPlatform, context_id: str, course: Course, *, section: Section | None = None,
                 cohort: str | None = None, title: str | None = None) -> LtiContext:
    """Create or change the link of a platform context (before or after its first launch)."""
    context_id = (context_id or "").strip()
    if not context_id:
        raise DomainError(_("The platform course (context) id is required."), code="lti_no_context")
    context = db.session.scalar(select(LtiContext).where(LtiContext.platform_id == platform.id,
                                                         LtiContext.context_id == context_id))
    if context is None:
        context = LtiContext(platform_id=platform.id, context_id=context_id[:255], ags_scopes=[])
        db.session.add(context)
    return update_link(context, course, section=section, cohort=cohort, title=title)


def update_link(context: LtiContext, course: Course, *, section: Section | None = None,
                cohort: str | None = None, title: str | None = None) -> LtiContext:
    if section is not None and section.course_id != course.id:
        raise DomainError(_("The section does not belong to the chosen course."), code="lti_section_mismatch")
    cohort = clean_cohort(cohort)
    course_changed = context.course_id is not None and context.course_id != course.id
    context.course_id = course.id
    context.section_id = section.id if section is not None else None
    context.cohort = cohort
    if title:
        context.title = title[:255]
    db.session.flush()
    # Enrolments already tagged through this context follow the new setting.
    if course_changed or cohort is None:
        db.session.execute(delete(LtiEnrolmentCohort).where(LtiEnrolmentCohort.context_pk == context.id))
    else:
        db.session.execute(update(LtiEnrolmentCohort).where(LtiEnrolmentCohort.context_pk == context.id)
                           .values(cohort=cohort))
    db.session.flush()
    return context


def record_cohort(enrolment: Enrolment, context: LtiContext | None) -> LtiEnrolmentCohort | None:
    """Tag an enrolment made through ``context`` with the context's cohort (or drop a stale tag)."""
    if context is None or context.id is None or enrolment.course_id != context.course_id:
        return None
    row = db.session.scalar(select(LtiEnrolmentCohort).where(LtiEnrolmentCohort.enrolment_id == enrolment.id,
                                                             LtiEnrolmentCohort.context_pk == context.id))
    if not context.cohort:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = LtiEnrolmentCohort(enrolment_id=enrolment.id, context_pk=context.id, course_id=enrolment.course_id,
                                 cohort=context.cohort)
        db.session.add(row)
    row.cohort = context.cohort
    db.session.flush()
    return row


def landing_section(context: LtiContext | None, course: Course) -> Section | None:
    if context is None or not context.section_id or context.course_id != course.id:
        return None
    section = db.session.get(Section, context.section_id)
    return section if section is not None and section.course_id == course.id else None


# -- for lists and reports ------------------------------------------------------------------------------------
def course_cohorts(course_id: int) -> list[str]:
    return list(db.session.scalars(select(LtiEnrolmentCohort.cohort).where(LtiEnrolmentCohort.course_id == course_id)
                                   .distinct().order_by(LtiEnrolmentCohort.cohort)))


def cohort_filter(query, cohort: str):
    """Narrow any ``select(...)`` over ``Enrolment`` to one cohort (usable by reports of other areas)."""
    return query.where(Enrolment.id.in_(select(LtiEnrolmentCohort.enrolment_id)
                                        .where(LtiEnrolmentCohort.cohort == cohort)))


def cohort_enrolments(course_id: int, cohort: str | None = None) -> list[Enrolment]:
    query = select(Enrolment).where(Enrolment.course_id == course_id).order_by(Enrolment.id)
    if cohort:
        query = cohort_filter(query, cohort)
    return list(db.session.scalars(query))


def cohorts_of_enrolments(enrolment_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not enrolment_ids:
        return found
    for enrolment_id, cohort in db.session.execute(
            select(LtiEnrolmentCohort.enrolment_id, LtiEnrolmentCohort.cohort)
            .where(LtiEnrolmentCohort.enrolment_id.in_(enrolment_ids)).order_by(LtiEnrolmentCohort.cohort)):
        found.setdefault(enrolment_id, [])
        if cohort not in found[enrolment_id]:
            found[enrolment_id].append(cohort)
    return found
