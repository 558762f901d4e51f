"""Knowledge base: resources with language versions, taxonomy, workflow history, engagement."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, Enum, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, UUIDMixin, new_uuid, utcnow
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized




class ResourceKind(enum.Enum):
    good_practice = "good_practice"
    success_story = "success_story"
    lesson_learned = "lesson_learned"
    guide = "guide"
    video = "video"
    toolkit = "toolkit"
    link = "link"

    @property
    def title(self):
        return {ResourceKind.good_practice: _l("Good practice"), ResourceKind.success_story: _l("Success story"),
                ResourceKind.lesson_learned: _l("Lesson learned"), ResourceKind.guide: _l("Guide or document"),
                ResourceKind.video: _l("Video"), ResourceKind.toolkit: _l("Toolkit or template"),
                ResourceKind.link: _l("External link")}[self]


class ResourceStatus(enum.Enum):
    draft = "draft"
    in_review = "in_review"
    published = "published"
    archived = "archived"

    @property
    def title(self):
        return {ResourceStatus.draft: _l("Draft"), ResourceStatus.in_review: _l("In review"),
                ResourceStatus.published: _l("Published"), ResourceStatus.archived: _l("Archived")}[self]


class Workstream(IdMixin, Model):
    """The programme's reform workstreams (taxonomy)."""

    __tablename__ = "knowledge_workstream"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def display_name(self) -> str:
        return localized(self.name)


class KnowledgeTag(IdMixin, Model):
    __tablename__ = "knowledge_tag"

    name: Mapped[str] = mapped_column(String(80), unique=True)


resource_workstreams = Table(
    "knowledge_resource_workstream", Model.metadata,
    Column("resource_id", ForeignKey("knowledge_resource.id", ondelete="CASCADE"), primary_key=True),
    Column("workstream_id", ForeignKey("knowledge_workstream.id", ondelete="CASCADE"), primary_key=True, index=True),
)
resource_tags = Table(
    "knowledge_resource_tag", Model.metadata,
    Column("resource_id", ForeignKey("knowledge_resource.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("knowledge_tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)
resource_administrations = Table(
    "knowledge_resource_administration", Model.metadata,
    Column("resource_id", ForeignKey("knowledge_resource.id", ondelete="CASCADE"), primary_key=True),
    Column("administration_id", ForeignKey("administration.id", ondelete="CASCADE"), primary_key=True, index=True),
)
resource_topics = Table(
    "knowledge_resource_topic", Model.metadata,
    Column("resource_id", ForeignKey("knowledge_resource.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("course_category.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class KnowledgeResource(IdMixin, UUIDMixin, TimestampMixin, Model):
    """One language version of a resource; versions of the same resource share ``translation_group``."""

    __tablename__ = "knowledge_resource"
    __table_args__ = (Index("ix_knowledge_resource_listing", "status", "published_at"),
                      UniqueConstraint("translation_group", "language"))

    translation_group: Mapped[str] = mapped_column(String(36), default=new_uuid, index=True)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    kind: Mapped[ResourceKind] = mapped_column(_enum(ResourceKind, "knowledge_kind"))
    status: Mapped[ResourceStatus] = mapped_column(_enum(ResourceStatus, "knowledge_status"),
                                                   default=ResourceStatus.draft)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")           # sanitised HTML
    authors: Mapped[str] = mapped_column(String(500), default="")
    year: Mapped[int | None] = mapped_column(Integer, index=True)  # when the practice/story took place
    external_url: Mapped[str | None] = mapped_column(String(1000))
    video_url: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    view_count: Mapped[int] = mapped_column(default=0)
    rating_count: Mapped[int] = mapped_column(default=0)
    rating_average: Mapped[float | None] = mapped_column(Float)
    revision_number: Mapped[int] = mapped_column(default=0)

    workstreams: Mapped[list[Workstream]] = relationship(secondary=resource_workstreams, order_by="Workstream.position")
    tags: Mapped[list[KnowledgeTag]] = relationship(secondary=resource_tags, order_by="KnowledgeTag.name")
    administrations: Mapped[list["Administration"]] = relationship(  # noqa: F821
        "Administration", secondary=resource_administrations)
    topics: Mapped[list["Category"]] = relationship("Category", secondary=resource_topics)  # noqa: F821
    attachments: Mapped[list[KnowledgeAttachment]] = relationship(back_populates="resource", cascade="all, delete-orphan",
                                                         order_by="KnowledgeAttachment.id")
    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<KnowledgeResource {self.id} {self.language} {self.status.value}>"


class KnowledgeAttachment(IdMixin, TimestampMixin, Model):
    __tablename__ = "knowledge_attachment"

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    extracted_text: Mapped[str] = mapped_column(Text, default="")   # searchable text (PDF, office files)

    resource: Mapped[KnowledgeResource] = relationship(back_populates="attachments")


class KnowledgeRevision(IdMixin, Model):
    """A snapshot taken at every save, so any earlier version can be restored."""

    __tablename__ = "knowledge_revision"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    snapshot: Mapped[dict] = mapped_column(JSONType)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped["User | None"] = relationship("User")  # noqa: F821


class KnowledgeTransition(IdMixin, Model):
    """Workflow history: who moved the resource from which status to which, and why."""

    __tablename__ = "knowledge_transition"

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped["User | None"] = relationship("User")  # noqa: F821


class KnowledgeRating(IdMixin, Model):
    __tablename__ = "knowledge_rating"
    __table_args__ = (UniqueConstraint("resource_id", "user_id"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    stars: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentStatus(enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class KnowledgeComment(IdMixin, Model):
    __tablename__ = "knowledge_comment"
    __table_args__ = (Index("ix_knowledge_comment_resource_status", "resource_id", "status"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(_enum(CommentStatus, "knowledge_comment_status"),
                                                  default=CommentStatus.pending)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    user: Mapped["User"] = relationship("User", foreign_keys=[user_id])  # noqa: F821
    resource: Mapped[KnowledgeResource] = relationship()


class KnowledgeBookmark(IdMixin, Model):
    __tablename__ = "knowledge_bookmark"
    __table_args__ = (UniqueConstraint("user_id", "resource_id"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resource: Mapped[KnowledgeResource] = relationship()


class SearchDocument(Model):
    """The search index of a published resource.

    PostgreSQL: ``document`` is a tsvector (GIN index) built from the normalised text. SQLite: this table
    keeps the normalised text, and the FTS5 table ``knowledge_fts`` (created beside it) indexes it.
    """

    __tablename__ = "knowledge_search_document"
    __table_args__ = (Index("ix_knowledge_search_document_tsv", "document", postgresql_using="gin"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("knowledge_resource.id", ondelete="CASCADE"), primary_key=True)
    normalized: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


class ResourceActivity(Model):
    """A course activity showing a knowledge-base resource (it follows the resource's updates)."""

    __tablename__ = "knowledge_activity"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    translation_group: Mapped[str] = mapped_column(String(36), index=True)
