"""cmi5 courses (structure as imported: blocks, AUs, objectives), registrations per enrolment attempt,
AU launch sessions with their one-time fetch tokens, per-registration AU state; TinCan packages.

One cmi5 course structure is one course activity (``Activity.type_key == "cmi5"``). Ids the LMS
generates (course, block and AU activity ids, cmi5 §8.1.5 and §9.4) are stored, so they stay the same for
every registration and launch.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, UTCDateTime, db, utcnow


class Cmi5Course(IdMixin, Model):
    """The course structure of one activity. ``digest`` names the stored package (None for a bare XML)."""

    __tablename__ = "cmi5_course"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), unique=True)
    publisher_id: Mapped[str] = mapped_column(Text)      # the course id of cmi5.xml
    lms_iri: Mapped[str] = mapped_column(Text)           # the course object of satisfied statements
    title: Mapped[dict] = mapped_column(JSONType)         # {lang: text} as in cmi5.xml
    description: Mapped[dict] = mapped_column(JSONType)
    digest: Mapped[str | None] = mapped_column(String(64))
    structure_xml: Mapped[str] = mapped_column(Text)
    report: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped["Activity"] = relationship("Activity")  # noqa: F821
    aus: Mapped[list[Cmi5AU]] = relationship(back_populates="course", order_by="Cmi5AU.position",
                                             cascade="all, delete-orphan")
    blocks: Mapped[list[Cmi5Block]] = relationship(back_populates="course", order_by="Cmi5Block.position",
                                                   cascade="all, delete-orphan")
    objectives: Mapped[list[Cmi5Objective]] = relationship(back_populates="course",
                                                           cascade="all, delete-orphan")

    @classmethod
    def for_activity(cls, activity_id: int) -> Cmi5Course | None:
        return db.session.scalar(select(cls).where(cls.activity_id == activity_id))


class Cmi5Block(IdMixin, Model):
    __tablename__ = "cmi5_block"

    course_id: Mapped[int] = mapped_column(ForeignKey("cmi5_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    publisher_id: Mapped[str] = mapped_column(Text)
    lms_iri: Mapped[str] = mapped_column(Text)
    title: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict] = mapped_column(JSONType)
    parent_ids: Mapped[list] = mapped_column(JSONType, default=list)   # publisher ids, outermost first
    objective_ids: Mapped[list] = mapped_column(JSONType, default=list)

    course: Mapped[Cmi5Course] = relationship(back_populates="blocks")


class Cmi5AU(IdMixin, Model):
    __tablename__ = "cmi5_au"

    course_id: Mapped[int] = mapped_column(ForeignKey("cmi5_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    publisher_id: Mapped[str] = mapped_column(Text)
    lms_iri: Mapped[str] = mapped_column(Text)           # the activityId of the launch (§8.1.5)
    title: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict] = mapped_column(JSONType)
    url: Mapped[str] = mapped_column(Text)
    launch_method: Mapped[str] = mapped_column(String(10), default="AnyWindow")
    move_on: Mapped[str] = mapped_column(String(20), default="NotApplicable")
    mastery_score: Mapped[float | None] = mapped_column(Float)
    activity_type: Mapped[str | None] = mapped_column(Text)
    launch_parameters: Mapped[str | None] = mapped_column(Text)
    entitlement_key: Mapped[str | None] = mapped_column(Text)
    parent_ids: Mapped[list] = mapped_column(JSONType, default=list)   # enclosing block publisher ids
    objective_ids: Mapped[list] = mapped_column(JSONType, default=list)

    course: Mapped[Cmi5Course] = relationship(back_populates="aus")


class Cmi5Objective(IdMixin, Model):
    __tablename__ = "cmi5_objective"

    course_id: Mapped[int] = mapped_column(ForeignKey("cmi5_course.id", ondelete="CASCADE"), index=True)
    publisher_id: Mapped[str] = mapped_column(Text)
    title: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict] = mapped_column(JSONType)

    course: Mapped[Cmi5Course] = relationship(back_populates="objectives")


class Cmi5Registration(IdMixin, Model):
    """One learner's registration (xAPI ``registration``) in a cmi5 course or TinCan activity: one per
    enrolment attempt. ``satisfied`` lists the publisher ids of blocks and the course already reported
    satisfied (so each is reported once per registration, §9.3.9)."""

    __tablename__ = "cmi5_registration"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", "attempt",
                                       name="uq_cmi5_registration_attempt"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="SET NULL"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    registration: Mapped[str] = mapped_column(String(36), unique=True)
    satisfied: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship("User")  # noqa: F821
    activity: Mapped["Activity"] = relationship("Activity")  # noqa: F821


class AUState(IdMixin, Model):
    """What the registration reached on one AU (from the AU's cmi5 defined statements and the LMS)."""

    __tablename__ = "cmi5_au_state"
    __table_args__ = (UniqueConstraint("registration_id", "au_id", name="uq_cmi5_au_state"),)

    registration_id: Mapped[int] = mapped_column(ForeignKey("cmi5_registration.id", ondelete="CASCADE"),
                                                 index=True)
    au_id: Mapped[int] = mapped_column(ForeignKey("cmi5_au.id", ondelete="CASCADE"))
    completed: Mapped[bool] = mapped_column(default=False)
    passed: Mapped[bool] = mapped_column(default=False)
    failed: Mapped[bool] = mapped_column(default=False)
    waived: Mapped[bool] = mapped_column(default=False)
    waived_reason: Mapped[str | None] = mapped_column(String(100))
    satisfied: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None] = mapped_column(Float)    # scaled, from passed/failed
    satisfied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    au: Mapped[Cmi5AU] = relationship()


class Cmi5Session(IdMixin, Model):
    """One AU launch (cmi5 session). The fetch token is stored as its SHA-256 and returns the
    authorization token once; the LRS credential it created is revoked when the session ends."""

    __tablename__ = "cmi5_session"
    __table_args__ = (Index("ix_cmi5_session_credential", "credential_key"),)

    session_id: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("cmi5_registration.id", ondelete="CASCADE"),
                                                 index=True)
    au_id: Mapped[int | None] = mapped_column(ForeignKey("cmi5_au.id", ondelete="CASCADE"))
    launch_mode: Mapped[str] = mapped_column(String(10), default="Normal")
    fetch_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credential_key: Mapped[str | None] = mapped_column(String(64))
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    initialized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_statement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferences_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # §11: read on startup
    verbs: Mapped[list] = mapped_column(JSONType, default=list)   # cmi5 defined verbs received, in order
    launch_url: Mapped[str | None] = mapped_column(Text)

    registration: Mapped[Cmi5Registration] = relationship()
    au: Mapped[Cmi5AU | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.terminated_at is None and self.abandoned_at is None


class TinCanPackage(IdMixin, Model):
    """A ``tincan.xml`` package: its activities and the one launched."""

    __tablename__ = "tincan_package"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    activity_iri: Mapped[str] = mapped_column(Text)    # the launched activity's id (publisher's)
    launch: Mapped[str] = mapped_column(Text)          # relative path in the package, or absolute URL
    activities: Mapped[dict] = mapped_column(JSONType)  # TinCanPackageInfo.to_dict()
    report: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def for_activity(cls, activity_id: int) -> TinCanPackage | None:
        return db.session.scalar(select(cls).where(cls.activity_id == activity_id))
