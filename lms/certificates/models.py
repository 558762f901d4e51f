"""Issued certificates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, UTCDateTime, UUIDMixin, utcnow


class Certificate(IdMixin, UUIDMixin, Model):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "source_key"),)

    # Short public code printed on the PDF and checked on /certificates/verify/<code>.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))          # "course", "training", "idarathon", ...
    subject_title: Mapped[dict] = mapped_column(JSONType)  # {"ar": ..., "fr": ...}
    # What the certificate is for, unique per person: "course:12", "session:4"... (issuing twice returns it).
    source_key: Mapped[str | None] = mapped_column(String(100))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    holder_name: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(8), default="ar")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)   # e.g. {"grade": "85 %", "hours": 12}
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship("User")  # noqa: F821
