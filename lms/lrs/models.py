"""LRS storage: statements (full JSON plus a few columns), the filter index (hashed keys for the
``agent``/``verb``/``activity``/``registration``/``related_*`` parameters), documents (State, Activity Profile,
Agent Profile), attachments, canonical activity definitions and LRS credentials.

Statements are ordered by ``pk`` (assigned at insertion, in ``stored`` order); the ``more`` cursor pins
an upper ``pk`` bound so paging never shows a statement twice or skips one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import JSONType, Model, UTCDateTime, utcnow

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BigInteger on PostgreSQL.
BigPK = BigInteger().with_variant(Integer(), "sqlite")


class Statement(Model):
    __tablename__ = "lrs_statement"
    __table_args__ = (
        Index("ix_lrs_statement_stored", "stored"),
        # Partial: almost no statement targets another, and a full index would be written on every insert.
        Index("ix_lrs_statement_ref", "ref_id", sqlite_where=text("ref_id IS NOT NULL"),
              postgresql_where=text("ref_id IS NOT NULL")),
    )

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    verb_iri: Mapped[str] = mapped_column(String(2048))
    actor_ifi: Mapped[str | None] = mapped_column(String(2048))
    object_type: Mapped[str] = mapped_column(String(16))   # Activity, Agent, Group, StatementRef, SubStatement
    object_iri: Mapped[str | None] = mapped_column(String(2048))  # activity id, agent IFI or referenced id
    registration: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    ref_id: Mapped[str | None] = mapped_column(String(36))   # the statement a StatementRef object targets
    credential_id: Mapped[int | None] = mapped_column(Integer)  # who sent it (None: the LMS itself)
    data: Mapped[dict] = mapped_column(JSONType)  # the statement as stored (id, stored, authority, version)
    has_attachments: Mapped[bool] = mapped_column(Boolean, default=False)


class StatementKey(Model):
    """The filter index: one row per value a statement matches, as a 64-bit hash of ``kind|value``.

    Kinds: ``v`` verb, ``r`` registration, ``a`` agent as actor/object, ``A`` agent found elsewhere only
    (related_agents looks for ``a`` or ``A``), ``o`` activity as object, ``O`` activity found elsewhere only
    (related_activities looks for ``o`` or ``O``). Keying each agent or activity once keeps a statement to
    about five keys, which is what bounds ingest (each distinct key dirties its own index page). A statement
    whose object is a StatementRef also carries every key of the statement it targets (the spec's filter
    rule for StatementRefs), so each exact query parameter is one indexed join whatever the combination.

    The primary key (key_hash, statement_pk) is the lookup index itself; on SQLite the table is WITHOUT
    ROWID, so each filter key costs one B-tree insert instead of a row plus an index entry."""

    __tablename__ = "lrs_statement_key"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    statement_pk: Mapped[int] = mapped_column(BigPK, ForeignKey("lrs_statement.pk", ondelete="CASCADE"),
                                              primary_key=True, index=True)


class Attachment(Model):
    """Attachment payloads, content-addressed by their SHA-2 (as the statement's ``sha2`` names them)."""

    __tablename__ = "lrs_attachment"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActivityDefinition(Model):
    """The canonical (merged) definition of an activity, served by the Activities resource."""

    __tablename__ = "lrs_activity"

    iri: Mapped[str] = mapped_column(String(2048), primary_key=True)
    definition: Mapped[dict] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Model):
    """State, Activity Profile and Agent Profile documents (``kind``: state, activity, agent)."""

    __tablename__ = "lrs_document"
    __table_args__ = (
        UniqueConstraint("kind", "activity_iri", "agent_ifi", "registration", "doc_id",
                         name="uq_lrs_document_key"),
        Index("ix_lrs_document_lookup", "kind", "activity_iri", "agent_ifi", "registration", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    activity_iri: Mapped[str] = mapped_column(String(2048), default="")   # "" when not applicable
    agent_ifi: Mapped[str] = mapped_column(String(2048), default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    doc_id: Mapped[str] = mapped_column(String(2048))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Credential(Model):
    """HTTP Basic credentials for the xAPI endpoint (key/secret), with scopes and an authority agent.

    Launch credentials (``user_id`` set) act for one learner and one registration, and expire."""

    __tablename__ = "lrs_credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))   # sha256 of a random 256-bit secret
    name: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    authority: Mapped[dict] = mapped_column(JSONType)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    actor: Mapped[dict | None] = mapped_column(JSONType)        # launch credentials: the only actor allowed
    registration: Mapped[str | None] = mapped_column(String(36))
    activity_iri: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
