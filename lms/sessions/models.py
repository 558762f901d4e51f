"""Training management: events, their sessions, registrations (with history), attendance, surveys and
certificates of attendance.

A training event is a course-like activity: it stands alone in the training calendar, or is linked to an
``Activity`` of type ``training_event`` in a course section (``activity_id``), in which case completion is
reported through ``lms.courses.results.report_result``.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, UUIDMixin, utcnow
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized




class EventMode(enum.Enum):
    in_person = "in_person"
    online = "online"
    blended = "blended"

    @property
    def title(self):
        return {EventMode.in_person: _l("Face-to-face"), EventMode.online: _l("Online"),
                EventMode.blended: _l("Blended")}[self]


class ApprovalMode(enum.Enum):
    none = "none"                      # registration is confirmed at once (seat permitting)
    manager = "manager"                # the learner's administration manager approves
    manager_organiser = "manager_organiser"  # then the organiser approves

    @property
    def title(self):
        return {ApprovalMode.none: _l("No approval"), ApprovalMode.manager: _l("Manager approval"),
                ApprovalMode.manager_organiser: _l("Manager, then organiser approval")}[self]


class EventStatus(enum.Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"

    @property
    def title(self):
        return {EventStatus.draft: _l("Draft"), EventStatus.published: _l("Published"),
                EventStatus.cancelled: _l("Cancelled")}[self]


class SessionStatus(enum.Enum):
    scheduled = "scheduled"
    cancelled = "cancelled"

    @property
    def title(self):
        return {SessionStatus.scheduled: _l("Scheduled"), SessionStatus.cancelled: _l("Cancelled")}[self]


class RegistrationState(enum.Enum):
    pending_manager = "pending_manager"
    pending_organiser = "pending_organiser"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    declined = "declined"
    withdrawn = "withdrawn"
    cancelled = "cancelled"          # the session was cancelled

    @property
    def title(self):
        return {
            RegistrationState.pending_manager: _l("Awaiting manager approval"),
            RegistrationState.pending_organiser: _l("Awaiting organiser approval"),
            RegistrationState.confirmed: _l("Confirmed"),
            RegistrationState.waitlisted: _l("On the waiting list"),
            RegistrationState.declined: _l("Declined"),
            RegistrationState.withdrawn: _l("Withdrawn"),
            RegistrationState.cancelled: _l("Session cancelled"),
        }[self]

    @property
    def holds_seat(self) -> bool:
        return self in SEAT_STATES

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATES


# A registration awaiting approval keeps its seat, so approving never overbooks a session.
SEAT_STATES = (RegistrationState.pending_manager, RegistrationState.pending_organiser, RegistrationState.confirmed)
ACTIVE_STATES = SEAT_STATES + (RegistrationState.waitlisted,)


class AttendanceStatus(enum.Enum):
    present = "present"
    late = "late"
    excused = "excused"
    absent = "absent"

    @property
    def title(self):
        return {AttendanceStatus.present: _l("Present"), AttendanceStatus.late: _l("Late"),
                AttendanceStatus.excused: _l("Excused"), AttendanceStatus.absent: _l("Absent")}[self]

    @property
    def attended(self) -> bool:
        return self in (AttendanceStatus.present, AttendanceStatus.late)


class TrainingEvent(IdMixin, UUIDMixin, TimestampMixin, Model):
    __tablename__ = "training_event"

    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)                   # {"ar", "fr", "en"}
    description: Mapped[dict | None] = mapped_column(JSONType)
    objectives: Mapped[dict | None] = mapped_column(JSONType)
    target_audience: Mapped[dict | None] = mapped_column(JSONType)
    topic: Mapped[str | None] = mapped_column(String(100), index=True)
    language: Mapped[str] = mapped_column(String(8), default="ar")  # the language the training is given in
    mode: Mapped[EventMode] = mapped_column(_enum(EventMode, "training_mode"), default=EventMode.in_person)
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus, "training_event_status"),
                                                default=EventStatus.draft, index=True)
    organising_administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approval_mode: Mapped[ApprovalMode] = mapped_column(_enum(ApprovalMode, "training_approval_mode"),
                                                        default=ApprovalMode.none)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_cutoff_hours: Mapped[int] = mapped_column(default=24)
    # Completion: attended (present or late) sessions / counted sessions, in percent.
    min_attendance_percent: Mapped[float] = mapped_column(Float, default=100.0)
    # True: every scheduled session of the event counts (multi-day training); False: only the learner's.
    require_all_sessions: Mapped[bool] = mapped_column(default=False)
    certificate_enabled: Mapped[bool] = mapped_column(default=True)
    survey_anonymous: Mapped[bool] = mapped_column(default=True)
    survey_questions: Mapped[list] = mapped_column(JSONType, default=list)
    # Optional knowledge tests: graded course activities taken before and after the training.
    pre_test_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    post_test_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))

    organising_administration: Mapped["Administration | None"] = relationship("Administration")  # noqa: F821
    organiser: Mapped["User | None"] = relationship("User", foreign_keys=[organiser_id])  # noqa: F821
    sessions: Mapped[list[TrainingSession]] = relationship(lambda: TrainingSession, back_populates="event",
                                                           cascade="all, delete-orphan",
                                                           order_by=lambda: TrainingSession.starts_at)
    trainers: Mapped[list["User"]] = relationship("User", secondary="training_event_trainer")  # noqa: F821
    quotas: Mapped[list[AdministrationQuota]] = relationship(lambda: AdministrationQuota, back_populates="event",
                                                             cascade="all, delete-orphan")

    @property
    def display_title(self) -> str:
        return localized(self.title)

    @property
    def scheduled_sessions(self) -> list[TrainingSession]:
        return [s for s in self.sessions if s.status == SessionStatus.scheduled]

    @property
    def last_session_end(self) -> datetime | None:
        ends = [s.ends_at for s in self.scheduled_sessions]
        return max(ends) if ends else None

    def __repr__(self) -> str:
        return f"<TrainingEvent {self.id}>"


class EventTrainer(Model):
    __tablename__ = "training_event_trainer"

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)


class AdministrationQuota(IdMixin, Model):
    """At most ``seats`` registrations holding a seat per session for the people of one administration."""

    __tablename__ = "training_quota"
    __table_args__ = (UniqueConstraint("event_id", "administration_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"))
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id", ondelete="CASCADE"))
    seats: Mapped[int] = mapped_column()

    event: Mapped[TrainingEvent] = relationship(lambda: TrainingEvent, back_populates="quotas")
    administration: Mapped["Administration"] = relationship("Administration")  # noqa: F821


class TrainingSession(IdMixin, UUIDMixin, TimestampMixin, Model):
    __tablename__ = "training_session"
    __table_args__ = (Index("ix_training_session_event_start", "event_id", "starts_at"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"))
    title: Mapped[dict | None] = mapped_column(JSONType)   # optional ("Day 1", "Module 2"...)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(500))
    room: Mapped[str | None] = mapped_column(String(100))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(default=20)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus, "training_session_status"),
                                                  default=SessionStatus.scheduled)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # overrides the event's
    # iCalendar SEQUENCE: bumped on every reschedule or cancellation so calendar apps update the entry.
    sequence: Mapped[int] = mapped_column(default=0)
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[TrainingEvent] = relationship(lambda: TrainingEvent, back_populates="sessions")
    trainer: Mapped["User | None"] = relationship("User")  # noqa: F821
    registrations: Mapped[list[Registration]] = relationship(lambda: Registration, back_populates="session",
                                                             cascade="all, delete-orphan",
                                                             order_by=lambda: Registration.id)

    @property
    def hours(self) -> float:
        return max((self.ends_at - self.starts_at).total_seconds() / 3600.0, 0.0)

    @property
    def display_title(self) -> str:
        return localized(self.title) if self.title else self.event.display_title

    @property
    def location(self) -> str:
        """The physical place; the online link is given only to confirmed participants and staff."""
        return ", ".join(p for p in (self.venue, self.room, self.address) if p)


class Registration(IdMixin, TimestampMixin, Model):
    __tablename__ = "training_registration"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),
                      Index("ix_training_registration_session_state", "session_id", "state"))

    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    state: Mapped[RegistrationState] = mapped_column(_enum(RegistrationState, "training_registration_state"))
    # Waiting-list order: the time the learner asked for a seat.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    session: Mapped[TrainingSession] = relationship(lambda: TrainingSession, back_populates="registrations")
    user: Mapped["User"] = relationship("User")  # noqa: F821
    history: Mapped[list[RegistrationChange]] = relationship(lambda: RegistrationChange, back_populates="registration",
                                                             cascade="all, delete-orphan",
                                                             order_by=lambda: RegistrationChange.id)


class RegistrationChange(IdMixin, Model):
    """Every state change of a registration: who, when, from what, to what, why."""

    __tablename__ = "training_registration_change"

    registration_id: Mapped[int] = mapped_column(ForeignKey("training_registration.id", ondelete="CASCADE"),
                                                 index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(64))   # machine-readable: "promoted", "quota"...
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(lambda: Registration, back_populates="history")
    actor: Mapped["User | None"] = relationship("User")  # noqa: F821


class Attendance(IdMixin, Model):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus, "training_attendance_status"))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship(lambda: TrainingSession)
    user: Mapped["User"] = relationship("User", foreign_keys=[user_id])  # noqa: F821


class EventCompletion(IdMixin, Model):
    """A learner met the event's attendance rule; carries the certificate's verification code."""

    __tablename__ = "training_completion"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attendance_percent: Mapped[float] = mapped_column(Float)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    certificate_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    event: Mapped[TrainingEvent] = relationship(lambda: TrainingEvent)
    user: Mapped["User"] = relationship("User")  # noqa: F821


class SurveyInvitation(IdMixin, Model):
    """Who was asked and whether they answered (kept apart from anonymous answers)."""

    __tablename__ = "training_survey_invitation"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(IdMixin, Model):
    __tablename__ = "training_survey_response"

    event_id: Mapped[int] = mapped_column(ForeignKey("training_event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))  # None: anonymous
    # {"<question id>": 1..5 or text, "trainer:<user id>": 1..5}
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Submission day only, so an anonymous answer cannot be matched to its invitation by time.
    submitted_on: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedToken(IdMixin, Model):
    """The secret in a person's iCalendar feed URL (calendar apps cannot sign in); revocable."""

    __tablename__ = "training_feed_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
