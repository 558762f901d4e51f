"""Course completion and progress, kept on the enrolment row from the one result signal.

Activity completion is decided by ``results.rule_satisfied`` (in ``report_result``); here we count the
learner's completed activities among those the course counts, derive the course grade, and record the
course completion once, with its date. Reports then aggregate ``Enrolment`` columns in SQL.
"""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import func, select, update

from lms.core.db import db, utcnow

from .models import Activity, ActivityResult, Course, CourseRole, Enrolment, EnrolmentStatus
from .results import result_recorded

_signals = Namespace()
# sender: the Course; keyword arguments: user, enrolment
course_completed = _signals.signal("course-completed")


def counted_activities_query(course: Course):
    query = select(Activity.id).where(Activity.course_id == course.id, Activity.visible.is_(True),
                                      Activity.completion_rule != "none")
    if course.completion_mode == "selected":
        query = query.where(Activity.required_for_completion.is_(True))
    return query


def progress_of(course: Course, user_id: int) -> tuple[int, int]:
    """(completed, counted) activities for one learner, in two small SQL counts."""
    counted_ids = counted_activities_query(course).scalar_subquery()
    total = db.session.scalar(select(func.count()).select_from(counted_activities_query(course).subquery())) or 0
    done = db.session.scalar(select(func.count(ActivityResult.id)).where(
        ActivityResult.user_id == user_id, ActivityResult.is_complete.is_(True),
        ActivityResult.activity_id.in_(counted_ids))) or 0
    return done, total


def refresh_enrolment(enrolment: Enrolment, course: Course | None = None) -> Enrolment:
    from .gradebook import course_grade_for

    course = course or db.session.get(Course, enrolment.course_id)
    done, total = progress_of(course, enrolment.user_id)
    enrolment.progress = round(100.0 * done / total, 2) if total else 0.0
    enrolment.final_grade = course_grade_for(course, enrolment.user_id)
    if enrolment.completed_at is None and enrolment.role == CourseRole.learner and is_course_complete(
            course, enrolment, done, total):
        enrolment.completed_at = utcnow()
        db.session.flush()
        course_completed.send(course, user=enrolment.user, enrolment=enrolment)
    db.session.flush()
    return enrolment


def is_course_complete(course: Course, enrolment: Enrolment, done: int, total: int) -> bool:
    if course.completion_mode == "grade":
        return (enrolment.final_grade is not None and course.completion_grade is not None
                and enrolment.final_grade >= course.completion_grade - 1e-9)
    return total > 0 and done >= total


def refresh_course(course: Course, *, grades: bool = False) -> int:
    """Recompute progress for every enrolment after the course's structure or rules changed.

    Progress is one UPDATE with a correlated count (fast for thousands of learners); only the enrolments
    that may now be complete (or all, when completion depends on the grade or ``grades`` is asked) go
    through :func:`refresh_enrolment`, which records completion and sends the signal.
    """
    db.session.flush()
    total = db.session.scalar(select(func.count()).select_from(counted_activities_query(course).subquery())) or 0
    if total:
        done = (select(func.count(ActivityResult.id))
                .where(ActivityResult.user_id == Enrolment.user_id, ActivityResult.is_complete.is_(True),
                       ActivityResult.activity_id.in_(counted_activities_query(course).scalar_subquery()))
                .scalar_subquery())
        value = 100.0 * done / total
    else:
        value = 0.0
    db.session.execute(update(Enrolment).where(Enrolment.course_id == course.id).values(progress=value)
                       .execution_options(synchronize_session=False))
    for enrolment in [obj for obj in db.session.identity_map.values()
                      if isinstance(obj, Enrolment) and obj.course_id == course.id]:
        db.session.expire(enrolment, ["progress"])
    query = select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.active)
    if not grades and course.completion_mode != "grade":
        query = query.where(Enrolment.completed_at.is_(None), Enrolment.role == CourseRole.learner,
                            Enrolment.progress >= 100.0 - 1e-6)
    enrolments = db.session.scalars(query).all()
    for enrolment in enrolments:
        refresh_enrolment(enrolment, course)
    return len(enrolments)


@result_recorded.connect
def _on_result_recorded(activity: Activity, user=None, result=None, changed=None, **_kwargs) -> None:
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == activity.course_id,
                                                          Enrolment.user_id == user.id))
    if enrolment is None:
        return
    enrolment.last_access_at = utcnow()
    enrolment.last_activity_id = activity.id
    refresh_enrolment(enrolment)


@course_completed.connect
def _issue_certificate(course: Course, user=None, enrolment=None, **_kwargs) -> None:
    if not course.certificate_enabled or user is None:
        return
    try:
        from lms.certificates.services import issue_certificate
    except ImportError:  # pragma: no cover — the certificates area is optional
        return
    issue_certificate(user, "course", course.title, course_id=course.id, source_key=f"course:{course.id}")
