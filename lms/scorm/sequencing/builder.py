"""Build an :class:`ActivityTree` from an imsmanifest.xml (imsss / adlseq / adlcp / adlnav).

Self-contained: parses with lxml (no entity resolution, no network) and needs nothing
else from the project, so the package import code can call it directly.
"""
from __future__ import annotations

from typing import Optional, Union
from urllib.parse import unquote

from lxml import etree

from .model import (
    Activity,
    ActivityTree,
    CompletionThreshold,
    MapInfo,
    ObjectiveDef,
    RollupCondition,
    RollupRule,
    RuleCondition,
    SequencingRule,
    SharedDataMap,
)

NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
NS_ADLSEQ_PREFIX = "http://www.adlnet.org/xsd/adlseq"
NS_ADLCP_PREFIX = "http://www.adlnet.org/xsd/adlcp"
NS_ADLNAV_PREFIX = "http://www.adlnet.org/xsd/adlnav"


class ManifestError(ValueError):
    """The manifest cannot be turned into an activity tree."""


def _ns(el) -> str:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].split("}", 1)[0]


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _family(el) -> str:
    ns = _ns(el)
    if ns == NS_IMSSS or ns.startswith("http://www.imsglobal.org/xsd/imsss"):
        return "imsss"
    if ns.startswith(NS_ADLSEQ_PREFIX):
        return "adlseq"
    if ns.startswith(NS_ADLCP_PREFIX):
        return "adlcp"
    if ns.startswith(NS_ADLNAV_PREFIX):
        return "adlnav"
    return "cp"


def _kids(el, family: str, name: str):
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name and _family(c) == family]


def _kid(el, family: str, name: str):
    k = _kids(el, family, name)
    return k[0] if k else None


def _attr(el, name: str, family: Optional[str] = None) -> Optional[str]:
    """Attribute value by local name (namespaced or not), whitespace-trimmed."""
    for k, v in el.attrib.items():
        local = k.rsplit("}", 1)[-1]
        if local != name:
            continue
        if family and k.startswith("{"):
            ns = k[1:].split("}", 1)[0]
            fam = {"imsss": NS_IMSSS, "adlseq": NS_ADLSEQ_PREFIX, "adlcp": NS_ADLCP_PREFIX}.get(family, "")
            if fam and not ns.startswith(fam):
                continue
        return v.strip()
    return None


def _bool(el, name: str, default: bool, family: Optional[str] = None) -> bool:
    v = _attr(el, name, family)
    if v is None or v == "":
        return default
    return v.lower() in ("true", "1")


def _float(el, name: str, default: float) -> float:
    v = _attr(el, name)
    if v is None or v == "":
        return default
    try:
        return float(v)
    except ValueError:
        return default


