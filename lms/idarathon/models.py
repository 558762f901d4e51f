"""Idarathon models: editions and their staff, challenges, participants and teams, submissions, the jury,
frozen results, communication."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, UUIDMixin, utcnow
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized




class StaffRole(enum.Enum):
    organiser = "organiser"
    mentor = "mentor"
    jury = "jury"

    @property
    def title(self):
        return {StaffRole.organiser: _l("Organiser"), StaffRole.mentor: _l("Mentor"),
                StaffRole.jury: _l("Jury member")}[self]


class ChallengeStatus(enum.Enum):
    proposed = "proposed"
    published = "published"
    rejected = "rejected"

    @property
    def title(self):
        return {ChallengeStatus.proposed: _l("Proposed"), ChallengeStatus.published: _l("Published"),
                ChallengeStatus.rejected: _l("Rejected")}[self]


class RequestStatus(enum.Enum):
    pending = "pending"
    accepted = "accepted"
    refused = "refused"


class Edition(IdMixin, UUIDMixin, TimestampMixin, Model):
    """One Idarathon (a year's hackathon) with its calendar, rules and settings."""

    __tablename__ = "idarathon_edition"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    year: Mapped[int] = mapped_column()
    title: Mapped[dict] = mapped_column(JSONType)
    theme: Mapped[dict] = mapped_column(JSONType, default=dict)
    description: Mapped[dict | None] = mapped_column(JSONType)
    rules: Mapped[dict | None] = mapped_column(JSONType)
    faq: Mapped[list] = mapped_column(JSONType, default=list)        # [{"q": {lang: ..}, "a": {lang: ..}}]
    partners: Mapped[list] = mapped_column(JSONType, default=list)   # [{"name": str, "url": str}]
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kickoff_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    jury_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    jury_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results_at: Mapped[datetime] = mapped_column(UTCDateTime)      # the announced publication time
    team_min_size: Mapped[int] = mapped_column(default=2)
    team_max_size: Mapped[int] = mapped_column(default=5)
    blind_scoring: Mapped[bool] = mapped_column(default=False)
    # Jurors from the same administration as a team member are in conflict as well as declared conflicts.
    conflict_same_administration: Mapped[bool] = mapped_column(default=True)
    max_file_mb: Mapped[int] = mapped_column(default=20)
    allowed_extensions: Mapped[list] = mapped_column(JSONType, default=lambda: list(DEFAULT_EXTENSIONS))
    # Set by the organiser; results are visible from this instant on (never before).
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    challenges: Mapped[list[Challenge]] = relationship(lambda: Challenge, back_populates="edition",
                                                       order_by=lambda: Challenge.id,
                                                       cascade="all, delete-orphan")
    staff: Mapped[list[EditionStaff]] = relationship(lambda: EditionStaff, back_populates="edition",
                                                     cascade="all, delete-orphan")
    criteria: Mapped[list[Criterion]] = relationship(lambda: Criterion, back_populates="edition",
                                                     order_by=lambda: Criterion.position,
                                                     cascade="all, delete-orphan")

    @property
    def display_title(self) -> str:
        return localized(self.title)

    def results_visible(self, now: datetime | None = None) -> bool:
        return self.results_published_at is not None and (now or utcnow()) >= self.results_published_at

    def phase(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.results_visible(now):
            return "results"
        for name, start in (("jury", self.jury_starts_at), ("hacking", self.kickoff_at),
                            ("registration", self.registration_opens_at)):
            if now >= start:
                if name == "hacking" and now > self.submission_deadline:
                    return "deliberation"
                return name
        return "announced"


DEFAULT_EXTENSIONS = ["pdf", "pptx", "ppt", "odp", "docx", "odt", "xlsx", "csv", "zip", "png", "jpg", "jpeg", "txt"]

PHASE_TITLES = {
    "announced": _l("Announced"), "registration": _l("Registration open"), "hacking": _l("Hackathon under way"),
    "deliberation": _l("Submissions closed"), "jury": _l("Jury deliberation"), "results": _l("Results published"),
}


class EditionStaff(IdMixin, Model):
    __tablename__ = "idarathon_staff"
    __table_args__ = (UniqueConstraint("edition_id", "user_id", "role"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "idarathon_staff_role"))

    edition: Mapped[Edition] = relationship(lambda: Edition, back_populates="staff")
    user: Mapped["User"] = relationship("User")  # noqa: F821


class Challenge(IdMixin, UUIDMixin, TimestampMixin, Model):
    """A problem statement proposed by an administration; ``type_key`` names its challenge type class."""

    __tablename__ = "idarathon_challenge"

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    type_key: Mapped[str] = mapped_column(String(40), default="standard")
    title: Mapped[dict] = mapped_column(JSONType)
    context: Mapped[dict] = mapped_column(JSONType, default=dict)
    expected_outcome: Mapped[dict] = mapped_column(JSONType, default=dict)
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ChallengeStatus] = mapped_column(_enum(ChallengeStatus, "idarathon_challenge_status"),
                                                    default=ChallengeStatus.proposed)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)   # type-specific (answer key, weights)

    edition: Mapped[Edition] = relationship(lambda: Edition, back_populates="challenges")
    administration: Mapped["Administration | None"] = relationship("Administration")  # noqa: F821
    resources: Mapped[list[ChallengeResource]] = relationship(lambda: ChallengeResource, back_populates="challenge",
                                                              cascade="all, delete-orphan")

    @property
    def display_title(self) -> str:
        return localized(self.title)

    @property
    def kind(self):
        from .challenge_types import get_challenge_type

        return get_challenge_type(self.type_key)

    @property
    def is_published(self) -> bool:
        return self.status == ChallengeStatus.published


