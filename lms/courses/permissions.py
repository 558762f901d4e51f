"""Course access rules (checked through lms.core.permissions). The courses area extends these."""
from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import SiteRole
from lms.core.db import db
from lms.core.permissions import permission_rule

from .models import Course, CourseRole, Enrolment, EnrolmentStatus


def enrolment_of(user, course: Course) -> Enrolment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == user.id))


def course_role(user, course: Course) -> CourseRole | None:
    enrolment = enrolment_of(user, course)
    if enrolment is None or not enrolment.is_current():
        return None
    return enrolment.role


@permission_rule("course.create")
def _create_course(user, _obj=None) -> bool:
    return user.role in (SiteRole.instructor, SiteRole.manager)


@permission_rule("course.view", allow_anonymous=True)
def _view_course(user, course: Course) -> bool:
    """Visible courses are public in the catalogue; hidden ones only for their staff."""
    if course.visible:
        return True
    if user is None:
        return False
    return course_role(user, course) in (CourseRole.instructor, CourseRole.tutor) or (
        course.created_by_id is not None and course.created_by_id == user.id)


@permission_rule("course.edit")
def _edit_course(user, course: Course) -> bool:
    return course_role(user, course) == CourseRole.instructor or (
        course.created_by_id is not None and course.created_by_id == user.id)


@permission_rule("course.participate")
def _participate(user, course: Course) -> bool:
    """Open activities, record progress: current enrolment of any role."""
    enrolment = enrolment_of(user, course)
    return enrolment is not None and enrolment.status == EnrolmentStatus.active and enrolment.is_current()


@permission_rule("course.grade")
def _grade(user, course: Course) -> bool:
    return course_role(user, course) in (CourseRole.instructor, CourseRole.tutor)


@permission_rule("course.enrol_others")
def _enrol_others(user, course: Course) -> bool:
    return course_role(user, course) == CourseRole.instructor or user.role == SiteRole.manager


@permission_rule("course.view_reports")
def _view_reports(user, course: Course | None) -> bool:
    if user.role == SiteRole.manager:
        return True
    return course is not None and course_role(user, course) in (CourseRole.instructor, CourseRole.tutor)
