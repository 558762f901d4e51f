"""Database: one declarative base with a naming convention, shared mixins and portable types.

Everything here must behave the same on SQLite (embedded default) and PostgreSQL (production).
"""
from __future__ import annotations

import uuid as uuid_module
from contextvars import ContextVar
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Enum, MetaData, String, event, types
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names, so Alembic can alter them on both engines (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
Model = db.Model

# JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


def enum_column(enum_class, name: str) -> Enum:
    """An enum stored as its values in a plain string column: portable across both engines and extended
    by a migration without ALTER TYPE."""
    return Enum(enum_class, name=name, native_enum=False, length=32,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(types.TypeDecorator):
    """Timezone-aware UTC datetimes on both engines (SQLite has no timezone support)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class UUIDMixin:
    """A stable public identifier (xAPI actor names, activity IRIs, export keys)."""

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL (readers never block the writer), foreign keys on, and a busy timeout for concurrent writers."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    # We issue BEGIN ourselves (below): pysqlite's implicit deferred BEGIN lets two writers both read, then
    # one fails with "database is locked" when upgrading; BEGIN IMMEDIATE makes writers queue instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# How SQLite transactions begin in this context. Requests, workers and CLI commands take the write lock
# up front (IMMEDIATE); a test body that only reads and commits before each request may use DEFERRED.
sqlite_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_begin_mode.get() == "IMMEDIATE" else "BEGIN")


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def lock_for_update(query):
    """SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers already (BEGIN IMMEDIATE)."""
    if is_postgres():
        return query.with_for_update()
    return query
