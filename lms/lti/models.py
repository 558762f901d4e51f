"""LTI 1.3 Advantage and LTI 1.1: registrations, launch state, links and grade targets.

Everything a launch needs between two HTTP requests lives here, never in process memory or on the local
disk: any web process on any host can answer the OIDC login, and another one the launch.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, utcnow


class LtiToolKey(IdMixin, Model):
    """Our RSA signing keys. One is current; retired ones stay in the JWKS until platforms stop using them."""

    __tablename__ = "lti_tool_key"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # None = the current key
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LtiPlatform(IdMixin, TimestampMixin, Model):
    """A platform registration, keyed by (issuer, client_id): Canvas uses one issuer for every tenant."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    name: Mapped[str] = mapped_column(String(255), default="")
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    auth_audience: Mapped[str | None] = mapped_column(String(1024))
    jwks_url: Mapped[str] = mapped_column(String(1024))
    jwks: Mapped[dict | None] = mapped_column(JSONType)         # cached key set, refreshed on unknown kid
    jwks_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    role_map: Mapped[dict] = mapped_column(JSONType, default=dict)  # LIS role URI → course role override
    default_course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)

    deployments: Mapped[list[LtiDeployment]] = relationship(back_populates="platform", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.issuer} {self.client_id}>"


class LtiDeployment(IdMixin, Model):
    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiLoginState(IdMixin, Model):
    """One OIDC login: the state, its nonce and the browser it was started in (single use)."""

    __tablename__ = "lti_login_state"
    __table_args__ = (Index("ix_lti_login_state_expires", "expires_at"),)

    state: Mapped[str] = mapped_column(String(96), unique=True)
    nonce: Mapped[str] = mapped_column(String(96), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    # sha256 of the secret kept by the browser (cookie, or the platform's storage when cookies are blocked)
    browser_secret_hash: Mapped[str] = mapped_column(String(64))
    storage_target: Mapped[str | None] = mapped_column(String(255))
    storage_origin: Mapped[str | None] = mapped_column(String(255))
    target_link_uri: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LtiUsedToken(IdMixin, Model):
    """id_tokens already accepted (by nonce and jti): a replay is refused even with a fresh state."""

    __tablename__ = "lti_used_token"

    token_key: Mapped[str] = mapped_column(String(64), unique=True)   # sha256(issuer | nonce-or-jti)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiLaunch(IdMixin, Model):
    """Validated launch data kept server side (deep-linking choice, continue-in-new-window ticket)."""

    __tablename__ = "lti_launch"

    launch_id: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(JSONType)
    landing_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Verified through the platform's storage (no cookie in the iframe): may continue once in a new window.
    via_platform_storage: Mapped[bool] = mapped_column(default=False)
    continued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deep_link_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LtiUserLink(IdMixin, Model):
    """The platform user (issuer + sub) → our account."""

    __tablename__ = "lti_user_link"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("lti_platform.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship("User")  # noqa: F821


class LtiContext(IdMixin, TimestampMixin, Model):
    """A platform course (context) → one of our courses."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(255))
    memberships_url: Mapped[str | None] = mapped_column(String(2048))
    lineitems_url: Mapped[str | None] = mapped_column(String(2048))
    ags_scopes: Mapped[list] = mapped_column(JSONType, default=list)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optional narrowing set by an administrator: launches land on this section of the course (the
    # enrolment is still in the whole course), and enrolments made through this context carry the cohort.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("course_section.id", ondelete="SET NULL"))
    cohort: Mapped[str | None] = mapped_column(String(100))

    platform: Mapped[LtiPlatform] = relationship()
    course: Mapped["Course | None"] = relationship("Course")  # noqa: F821
    section: Mapped["Section | None"] = relationship("Section")  # noqa: F821


class LtiEnrolmentCohort(IdMixin, TimestampMixin, Model):
    """The cohort an enrolment came through (a platform context linked with a cohort tag). Kept here rather
    than on ``Enrolment`` so the courses area stays unaware of LTI; reports join on ``enrolment_id``."""

    __tablename__ = "lti_enrolment_cohort"
    __table_args__ = (UniqueConstraint("enrolment_id", "context_pk"),
                      Index("ix_lti_enrolment_cohort_course", "course_id", "cohort"))

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    cohort: Mapped[str] = mapped_column(String(100))

    enrolment: Mapped["Enrolment"] = relationship("Enrolment")  # noqa: F821


class LtiResourceLink(IdMixin, TimestampMixin, Model):
    """A placement on the platform (resource_link.id) → our course or activity, with its line item."""

    __tablename__ = "lti_resource_link"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_pk: Mapped[int | None] = mapped_column(ForeignKey("lti_context.id", ondelete="SET NULL"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(String(2048))
    ags_scopes: Mapped[list] = mapped_column(JSONType, default=list)


class LtiGradeTarget(IdMixin, Model):
    """Where a learner's result on an activity goes back to (AGS line item or LTI 1.1 outcome service)."""

    __tablename__ = "lti_grade_target"
    __table_args__ = (UniqueConstraint("user_id", "activity_id", "source_key", "resource_link_id"),)

    # "p<platform id>" or "c<consumer id>": NULLs would defeat the unique constraint on PostgreSQL
    source_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    sub: Mapped[str | None] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(String(2048))
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("lti_consumer.id", ondelete="CASCADE"))
    outcome_url: Mapped[str | None] = mapped_column(String(2048))
    result_sourcedid: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LtiAccessToken(IdMixin, Model):
    """Client-credentials tokens, shared by every worker until they expire."""

    __tablename__ = "lti_access_token"
    __table_args__ = (UniqueConstraint("platform_id", "scope_key"),)

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(64))
    access_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LtiRegistrationInvite(IdMixin, Model):
    """A one-time Dynamic Registration URL created by one of our administrators."""

    __tablename__ = "lti_registration_invite"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("lti_platform.id", ondelete="SET NULL"))


class LtiConsumer(IdMixin, TimestampMixin, Model):
    """An LTI 1.1 tool consumer (OAuth 1.0a key and shared secret)."""

    __tablename__ = "lti_consumer"

    key: Mapped[str] = mapped_column(String(255), unique=True)
    secret: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    role_map: Mapped[dict] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(default=True)


class LtiConsumerNonce(IdMixin, Model):
    __tablename__ = "lti_consumer_nonce"
    __table_args__ = (UniqueConstraint("consumer_id", "nonce"),)

    consumer_id: Mapped[int] = mapped_column(ForeignKey("lti_consumer.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(255))
    timestamp: Mapped[int] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiConsumerContext(IdMixin, Model):
    """LTI 1.1 context and resource link → course/activity (one table: 1.1 has no deep linking)."""

    __tablename__ = "lti_consumer_link"
    __table_args__ = (UniqueConstraint("consumer_id", "kind", "remote_id"),)

    consumer_id: Mapped[int] = mapped_column(ForeignKey("lti_consumer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))   # "context" | "resource"
    remote_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