class ChallengeActivity(IdMixin, Model):
    """The activity type's own table: which challenge a course activity of type idarathon_challenge shows."""

    __tablename__ = "idarathon_challenge_activity"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), unique=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)

    challenge: Mapped[Challenge] = relationship(lambda: Challenge)


class ChallengeResource(IdMixin, TimestampMixin, Model):
    __tablename__ = "idarathon_challenge_resource"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)

    challenge: Mapped[Challenge] = relationship(lambda: Challenge, back_populates="resources")


class Participant(IdMixin, TimestampMixin, Model):
    """A person registered for an edition, with the profile the organisers and reports need."""

    __tablename__ = "idarathon_participant"
    __table_args__ = (UniqueConstraint("edition_id", "user_id"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id", ondelete="SET NULL"))
    job_role: Mapped[str] = mapped_column(String(255), default="")
    skills: Mapped[list] = mapped_column(JSONType, default=list)
    motivation: Mapped[str | None] = mapped_column(Text)

    user: Mapped["User"] = relationship("User")  # noqa: F821
    administration: Mapped["Administration | None"] = relationship("Administration")  # noqa: F821


class Team(IdMixin, UUIDMixin, TimestampMixin, Model):
    __tablename__ = "idarathon_team"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="SET NULL"),
                                                     index=True)
    captain_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    open_to_requests: Mapped[bool] = mapped_column(default=True)

    edition: Mapped[Edition] = relationship(lambda: Edition)
    challenge: Mapped[Challenge | None] = relationship(lambda: Challenge)
    captain: Mapped["User | None"] = relationship("User", foreign_keys=[captain_id])  # noqa: F821
    mentor: Mapped["User | None"] = relationship("User", foreign_keys=[mentor_id])  # noqa: F821
    members: Mapped[list[TeamMember]] = relationship(lambda: TeamMember, back_populates="team",
                                                     order_by=lambda: TeamMember.id,
                                                     cascade="all, delete-orphan")

    @property
    def blind_label(self) -> str:
        return f"#{self.uuid[:6].upper()}"


