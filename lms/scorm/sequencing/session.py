"""Facade used by the player: navigate, report SCO results, request_valid, TOC, adl.data."""
from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .durations import parse_duration
from .engine import Sequencer, SequencingError
from .model import Activity, ActivityTree
from .tracking import TrackingState

UNKNOWN_CLEARS_GLOBAL = True
_TARGET_RE = re.compile(r"^\s*\{target=([^}]*)\}\s*(choice|jump)\s*$")


def parse_nav_request(value: str) -> tuple[str, Optional[str]]:
    """'{target=X}choice' -> ('choice', 'X'); 'continue' -> ('continue', None)."""
    m = _TARGET_RE.match(value or "")
    if m:
        return m.group(2), m.group(1).strip()
    return (value or "").strip(), None


@dataclass
class NavigationResult:
    request: str
    valid: bool
    delivered: Optional[str] = None  # activity id to launch
    exception: Optional[str] = None  # SN book exception code (NB.2.1-1, SB.2.9-5, ...)
    ended: bool = False  # the sequencing session ended
    target: Optional[str] = None


@dataclass
class ObjectiveReport:
    id: str
    success_status: Optional[str] = None  # passed | failed | unknown
    completion_status: Optional[str] = None
    score_scaled: Optional[float] = None
    score_raw: Optional[float] = None
    score_min: Optional[float] = None
    score_max: Optional[float] = None
    progress_measure: Optional[float] = None
    # the fields the SCO set itself (e.g. ["success_status"]); None: a status of "unknown" is
    # taken as "not set" (a default of the data model), any other value as set
    set_fields: Optional[list[str]] = None


@dataclass
class ScoReport:
    """What the run-time reports for the current activity (cmi values at Terminate)."""

    completion_status: Optional[str] = None  # completed | incomplete | not attempted | unknown
    success_status: Optional[str] = None  # passed | failed | unknown
    score_scaled: Optional[float] = None
    score_raw: Optional[float] = None
    score_min: Optional[float] = None
    score_max: Optional[float] = None
    progress_measure: Optional[float] = None
    objectives: list[ObjectiveReport] = field(default_factory=list)
    session_time: Optional[Any] = None  # seconds or ISO 8601 duration
    exit: Optional[str] = None  # suspend | normal | logout | time-out | ""
    # cmi elements the SCO set itself during the attempt ("completion_status", "success_status").
    # None: "unknown" is taken as "never set" (the LMS then assumes completed / satisfied at the
    # end of the attempt unless the delivery controls say the content sets them).  Pass the set
    # when you know it: a status the SCO explicitly set to "unknown" is then kept unknown.
    set_by_content: Optional[Any] = None


