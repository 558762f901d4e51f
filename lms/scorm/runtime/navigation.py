"""Navigation between the SCOs of an attempt.

SCORM 2004 packages go through the sequencing engine's facade (``lms.scorm.sequencing``). SCORM 1.2
packages, and 2004 packages whose tree the engine cannot build, use :class:`FlowNavigator`: flow
(previous/continue in tree order) and choice over the launchable items. Both answer the same calls.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class NavOutcome:
    valid: bool
    delivered: str | None = None
    ended: bool = False
    exception: str | None = None
    target: str | None = None  # the item a refused request named


@dataclass
class TocRow:
    id: str
    title: str
    depth: int
    launchable: bool
    visible: bool = True
    enabled: bool = True
    current: bool = False
    completed: bool | None = None
    satisfied: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class FlowNavigator:
    """Flow and choice over the launchable items, in tree order."""

    items: list  # ScormItem rows of the organization, in tree order
    state: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)  # item id -> (completed, satisfied[, 1.2 lesson_status])

    uses_engine = False

    @property
    def _launchable(self) -> list[str]:
        return [item.identifier for item in self.items if item.launch_url]

    @property
    def current(self) -> str | None:
        return self.state.get("current")

    @property
    def attempt_limit(self) -> int | None:
        return None

    # -- SCORM 1.2 adlcp:prerequisites ----------------------------------------------------------------
    def status_of(self, item_id: str) -> str:
        """The item's lesson status; an aggregation (block) is completed when all its SCOs are."""
        entry = self.statuses.get(item_id)
        if entry is not None:
            completed, satisfied = entry[0], entry[1]
            lesson_status = entry[2] if len(entry) > 2 else None
            if lesson_status and lesson_status != "not attempted" and completed == (
                    lesson_status in ("completed", "passed", "failed")):
                return lesson_status
            if satisfied is True:
                return "passed"
            if satisfied is False:
                return "failed"
            return "completed" if completed else "incomplete"
        children = [item.identifier for item in self.items if item.parent_identifier == item_id]
        if not children:
            return "not attempted"
        statuses = [self.status_of(child) for child in children]
        if all(status in ("passed", "completed") for status in statuses):
            return "failed" if "failed" in statuses else "completed"
        return "not attempted" if all(status == "not attempted" for status in statuses) else "incomplete"

    def available(self, item_id: str) -> bool:
        """False when the item's (or one of its parents') prerequisites are not met."""
        from .prerequisites import prerequisites_met

        by_id = {item.identifier: item for item in self.items}
        known = set(by_id)
        item = by_id.get(item_id)
        while item is not None:
            if not prerequisites_met(getattr(item, "prerequisites", None), self.status_of, known):
                return False
            item = by_id.get(item.parent_identifier) if item.parent_identifier else None
        return True

    def start(self) -> NavOutcome:
        ids = self._launchable
        if not ids:
            return NavOutcome(False, exception="no-launchable")
        target = self.state.get("suspended") or self.current
        if target not in ids:
            target = next((item_id for item_id in ids if self.available(item_id)), ids[0])
        self.state.update(current=target, suspended=None, active=True)
        return NavOutcome(True, delivered=target)

    def navigate(self, request: str, target: str | None = None) -> NavOutcome:
        ids = self._launchable
        current = self.current
        if request in ("start", "resumeAll"):
            return self.start()
        if request in ("continue", "previous"):
            if current not in ids:
                return NavOutcome(False, exception="no-current")
            step = 1 if request == "continue" else -1
            index = ids.index(current) + step
            while 0 <= index < len(ids) and not self.available(ids[index]):
                index += step  # flow passes over the SCOs whose prerequisites are not met
            if index < 0:
                return NavOutcome(False, exception="no-previous")
            if index >= len(ids):  # past the last SCO: the session ends
                self.state.update(current=None, active=False)
                return NavOutcome(True, ended=True)
            self.state["current"] = ids[index]
            return NavOutcome(True, delivered=ids[index])
        if request in ("choice", "jump"):
            if target not in ids:
                return NavOutcome(False, exception="bad-target")
            if not self.available(target):
                return NavOutcome(False, exception="prerequisites", target=target)
            self.state["current"] = target
            return NavOutcome(True, delivered=target)
        if request == "suspendAll":
            self.state.update(suspended=current, current=None, active=False)
            return NavOutcome(True, ended=True)
        if request in ("exit", "exitAll", "abandon", "abandonAll"):
            if request in ("exit", "abandon") and len(ids) > 1:
                return NavOutcome(True)  # back to the TOC: the learner chooses
            self.state.update(current=None, active=False)
            return NavOutcome(True, ended=True)
        if request == "_none_":
            return NavOutcome(True)
        return NavOutcome(False, exception="unknown-request")

    def report(self, item_id: str, **values) -> str | None:
        completed = values.get("completion_status") == "completed" or values.get("success_status") == "passed"
        success = values.get("success_status")
        satisfied = True if success == "passed" else False if success == "failed" else None
        self.statuses[item_id] = (completed, satisfied, values.get("lesson_status"))
        if values.get("exit") in ("time-out", "logout"):
            return "exitAll"
        return None

    def request_valid(self) -> dict:
        ids = self._launchable
        current = self.current
        index = ids.index(current) if current in ids else -1
        allowed = {item_id: self.available(item_id) for item_id in ids}
        return {"continue": index >= 0, "previous": index > 0 and any(allowed[i] for i in ids[:index]),
                "choice": allowed, "jump": allowed}

    def toc(self) -> list[TocRow]:
        rows = []
        for item in self.items:
            completed, satisfied = self.statuses.get(item.identifier, (None, None))[:2]
            rows.append(TocRow(item.identifier, item.title or item.identifier, item.depth, bool(item.launch_url),
                               visible=item.visible, enabled=bool(item.launch_url) and self.available(item.identifier),
                               current=item.identifier == self.current, completed=completed, satisfied=satisfied))
        return rows

    def sco_init(self, item_id: str) -> dict:
        return {}

    def to_state(self) -> dict:
        return {"kind": "flow", **self.state}


