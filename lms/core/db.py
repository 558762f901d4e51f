"""Database: one declarative base with a naming convention, shared mixins and portable types.

Everything here must behave the same on SQLite (embedded default) and PostgreSQL (production).
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import time
import uuid as uuid_module
from contextvars import ContextVar
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Enum, MetaData, String, event, types
from sqlalchemy import exc as sa_exc
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
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We issue BEGIN ourselves (below): pysqlite's implicit deferred BEGIN lets two writers both read, then
    # one fails with "database is locked" when upgrading; BEGIN IMMEDIATE makes writers queue instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if isinstance(dbapi_connection, QueuedWriterConnection):  # it checkpoints outside the writers' queue
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


# How SQLite transactions begin in this context. Requests, workers and CLI commands take the write lock
# up front (IMMEDIATE); a test body that only reads and commits before each request may use DEFERRED.
sqlite_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


# Seconds between the passive WAL checkpoints a writing connection runs after its commits; SQLite's own
# checkpoint (inside a commit) only starts past WAL_AUTOCHECKPOINT_PAGES, which steady writers never reach.
CHECKPOINT_INTERVAL = 0.25
WAL_AUTOCHECKPOINT_PAGES = 8000


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an exclusive ``flock`` before BEGIN IMMEDIATE.

    SQLite lets one writer in at a time and makes the others poll with sleeps that grow to 100 ms (its busy
    handler), so under steady concurrent writes most of a worker's time goes to sleeping while the lock is
    free. The kernel wakes a ``flock`` waiter the moment the holder lets go, so writers from every process
    and thread on the host take turns without idle gaps. The flock only orders writers: SQLite's own lock
    still guarantees correctness (a DEFERRED transaction that writes, or a process that ignores the file,
    is serialised by SQLite as before). The lock is released when the transaction ends (commit, rollback,
    close) and by the kernel if the process dies. Selected by ``create_app`` for file databases."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database) if isinstance(database, (str, os.PathLike)) else ""
        self._queue_path = None if path in ("", ":memory:") or path.startswith("file:") else path + "-writers"
        self._queue_fd: int | None = None
        self._queued = False
        self._last_checkpoint = time.monotonic()

    def enter_write_queue(self) -> None:
        if self._queue_path is None or self._queued:
            return
        if self._queue_fd is None:
            self._queue_fd = os.open(self._queue_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._queued = True

    def _leave_write_queue(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self):
        wrote = self._queued
        try:
            super().commit()
        finally:
            self._leave_write_queue()
        if wrote:
            self._checkpoint_outside_queue()

    def _checkpoint_outside_queue(self) -> None:
        """Copy the WAL back into the database now and then, after leaving the queue: SQLite's automatic
        checkpoint runs inside the committing writer's turn (and so inside every other writer's wait); a
        passive one here overlaps with the next writer. The automatic one stays as a backstop."""
        now = time.monotonic()
        if now - self._last_checkpoint >= CHECKPOINT_INTERVAL:
            self._last_checkpoint = now
            self.execute("PRAGMA wal_checkpoint(PASSIVE)").close()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._leave_write_queue()

    def close(self):
        try:
            super().close()
        finally:
            self._leave_write_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        # Straight to the driver: this runs at the start of every transaction.
        dbapi_connection = conn.connection.dbapi_connection
        immediate = sqlite_begin_mode.get() == "IMMEDIATE"
        queued = immediate and isinstance(dbapi_connection, QueuedWriterConnection)
        if queued:
            dbapi_connection.enter_write_queue()
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN").close()
        except sqlite3.Error as error:
            if queued:
                dbapi_connection._leave_write_queue()
            raise sa_exc.OperationalError("BEGIN", (), error) from error


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def lock_for_update(query):
    """SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers already (BEGIN IMMEDIATE)."""
    if is_postgres():
        return query.with_for_update()
    return query
