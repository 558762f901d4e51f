"""The Overall Sequencing Process of the SCORM 2004 4th Edition SN book.

Each method names the pseudo-code process it implements (NB.2.1, TB.2.3, SB.2.x, RB.1.x,
UP.x, DB.x).  Exceptions of the book are raised as :class:`SequencingError` with the
book's code (e.g. ``NB.2.1-1``, ``SB.2.9-5``) and end the Overall Sequencing Process.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Optional

from .model import Activity, ActivityTree, ObjectiveDef, RollupRule, SequencingRule
from .durations import parse_duration
from .tracking import ActivityState, ObjectiveState, TrackingState, empty_global_objective

# Readings of the book where its pseudo-code is silent, as ADL's conformance scripts expect them
# (docs/standards/scorm-sequencing.md lists them; each is covered by unit tests and the bench):
STRICT_READS = True  # a read map shows only the shared value; unknown there reads unknown
EMPTY_ALL = True  # rollup child activity set "all" over no contributing child is true
CLEAR_LOCAL_OBJECTIVES = True  # objectivesGlobalToSystem="false": shared objectives per tree attempt
WRITE_UNKNOWN_MEASURE = True  # an unknown (rolled-up) measure is written to the shared objective


class SequencingError(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(f"{code} {message}".strip())
        self.code = code


@dataclass
class FlowResult:
    activity: Optional[Activity]
    deliverable: bool = False
    end_session: bool = False
    exception: Optional[str] = None
    direction: str = "forward"


NAV_REQUESTS = (
    "start", "resumeAll", "continue", "previous", "forward", "backward", "choice", "jump",
    "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_",
)


class Sequencer:
    """Runs the sequencing processes of one activity tree for one learner."""

    def __init__(self, tree: ActivityTree, state: TrackingState, global_objectives: Optional[dict] = None,
                 rng: Optional[random.Random] = None, clock=None):
        self.tree = tree
        self.clock = clock or time.time  # seconds since the epoch; injectable for tests
        self.state = state
        if tree.objectives_global_to_system and global_objectives is not None:
            self.globals = global_objectives
        else:
            self.globals = state.local_global_objectives
        self.rng = rng or random.Random()
        self.end_session = False

    # ------------------------------------------------------------------ helpers
    def st(self, a: Activity) -> ActivityState:
        return self.state.act(a.id)

    def ost(self, a: Activity, od: ObjectiveDef) -> ObjectiveState:
        s = self.st(a)
        o = s.objectives.get(od.key)
        if o is None:
            o = s.objectives[od.key] = ObjectiveState()
        return o

    @property
    def current(self) -> Optional[Activity]:
        cid = self.state.current_activity
        return self.tree.get(cid) if cid else None

    @current.setter
    def current(self, a: Optional[Activity]) -> None:
        self.state.current_activity = a.id if a is not None else None

    @property
    def suspended(self) -> Optional[Activity]:
        sid = self.state.suspended_activity
        return self.tree.get(sid) if sid else None

    @suspended.setter
    def suspended(self, a: Optional[Activity]) -> None:
        self.state.suspended_activity = a.id if a is not None else None

    def children(self, a: Activity) -> list[Activity]:
        ids = self.st(a).available_children if a.children else None
        if ids is None:
            return list(a.children)
        out = [self.tree.get(i) for i in ids]
        return [c for c in out if c is not None]

    def is_available(self, a: Activity) -> bool:
        return a.parent is None or a in self.children(a.parent)

    def glob(self, target: str) -> dict:
        g = self.globals.get(target)
        if g is None:
            g = self.globals[target] = empty_global_objective()
        return g

    # -- objective reads (local values overridden by known global values) ----
    def obj_status(self, a: Activity, od: ObjectiveDef, local: bool = True) -> Optional[bool]:
        """Satisfied status: True / False / None (unknown).

        ``local=False``: only what global objectives say (the activity's own data is
        ignored, e.g. when it belongs to an earlier attempt of the parent).
        """
        if od.satisfied_by_measure:
            m = self.obj_measure(a, od, local)
            if m is None:
                return None
            if self.st(a).is_active and not a.rollup_considerations.measure_satisfaction_if_active:
                return None
            return m >= od.min_normalized_measure
        for m in od.map_info:
            if m.read_satisfied_status:
                g = self.globals.get(m.target_objective_id)
                if g is not None and g.get("satisfied") is not None:
                    return bool(g["satisfied"])
                if STRICT_READS:
                    return None
        if not local:
            return None
        o = self.ost(a, od)
        if not o.progress_status:
            return None
        return o.satisfied_status

    def obj_measure(self, a: Activity, od: ObjectiveDef, local: bool = True) -> Optional[float]:
        for m in od.map_info:
            if m.read_normalized_measure:
                g = self.globals.get(m.target_objective_id)
                if g is not None and g.get("measure") is not None:
                    return float(g["measure"])
                if STRICT_READS:
                    return None
        if not local:
            return None
        o = self.ost(a, od)
        if not o.measure_status:
            return None
        return o.normalized_measure

    def obj_extended(self, a: Activity, od: ObjectiveDef, part: str):
        """raw / min / max / completion / progress_measure, with global reads."""
        flag = {"raw": "read_raw_score", "min": "read_min_score", "max": "read_max_score",
                "completion": "read_completion_status", "progress_measure": "read_progress_measure"}[part]
        for m in od.map_info:
            if getattr(m, flag):
                g = self.globals.get(m.target_objective_id)
                if g is not None and g.get(part) is not None:
                    return g[part]
        o = self.ost(a, od)
        return {"raw": o.raw_score, "min": o.min_score, "max": o.max_score,
                "completion": o.completion_status, "progress_measure": o.progress_measure}[part]

    # -- objective writes -----------------------------------------------------
    def set_obj_status(self, a: Activity, od: ObjectiveDef, value: Optional[bool],
                       write_unknown: bool = False) -> None:
        o = self.ost(a, od)
        o.progress_status = value is not None
        o.satisfied_status = bool(value)
        if value is None:
            if write_unknown:
                for m in od.map_info:
                    if m.write_satisfied_status:
                        self.glob(m.target_objective_id)["satisfied"] = None
            return
        for m in od.map_info:
            if m.write_satisfied_status:
                self.glob(m.target_objective_id)["satisfied"] = bool(value)

    def set_obj_measure(self, a: Activity, od: ObjectiveDef, value: Optional[float]) -> None:
        o = self.ost(a, od)
        o.measure_status = value is not None
        o.normalized_measure = float(value) if value is not None else 0.0
        if value is None:
            if WRITE_UNKNOWN_MEASURE:
                for m in od.map_info:
                    if m.write_normalized_measure:
                        self.glob(m.target_objective_id)["measure"] = None
            return
        for m in od.map_info:
            if m.write_normalized_measure:
                self.glob(m.target_objective_id)["measure"] = float(value)

    def set_obj_extended(self, a: Activity, od: ObjectiveDef, part: str, value,
                         write_unknown: bool = False) -> None:
        o = self.ost(a, od)
        attr = {"raw": "raw_score", "min": "min_score", "max": "max_score",
                "completion": "completion_status", "progress_measure": "progress_measure"}[part]
        if part == "completion" and value == "unknown":
            value = None
        setattr(o, attr, value)
        if value is None and not write_unknown:
            return
        if part == "completion" and value == "not attempted":
            value = "incomplete"
        flag = {"raw": "write_raw_score", "min": "write_min_score", "max": "write_max_score",
                "completion": "write_completion_status", "progress_measure": "write_progress_measure"}[part]
        for m in od.map_info:
            if getattr(m, flag):
                self.glob(m.target_objective_id)[part] = value

    # -- attempt completion reads (primary objective extended maps) ---------
    def completion(self, a: Activity, local: bool = True) -> Optional[bool]:
        s = self.st(a)
        if a.completion_threshold.completed_by_measure:
            amt = self.completion_amount(a, local)
            if amt is None:
                return None
            return amt >= a.completion_threshold.min_progress_measure
        od = a.primary_objective
        for m in od.map_info:
            if m.read_completion_status:
                g = self.globals.get(m.target_objective_id)
                if g is not None and g.get("completion") in ("completed", "incomplete", "not attempted"):
                    return g["completion"] == "completed"
        if not local or not s.attempt_progress_status:
            return None
        return s.attempt_completion_status

    def completion_amount(self, a: Activity, local: bool = True) -> Optional[float]:
        s = self.st(a)
        od = a.primary_objective
        for m in od.map_info:
            if m.read_progress_measure:
                g = self.globals.get(m.target_objective_id)
                if g is not None and g.get("progress_measure") is not None:
                    return float(g["progress_measure"])
        if not local or not s.attempt_completion_amount_status:
            return None
        return s.attempt_completion_amount

    def set_completion(self, a: Activity, value: Optional[bool]) -> None:
        s = self.st(a)
        s.attempt_progress_status = value is not None
        s.attempt_completion_status = bool(value)
        if value is not None:
            self.ost(a, a.primary_objective).completion_status = "completed" if value else "incomplete"
            for m in a.primary_objective.map_info:
                if m.write_completion_status:
                    self.glob(m.target_objective_id)["completion"] = "completed" if value else "incomplete"

    def set_completion_amount(self, a: Activity, value: Optional[float]) -> None:
        s = self.st(a)
        s.attempt_completion_amount_status = value is not None
        s.attempt_completion_amount = float(value) if value is not None else 0.0
        if value is not None:
            for m in a.primary_objective.map_info:
                if m.write_progress_measure:
                    self.glob(m.target_objective_id)["progress_measure"] = float(value)

    # -- tree navigation helpers ---------------------------------------------
    def path_to_root(self, a: Activity) -> list[Activity]:
        return a.ancestors(include_self=True)

    def common_ancestor(self, a: Activity, b: Activity) -> Activity:
        anc = set(id(x) for x in b.ancestors(include_self=True))
        for x in a.ancestors(include_self=True):
            if id(x) in anc:
                return x
        return self.tree.root

    def preorder(self) -> list[Activity]:
        out = []

        def walk(a):
            out.append(a)
            for c in self.children(a):
                walk(c)
        walk(self.tree.root)
        return out

    def is_forward_of(self, target: Activity, ref: Activity) -> bool:
        order = self.tree.__dict__.get("_preorder_index")
        if order is None:
            order = {x.id: i for i, x in enumerate(self._full_preorder())}
            self.tree.__dict__["_preorder_index"] = order
        return order.get(target.id, 0) > order.get(ref.id, 0)

    def _full_preorder(self) -> list[Activity]:
        return list(self.tree.root.walk())

    def is_last_in_tree(self, a: Activity) -> bool:
        # last activity of a forward preorder traversal over available children
        x = self.tree.root
        while True:
            kids = self.children(x)
            if not kids:
                return x is a
            x = kids[-1]

    # ----------------------------------------------------------- rule checks
    def evaluate_condition(self, a: Activity, cond_name: str, referenced: Optional[str] = None,
                           threshold: float = 0.0, obj_local: bool = True,
                           prog_local: bool = True) -> Optional[bool]:
        s = self.st(a)
        od = a.objective(referenced) if referenced else a.primary_objective
        if od is None:
            od = a.primary_objective
        if cond_name == "always":
            return True
        if not a.delivery.tracked:
            # no tracking information is kept for the activity: everything is unknown
            if cond_name in ("objectiveStatusKnown", "objectiveMeasureKnown", "activityProgressKnown",
                             "attempted", "attemptLimitExceeded"):
                return False
            return None
        if cond_name == "satisfied":
            return self.obj_status(a, od, obj_local)
        if cond_name == "objectiveStatusKnown":
            return self.obj_status(a, od, obj_local) is not None
        if cond_name == "objectiveMeasureKnown":
            return self.obj_measure(a, od, obj_local) is not None
        if cond_name == "objectiveMeasureGreaterThan":
            m = self.obj_measure(a, od, obj_local)
            return None if m is None else m > threshold
        if cond_name == "objectiveMeasureLessThan":
            m = self.obj_measure(a, od, obj_local)
            return None if m is None else m < threshold
        if cond_name == "completed":
            return self.completion(a, prog_local)
        if cond_name == "activityProgressKnown":
            return self.completion(a, prog_local) is not None
        if cond_name == "attempted":
            if not prog_local:
                return None
            return s.activity_progress_status and s.activity_attempt_count > 0
        if cond_name == "attemptLimitExceeded":
            if a.attempt_limit is None:
                return False
            return s.activity_progress_status and s.activity_attempt_count >= a.attempt_limit
        if cond_name == "timeLimitExceeded":
            limit = parse_duration(a.attempt_absolute_duration_limit or "")
            if limit is None:
                return False
            return self.attempt_duration(a) >= limit
        if cond_name == "outsideAvailableTimeRange":
            return False  # beginTimeLimit / endTimeLimit are not part of SCORM 2004 4th Edition
        return None

    @staticmethod
    def _negate(v: Optional[bool], op: str) -> Optional[bool]:
        if op == "not":
            return None if v is None else (not v)
        return v

    @staticmethod
    def _combine(values: list[Optional[bool]], combination: str) -> Optional[bool]:
        if not values:
            return None
        if combination == "any":
            if any(v is True for v in values):
                return True
            if any(v is None for v in values):
                return None
            return False
        if any(v is False for v in values):
            return False
        if any(v is None for v in values):
            return None
        return True

    def rule_check_subprocess(self, a: Activity, rule: SequencingRule) -> Optional[bool]:  # UP.2.1
        values = [
            self._negate(self.evaluate_condition(a, c.condition, c.referenced_objective, c.measure_threshold),
                         c.operator)
            for c in rule.conditions]
        if not rule.conditions:
            return True
        return self._combine(values, rule.condition_combination)

    def rules_check(self, a: Activity, kind: str, actions) -> Optional[str]:  # UP.2
        for rule in a.rules_of(kind, actions):
            if self.rule_check_subprocess(a, rule) is True:
                return rule.action
        return None

    def limit_conditions_check(self, a: Activity) -> bool:  # UP.1
        s = self.st(a)
        if not a.delivery.tracked:
            return False
        if s.is_active or s.is_suspended:
            return False
        if a.attempt_limit is not None:
            if s.activity_progress_status and s.activity_attempt_count >= a.attempt_limit:
                return True
        limit = parse_duration(a.attempt_absolute_duration_limit or "")
        if limit is not None and s.activity_progress_status and s.attempt_absolute_duration >= limit:
            return True
        return False

    def attempt_duration(self, a: Activity) -> float:
        """Absolute duration of the current (or last) attempt, in seconds."""
        s = self.st(a)
        if s.is_active and s.attempt_started_at:
            return s.attempt_absolute_duration + max(0.0, self.clock() - s.attempt_started_at)
        return s.attempt_absolute_duration

    def check_activity(self, a: Activity) -> bool:  # UP.5
        if self.rules_check(a, "pre", ("disabled",)) is not None:
            return True
        if self.limit_conditions_check(a):
            return True
        return False

    # ----------------------------------------------------------------- rollup
    def measure_rollup(self, a: Activity) -> None:  # RB.1.1 a
        total = 0.0
        counted = 0.0
        valid = False
        for c in self.children(a):
            if not c.delivery.tracked:
                continue
            counted += c.objective_measure_weight
            m = self.obj_measure(c, c.primary_objective, self.child_current(a, c, "objective"))
            if m is not None:
                total += m * c.objective_measure_weight
                valid = True
        od = a.primary_objective
        if not valid or counted <= 0:
            self.set_obj_measure(a, od, None)
        else:
            self.set_obj_measure(a, od, total / counted)

    def completion_measure_rollup(self, a: Activity) -> None:  # RB.1.1 b
        total = 0.0
        counted = 0.0
        valid = False
        for c in self.children(a):
            if not c.delivery.tracked:
                continue
            w = c.completion_threshold.progress_weight
            counted += w
            amt = self.completion_amount(c, self.child_current(a, c, "progress"))
            if amt is not None:
                total += amt * w
                valid = True
        if not valid or counted <= 0:
            self.set_completion_amount(a, None)
        else:
            self.set_completion_amount(a, total / counted)

    def child_current(self, parent: Activity, child: Activity, kind: str) -> bool:
        """May the child's own data be used in the parent's rollup (useCurrentAttempt*Info)?"""
        cm = parent.control_mode
        if kind == "objective":
            flag = cm.use_current_attempt_objective_info
        else:
            flag = cm.use_current_attempt_progress_info
        if not flag:
            return True
        ps, cs = self.st(parent), self.st(child)
        if cs.activity_attempt_count == 0:
            return True  # never attempted: whatever it has comes from global objectives / rollup
        return cs.attempt_stamp >= ps.attempt_stamp

    def objective_rollup_using_measure(self, a: Activity) -> None:  # RB.1.2 a
        od = a.primary_objective
        m = self.obj_measure(a, od)
        s = self.st(a)
        if m is None:
            self.set_obj_status(a, od, None)
            return
        if not s.is_active or a.rollup_considerations.measure_satisfaction_if_active:
            self.set_obj_status(a, od, m >= od.min_normalized_measure)
        else:
            self.set_obj_status(a, od, None)

    def _default_rollup_rules(self, kind: str) -> list[RollupRule]:
        from .model import RollupCondition
        if kind == "satisfaction":
            return [
                RollupRule(action="notSatisfied", child_activity_set="all",
                           conditions=[RollupCondition("objectiveStatusKnown")]),
                RollupRule(action="satisfied", child_activity_set="all",
                           conditions=[RollupCondition("satisfied")]),
            ]
        return [
            RollupRule(action="incomplete", child_activity_set="all",
                       conditions=[RollupCondition("activityProgressKnown")]),
            RollupRule(action="completed", child_activity_set="all",
                       conditions=[RollupCondition("completed")]),
        ]

    def objective_rollup_using_rules(self, a: Activity) -> None:  # RB.1.2 b
        od = a.primary_objective
        rules = [r for r in a.rollup_rules if r.action in ("satisfied", "notSatisfied")]
        if not rules:
            rules = self._default_rollup_rules("satisfaction")
        if self.rollup_rule_check(a, [r for r in rules if r.action == "notSatisfied"], "notSatisfied"):
            self.set_obj_status(a, od, False)
        if self.rollup_rule_check(a, [r for r in rules if r.action == "satisfied"], "satisfied"):
            self.set_obj_status(a, od, True)

    def activity_progress_rollup(self, a: Activity) -> None:  # RB.1.3
        if a.completion_threshold.completed_by_measure:
            amt = self.completion_amount(a)
            if amt is None:
                if not a.is_leaf:
                    self.set_completion(a, None)
            else:
                self.set_completion(a, amt >= a.completion_threshold.min_progress_measure)
            return
        if a.is_leaf:
            return
        rules = [r for r in a.rollup_rules if r.action in ("completed", "incomplete")]
        if not rules:
            rules = self._default_rollup_rules("completion")
        if self.rollup_rule_check(a, [r for r in rules if r.action == "incomplete"], "incomplete"):
            self.set_completion(a, False)
        if self.rollup_rule_check(a, [r for r in rules if r.action == "completed"], "completed"):
            self.set_completion(a, True)

    def check_child_for_rollup(self, c: Activity, action: str) -> bool:  # RB.1.4.2
        s = self.st(c)
        rc = c.rollup_considerations
        if action in ("satisfied", "notSatisfied"):
            if not c.rollup_objective_satisfied:
                return False
            req = rc.required_for_satisfied if action == "satisfied" else rc.required_for_not_satisfied
        else:
            if not c.rollup_progress_completion:
                return False
            req = rc.required_for_completed if action == "completed" else rc.required_for_incomplete
        if req == "ifNotSuspended":
            if (not s.activity_progress_status) or (s.activity_attempt_count > 0 and s.is_suspended):
                return False
        elif req == "ifAttempted":
            if (not s.activity_progress_status) or s.activity_attempt_count == 0:
                return False
        elif req == "ifNotSkipped":
            if self.rules_check(c, "pre", ("skip",)) is not None:
                return False
        return True

    def rollup_rule_check(self, a: Activity, rules: list[RollupRule], action: str) -> bool:  # RB.1.4
        for rule in rules:
            bag: list[Optional[bool]] = []
            for c in self.children(a):
                if not c.delivery.tracked:
                    continue
                if not self.check_child_for_rollup(c, action):
                    continue
                ol = self.child_current(a, c, "objective")
                pl = self.child_current(a, c, "progress")
                vals = [self._negate(self.evaluate_condition(c, rc.condition, obj_local=ol, prog_local=pl),
                                     rc.operator)
                        for rc in rule.conditions]
                bag.append(self._combine(vals, rule.condition_combination) if vals else True)
            change = False
            cas = rule.child_activity_set
            if not bag:
                change = cas == "all" and EMPTY_ALL
            elif cas == "all":
                change = all(v is True for v in bag)
            elif cas == "any":
                change = any(v is True for v in bag)
            elif cas == "none":
                change = all(v is False for v in bag)
            elif cas == "atLeastCount":
                change = sum(1 for v in bag if v is True) >= rule.minimum_count
            elif cas == "atLeastPercent":
                change = (sum(1 for v in bag if v is True) / len(bag)) >= rule.minimum_percent - 1e-12
            if change:
                return True
        return False

    def objective_rollup(self, a: Activity) -> None:  # RB.1.2
        od = a.primary_objective
        if od.satisfied_by_measure:
            self.objective_rollup_using_measure(a)
            return
        if a.is_leaf:
            return
        self.objective_rollup_using_rules(a)

    def overall_rollup(self, a: Activity) -> None:  # RB.1.5
        for x in self.path_to_root(a):
            if not x.delivery.tracked:
                continue
            if not x.is_leaf:
                self.measure_rollup(x)
                self.completion_measure_rollup(x)
            self.objective_rollup(x)
            self.activity_progress_rollup(x)

    def rollup_global_readers(self, origin: Activity) -> None:
        """Activities that read shared (global) objectives roll up again.

        A global objective written by one activity changes the status of every other
        activity mapped to it; their ancestors' rolled-up status follows.
        """
        readers = []
        for x in self.tree:
            if x is origin or not x.is_leaf:
                continue
            for od in x.objectives:
                if any(m.read_satisfied_status or m.read_normalized_measure or m.read_completion_status
                       or m.read_progress_measure for m in od.map_info):
                    readers.append(x)
                    break
        done = set()
        for x in readers:
            p = x.parent
            if p is None or id(p) in done:
                continue
            done.add(id(p))
            self.overall_rollup(p)

    # ------------------------------------------------------- attempt handling
    def end_attempt(self, a: Activity) -> None:  # UP.4
        s = self.st(a)
        if a.is_leaf:
            if a.delivery.tracked:
                if not s.is_suspended:
                    if not a.delivery.completion_set_by_content:
                        if (not s.attempt_progress_status and not s.completion_reported
                                and not a.completion_threshold.completed_by_measure):
                            self.set_completion(a, True)
                    if not a.delivery.objective_set_by_content:
                        od = a.primary_objective
                        if not self.ost(a, od).progress_status and not s.success_reported:
                            if not od.satisfied_by_measure:
                                self.set_obj_status(a, od, True)
        else:
            s.is_suspended = any(self.st(c).is_suspended for c in self.children(a))
        self._stop_clock(a)
        s.is_active = False
        self.overall_rollup(a)
        self.rollup_global_readers(a)
        if not a.is_leaf:
            # selection and randomization "on each new attempt": the next attempt sees a new set/order
            rc = a.randomization
            if rc.selection_timing == "onEachNewAttempt" and rc.select_count is not None:
                self.select_children(a, force=True)
            if a.randomization.randomization_timing == "onEachNewAttempt":
                self.randomize_children(a, force=True)

    def _stop_clock(self, a: Activity) -> None:
        s = self.st(a)
        if s.is_active and s.attempt_started_at:
            elapsed = max(0.0, self.clock() - s.attempt_started_at)
            s.attempt_absolute_duration += elapsed
            s.activity_absolute_duration += elapsed
            s.attempt_started_at = 0.0

    def terminate_descendent_attempts(self, a: Activity) -> None:  # UP.3
        cur = self.current
        if cur is None:
            return
        ca = self.common_ancestor(cur, a)
        path = []
        x = cur
        while x is not None and x is not ca:
            path.append(x)
            x = x.parent
        for x in path:
            if x is cur:
                continue
            if self.st(x).is_active:
                self.end_attempt(x)

    def begin_attempt(self, a: Activity) -> None:
        s = self.st(a)
        s.activity_attempt_count += 1
        if s.activity_attempt_count == 1:
            s.activity_progress_status = True
        s.reset_attempt_progress()
        if a.is_root:
            # objectivesGlobalToSystem / sharedDataGlobalToSystem = false: the shared stores
            # live only as long as the attempt on the activity tree
            if not self.tree.objectives_global_to_system and CLEAR_LOCAL_OBJECTIVES:
                self.state.local_global_objectives.clear()
            if not self.tree.shared_data_global_to_system:
                self.state.local_shared_data.clear()
        self.state.attempt_counter += 1
        s.attempt_stamp = self.state.attempt_counter
        for od in a.objectives:
            self.ost(a, od).reset()

    def prepare_new_attempt_of_descendants(self, a: Activity) -> None:
        if not a.is_leaf:
            cm = a.control_mode
            for d in list(a.walk())[1:]:
                ds = self.st(d)
                if cm.use_current_attempt_objective_info:
                    for od in d.objectives:
                        self.ost(d, od).reset()
                if cm.use_current_attempt_progress_info:
                    ds.reset_attempt_progress()

    # ---------------------------------------------- selection & randomization
    def select_children(self, a: Activity, force: bool = False) -> None:  # SR.1
        if a.is_leaf:
            return
        s = self.st(a)
        if (s.is_active or s.is_suspended) and not force:
            return
        r = a.randomization
        if r.selection_timing == "never" and not force:
            return
        if r.selection_timing == "once" and s.activity_progress_status and not force:
            return
        if r.select_count is not None and 0 <= r.select_count < len(a.children):
            idx = sorted(self.rng.sample(range(len(a.children)), r.select_count))
            s.available_children = [a.children[i].id for i in idx]
        else:
            s.available_children = [c.id for c in a.children]

    def randomize_children(self, a: Activity, force: bool = False) -> None:  # SR.2
        if a.is_leaf:
            return
        s = self.st(a)
        r = a.randomization
        if not r.reorder_children or r.randomization_timing == "never":
            return
        if not force:
            if s.is_active or s.is_suspended:
                return
            if r.randomization_timing == "once" and s.activity_progress_status:
                return
        ids = s.available_children if s.available_children is not None else [c.id for c in a.children]
        ids = list(ids)
        self.rng.shuffle(ids)
        s.available_children = ids

    def initialise(self) -> None:
        """Apply selection and randomization once, when the tracking state is new."""
        if self.state.initialised:
            return
        for a in self.tree:
            if a.children:
                r = a.randomization
                if r.selection_timing in ("once", "onEachNewAttempt") and r.select_count is not None:
                    self.select_children(a)
                if r.randomization_timing in ("once", "onEachNewAttempt") and r.reorder_children:
                    self.randomize_children(a)
        self.state.initialised = True

    # ----------------------------------------------------- navigation request
    def navigation_request(self, req: str, target: Optional[Activity]):  # NB.2.1
        cur = self.current
        cs = self.st(cur) if cur else None
        if req == "start":
            if cur is not None:
                raise SequencingError("NB.2.1-1")
            return None, "start"
        if req == "resumeAll":
            if cur is not None:
                raise SequencingError("NB.2.1-1")
            if self.suspended is None:
                raise SequencingError("NB.2.1-3")
            return None, "resumeAll"
        if req == "continue":
            if cur is None:
                raise SequencingError("NB.2.1-1")
            if not cur.is_root and cur.parent.control_mode.flow:
                return ("exit" if cs.is_active else None), "continue"
            raise SequencingError("NB.2.1-4")
        if req == "previous":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            if not cur.is_root:
                p = cur.parent
                if p.control_mode.flow and not p.control_mode.forward_only:
                    return ("exit" if cs.is_active else None), "previous"
                raise SequencingError("NB.2.1-5")
            raise SequencingError("NB.2.1-6")
        if req in ("forward", "backward"):
            raise SequencingError("NB.2.1-7")
        if req == "choice":
            if target is None or not self.is_available(target):
                raise SequencingError("NB.2.1-11")
            if not (target.is_root or target.parent.control_mode.choice):
                raise SequencingError("NB.2.1-10")
            if cur is None:
                return None, "choice"
            if (target is not cur and not cur.is_ancestor_of(target) and cs.is_active
                    and not cur.control_mode.choice_exit):
                # choiceExit="false": while it is active, nothing outside the activity can be chosen
                raise SequencingError("NB.2.1-8")
            if not (cur.parent is not None and target.parent is cur.parent):
                ca = self.common_ancestor(cur, target)
                path = []
                x = cur
                while x is not None and x is not ca:
                    path.append(x)
                    x = x.parent
                if path:
                    for x in path:
                        if self.st(x).is_active and not x.control_mode.choice_exit:
                            raise SequencingError("NB.2.1-8")
                elif target is not cur and not cur.is_ancestor_of(target):
                    raise SequencingError("NB.2.1-9")
            return ("exit" if cs.is_active else None), "choice"
        if req == "jump":
            if target is None or not self.is_available(target):
                raise SequencingError("NB.2.1-11")
            if cur is None:
                return None, "jump"
            return ("exit" if cs.is_active else None), "jump"
        if req == "exit":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            if cs.is_active:
                return "exit", "exit"
            raise SequencingError("NB.2.1-12")
        if req == "exitAll":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            return "exitAll", "exit"
        if req == "abandon":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            if cs.is_active:
                return "abandon", "exit"
            raise SequencingError("NB.2.1-12")
        if req == "abandonAll":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            return "abandonAll", "exit"
        if req == "suspendAll":
            if cur is None:
                raise SequencingError("NB.2.1-2")
            return "suspendAll", "exit"
        raise SequencingError("NB.2.1-13")

    # ---------------------------------------------------- termination request
    def exit_action_rules(self) -> None:  # TB.2.1
        cur = self.current
        path = list(reversed(cur.ancestors()))  # root .. parent
        exit_target = None
        for a in path:
            if self.rules_check(a, "exit", ("exit",)) is not None:
                exit_target = a
                break
        if exit_target is not None:
            self.terminate_descendent_attempts(exit_target)
            self.end_attempt(exit_target)
            self.current = exit_target

    def post_condition_rules(self):  # TB.2.2
        cur = self.current
        if self.st(cur).is_suspended:
            return None, None
        action = self.rules_check(cur, "post", None)
        if action in ("retry", "continue", "previous"):
            return None, action
        if action in ("exitParent", "exitAll"):
            return action, None
        if action == "retryAll":
            return "exitAll", "retry"
        return None, None

    def termination_request(self, req: str) -> Optional[str]:  # TB.2.3
        cur = self.current
        if cur is None:
            raise SequencingError("TB.2.3-1")
        if req in ("exit", "abandon") and not self.st(cur).is_active:
            raise SequencingError("TB.2.3-2")
        seq_req = None
        if req == "exit":
            self.end_attempt(cur)
            self.exit_action_rules()
            while True:
                processed_exit = False
                term, seq_req = self.post_condition_rules()
                if term == "exitAll":
                    req = "exitAll"
                    break
                if term == "exitParent":
                    c = self.current
                    if not c.is_root:
                        self.current = c.parent
                        self.end_attempt(self.current)
                        processed_exit = True
                    else:
                        raise SequencingError("TB.2.3-4")
                else:
                    if self.current.is_root and seq_req != "retry":
                        return "exit"
                if not processed_exit:
                    return seq_req
        if req == "exitAll":
            cur = self.current
            if self.st(cur).is_active:
                self.end_attempt(cur)
            root = self.tree.root
            self.terminate_descendent_attempts(root)
            self.end_attempt(root)
            # the attempt on the whole tree is over: nothing is left to resume
            for x in self.tree:
                self.st(x).is_suspended = False
            self.suspended = None
            self.current = root
            return "retry" if seq_req == "retry" else "exit"
        if req == "suspendAll":
            cs = self.st(cur)
            if cs.is_active or cs.is_suspended:
                self.overall_rollup(cur)
                self.suspended = cur
            else:
                if not cur.is_root:
                    self.suspended = cur.parent
                else:
                    raise SequencingError("TB.2.3-3")
            for a in self.path_to_root(self.suspended):
                s = self.st(a)
                self._stop_clock(a)
                s.is_active = False
                s.is_suspended = True
            self.current = self.tree.root
            return "exit"
        if req == "abandon":
            self.st(cur).is_active = False
            return None
        if req == "abandonAll":
            for a in self.path_to_root(cur):
                self.st(a).is_active = False
            self.current = self.tree.root
            return "exit"
        raise SequencingError("TB.2.3-7")

    # ----------------------------------------------------- flow subprocesses
    def flow_tree_traversal(self, a: Activity, direction: str, considering_children: bool,
                            previous_direction: Optional[str] = None) -> FlowResult:  # SB.2.1
        reversed_dir = False
        if previous_direction == "backward" and a.parent is not None:
            sibs = self.children(a.parent)
            if sibs and sibs[-1] is a:
                direction = "backward"
                a = sibs[0]
                reversed_dir = True
        if direction == "forward":
            if self.is_last_in_tree(a) or (a.is_root and not considering_children):
                self.terminate_descendent_attempts(self.tree.root)
                return FlowResult(None, end_session=True)
            if a.is_leaf or not considering_children:
                sibs = self.children(a.parent)
                if sibs[-1] is a:
                    return self.flow_tree_traversal(a.parent, "forward", False, None)
                i = sibs.index(a)
                return FlowResult(sibs[i + 1], direction="forward")
            kids = self.children(a)
            if kids:
                return FlowResult(kids[0], direction="forward")
            return FlowResult(None, exception="SB.2.1-2")
        # backward
        if a.is_root:
            return FlowResult(None, exception="SB.2.1-3")
        if a.is_leaf or not considering_children:
            if not reversed_dir and a.parent.control_mode.forward_only:
                return FlowResult(None, exception="SB.2.1-4")
            sibs = self.children(a.parent)
            if sibs[0] is a:
                return self.flow_tree_traversal(a.parent, "backward", False, None)
            i = sibs.index(a)
            return FlowResult(sibs[i - 1], direction="backward")
        kids = self.children(a)
        if kids:
            if a.control_mode.forward_only:
                return FlowResult(kids[0], direction="forward")
            return FlowResult(kids[-1], direction="backward")
        return FlowResult(None, exception="SB.2.1-2")

    def flow_activity_traversal(self, a: Activity, direction: str,
                                previous_direction: Optional[str]) -> FlowResult:  # SB.2.2
        if a.parent is not None and not a.parent.control_mode.flow:
            return FlowResult(a, deliverable=False, exception="SB.2.2-1")
        if self.rules_check(a, "pre", ("skip",)) is not None:
            r = self.flow_tree_traversal(a, direction, False, previous_direction)
            if r.activity is None:
                return FlowResult(a, deliverable=False, end_session=r.end_session, exception=r.exception)
            if previous_direction == "backward" and r.direction == "backward":
                return self.flow_activity_traversal(r.activity, r.direction, None)
            return self.flow_activity_traversal(r.activity, direction, previous_direction)
        if self.check_activity(a):
            return FlowResult(a, deliverable=False, exception="SB.2.2-2")
        if not a.is_leaf:
            r = self.flow_tree_traversal(a, direction, True, None)
            if r.activity is None:
                return FlowResult(a, deliverable=False, end_session=r.end_session, exception=r.exception)
            if direction == "backward" and r.direction == "forward":
                return self.flow_activity_traversal(r.activity, "forward", "backward")
            return self.flow_activity_traversal(r.activity, direction, None)
        return FlowResult(a, deliverable=True)

    def flow(self, a: Activity, direction: str, considering_children: bool) -> FlowResult:  # SB.2.3
        r = self.flow_tree_traversal(a, direction, considering_children, None)
        if r.activity is None:
            return FlowResult(a, deliverable=False, end_session=r.end_session, exception=r.exception)
        return self.flow_activity_traversal(r.activity, direction, None)

    def choice_activity_traversal(self, a: Activity, direction: str) -> None:  # SB.2.4
        if direction == "forward":
            if self.rules_check(a, "pre", ("stopForwardTraversal",)) is not None:
                raise SequencingError("SB.2.4-1")
            return
        if a.parent is not None:
            if a.parent.control_mode.forward_only:
                raise SequencingError("SB.2.4-2")
        else:
            raise SequencingError("SB.2.4-3")

    # --------------------------------------------------- sequencing requests
    def sequencing_request(self, req: str, target: Optional[Activity]):  # SB.2.12
        """Return (delivery activity or None, end_session flag)."""
        if req == "start":
            return self.start_sr()
        if req == "resumeAll":
            return self.resume_all_sr()
        if req == "exit":
            return self.exit_sr()
        if req == "retry":
            return self.retry_sr()
        if req == "continue":
            return self.continue_sr()
        if req == "previous":
            return self.previous_sr()
        if req == "choice":
            return self.choice_sr(target)
        if req == "jump":
            return self.jump_sr(target)
        raise SequencingError("SB.2.12-1")

    def start_sr(self):  # SB.2.5
        if self.current is not None:
            raise SequencingError("SB.2.5-1")
        root = self.tree.root
        if root.is_leaf:
            return root, False
        r = self.flow(root, "forward", True)
        if not r.deliverable:
            if r.end_session:
                return None, True
            raise SequencingError(r.exception or "SB.2.5-3")
        return r.activity, False

    def resume_all_sr(self):  # SB.2.6
        if self.current is not None:
            raise SequencingError("SB.2.6-1")
        if self.suspended is None:
            raise SequencingError("SB.2.6-2")
        return self.suspended, False

    def continue_sr(self):  # SB.2.7
        cur = self.current
        if cur is None:
            raise SequencingError("SB.2.7-1")
        if not cur.is_root and not cur.parent.control_mode.flow:
            raise SequencingError("SB.2.7-2")
        r = self.flow(cur, "forward", False)
        if not r.deliverable:
            if r.end_session:
                return None, True
            raise SequencingError(r.exception or "SB.2.7-2")
        return r.activity, False

    def previous_sr(self):  # SB.2.8
        cur = self.current
        if cur is None:
            raise SequencingError("SB.2.8-1")
        if not cur.is_root and not cur.parent.control_mode.flow:
            raise SequencingError("SB.2.8-2")
        r = self.flow(cur, "backward", False)
        if not r.deliverable:
            raise SequencingError(r.exception or "SB.2.8-2")
        return r.activity, False

    def exit_sr(self):  # SB.2.11
        cur = self.current
        if cur is None:
            raise SequencingError("SB.2.11-1")
        if self.st(cur).is_active:
            raise SequencingError("SB.2.11-2")
        if cur.is_root:
            return None, True
        return None, False

    def retry_sr(self):  # SB.2.10
        cur = self.current
        if cur is None:
            raise SequencingError("SB.2.10-1")
        s = self.st(cur)
        if s.is_active or s.is_suspended:
            raise SequencingError("SB.2.10-2")
        if not cur.is_leaf:
            r = self.flow(cur, "forward", True)
            if not r.deliverable:
                raise SequencingError("SB.2.10-3")
            return r.activity, False
        return cur, False

    def jump_sr(self, target: Optional[Activity]):  # SB.2.13
        if self.current is None:
            raise SequencingError("SB.2.13-1")
        return target, False

    def choice_sr(self, target: Optional[Activity]):  # SB.2.9
        if target is None:
            raise SequencingError("SB.2.9-1")
        path = list(reversed(target.ancestors(include_self=True)))  # root .. target
        for a in path:
            if not a.is_root and not self.is_available(a):
                raise SequencingError("SB.2.9-2")
            if self.rules_check(a, "pre", ("hiddenFromChoice",)) is not None:
                raise SequencingError("SB.2.9-3")
        if not target.is_root and not target.parent.control_mode.choice:
            raise SequencingError("SB.2.9-4")
        cur = self.current
        ca = self.common_ancestor(cur, target) if cur is not None else self.tree.root

        if cur is not None and target is cur:
            pass
        elif cur is not None and cur.parent is not None and target.parent is cur.parent:
            sibs = self.children(cur.parent)
            i, j = sibs.index(cur), sibs.index(target)
            if i < j:
                seg, direction = sibs[i:j + 1], "forward"
            else:
                seg, direction = sibs[j:i + 1], "backward"
            if not seg:
                raise SequencingError("SB.2.9-5")
            if direction == "forward":
                for a in seg[:-1]:
                    self.choice_activity_traversal(a, "forward")
            else:
                self.choice_activity_traversal(cur, "backward")
        elif cur is None or ca is cur:
            start = cur if cur is not None else self.tree.root
            p = []
            x = target
            while x is not None:
                p.append(x)
                if x is start:
                    break
                x = x.parent
            p.reverse()  # start .. target
            if not p:
                raise SequencingError("SB.2.9-5")
            for a in p:
                if a is not target:
                    self.choice_activity_traversal(a, "forward")
                    # prevent activation: no attempt may begin on a child of an inactive activity
                    if not self.st(a).is_active and a is not ca and a.prevent_activation:
                        raise SequencingError("SB.2.9-6")
        elif target is ca:
            p = []
            x = cur
            while x is not None:
                p.append(x)
                if x is target:
                    break
                x = x.parent
            if not p:
                raise SequencingError("SB.2.9-5")
            for a in p[:-1]:
                if not a.control_mode.choice_exit:
                    raise SequencingError("SB.2.9-7")
        else:
            p = []
            x = cur
            while x is not None and x is not ca:
                p.append(x)
                x = x.parent
            if not p:
                raise SequencingError("SB.2.9-5")
            constrained = None
            for a in p:
                if not a.control_mode.choice_exit:
                    raise SequencingError("SB.2.9-7")
                if constrained is None and a.constrain_choice and a is not cur:
                    constrained = a
            if constrained is not None:
                direction = "forward" if self.is_forward_of(target, constrained) else "backward"
                consider = self.choice_flow(constrained, direction)
                if (target is not consider and not consider.is_ancestor_of(target)
                        and target is not constrained):
                    raise SequencingError("SB.2.9-8")
            p2 = []
            x = target
            while x is not None:
                p2.append(x)
                if x is ca:
                    break
                x = x.parent
            p2.reverse()  # ca .. target
            if not p2:
                raise SequencingError("SB.2.9-5")
            if self.is_forward_of(target, cur):
                for a in p2:
                    if a is not target:
                        self.choice_activity_traversal(a, "forward")
                    if a is not target and not self.st(a).is_active and a is not ca and a.prevent_activation:
                        raise SequencingError("SB.2.9-6")
            else:
                for a in p2:
                    if a is not target and not self.st(a).is_active and a is not ca and a.prevent_activation:
                        raise SequencingError("SB.2.9-6")
        if target.is_leaf:
            return target, False
        r = self.flow(target, "forward", True)
        if not r.deliverable:
            self.terminate_descendent_attempts(ca)
            self.end_attempt(ca)
            self.current = target
            raise SequencingError("SB.2.9-9")
        return r.activity, False

    def choice_flow(self, a: Activity, direction: str) -> Activity:  # SB.2.9.1
        r = self.choice_flow_tree_traversal(a, direction)
        return a if r is None else r

    def choice_flow_tree_traversal(self, a: Activity, direction: str) -> Optional[Activity]:  # SB.2.9.2
        if a.is_root:
            return None
        sibs = self.children(a.parent)
        if direction == "forward":
            if self.is_last_in_tree(a):
                return None
            if sibs[-1] is a:
                return self.choice_flow_tree_traversal(a.parent, "forward")
            return sibs[sibs.index(a) + 1]
        if sibs[0] is a:
            return self.choice_flow_tree_traversal(a.parent, "backward")
        return sibs[sibs.index(a) - 1]

    # ------------------------------------------------------------- delivery
    def delivery_request(self, a: Activity) -> None:  # DB.1.1
        if not a.is_leaf:
            raise SequencingError("DB.1.1-1")
        path = list(reversed(a.ancestors(include_self=True)))
        if not path:
            raise SequencingError("DB.1.1-2")
        for x in path:
            if self.check_activity(x):
                raise SequencingError("DB.1.1-3")

    def clear_suspended_activity(self, a: Activity) -> None:  # DB.2.1
        sus = self.suspended
        if sus is None:
            return
        ca = self.common_ancestor(a, sus)
        x = sus
        while x is not None:
            s = self.st(x)
            if x.is_leaf:
                s.is_suspended = False
            elif not any(self.st(c).is_suspended for c in self.children(x)):
                s.is_suspended = False
            if x is ca:
                break
            x = x.parent
        self.suspended = None

    def content_delivery_environment(self, a: Activity) -> None:  # DB.2
        if self.st(a).is_active and self.current is a:
            raise SequencingError("DB.2-1")
        if a is not self.suspended:
            self.clear_suspended_activity(a)
        self.terminate_descendent_attempts(a)
        path = list(reversed(a.ancestors(include_self=True)))
        for x in path:
            s = self.st(x)
            if not s.is_active:
                if x.delivery.tracked:
                    if s.is_suspended:
                        s.is_suspended = False
                    else:
                        self.begin_attempt(x)
                else:
                    s.is_suspended = False
                s.is_active = True
                s.attempt_started_at = self.clock()
        self.current = a
        self.suspended = None

    # ------------------------------------------------------- overall process
    def overall(self, req: str, target: Optional[Activity] = None):  # OP.1
        """Returns (delivered activity or None, end_session flag)."""
        self.initialise()
        term_req, seq_req = self.navigation_request(req, target)
        if term_req is not None:
            seq_from_term = self.termination_request(term_req)
            if seq_from_term is not None:
                seq_req = seq_from_term
        if seq_req is None:
            return None, False
        delivery, end_session = self.sequencing_request(seq_req, target)
        if end_session:
            return None, True
        if delivery is None:
            return None, False
        self.delivery_request(delivery)
        self.content_delivery_environment(delivery)
        return delivery, False
