"""The course model: categories, courses, sections, activities, enrolments and activity results."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, event, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, UUIDMixin, utcnow
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized




class CourseRole(enum.Enum):
    instructor = "instructor"   # edits the course (ENSA trainers)
    tutor = "tutor"             # non-editing teacher: follows and grades learners
    learner = "learner"

    @property
    def title(self):
        return {CourseRole.instructor: _l("Instructor"), CourseRole.tutor: _l("Tutor"),
                CourseRole.learner: _l("Learner")}[self]


class EnrolmentMethod(enum.Enum):
    manual = "manual"
    self = "self"
    cohort = "cohort"     # by administration / cohort rule
    lti = "lti"

    @property
    def title(self):
        return {EnrolmentMethod.manual: _l("Manual"), EnrolmentMethod.self: _l("Self-enrolment"),
                EnrolmentMethod.cohort: _l("Administration rule"), EnrolmentMethod.lti: _l("LTI launch")}[self]


class EnrolmentStatus(enum.Enum):
    active = "active"
    suspended = "suspended"


class Category(IdMixin, TimestampMixin, Model):
    """An e-learning topic."""

    __tablename__ = "course_category"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict | None] = mapped_column(JSONType)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def display_name(self) -> str:
        return localized(self.name)


class Course(IdMixin, UUIDMixin, TimestampMixin, Model):
    __tablename__ = "course"

    shortname: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)                 # {"ar": ..., "fr": ...}
    summary: Mapped[dict | None] = mapped_column(JSONType)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("course_category.id"), index=True)
    languages: Mapped[list] = mapped_column(JSONType, default=list)  # languages the content is taught in
    image_digest: Mapped[str | None] = mapped_column(String(64))
    visible: Mapped[bool] = mapped_column(default=True)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)   # enrolment and completion options
    # Self-enrolment: "closed", "open" or "key" (with enrolment_key), within optional dates and capacity.
    self_enrolment: Mapped[str] = mapped_column(String(10), default="closed")
    enrolment_key: Mapped[str | None] = mapped_column(String(100))
    enrol_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrol_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column()          # learners; None = unlimited
    # Course completion: "all" counted activities, "selected" (Activity.required_for_completion) or "grade".
    completion_mode: Mapped[str] = mapped_column(String(10), default="all")
    completion_grade: Mapped[float | None] = mapped_column(Float)  # percent, for completion_mode "grade"
    # Gradebook: aggregation "weighted_mean", "mean" or "sum"; display "percent", "letter" or "passfail".
    grade_aggregation: Mapped[str] = mapped_column(String(20), default="weighted_mean")
    grade_display: Mapped[str] = mapped_column(String(10), default="percent")
    grade_pass: Mapped[float] = mapped_column(Float, default=50.0)
    certificate_enabled: Mapped[bool] = mapped_column(default=True)
    # Lower-cased titles, summaries and short name in every language: portable catalogue search (JSON
    # columns are stored with escaped Unicode on SQLite, so they cannot be searched with LIKE there).
    search_text: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category | None] = relationship()
    sections: Mapped[list[Section]] = relationship(back_populates="course", order_by="Section.position",
                                                   cascade="all, delete-orphan")
    activities: Mapped[list[Activity]] = relationship(back_populates="course", cascade="all, delete-orphan",
                                                      order_by="Activity.position", overlaps="section,activities")

    @property
    def display_title(self) -> str:
        return localized(self.title)

    def __repr__(self) -> str:
        return f"<Course {self.shortname}>"


class Section(IdMixin, TimestampMixin, Model):
    __tablename__ = "course_section"
    __table_args__ = (Index("ix_course_section_course_position", "course_id", "position"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(JSONType, default=dict)
    summary: Mapped[dict | None] = mapped_column(JSONType)
    visible: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course] = relationship(back_populates="sections")
    activities: Mapped[list[Activity]] = relationship(back_populates="section", order_by="Activity.position",
                                                      overlaps="activities,course")

    @property
    def display_title(self) -> str:
        return localized(self.title)


class Activity(IdMixin, UUIDMixin, TimestampMixin, Model):
    """One thing a course section holds. Type-specific data lives in the type's own tables."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_section_position", "section_id", "position"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("course_section.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    type_key: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict | None] = mapped_column(JSONType)
    visible: Mapped[bool] = mapped_column(default=True)
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Completion rule: "none", "viewed", "completed", "passed", "grade" (with completion_min_grade).
    completion_rule: Mapped[str] = mapped_column(String(20), default="viewed")
    completion_min_grade: Mapped[float | None] = mapped_column(Float)   # percent 0..100
    graded: Mapped[bool] = mapped_column(default=False)
    grade_max: Mapped[float] = mapped_column(Float, default=100.0)
    grade_weight: Mapped[float] = mapped_column(Float, default=1.0)
    grade_pass: Mapped[float | None] = mapped_column(Float)             # percent 0..100
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Course completion mode "selected" counts only the activities marked here.
    required_for_completion: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course] = relationship(back_populates="activities", overlaps="activities,section")
    section: Mapped[Section] = relationship(back_populates="activities", overlaps="activities,course")

    @property
    def type(self):
        from .activities import get_activity_type

        return get_activity_type(self.type_key)

    @property
    def display_title(self) -> str:
        return localized(self.title)

    def is_available(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.available_from and now < self.available_from:
            return False
        if self.available_until and now > self.available_until:
            return False
        return True

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.type_key}>"


