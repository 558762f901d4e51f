"""Durable side effects (DESIGN.md §3).

A message to another system is written to ``outbox_message`` in the same transaction as the change
that causes it; ``lms worker`` (or :func:`process_due` in tests) delivers it, retries with exponential
backoff, and marks it delivered. On PostgreSQL workers claim rows with ``FOR UPDATE SKIP LOCKED`` so
several workers on several hosts share the work without sending anything twice.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .db import IdMixin, JSONType, Model, UTCDateTime, db, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
_handlers: dict[str, Callable[[dict], None]] = {}


class OutboxMessage(IdMixin, Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "delivered_at", "due_at"),)

    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSONType)
    # Optional: the same logical message enqueued twice is stored once.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up after MAX_ATTEMPTS


MAX_ATTEMPTS = 25


def outbox_handler(kind: str):
    def decorator(func: Callable[[dict], None]):
        _handlers[kind] = func
        return func

    return decorator


def enqueue(kind: str, payload: dict, dedupe_key: str | None = None, delay: timedelta | None = None) -> OutboxMessage:
    """Queue a side effect in the current transaction (flush only)."""
    if dedupe_key is not None:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    message = OutboxMessage(kind=kind, payload=payload, dedupe_key=dedupe_key,
                            due_at=utcnow() + (delay or timedelta(0)))
    db.session.add(message)
    db.session.flush()
    return message


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


def _claim(limit: int, now: datetime) -> list[OutboxMessage]:
    query = (select(OutboxMessage)
             .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None),
                    OutboxMessage.due_at <= now)
             .order_by(OutboxMessage.due_at, OutboxMessage.id)
             .limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def process_due(limit: int = 100, kinds: set[str] | None = None) -> int:
    """Deliver due messages one transaction each; returns how many were delivered."""
    delivered = 0
    now = utcnow()
    claimed_ids = [m.id for m in _claim(limit, now)]
    db.session.rollback()
    for message_id in claimed_ids:
        # Re-claim each row in its own transaction so a slow delivery holds one row lock only.
        query = select(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.delivered_at.is_(None))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message = db.session.scalar(query)
        if message is None or (kinds and message.kind not in kinds):
            db.session.rollback()
            continue
        handler = _handlers.get(message.kind)
        try:
            if handler is None:
                raise LookupError(f"no outbox handler for {message.kind!r}")
            handler(dict(message.payload))
        except Exception as error:  # noqa: BLE001 — any failure is retried later
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.failed_at = utcnow()
            else:
                message.due_at = utcnow() + backoff(message.attempts)
            log.warning("outbox %s #%s failed (attempt %s): %s", message.kind, message.id,
                        message.attempts, message.last_error)
        else:
            message.attempts += 1
            message.delivered_at = utcnow()
            message.last_error = None
            delivered += 1
        db.session.commit()
    return delivered


def run_worker(poll_seconds: float = 2.0, once: bool = False) -> None:
    log.info("outbox worker started")
    while True:
        try:
            count = process_due()
        except Exception:  # noqa: BLE001 — the worker must survive a database restart
            log.exception("outbox worker iteration failed")
            db.session.rollback()
            count = 0
        if once:
            return
        if count == 0:
            time.sleep(poll_seconds)