class EngineNavigator:
    """The SCORM 2004 sequencing engine behind the same calls."""

    uses_engine = True

    def __init__(self, tree, state: dict | None, global_objectives: dict | None = None,
                 shared_data: dict | None = None):
        from lms.scorm.sequencing import SequencingSession

        state = dict(state or {})
        legacy_globals, legacy_shared = state.pop("_globals", None), state.pop("_shared", None)
        self.global_objectives = global_objectives if global_objectives is not None else (legacy_globals or {})
        self.shared_data = shared_data if shared_data is not None else (legacy_shared or {})
        state.pop("kind", None)
        self.tree = tree
        self.session = SequencingSession(tree, state or None, global_objectives=self.global_objectives,
                                         shared_data=self.shared_data)

    @property
    def current(self) -> str | None:
        return self.session.current_activity

    @property
    def attempt_limit(self) -> int | None:
        return self.tree.root.attempt_limit

    def _outcome(self, result) -> NavOutcome:
        return NavOutcome(result.valid, delivered=result.delivered, ended=result.ended, exception=result.exception)

    def start(self) -> NavOutcome:
        return self._outcome(self.session.start())

    def navigate(self, request: str, target: str | None = None) -> NavOutcome:
        if target and request in ("choice", "jump"):
            request = "{target=%s}%s" % (target, request)
        return self._outcome(self.session.navigate(request))

    def report(self, item_id: str, **values) -> str | None:
        values.pop("lesson_status", None)  # SCORM 1.2 only
        return self.session.report(activity_id=item_id, **values)

    def request_valid(self) -> dict:
        return self.session.request_valid_all()

    def toc(self) -> list[TocRow]:
        rows = []
        for row in self.session.toc():
            activity = self.tree.get(row["id"])
            if activity is self.tree.root:
                continue
            rows.append(TocRow(row["id"], row["title"] or row["id"], max(row["depth"] - 1, 0),
                               bool(activity is not None and activity.is_leaf and activity.resource_id),
                               visible=row["visible"], enabled=row["enabled"], current=row["current"],
                               completed=row["completed"], satisfied=row["satisfied"]))
        return rows

    def sco_init(self, item_id: str) -> dict:
        try:
            return self.session.sco_init(item_id)
        except KeyError:
            return {}

    def shared_data_maps(self, item_id: str) -> list[dict]:
        try:
            return self.session.shared_data_maps(item_id)
        except KeyError:
            return []

    def to_state(self) -> dict:
        """The attempt's tracking state; the learner's global stores are saved apart (see stores())."""
        return {"kind": "engine", **self.session.to_dict()}

    def stores(self) -> tuple[dict, dict]:
        return self.session.global_objectives, self.shared_data


def navigator_for(version, state: dict | None, statuses: dict | None = None, stores: tuple | None = None):
    """The engine for SCORM 2004 when it can build the tree; the flow navigator otherwise. ``stores`` are
    the learner's (global objectives, shared data) dicts."""
    state = state or {}
    if version.is_scorm_2004 and state.get("kind") != "flow":
        try:
            from lms.scorm.sequencing import build_activity_tree

            tree = build_activity_tree(version.manifest_xml.encode("utf-8"), organization_id=version.organization)
            global_objectives, shared_data = stores if stores is not None else (None, None)
            return EngineNavigator(tree, state, global_objectives, shared_data)
        except Exception:  # noqa: BLE001 — an engine failure must not stop the learner: fall back to flow
            log.exception("sequencing engine unavailable for version %s; using flow navigation", version.id)
    flow_state = {k: v for k, v in state.items() if k != "kind"} if state.get("kind") == "flow" else {}
    return FlowNavigator(version.organization_items(), flow_state, dict(statuses or {}))