def _f(v) -> Optional[float]:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class SequencingSession:
    """One learner on one activity tree.

    ``global_objectives`` is the learner's system-wide store of shared objectives (a
    dict the caller persists, shared by every package of the learner); it is used only
    when the organization has objectivesGlobalToSystem="true" (the default).  Likewise
    ``shared_data`` for adl.data when sharedDataGlobalToSystem="true".
    """

    def __init__(self, tree: ActivityTree, state: Optional[TrackingState | dict] = None, *,
                 global_objectives: Optional[dict] = None, shared_data: Optional[dict] = None,
                 seed: Optional[int] = None, clock=None):
        self.tree = tree
        if isinstance(state, dict) or state is None:
            state = TrackingState.from_dict(state)
        self.state = state
        self._global_objectives = global_objectives if global_objectives is not None else {}
        self._shared_data = shared_data if shared_data is not None else {}
        self.rng = random.Random(seed)
        self.clock = clock
        self.seq = Sequencer(tree, state, self._global_objectives, self.rng, clock)

    # ------------------------------------------------------------------ state
    def to_dict(self) -> dict:
        return self.state.to_dict()

    @property
    def global_objectives(self) -> dict:
        return self.seq.globals

    @property
    def current_activity(self) -> Optional[str]:
        return self.state.current_activity

    @property
    def suspended_activity(self) -> Optional[str]:
        return self.state.suspended_activity

    def is_active(self, activity_id: Optional[str] = None) -> bool:
        aid = activity_id or self.state.current_activity
        return bool(aid) and self.state.act(aid).is_active

    # ------------------------------------------------------------- navigation
    def navigate(self, request: str, target: Optional[str] = None) -> NavigationResult:
        """Run the Overall Sequencing Process for a navigation request.

        ``request`` is a navigation request name (start, resumeAll, continue, previous,
        choice, jump, exit, exitAll, abandon, abandonAll, suspendAll) or the run-time
        form ``{target=ID}choice`` / ``{target=ID}jump``.  ``_none_`` does nothing.
        """
        req, t = parse_nav_request(request)
        target = target or t
        if req == "_none_" or req == "":
            return NavigationResult(request=req, valid=True)
        tgt = self.tree.get(target) if target else None
        try:
            delivered, ended = self.seq.overall(req, tgt)
        except SequencingError as exc:
            return NavigationResult(request=req, valid=False, exception=exc.code, target=target)
        if ended:
            self._end_session()
            return NavigationResult(request=req, valid=True, ended=True, target=target)
        if delivered is not None:
            self.state.session_active = True
        return NavigationResult(request=req, valid=True, delivered=delivered.id if delivered else None,
                                target=target)

    def _end_session(self) -> None:
        """End of the sequencing session: the attempt on the tree ends unless suspended."""
        seq = self.seq
        root = self.tree.root
        cur = seq.current
        if cur is not None and seq.st(cur).is_active:
            seq.terminate_descendent_attempts(root)
            seq.end_attempt(cur)
        if seq.st(root).is_active:
            seq.current = cur
            seq.terminate_descendent_attempts(root)
            seq.end_attempt(root)
        self.state.current_activity = None
        self.state.session_active = False

    def start(self) -> NavigationResult:
        """Start a sequencing session: resume all when something is suspended, else start."""
        if self.state.current_activity and self.is_active():
            return NavigationResult(request="start", valid=True, delivered=self.state.current_activity)
        self.state.current_activity = None
        if self.state.suspended_activity:
            return self.navigate("resumeAll")
        r = self.navigate("start")
        if not r.valid and not r.ended:
            leaves = [a for a in self.tree if a.is_leaf]
            if len(leaves) == 1 and leaves[0] is not self.tree.root:
                # a single-SCO course without flow: launch its only SCO (there is nothing to choose)
                r2 = self.navigate("choice", leaves[0].id)
                if r2.valid:
                    return r2
        return r

    # ------------------------------------------------------- run-time results
    def report(self, report: Optional[ScoReport] = None, activity_id: Optional[str] = None,
               **values) -> Optional[str]:
        """Apply the SCO's run-time data to the activity's tracking information.

        Call it when the SCO terminates (and on Commit if you like).  Keyword form:
        ``report(completion_status="completed", success_status="passed", score_scaled=0.9,
        progress_measure=1, objectives=[{"id": ..., "success_status": ...}],
        session_time="PT1M", exit="suspend")``.
        Returns the navigation request implied by cmi.exit (``exitAll`` for time-out /
        logout) or None.
        """
        if report is None:
            objs = []
            for o in values.pop("objectives", None) or []:
                if isinstance(o, ObjectiveReport):
                    objs.append(o)
                else:
                    known = ObjectiveReport.__dataclass_fields__
                    objs.append(ObjectiveReport(**{k: v for k, v in o.items() if k in known}))
            report = ScoReport(objectives=objs, **values)
        report = self._normalise(report)
        seq = self.seq
        aid = activity_id or self.state.current_activity
        a = self.tree.get(aid) if aid else None
        if a is None:
            return None
        s = seq.st(a)
        # durations
        secs = report.session_time
        if isinstance(secs, str):
            secs = parse_duration(secs)
        if secs:
            s.attempt_experienced_duration += float(secs)
            s.activity_experienced_duration += float(secs)
        if a.delivery.tracked:
            primary = a.primary_objective
            prim = None  # cmi.objectives.n entry of the primary objective, if the SCO has one
            for o in report.objectives:
                od = a.objective(o.id) if o.id else None
                if od is None:
                    continue
                if od.primary:
                    prim = o
                    continue
                self._apply_objective(a, od, o)

            def pick(cmi_value, objective_value):
                return cmi_value if cmi_value is not None else objective_value

            pm = pick(_f(report.progress_measure), _f(prim.progress_measure) if prim else None)
            scaled = pick(_f(report.score_scaled), _f(prim.score_scaled) if prim else None)
            completion = self.effective_completion_status(a, report.completion_status, pm)
            if (report.completion_status is None and completion == "unknown" and prim is not None
                    and self.completion_threshold(a) is None):
                completion = prim.completion_status or "unknown"
            success = self.effective_success_status(a, report.success_status, scaled)
            if (report.success_status is None and success == "unknown" and prim is not None
                    and self.scaled_passing_score(a) is None):
                success = prim.success_status or "unknown"
            if report.completion_status is not None or (
                    prim is not None and prim.completion_status is not None):
                s.completion_reported = True
            if report.success_status is not None or (prim is not None and prim.success_status is not None):
                s.success_reported = True
            seq.set_completion_amount(a, pm)
            if completion in ("completed", "incomplete", "not attempted"):
                seq.set_completion(a, completion == "completed")
            else:
                seq.set_completion(a, None)
            explicit_unknown = report.success_status == "unknown" or (
                report.success_status is None and prim is not None and prim.success_status == "unknown")
            seq.set_obj_status(a, primary, {"passed": True, "failed": False}.get(success),
                               write_unknown=explicit_unknown and UNKNOWN_CLEARS_GLOBAL)
            seq.set_obj_measure(a, primary, scaled)
            for part, cmi_v, obj_k in (("raw", report.score_raw, "score_raw"),
                                       ("min", report.score_min, "score_min"),
                                       ("max", report.score_max, "score_max")):
                val = pick(_f(cmi_v), _f(getattr(prim, obj_k)) if prim else None)
                if val is not None:
                    seq.set_obj_extended(a, primary, part, val)
            if pm is not None:
                seq.set_obj_extended(a, primary, "progress_measure", pm)
        s.is_suspended = (report.exit == "suspend")
        if report.exit in ("time-out", "logout"):
            return "exitAll"
        return None

    @staticmethod
    def _normalise(report: ScoReport) -> ScoReport:
        """Statuses left at the data model's default ("unknown") become None (not set)."""
        def explicit(name: str, value, chosen) -> Optional[str]:
            if value is None:
                return None
            if chosen is None:
                return None if value == "unknown" else value
            return value if name in chosen else (None if value == "unknown" else value)

        chosen = set(report.set_by_content) if report.set_by_content is not None else None
        objs = []
        for o in report.objectives:
            fields_set = set(o.set_fields) if o.set_fields is not None else None
            objs.append(ObjectiveReport(
                id=o.id, success_status=explicit("success_status", o.success_status, fields_set),
                completion_status=explicit("completion_status", o.completion_status, fields_set),
                score_scaled=o.score_scaled, score_raw=o.score_raw, score_min=o.score_min,
                score_max=o.score_max, progress_measure=o.progress_measure, set_fields=o.set_fields))
        return ScoReport(
            completion_status=explicit("completion_status", report.completion_status, chosen),
            success_status=explicit("success_status", report.success_status, chosen),
            score_scaled=report.score_scaled, score_raw=report.score_raw, score_min=report.score_min,
            score_max=report.score_max, progress_measure=report.progress_measure, objectives=objs,
            session_time=report.session_time, exit=report.exit, set_by_content=report.set_by_content)

    def _apply_objective(self, a: Activity, od, o: ObjectiveReport) -> None:
        seq = self.seq
        sc = _f(o.score_scaled)
        if od.satisfied_by_measure and sc is not None:
            seq.set_obj_status(a, od, sc >= od.min_normalized_measure)
        elif o.success_status in ("passed", "failed"):
            seq.set_obj_status(a, od, o.success_status == "passed")
        elif o.success_status == "unknown":
            seq.set_obj_status(a, od, None, write_unknown=UNKNOWN_CLEARS_GLOBAL)
        if sc is not None:
            seq.set_obj_measure(a, od, sc)
        for part, val in (("raw", _f(o.score_raw)), ("min", _f(o.score_min)), ("max", _f(o.score_max)),
                          ("progress_measure", _f(o.progress_measure))):
            if val is not None:
                seq.set_obj_extended(a, od, part, val)
        if o.completion_status in ("completed", "incomplete", "not attempted"):
            seq.set_obj_extended(a, od, "completion", o.completion_status)
        elif o.completion_status == "unknown":
            seq.set_obj_extended(a, od, "completion", None, write_unknown=True)

    @staticmethod
    def completion_threshold(a: Activity) -> Optional[float]:
        """cmi.completion_threshold for the activity (None when undefined)."""
        if a.completion_threshold.completed_by_measure:
            return a.completion_threshold.min_progress_measure
        return None

    @staticmethod
    def scaled_passing_score(a: Activity) -> Optional[float]:
        od = a.primary_objective
        if od.satisfied_by_measure:
            return od.min_normalized_measure
        return None

    def effective_completion_status(self, a: Activity, value: Optional[str],
                                    progress_measure: Optional[float]) -> str:
        """RTE 4.2.4: completion_status as the LMS evaluates it."""
        ct = self.completion_threshold(a)
        if ct is not None:
            if progress_measure is not None:
                return "completed" if progress_measure >= ct else "incomplete"
            return "unknown"
        return value or "unknown"

    def effective_success_status(self, a: Activity, value: Optional[str], scaled: Optional[float]) -> str:
        sps = self.scaled_passing_score(a)
        if sps is not None:
            if scaled is not None:
                return "passed" if scaled >= sps else "failed"
            return "unknown"
        return value or "unknown"

    def terminate(self, nav_request: Optional[str] = None, report: Optional[ScoReport] = None,
                  **values) -> NavigationResult:
        """SCO Terminate(): apply the report then process adl.nav.request (if any)."""
        implied = None
        if report is not None or values:
            implied = self.report(report, **values)
        req = nav_request or implied or "_none_"
        return self.navigate(req)

    # --------------------------------------------------------- launch data
    def sco_init(self, activity_id: Optional[str] = None) -> dict:
        """Initial run-time values the RTE takes from the sequencing side for a launch."""
        a = self.tree[activity_id or self.state.current_activity]
        seq = self.seq
        s = seq.st(a)
        objectives = []
        for od in a.objectives:
            if not od.objective_id:
                continue
            st = seq.obj_status(a, od)
            m = seq.obj_measure(a, od)
            objectives.append({
                "id": od.objective_id,
                "success_status": "unknown" if st is None else ("passed" if st else "failed"),
                "score_scaled": m,
                "score_raw": seq.obj_extended(a, od, "raw"),
                "score_min": seq.obj_extended(a, od, "min"),
                "score_max": seq.obj_extended(a, od, "max"),
                "completion_status": seq.obj_extended(a, od, "completion") or "unknown",
                "progress_measure": seq.obj_extended(a, od, "progress_measure"),
            })
        return {
            "completion_threshold": self.completion_threshold(a),
            "scaled_passing_score": self.scaled_passing_score(a),
            "max_time_allowed": a.attempt_absolute_duration_limit,
            "time_limit_action": a.time_limit_action or "continue,no message",
            "launch_data": a.data_from_lms,
            "objectives": objectives,
            "attempt_count": s.activity_attempt_count,
        }

    # ----------------------------------------------------- request validity
    def _simulate(self, request: str, target: Optional[str] = None) -> NavigationResult:
        return self._clone().navigate(request, target)

    def request_valid(self, request: str, target: Optional[str] = None) -> bool:
        """Would this navigation request succeed now?  (adl.nav.request_valid.*)"""
        req, t = parse_nav_request(request)
        target = target or t
        if req in ("choice", "jump"):
            if not target or self.tree.get(target) is None:
                return False
        if req in ("continue", "previous"):
            return self._flow_valid(req)
        r = self._simulate(req, target)
        return r.valid and (r.delivered is not None or r.ended)

    def _flow_valid(self, req: str) -> bool:
        """Continue / Previous: the navigation request is valid and the flow leads somewhere.

        As ADL's reference LMS does, the flow is followed over siblings and ancestors (skipped
        activities are passed, disabled ones or a parent without flow stop it) but does not
        descend into the next cluster: what its children's rules will say once the current
        attempt has ended is not known yet.  Evaluated on a copy of the state.
        """
        clone = self._clone()
        seq = clone.seq
        try:
            seq.navigation_request(req, None)
        except SequencingError:
            return False
        cur = seq.current
        if cur is None or cur.is_root:
            return False
        direction = "forward" if req == "continue" else "backward"
        if direction == "backward":
            # Previous: the whole Flow Subprocess (SB.2.3), as the sequencer would run it
            r = seq.flow(cur, "backward", False)
            return r.deliverable
        # Continue: the next activity in the flow (skipped ones passed over) must be reachable;
        # the rules of the children of the next cluster are not looked at yet (ADL's behaviour)
        r = seq.flow_tree_traversal(cur, direction, False, None)
        for _ in range(10000):
            a = r.activity
            if a is None:
                return bool(r.end_session)
            if a.parent is not None and not a.parent.control_mode.flow:
                return False
            if seq.rules_check(a, "pre", ("skip",)) is not None:
                r = seq.flow_tree_traversal(a, direction, False, direction)
                continue
            return not seq.check_activity(a)
        return False

    def _clone(self) -> "SequencingSession":
        clone = SequencingSession.__new__(SequencingSession)
        clone.tree = self.tree
        clone.state = self.state.copy()
        glob = self._global_objectives
        if isinstance(glob, dict):
            clone._global_objectives = {k: dict(v) for k, v in glob.items()}
        else:
            clone._global_objectives = copy.deepcopy(glob)
        clone._shared_data = self._shared_data
        clone.rng = random.Random()
        clone.rng.setstate(self.rng.getstate())
        clone.clock = self.clock
        clone.seq = Sequencer(self.tree, clone.state, clone._global_objectives, clone.rng, self.clock)
        return clone

    def request_valid_all(self) -> dict:
        """{'continue': bool, 'previous': bool, 'choice': {id: bool}, 'jump': {id: bool}}"""
        return {
            "continue": self.request_valid("continue"),
            "previous": self.request_valid("previous"),
            "choice": self.targets_valid("choice"),
            "jump": self.targets_valid("jump", [a.id for a in self.tree if a.is_leaf]),
        }

    def targets_valid(self, kind: str = "choice", ids: Optional[list[str]] = None) -> dict[str, bool]:
        """Validity of a choice (or jump) request for many targets at once.

        Same answer as :meth:`request_valid` for each target, but the current attempt is
        terminated once (on a copy) and only the sequencing and delivery checks run per target.
        """
        ids = [a.id for a in self.tree] if ids is None else list(ids)
        base = self._clone()
        seq = base.seq
        seq.initialise()
        out: dict[str, bool] = {}
        candidates = []
        term_req = None
        for i in ids:
            target = self.tree.get(i)
            if target is None:
                out[i] = False
                continue
            try:
                t, _ = seq.navigation_request(kind, target)
            except SequencingError:
                out[i] = False
                continue
            term_req = term_req or t
            candidates.append(target)
        if not candidates:
            return out
        override = None
        if term_req is not None:
            try:
                override = seq.termination_request(term_req)
            except SequencingError:
                for t in candidates:
                    out[t.id] = False
                return out
        if override is not None:
            # a post-condition (or the end of the course) replaced the request: same outcome for all
            ok = self._sequence_ok(base._clone(), override, None)
            for t in candidates:
                out[t.id] = ok
            return out
        for t in candidates:
            out[t.id] = self._sequence_ok(base._clone(), kind, t)
        return out

    @staticmethod
    def _sequence_ok(sess: "SequencingSession", req: str, target: Optional[Activity]) -> bool:
        seq = sess.seq
        try:
            delivery, ended = seq.sequencing_request(req, target)
            if ended:
                return True
            if delivery is None:
                return False
            seq.delivery_request(delivery)
            return True
        except SequencingError:
            return False

    def toc(self) -> list[dict]:
        """Table of contents rows in tree order.

        Each row: id, title, depth, is_leaf, visible (isvisible and available and not
        hiddenFromChoice), enabled (a choice on it would succeed), current, completed /
        satisfied (True/False/None).
        """
        seq = self.seq
        rows = []
        valid = self.targets_valid("choice")

        def walk(a: Activity, depth: int):
            hidden = (not a.is_visible) or any(
                seq.rules_check(x, "pre", ("hiddenFromChoice",)) is not None
                for x in a.ancestors(include_self=True))
            rows.append({
                "id": a.id,
                "title": a.title,
                "depth": depth,
                "is_leaf": a.is_leaf,
                "visible": not hidden,
                "enabled": (not hidden) and valid.get(a.id, False),
                "current": a.id == self.state.current_activity,
                "completed": seq.completion(a),
                "satisfied": seq.obj_status(a, a.primary_objective),
            })
            for c in seq.children(a):
                walk(c, depth + 1)
        walk(self.tree.root, 0)
        return rows

    # ----------------------------------------------------------- adl.data
    def _data_store(self) -> dict:
        return self._shared_data if self.tree.shared_data_global_to_system else self.state.local_shared_data

    def shared_data_maps(self, activity_id: Optional[str] = None) -> list[dict]:
        """adl.data.n for the activity: [{'id', 'store', 'readable', 'writable'}]."""
        a = self.tree[activity_id or self.state.current_activity]
        store = self._data_store()
        out = []
        for m in a.shared_data:
            out.append({
                "id": m.target_id,
                "store": store.get(m.target_id),
                "readable": m.read_shared_data,
                "writable": m.write_shared_data,
            })
        return out

    def read_shared_data(self, target_id: str, activity_id: Optional[str] = None) -> Optional[str]:
        a = self.tree[activity_id or self.state.current_activity]
        for m in a.shared_data:
            if m.target_id == target_id:
                if not m.read_shared_data:
                    raise PermissionError("adl.data store is write-only")
                return self._data_store().get(target_id)
        raise KeyError(target_id)

    def write_shared_data(self, target_id: str, value: str, activity_id: Optional[str] = None) -> None:
        a = self.tree[activity_id or self.state.current_activity]
        for m in a.shared_data:
            if m.target_id == target_id:
                if not m.write_shared_data:
                    raise PermissionError("adl.data store is read-only")
                if value == "":
                    self._data_store().pop(target_id, None)  # an empty store reads as not initialised
                else:
                    self._data_store()[target_id] = value
                return
        raise KeyError(target_id)
