"""The one service results flow through (DESIGN.md §1).

An activity type reports "learner L reached completion C and score S on activity A" by calling
:func:`report_result`. It updates the learner's :class:`ActivityResult` (what completion and the
gradebook read) and then sends :data:`result_recorded`; LTI grade passback, certificates, course
completion and xAPI statements listen to that signal. A type never calls those listeners itself.
"""
from __future__ import annotations

from datetime import datetime

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.db import db, utcnow

from .models import Activity, ActivityResult

_signals = Namespace()
# sender: the Activity; keyword arguments: user, result (ActivityResult), changed (set of field names)
result_recorded = _signals.signal("activity-result-recorded")


def get_result(activity: Activity, user) -> ActivityResult | None:
    return db.session.scalar(select(ActivityResult).where(ActivityResult.activity_id == activity.id,
                                                          ActivityResult.user_id == user.id))


def _get_or_create(activity: Activity, user) -> ActivityResult:
    result = get_result(activity, user)
    if result is not None:
        return result
    try:
        with db.session.begin_nested():
            result = ActivityResult(activity_id=activity.id, user_id=user.id, details={})
            db.session.add(result)
    except IntegrityError:  # created concurrently by another request
        result = get_result(activity, user)
    return result


def rule_satisfied(activity: Activity, result: ActivityResult) -> bool:
    rule = activity.completion_rule or "none"
    if rule == "none":
        return False
    if rule == "viewed":
        return result.viewed_at is not None or bool(result.completed) or bool(result.passed)
    if rule == "completed":
        return bool(result.completed) or bool(result.passed)
    if rule == "passed":
        return bool(result.passed)
    if rule == "grade":
        score = result.effective_score
        return score is not None and activity.completion_min_grade is not None and \
            score * 100 >= activity.completion_min_grade - 1e-9
    raise ValueError(f"unknown completion rule {rule!r}")


def report_result(activity: Activity, user, *, viewed: bool = False, completed: bool | None = None,
                  passed: bool | None = None, score: float | None = None, raw: float | None = None,
                  max: float | None = None, duration: float | None = None, when: datetime | None = None,
                  details: dict | None = None) -> ActivityResult:
    """Record what a learner reached; ``score`` is scaled 0..1. ``None`` leaves a field unchanged.

    A later, lower report never un-completes an activity: completion is recorded once, with its date.
    """
    if score is not None and not (0.0 <= score <= 1.0):
        raise ValueError("score must be scaled between 0 and 1")
    when = when or utcnow()
    result = _get_or_create(activity, user)
    changed: set[str] = set()

    def assign(field: str, value) -> None:
        if value is not None and getattr(result, field) != value:
            setattr(result, field, value)
            changed.add(field)

    if viewed and result.viewed_at is None:
        result.viewed_at = when
        changed.add("viewed_at")
    assign("completed", completed)
    assign("passed", passed)
    assign("score", score)
    assign("score_raw", raw)
    assign("score_max", max)
    assign("duration_seconds", duration)
    if details:
        result.details = {**(result.details or {}), **details}
        changed.add("details")
    if not result.is_complete and rule_satisfied(activity, result):
        result.is_complete = True
        result.completed_at = when
        changed.add("is_complete")
    result.updated_at = when
    db.session.flush()
    if changed:
        result_recorded.send(activity, user=user, result=result, changed=changed)
    return result


def record_view(activity: Activity, user) -> ActivityResult:
    return report_result(activity, user, viewed=True)


def reset_result(activity: Activity, user, *, when: datetime | None = None) -> ActivityResult | None:
    """Drop what the learner reached on the activity (an instructor voided their attempts): completion,
    pass/fail, score and duration are cleared, the view and any gradebook override are kept. Listeners
    get :data:`result_recorded` with ``"reset"`` in ``changed`` (progress and course grade are recomputed,
    LTI posts the cleared score). A course completion already recorded stays recorded."""
    result = get_result(activity, user)
    if result is None:
        return None
    when = when or utcnow()
    changed = {"reset"}
    for field, empty in (("completed", None), ("passed", None), ("score", None), ("score_raw", None),
                         ("score_max", None), ("duration_seconds", None), ("is_complete", False),
                         ("completed_at", None)):
        if getattr(result, field) != empty:
            setattr(result, field, empty)
            changed.add(field)
    result.details = {"reset_at": when.isoformat()}
    result.updated_at = when
    db.session.flush()
    result_recorded.send(activity, user=user, result=result, changed=changed)
    return result
