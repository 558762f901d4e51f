"""Portal content: about pages, news posts, campaigns, newsletter subscriptions, contact messages."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, utcnow
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized




class AboutPage(IdMixin, TimestampMixin, Model):
    __tablename__ = "portal_about_page"

    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)
    summary: Mapped[dict | None] = mapped_column(JSONType)
    body: Mapped[dict] = mapped_column(JSONType, default=dict)        # sanitised HTML per language
    image_digest: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=True)
    # Special sections rendered from live data under the body ("administrations", "modules").
    widget: Mapped[str | None] = mapped_column(String(32))

    @property
    def display_title(self) -> str:
        return localized(self.title)


class PostCategory(enum.Enum):
    event = "event"
    training = "training"
    idarathon = "idarathon"
    publication = "publication"
    milestone = "milestone"

    @property
    def title(self):
        return {PostCategory.event: _l("Event"), PostCategory.training: _l("Training"),
                PostCategory.idarathon: _l("Idarathon"), PostCategory.publication: _l("Publication"),
                PostCategory.milestone: _l("Milestone")}[self]


class NewsPost(IdMixin, TimestampMixin, Model):
    __tablename__ = "portal_news_post"
    __table_args__ = (Index("ix_portal_news_post_visible", "is_published", "published_at"),)

    slug: Mapped[str] = mapped_column(String(150), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)
    body: Mapped[dict] = mapped_column(JSONType, default=dict)
    cover_digest: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[PostCategory] = mapped_column(_enum(PostCategory, "post_category"), default=PostCategory.event)
    # Visible once published AND its publication date has come (a future post stays hidden).
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optional link to something else of the platform: ("training_event" | "idarathon_edition" |
    # "knowledge_resource", id) or a plain URL.
    related_kind: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[int | None] = mapped_column()
    related_url: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def display_title(self) -> str:
        return localized(self.title)

    def languages(self) -> list[str]:
        return [lang for lang in ("ar", "fr", "en") if (self.title or {}).get(lang)]


class CampaignAudience(enum.Enum):
    everyone = "everyone"
    administration = "administration"
    course = "course"

    @property
    def title(self):
        return {CampaignAudience.everyone: _l("Everyone"),
                CampaignAudience.administration: _l("The staff of one administration"),
                CampaignAudience.course: _l("The learners of one course")}[self]


class Campaign(IdMixin, TimestampMixin, Model):
    """An awareness banner shown to an audience for a period."""

    __tablename__ = "portal_campaign"

    title: Mapped[dict] = mapped_column(JSONType)
    text: Mapped[dict] = mapped_column(JSONType, default=dict)
    link_url: Mapped[str | None] = mapped_column(String(500))
    link_label: Mapped[dict | None] = mapped_column(JSONType)
    audience: Mapped[CampaignAudience] = mapped_column(_enum(CampaignAudience, "campaign_audience"),
                                                      default=CampaignAudience.everyone)
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)


class CampaignDismissal(IdMixin, Model):
    __tablename__ = "portal_campaign_dismissal"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("portal_campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NewsletterSubscription(IdMixin, TimestampMixin, Model):
    __tablename__ = "portal_newsletter_subscription"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    subscribed: Mapped[bool] = mapped_column(default=True)
    user: Mapped["User"] = relationship("User")  # noqa: F821


class Newsletter(IdMixin, TimestampMixin, Model):
    __tablename__ = "portal_newsletter"

    subject: Mapped[dict] = mapped_column(JSONType)
    body: Mapped[dict] = mapped_column(JSONType)      # plain text per language
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ContactMessage(IdMixin, Model):
    __tablename__ = "portal_contact_message"
    __table_args__ = (Index("ix_portal_contact_message_sender", "sender_key", "created_at"),)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    # A keyed hash of the sender's address (rate limiting without keeping raw IP addresses).
    sender_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled: Mapped[bool] = mapped_column(default=False)
