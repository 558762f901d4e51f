"""Builders for training-management test data (flush only)."""
from __future__ import annotations

from datetime import timedelta

from lms.core.db import utcnow
from lms.sessions import services
from lms.sessions.models import ApprovalMode, EventStatus


def make_event(*, organiser=None, approval: str = "none", status: str = "published", **fields):
    fields.setdefault("title", {"ar": "تكوين في الأمن السيبراني", "fr": "Formation cybersécurité",
                                "en": "Cybersecurity training"})
    fields.setdefault("withdrawal_cutoff_hours", 24)
    return services.create_event(organiser=organiser, approval_mode=ApprovalMode(approval),
                                 status=EventStatus(status), **fields)


def make_session(event, *, days: float = 10, hours: float = 3, capacity: int = 10, **fields):
    start = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    return services.add_session(event, start, start + timedelta(hours=hours), capacity=capacity, **fields)
