"""Attempts and what the SCOs of an attempt recorded, stored structured: one row per SCO launch target
(:class:`ScoTrack`), one per interaction and per objective, the commits received (idempotency and audit)
and the instructor resets (audit)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, UTCDateTime, UUIDMixin, utcnow


class ScormAttempt(IdMixin, UUIDMixin, Model):
    """One attempt of a learner on a SCORM activity; its uuid is the xAPI registration."""

    __tablename__ = "scorm_attempt"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", "number"),
                      Index("ix_scorm_attempt_activity_user", "activity_id", "user_id"))

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("scorm_package_version.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_access_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the learner left without suspending
    suspended: Mapped[bool] = mapped_column(default=False)
    current_item: Mapped[str | None] = mapped_column(String(255))
    last_seq: Mapped[int] = mapped_column(default=0)  # highest commit sequence number applied
    sequencing_state: Mapped[dict | None] = mapped_column(JSONType)
    # The attempt's outcome as computed by the grading method (scaled 0..1) and the completion rules.
    score: Mapped[float | None] = mapped_column(Float)
    completed: Mapped[bool | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    total_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # instructor reset

    tracks: Mapped[list[ScoTrack]] = relationship(back_populates="attempt", cascade="all, delete-orphan",
                                                  order_by="ScoTrack.id")
    user: Mapped["User"] = relationship("User")  # noqa: F821
    version: Mapped["ScormPackageVersion"] = relationship("ScormPackageVersion")  # noqa: F821

    def track(self, item_identifier: str) -> ScoTrack | None:
        for track in self.tracks:
            if track.item_identifier == item_identifier:
                return track
        return None

    @property
    def status_label(self) -> str:
        if self.voided_at:
            return "reset"
        if self.finished_at:
            return "finished"
        return "suspended" if self.suspended else "in_progress"


class ScoTrack(IdMixin, Model):
    """What one SCO recorded in one attempt. ``cmi`` keeps the whole data model (to resume exactly);
    the columns hold what reports and grading read."""

    __tablename__ = "scorm_sco_track"
    __table_args__ = (UniqueConstraint("attempt_id", "item_identifier"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("scorm_attempt.id", ondelete="CASCADE"), index=True)
    item_identifier: Mapped[str] = mapped_column(String(255))
    launches: Mapped[int] = mapped_column(default=0)
    launch_state: Mapped[str] = mapped_column(String(20), default="not_initialized")
    entry: Mapped[str] = mapped_column(String(20), default="ab-initio")
    exit: Mapped[str | None] = mapped_column(String(20))
    completion_status: Mapped[str | None] = mapped_column(String(20))
    success_status: Mapped[str | None] = mapped_column(String(20))
    lesson_status: Mapped[str | None] = mapped_column(String(20))  # SCORM 1.2
    score_scaled: Mapped[float | None] = mapped_column(Float)
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_min: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    progress_measure: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(Text)
    suspend_data: Mapped[str | None] = mapped_column(Text)
    total_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    session_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # of the launch in progress
    cmi: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"values": {...}, "counts": {...}}
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attempt: Mapped[ScormAttempt] = relationship(back_populates="tracks")
    interactions: Mapped[list[ScormInteraction]] = relationship(
        back_populates="track", cascade="all, delete-orphan", order_by="ScormInteraction.index")
    objectives: Mapped[list[ScormObjective]] = relationship(
        back_populates="track", cascade="all, delete-orphan", order_by="ScormObjective.index")

    @property
    def is_completed(self) -> bool:
        if self.lesson_status is not None:  # SCORM 1.2: passed and failed both mean the SCO was completed
            return self.lesson_status in ("completed", "passed", "failed")
        return self.completion_status == "completed" or self.success_status == "passed"

    @property
    def is_passed(self) -> bool | None:
        status = self.lesson_status if self.lesson_status is not None else self.success_status
        if status == "passed":
            return True
        if status == "failed":
            return False
        return None


class ScormInteraction(IdMixin, Model):
    __tablename__ = "scorm_interaction"
    __table_args__ = (UniqueConstraint("track_id", "index"),
                      Index("ix_scorm_interaction_attempt_identifier", "attempt_id", "identifier"))

    track_id: Mapped[int] = mapped_column(ForeignKey("scorm_sco_track.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scorm_attempt.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(20))
    timestamp: Mapped[str | None] = mapped_column(String(40))
    weighting: Mapped[float | None] = mapped_column(Float)
    learner_response: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(40))
    latency: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    correct_responses: Mapped[list] = mapped_column(JSONType, default=list)
    objective_ids: Mapped[list] = mapped_column(JSONType, default=list)
    reported_response: Mapped[str | None] = mapped_column(Text)  # what the last xAPI "responded" carried

    track: Mapped[ScoTrack] = relationship(back_populates="interactions")

    @property
    def is_correct(self) -> bool | None:
        if self.result == "correct":
            return True
        if self.result in ("incorrect", "wrong"):
            return False
        return None


class ScormObjective(IdMixin, Model):
    __tablename__ = "scorm_objective"
    __table_args__ = (UniqueConstraint("track_id", "index"),)

    track_id: Mapped[int] = mapped_column(ForeignKey("scorm_sco_track.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scorm_attempt.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str | None] = mapped_column(Text)
    success_status: Mapped[str | None] = mapped_column(String(20))
    completion_status: Mapped[str | None] = mapped_column(String(20))
    score_scaled: Mapped[float | None] = mapped_column(Float)
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_min: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    progress_measure: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(Text)

    track: Mapped[ScoTrack] = relationship(back_populates="objectives")


class ScormCommit(IdMixin, Model):
    """Every batch applied, by sequence number: a resend with the same number is answered, not re-applied.
    Values the server refused are kept with their error code."""

    __tablename__ = "scorm_commit"
    __table_args__ = (UniqueConstraint("attempt_id", "seq"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("scorm_attempt.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    item_identifier: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    calls: Mapped[int] = mapped_column(default=0)
    digest: Mapped[str | None] = mapped_column(String(64))  # of the batch: a resend must be the same batch
    rejected: Mapped[list] = mapped_column(JSONType, default=list)  # [[element, value, code], ...]


class ScormAttemptReset(IdMixin, Model):
    """Audit trail of instructor resets."""

    __tablename__ = "scorm_attempt_reset"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reset_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reset_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[list] = mapped_column(JSONType, default=list)  # numbers of the attempts voided
    reason: Mapped[str | None] = mapped_column(Text)


class ScormLearnerStore(IdMixin, Model):
    """A learner's system-wide sequencing stores: global shared objectives (objectivesGlobalToSystem) and
    adl.data stores (sharedDataGlobalToSystem), shared by every package and attempt of the learner."""

    __tablename__ = "scorm_learner_store"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    objectives: Mapped[dict] = mapped_column(JSONType, default=dict)
    shared_data: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