class TeamMember(IdMixin, Model):
    """Membership; ``edition_id`` is repeated so the database enforces one team per person per edition."""

    __tablename__ = "idarathon_team_member"
    __table_args__ = (UniqueConstraint("edition_id", "user_id"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship(lambda: Team, back_populates="members")
    user: Mapped["User"] = relationship("User", foreign_keys=[user_id])  # noqa: F821


class JoinRequest(IdMixin, TimestampMixin, Model):
    __tablename__ = "idarathon_join_request"

    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "idarathon_request_status"),
                                                  default=RequestStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship(lambda: Team)
    user: Mapped["User"] = relationship("User", foreign_keys=[user_id])  # noqa: F821


class DeadlineOverride(IdMixin, Model):
    """An organiser lets one team submit after the deadline: who, until when, why (the audit trail)."""

    __tablename__ = "idarathon_deadline_override"

    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    granted_by: Mapped["User | None"] = relationship("User")  # noqa: F821


class Submission(IdMixin, UUIDMixin, Model):
    """One version of a team's deliverables for its challenge; the highest version is the one judged."""

    __tablename__ = "idarathon_submission"
    __table_args__ = (UniqueConstraint("team_id", "challenge_id", "version"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str | None] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(500))
    video_url: Mapped[str | None] = mapped_column(String(500))
    late: Mapped[bool] = mapped_column(default=False)
    override_id: Mapped[int | None] = mapped_column(ForeignKey("idarathon_deadline_override.id", ondelete="SET NULL"))
    # Filled by challenge types that score automatically (0..1); hidden until results are published.
    auto_score: Mapped[float | None] = mapped_column(Float)

    team: Mapped[Team] = relationship(lambda: Team)
    challenge: Mapped[Challenge] = relationship(lambda: Challenge)
    files: Mapped[list[SubmissionFile]] = relationship(lambda: SubmissionFile, back_populates="submission",
                                                          cascade="all, delete-orphan")
    override: Mapped[DeadlineOverride | None] = relationship(lambda: DeadlineOverride)


class SubmissionFile(IdMixin, Model):
    __tablename__ = "idarathon_submission_file"

    submission_id: Mapped[int] = mapped_column(ForeignKey("idarathon_submission.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # deliverable, pitch_deck, data
    filename: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)

    submission: Mapped[Submission] = relationship(lambda: Submission, back_populates="files")


class Criterion(IdMixin, Model):
    """One weighted line of the edition's rubric."""

    __tablename__ = "idarathon_criterion"

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[dict | None] = mapped_column(JSONType)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    max_points: Mapped[int] = mapped_column(default=10)

    edition: Mapped[Edition] = relationship(lambda: Edition, back_populates="criteria")

    @property
    def display_name(self) -> str:
        return localized(self.name)


class JuryAssignment(IdMixin, Model):
    __tablename__ = "idarathon_jury_assignment"
    __table_args__ = (UniqueConstraint("challenge_id", "user_id"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)

    challenge: Mapped[Challenge] = relationship(lambda: Challenge)
    user: Mapped["User"] = relationship("User")  # noqa: F821


class ConflictOfInterest(IdMixin, Model):
    __tablename__ = "idarathon_conflict"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(lambda: Team)
    user: Mapped["User"] = relationship("User")  # noqa: F821


class ScoreSheet(IdMixin, TimestampMixin, Model):
    """One juror's marks for one team; counted once ``submitted_at`` is set."""

    __tablename__ = "idarathon_score_sheet"
    __table_args__ = (UniqueConstraint("team_id", "jury_id"),)

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"), index=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("idarathon_submission.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship(lambda: Team)
    jury: Mapped["User"] = relationship("User")  # noqa: F821
    marks: Mapped[list[ScoreMark]] = relationship(lambda: ScoreMark, back_populates="sheet",
                                                    cascade="all, delete-orphan")


class ScoreMark(IdMixin, Model):
    __tablename__ = "idarathon_score_mark"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    sheet_id: Mapped[int] = mapped_column(ForeignKey("idarathon_score_sheet.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("idarathon_criterion.id", ondelete="CASCADE"), index=True)
    points: Mapped[float] = mapped_column(Float)

    sheet: Mapped[ScoreSheet] = relationship(lambda: ScoreSheet, back_populates="marks")
    criterion: Mapped[Criterion] = relationship(lambda: Criterion)


class ResultEntry(IdMixin, Model):
    """The consolidated ranking frozen at publication (what participants eventually see)."""

    __tablename__ = "idarathon_result"
    __table_args__ = (UniqueConstraint("edition_id", "team_id"),
                      Index("ix_idarathon_result_rank", "edition_id", "challenge_id", "rank"))

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("idarathon_team.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column()
    score: Mapped[float] = mapped_column(Float)          # 0..100
    jury_score: Mapped[float | None] = mapped_column(Float)
    auto_score: Mapped[float | None] = mapped_column(Float)
    sheets: Mapped[int] = mapped_column(default=0)
    tie_note: Mapped[str | None] = mapped_column(String(255))
    award: Mapped[str | None] = mapped_column(String(32))  # first, second, third

    team: Mapped[Team] = relationship(lambda: Team)
    challenge: Mapped[Challenge] = relationship(lambda: Challenge)


class Announcement(IdMixin, TimestampMixin, Model):
    __tablename__ = "idarathon_announcement"

    edition_id: Mapped[int] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    by_email: Mapped[bool] = mapped_column(default=True)

    challenge: Mapped[Challenge | None] = relationship(lambda: Challenge)
    author: Mapped["User | None"] = relationship("User")  # noqa: F821


class Question(IdMixin, TimestampMixin, Model):
    """The Q&A board of a challenge: once answered, every team reads question and answer."""

    __tablename__ = "idarathon_question"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("idarathon_challenge.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    challenge: Mapped[Challenge] = relationship(lambda: Challenge)
    asked_by: Mapped["User | None"] = relationship("User", foreign_keys=[asked_by_id])  # noqa: F821


class Notification(IdMixin, Model):
    __tablename__ = "idarathon_notification"
    __table_args__ = (Index("ix_idarathon_notification_user", "user_id", "read_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("idarathon_edition.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