class Enrolment(IdMixin, TimestampMixin, Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[CourseRole] = mapped_column(_enum(CourseRole, "course_role"), default=CourseRole.learner)
    method: Mapped[EnrolmentMethod] = mapped_column(_enum(EnrolmentMethod, "enrolment_method"),
                                                    default=EnrolmentMethod.manual)
    status: Mapped[EnrolmentStatus] = mapped_column(_enum(EnrolmentStatus, "enrolment_status"),
                                                    default=EnrolmentStatus.active)
    time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_access_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    # Course completion, kept up to date from result_recorded (reports aggregate these columns in SQL).
    progress: Mapped[float] = mapped_column(Float, default=0.0)        # percent of counted activities
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    final_grade: Mapped[float | None] = mapped_column(Float)           # percent, course aggregate

    course: Mapped[Course] = relationship()
    user: Mapped["User"] = relationship("User")  # noqa: F821

    def is_current(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.status != EnrolmentStatus.active:
            return False
        if self.time_start and now < self.time_start:
            return False
        if self.time_end and now > self.time_end:
            return False
        return True


class ActivityResult(IdMixin, Model):
    """What a learner reached on an activity: the single row the gradebook and completion read."""

    __tablename__ = "activity_result"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),
                      Index("ix_activity_result_user", "user_id", "activity_id"))

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed: Mapped[bool | None] = mapped_column()     # as reported by the activity
    passed: Mapped[bool | None] = mapped_column()
    score: Mapped[float | None] = mapped_column(Float)    # scaled 0..1
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    # Derived from the activity's completion rule; what progress bars count.
    is_complete: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Instructor override (gradebook), with its audit in GradeOverride.
    override_score: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)

    activity: Mapped[Activity] = relationship()
    user: Mapped["User"] = relationship("User")  # noqa: F821

    @property
    def effective_score(self) -> float | None:
        return self.override_score if self.override_score is not None else self.score


class GradeOverride(IdMixin, Model):
    """Audit trail of instructor overrides."""

    __tablename__ = "grade_override"

    result_id: Mapped[int] = mapped_column(ForeignKey("activity_result.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    old_score: Mapped[float | None] = mapped_column(Float)
    new_score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnrolmentRule(IdMixin, TimestampMixin, Model):
    """Cohort rule: everyone in an administration (optionally with its sub-bodies) is enrolled."""

    __tablename__ = "enrolment_rule"
    __table_args__ = (UniqueConstraint("course_id", "administration_id"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id", ondelete="CASCADE"))
    include_children: Mapped[bool] = mapped_column(default=True)
    role: Mapped[CourseRole] = mapped_column(_enum(CourseRole, "course_role"), default=CourseRole.learner)

    course: Mapped[Course] = relationship()
    administration: Mapped["Administration"] = relationship("Administration")  # noqa: F821


# -- the built-in activity types' own tables (DESIGN.md §1: type data keyed by the activity) ----------

class PageContent(Model):
    __tablename__ = "activity_page"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[dict] = mapped_column(JSONType, default=dict)    # {"ar": sanitised html, "fr": ...}


class FileResource(Model):
    __tablename__ = "activity_file"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    mimetype: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)


class UrlResource(Model):
    __tablename__ = "activity_url"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    open_in_new_window: Mapped[bool] = mapped_column(default=True)


def _search_text(course: Course) -> str:
    parts = [course.shortname or ""]
    for value in (course.title, course.summary):
        if isinstance(value, dict):
            parts.extend(str(text) for text in value.values() if text)
    return " ".join(parts).casefold()


@event.listens_for(Course, "before_insert")
@event.listens_for(Course, "before_update")
def _update_search_text(_mapper, _connection, course: Course) -> None:
    course.search_text = _search_text(course)
