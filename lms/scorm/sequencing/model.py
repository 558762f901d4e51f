"""Activity tree: the sequencing definition model of SCORM 2004 4th Edition.

Every dataclass default is the default value the CAM book gives to the element or
attribute when the manifest omits it.  The tree is immutable during a sequencing
session; everything that changes lives in :mod:`lms.scorm.sequencing.tracking`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

PRE_ACTIONS = ("skip", "disabled", "hiddenFromChoice", "stopForwardTraversal")
EXIT_ACTIONS = ("exit",)
POST_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous")


@dataclass
class ControlMode:
    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass
class RuleCondition:
    condition: str  # satisfied, objectiveStatusKnown, ..., always
    operator: str = "noOp"  # noOp | not
    referenced_objective: Optional[str] = None
    measure_threshold: float = 0.0


@dataclass
class SequencingRule:
    kind: str  # pre | exit | post
    action: str
    conditions: list[RuleCondition] = field(default_factory=list)
    condition_combination: str = "all"  # all | any


@dataclass
class RollupCondition:
    condition: str
    operator: str = "noOp"


@dataclass
class RollupRule:
    action: str  # satisfied | notSatisfied | completed | incomplete
    child_activity_set: str = "all"  # all | any | none | atLeastCount | atLeastPercent
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"
    conditions: list[RollupCondition] = field(default_factory=list)


@dataclass
class MapInfo:
    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False
    # adlseq:objectives extended map (4th edition)
    read_raw_score: bool = False
    read_min_score: bool = False
    read_max_score: bool = False
    read_completion_status: bool = False
    read_progress_measure: bool = False
    write_raw_score: bool = False
    write_min_score: bool = False
    write_max_score: bool = False
    write_completion_status: bool = False
    write_progress_measure: bool = False


@dataclass
class ObjectiveDef:
    objective_id: Optional[str]
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: list[MapInfo] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Key in the tracking model ('' for a primary objective without an id)."""
        return self.objective_id or ""


@dataclass
class RandomizationControls:
    randomization_timing: str = "never"  # never | once | onEachNewAttempt
    select_count: Optional[int] = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass
class DeliveryControls:
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass
class RollupConsiderations:
    required_for_satisfied: str = "always"  # always | ifAttempted | ifNotSkipped | ifNotSuspended
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass
class CompletionThreshold:
    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass
class SharedDataMap:
    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = True


@dataclass
class Activity:
    """One node of the activity tree (an organization or an item)."""

    id: str
    title: str = ""
    parent: Optional["Activity"] = field(default=None, repr=False, compare=False)
    children: list["Activity"] = field(default_factory=list, repr=False)
    is_visible: bool = True
    resource_id: Optional[str] = None
    parameters: Optional[str] = None
    # sequencing definition model
    control_mode: ControlMode = field(default_factory=ControlMode)
    rules: list[SequencingRule] = field(default_factory=list)
    attempt_limit: Optional[int] = None
    attempt_absolute_duration_limit: Optional[str] = None
    rollup_rules: list[RollupRule] = field(default_factory=list)
    rollup_objective_satisfied: bool = True
    objective_measure_weight: float = 1.0
    rollup_progress_completion: bool = True
    objectives: list[ObjectiveDef] = field(default_factory=list)
    randomization: RandomizationControls = field(default_factory=RandomizationControls)
    delivery: DeliveryControls = field(default_factory=DeliveryControls)
    prevent_activation: bool = False
    constrain_choice: bool = False
    rollup_considerations: RollupConsiderations = field(default_factory=RollupConsiderations)
    completion_threshold: CompletionThreshold = field(default_factory=CompletionThreshold)
    has_completion_threshold: bool = False
    # run-time related element values (adlcp)
    time_limit_action: Optional[str] = None
    data_from_lms: Optional[str] = None
    shared_data: list[SharedDataMap] = field(default_factory=list)
    hide_lms_ui: list[str] = field(default_factory=list)

    # -- structure helpers -------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def primary_objective(self) -> ObjectiveDef:
        for o in self.objectives:
            if o.primary:
                return o
        # The CAM says a primary objective always exists (implicitly when omitted).
        o = ObjectiveDef(objective_id=None, primary=True)
        self.objectives.insert(0, o)
        return o

    def objective(self, objective_id: Optional[str]) -> Optional[ObjectiveDef]:
        if objective_id is None:
            return self.primary_objective
        for o in self.objectives:
            if o.objective_id == objective_id:
                return o
        return None

    def rules_of(self, kind: str, actions=None) -> list[SequencingRule]:
        return [r for r in self.rules if r.kind == kind and (actions is None or r.action in actions)]

    def ancestors(self, include_self: bool = False) -> list["Activity"]:
        out = [self] if include_self else []
        a = self.parent
        while a is not None:
            out.append(a)
            a = a.parent
        return out

    def is_ancestor_of(self, other: "Activity") -> bool:
        return self in other.ancestors()

    def walk(self) -> Iterator["Activity"]:
        yield self
        for c in self.children:
            yield from c.walk()

    def __hash__(self):  # identity hash: activities are unique within a tree
        return id(self)

    def __eq__(self, other):
        return self is other


@dataclass
class ActivityTree:
    root: Activity
    organization_id: str
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True
    by_id: dict[str, Activity] = field(default_factory=dict, repr=False)
    order: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self):
        if not self.by_id:
            self.reindex()

    def reindex(self) -> None:
        self.by_id = {}
        self.order = []
        for a in self.root.walk():
            self.by_id[a.id] = a
            self.order.append(a.id)
        for a in self.root.walk():
            for c in a.children:
                c.parent = a

    def get(self, activity_id: str) -> Optional[Activity]:
        return self.by_id.get(activity_id)

    def __getitem__(self, activity_id: str) -> Activity:
        return self.by_id[activity_id]

    def __iter__(self):
        return iter(self.root.walk())

    def global_objective_ids(self) -> set[str]:
        ids = set()
        for a in self:
            for o in a.objectives:
                for m in o.map_info:
                    ids.add(m.target_objective_id)
        return ids