def _int(el, name: str, default: Optional[int]) -> Optional[int]:
    v = _attr(el, name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        return default


def _objective_id(value: Optional[str]) -> Optional[str]:
    """Objective identifiers: trimmed, percent-decoded, inner whitespace collapsed."""
    if value is None:
        return None
    v = " ".join(unquote(value.strip()).split())
    return v or None


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def parse_xml(source: Union[bytes, str, "etree._Element", "etree._ElementTree"]):
    if isinstance(source, etree._ElementTree):
        return source.getroot()
    if isinstance(source, etree._Element):
        return source
    if isinstance(source, str):
        source = source.encode("utf-8")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        return etree.fromstring(source, parser)
    except etree.XMLSyntaxError as exc:
        raise ManifestError(f"invalid XML: {exc}") from exc


# ---------------------------------------------------------------------------
# sequencing element
# ---------------------------------------------------------------------------

def _merged_sequencing_children(seq_el, collection: dict) -> list:
    """Children of an <imsss:sequencing>, merged over its IDRef'd collection entry.

    The local element of a given kind replaces the referenced one of the same kind.
    """
    local = [c for c in seq_el if isinstance(c.tag, str)]
    ref = _attr(seq_el, "IDRef")
    if not ref:
        return local
    base = collection.get(ref)
    if base is None:
        raise ManifestError(f"sequencing IDRef '{ref}' does not match any sequencingCollection entry")
    local_kinds = {(_family(c), _local(c)) for c in local}
    merged = [c for c in base if isinstance(c.tag, str) and (_family(c), _local(c)) not in local_kinds]
    return merged + local


def _apply_sequencing(act: Activity, children: list) -> None:
    def of(family, name):
        return [c for c in children if _family(c) == family and _local(c) == name]

    for cm in of("imsss", "controlMode"):
        m = act.control_mode
        m.choice = _bool(cm, "choice", m.choice)
        m.choice_exit = _bool(cm, "choiceExit", m.choice_exit)
        m.flow = _bool(cm, "flow", m.flow)
        m.forward_only = _bool(cm, "forwardOnly", m.forward_only)
        m.use_current_attempt_objective_info = _bool(
            cm, "useCurrentAttemptObjectiveInfo", m.use_current_attempt_objective_info)
        m.use_current_attempt_progress_info = _bool(
            cm, "useCurrentAttemptProgressInfo", m.use_current_attempt_progress_info)

    for sr in of("imsss", "sequencingRules"):
        for rule_el in sr:
            if not isinstance(rule_el.tag, str):
                continue
            kinds = {"preConditionRule": "pre", "exitConditionRule": "exit", "postConditionRule": "post"}
            kind = kinds.get(_local(rule_el))
            if kind is None:
                continue
            conds_el = _kid(rule_el, "imsss", "ruleConditions")
            action_el = _kid(rule_el, "imsss", "ruleAction")
            if action_el is None:
                continue
            rule = SequencingRule(kind=kind, action=_attr(action_el, "action") or "")
            if conds_el is not None:
                rule.condition_combination = _attr(conds_el, "conditionCombination") or "all"
                for c in _kids(conds_el, "imsss", "ruleCondition"):
                    rule.conditions.append(RuleCondition(
                        condition=_attr(c, "condition") or "always",
                        operator=_attr(c, "operator") or "noOp",
                        referenced_objective=_objective_id(_attr(c, "referencedObjective")),
                        measure_threshold=_float(c, "measureThreshold", 0.0),
                    ))
            act.rules.append(rule)

    for lc in of("imsss", "limitConditions"):
        act.attempt_limit = _int(lc, "attemptLimit", act.attempt_limit)
        if act.attempt_limit == 0:
            act.attempt_limit = None
        act.attempt_absolute_duration_limit = (_attr(lc, "attemptAbsoluteDurationLimit")
                                               or act.attempt_absolute_duration_limit)

    for rr in of("imsss", "rollupRules"):
        act.rollup_objective_satisfied = _bool(rr, "rollupObjectiveSatisfied", act.rollup_objective_satisfied)
        act.rollup_progress_completion = _bool(rr, "rollupProgressCompletion", act.rollup_progress_completion)
        act.objective_measure_weight = _float(rr, "objectiveMeasureWeight", act.objective_measure_weight)
        for r in _kids(rr, "imsss", "rollupRule"):
            action_el = _kid(r, "imsss", "rollupAction")
            if action_el is None:
                continue
            rule = RollupRule(
                action=_attr(action_el, "action") or "",
                child_activity_set=_attr(r, "childActivitySet") or "all",
                minimum_count=_int(r, "minimumCount", 0) or 0,
                minimum_percent=_float(r, "minimumPercent", 0.0),
            )
            conds = _kid(r, "imsss", "rollupConditions")
            if conds is not None:
                rule.condition_combination = _attr(conds, "conditionCombination") or "any"
                for c in _kids(conds, "imsss", "rollupCondition"):
                    rule.conditions.append(RollupCondition(condition=_attr(c, "condition") or "",
                                                           operator=_attr(c, "operator") or "noOp"))
            act.rollup_rules.append(rule)

    for objs in of("imsss", "objectives"):
        for o in objs:
            if not isinstance(o.tag, str) or _family(o) != "imsss":
                continue
            if _local(o) not in ("primaryObjective", "objective"):
                continue
            od = ObjectiveDef(
                objective_id=_objective_id(_attr(o, "objectiveID")),
                primary=_local(o) == "primaryObjective",
                satisfied_by_measure=_bool(o, "satisfiedByMeasure", False),
            )
            mnm = _kid(o, "imsss", "minNormalizedMeasure")
            if mnm is not None and _text(mnm):
                try:
                    od.min_normalized_measure = float(_text(mnm))
                except ValueError:
                    pass
            for m in _kids(o, "imsss", "mapInfo"):
                target = _objective_id(_attr(m, "targetObjectiveID"))
                if not target:
                    continue
                od.map_info.append(MapInfo(
                    target_objective_id=target,
                    read_satisfied_status=_bool(m, "readSatisfiedStatus", True),
                    read_normalized_measure=_bool(m, "readNormalizedMeasure", True),
                    write_satisfied_status=_bool(m, "writeSatisfiedStatus", False),
                    write_normalized_measure=_bool(m, "writeNormalizedMeasure", False),
                ))
            if od.primary:
                act.objectives = [x for x in act.objectives if not x.primary]
                act.objectives.insert(0, od)
            else:
                act.objectives.append(od)

    for rc in of("imsss", "randomizationControls"):
        r = act.randomization
        r.randomization_timing = _attr(rc, "randomizationTiming") or r.randomization_timing
        r.selection_timing = _attr(rc, "selectionTiming") or r.selection_timing
        r.reorder_children = _bool(rc, "reorderChildren", r.reorder_children)
        r.select_count = _int(rc, "selectCount", r.select_count)

    for dc in of("imsss", "deliveryControls"):
        d = act.delivery
        d.tracked = _bool(dc, "tracked", d.tracked)
        d.completion_set_by_content = _bool(dc, "completionSetByContent", d.completion_set_by_content)
        d.objective_set_by_content = _bool(dc, "objectiveSetByContent", d.objective_set_by_content)

    for cc in of("adlseq", "constrainedChoiceConsiderations"):
        act.prevent_activation = _bool(cc, "preventActivation", act.prevent_activation)
        act.constrain_choice = _bool(cc, "constrainChoice", act.constrain_choice)

    for rc in of("adlseq", "rollupConsiderations"):
        r = act.rollup_considerations
        r.required_for_satisfied = _attr(rc, "requiredForSatisfied") or r.required_for_satisfied
        r.required_for_not_satisfied = _attr(rc, "requiredForNotSatisfied") or r.required_for_not_satisfied
        r.required_for_completed = _attr(rc, "requiredForCompleted") or r.required_for_completed
        r.required_for_incomplete = _attr(rc, "requiredForIncomplete") or r.required_for_incomplete
        r.measure_satisfaction_if_active = _bool(
            rc, "measureSatisfactionIfActive", r.measure_satisfaction_if_active)

    for objs in of("adlseq", "objectives"):
        for o in _kids(objs, "adlseq", "objective"):
            oid = _objective_id(_attr(o, "objectiveID"))
            od = act.objective(oid) if oid else None
            if od is None:
                continue  # extended maps only apply to objectives declared in imsss:objectives
            for m in _kids(o, "adlseq", "mapInfo"):
                target = _objective_id(_attr(m, "targetObjectiveID"))
                if not target:
                    continue
                mi = next((x for x in od.map_info if x.target_objective_id == target), None)
                if mi is None:
                    mi = MapInfo(target_objective_id=target, read_satisfied_status=False,
                                 read_normalized_measure=False)
                    od.map_info.append(mi)
                mi.read_raw_score = _bool(m, "readRawScore", True)
                mi.read_min_score = _bool(m, "readMinScore", True)
                mi.read_max_score = _bool(m, "readMaxScore", True)
                mi.read_completion_status = _bool(m, "readCompletionStatus", True)
                mi.read_progress_measure = _bool(m, "readProgressMeasure", True)
                mi.write_raw_score = _bool(m, "writeRawScore", False)
                mi.write_min_score = _bool(m, "writeMinScore", False)
                mi.write_max_score = _bool(m, "writeMaxScore", False)
                mi.write_completion_status = _bool(m, "writeCompletionStatus", False)
                mi.write_progress_measure = _bool(m, "writeProgressMeasure", False)


def _apply_item_extensions(act: Activity, el) -> None:
    ct = _kid(el, "adlcp", "completionThreshold")
    if ct is not None:
        act.has_completion_threshold = True
        c = CompletionThreshold()
        c.completed_by_measure = _bool(ct, "completedByMeasure", False)
        c.min_progress_measure = _float(ct, "minProgressMeasure", 1.0)
        c.progress_weight = _float(ct, "progressWeight", 1.0)
        if _text(ct):  # 3rd edition form: <adlcp:completionThreshold>0.8</...>
            try:
                c.min_progress_measure = float(_text(ct))
                c.completed_by_measure = True
            except ValueError:
                pass
        act.completion_threshold = c
    tla = _kid(el, "adlcp", "timeLimitAction")
    if tla is not None and _text(tla):
        act.time_limit_action = _text(tla)
    dfl = _kid(el, "adlcp", "dataFromLMS")
    if dfl is not None:
        act.data_from_lms = (dfl.text or "")
    data = _kid(el, "adlcp", "data")
    if data is not None:
        for m in _kids(data, "adlcp", "map"):
            target = _attr(m, "targetID")
            if target:
                act.shared_data.append(SharedDataMap(
                    target_id=target,
                    read_shared_data=_bool(m, "readSharedData", True),
                    write_shared_data=_bool(m, "writeSharedData", True),
                ))
    pres = _kid(el, "adlnav", "presentation")
    if pres is not None:
        ni = _kid(pres, "adlnav", "navigationInterface")
        if ni is not None:
            act.hide_lms_ui = [_text(h) for h in _kids(ni, "adlnav", "hideLMSUI") if _text(h)]


def build_activity_tree(manifest, organization_id: Optional[str] = None) -> ActivityTree:
    """Build the activity tree of one organization of a manifest.

    ``manifest`` is the imsmanifest.xml content (bytes/str) or an lxml element/tree.
    ``organization_id`` selects the organization; default: the ``default`` attribute of
    ``<organizations>``, else the first organization.
    """
    root_el = parse_xml(manifest)
    if _local(root_el) != "manifest":
        raise ManifestError("root element is not <manifest>")
    collection: dict = {}
    for sc in _kids(root_el, "imsss", "sequencingCollection"):
        for s in _kids(sc, "imsss", "sequencing"):
            sid = _attr(s, "ID")
            if sid:
                collection[sid] = s
    orgs_el = _kid(root_el, "cp", "organizations")
    if orgs_el is None:
        raise ManifestError("manifest has no <organizations>")
    orgs = _kids(orgs_el, "cp", "organization")
    if not orgs:
        raise ManifestError("manifest has no <organization>")
    wanted = (organization_id or _attr(orgs_el, "default") or "").strip()
    org = next((o for o in orgs if (_attr(o, "identifier") or "") == wanted), None) if wanted else None
    if org is None:
        if organization_id:
            raise ManifestError(f"organization '{organization_id}' not found")
        org = orgs[0]

    seen: set[str] = set()

    def make(el, is_org: bool) -> Activity:
        ident = (_attr(el, "identifier") or "").strip()
        if not ident:
            raise ManifestError("an organization or item has no identifier")
        if ident in seen:
            raise ManifestError(f"duplicate identifier '{ident}'")
        seen.add(ident)
        title_el = _kid(el, "cp", "title")
        act = Activity(id=ident, title=_text(title_el))
        if not is_org:
            act.is_visible = _bool(el, "isvisible", True)
            ref = _attr(el, "identifierref")
            act.resource_id = ref or None
            params = el.get("parameters")
            act.parameters = params if params else None
        seq = _kid(el, "imsss", "sequencing")
        if seq is not None:
            _apply_sequencing(act, _merged_sequencing_children(seq, collection))
        _apply_item_extensions(act, el)
        for child_el in _kids(el, "cp", "item"):
            child = make(child_el, False)
            child.parent = act
            act.children.append(child)
        act.primary_objective  # materialise the implicit primary objective
        return act

    root = make(org, True)
    tree = ActivityTree(
        root=root,
        organization_id=root.id,
        objectives_global_to_system=_bool(org, "objectivesGlobalToSystem", True, "adlseq"),
        shared_data_global_to_system=_bool(org, "sharedDataGlobalToSystem", True, "adlcp"),
    )
    return tree
