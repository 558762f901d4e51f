"""Tracking model (SN book, section 4.2): per learner, per activity tree.

Everything here serialises to/from plain JSON-able dicts (``to_dict``/``from_dict``)
so the player can persist it in a JSON column.  Durations are seconds (float).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional


@dataclass
class ObjectiveState:
    progress_status: bool = False
    satisfied_status: bool = False
    measure_status: bool = False
    normalized_measure: float = 0.0
    # 4th edition extended objective information (shared with adlseq maps)
    raw_score: Optional[float] = None
    min_score: Optional[float] = None
    max_score: Optional[float] = None
    completion_status: Optional[str] = None  # completed | incomplete | not attempted | None(unknown)
    progress_measure: Optional[float] = None

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, f.default)


@dataclass
class ActivityState:
    activity_progress_status: bool = False
    activity_attempt_count: int = 0
    activity_absolute_duration: float = 0.0
    activity_experienced_duration: float = 0.0
    attempt_progress_status: bool = False
    attempt_completion_status: bool = False
    attempt_completion_amount_status: bool = False
    attempt_completion_amount: float = 0.0
    attempt_absolute_duration: float = 0.0
    attempt_experienced_duration: float = 0.0
    is_active: bool = False
    is_suspended: bool = False
    # the content reported cmi.completion_status / cmi.success_status during the attempt
    # (even "unknown"): the End Attempt Process then keeps the status as reported
    attempt_started_at: float = 0.0  # epoch seconds while the activity is active
    attempt_stamp: int = 0  # order in which the current attempt began (useCurrentAttempt*Info)
    completion_reported: bool = False
    success_reported: bool = False
    available_children: Optional[list[str]] = None
    objectives: dict[str, ObjectiveState] = field(default_factory=dict)

    def reset_attempt_progress(self) -> None:
        self.attempt_progress_status = False
        self.attempt_completion_status = False
        self.attempt_completion_amount_status = False
        self.attempt_completion_amount = 0.0
        self.attempt_absolute_duration = 0.0
        self.attempt_experienced_duration = 0.0
        self.completion_reported = False
        self.success_reported = False

    def to_dict(self) -> dict:
        d = asdict(self)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ActivityState":
        d = dict(d)
        objs = {k: ObjectiveState(**v) for k, v in (d.pop("objectives", None) or {}).items()}
        known = {f.name for f in fields(cls)}
        s = cls(**{k: v for k, v in d.items() if k in known})
        s.objectives = objs
        return s


def empty_global_objective() -> dict:
    """A global (shared) objective record, every part unknown (None)."""
    return {
        "satisfied": None,
        "measure": None,
        "raw": None,
        "min": None,
        "max": None,
        "completion": None,
        "progress_measure": None,
    }


@dataclass
class TrackingState:
    """The whole run-time state of one learner on one activity tree."""

    activities: dict[str, ActivityState] = field(default_factory=dict)
    current_activity: Optional[str] = None
    suspended_activity: Optional[str] = None
    # global objectives when the organization has objectivesGlobalToSystem="false"
    # (otherwise the store passed by the caller, shared by every package of the learner)
    local_global_objectives: dict[str, dict] = field(default_factory=dict)
    # adl.data stores when sharedDataGlobalToSystem="false"
    local_shared_data: dict[str, Any] = field(default_factory=dict)
    session_active: bool = False
    initialised: bool = False
    attempt_counter: int = 0

    def act(self, activity_id: str) -> ActivityState:
        s = self.activities.get(activity_id)
        if s is None:
            s = self.activities[activity_id] = ActivityState()
        return s

    def copy(self) -> "TrackingState":
        """A deep copy, much faster than copy.deepcopy (used to evaluate requests on the side)."""
        acts = {}
        for k, v in self.activities.items():
            n = ActivityState.__new__(ActivityState)
            n.__dict__.update(v.__dict__)
            n.objectives = {ok: ObjectiveState(**ov.__dict__) for ok, ov in v.objectives.items()}
            if v.available_children is not None:
                n.available_children = list(v.available_children)
            acts[k] = n
        return TrackingState(
            activities=acts,
            current_activity=self.current_activity,
            suspended_activity=self.suspended_activity,
            local_global_objectives={k: dict(v) for k, v in self.local_global_objectives.items()},
            local_shared_data=dict(self.local_shared_data),
            session_active=self.session_active,
            initialised=self.initialised,
            attempt_counter=self.attempt_counter,
        )

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "activities": {k: v.to_dict() for k, v in self.activities.items()},
            "current_activity": self.current_activity,
            "suspended_activity": self.suspended_activity,
            "local_global_objectives": self.local_global_objectives,
            "local_shared_data": self.local_shared_data,
            "session_active": self.session_active,
            "initialised": self.initialised,
            "attempt_counter": self.attempt_counter,
        }

    @classmethod
    def from_dict(cls, d: Optional[dict]) -> "TrackingState":
        if not d:
            return cls()
        return cls(
            activities={k: ActivityState.from_dict(v) for k, v in (d.get("activities") or {}).items()},
            current_activity=d.get("current_activity"),
            suspended_activity=d.get("suspended_activity"),
            local_global_objectives=dict(d.get("local_global_objectives") or {}),
            local_shared_data=dict(d.get("local_shared_data") or {}),
            session_active=bool(d.get("session_active", False)),
            initialised=bool(d.get("initialised", False)),
            attempt_counter=int(d.get("attempt_counter", 0)),
        )
