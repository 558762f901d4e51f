"""Activity tree builder: CAM defaults, collections, identifiers, extensions."""
import pytest
from seqkit import FLOW, cluster, leaf, manifest

from lms.scorm.sequencing import ManifestError, build_activity_tree


def test_defaults_of_every_sequencing_element():
    tree = build_activity_tree(manifest(leaf("a")))
    a = tree["a"]
    cm = a.control_mode
    assert (cm.choice, cm.choice_exit, cm.flow, cm.forward_only) == (True, True, False, False)
    assert cm.use_current_attempt_objective_info and cm.use_current_attempt_progress_info
    assert a.attempt_limit is None and a.attempt_absolute_duration_limit is None
    assert a.rules == [] and a.rollup_rules == []
    assert a.rollup_objective_satisfied and a.rollup_progress_completion
    assert a.objective_measure_weight == 1.0
    po = a.primary_objective
    assert po.primary and not po.satisfied_by_measure and po.min_normalized_measure == 1.0
    r = a.randomization
    assert (r.randomization_timing, r.selection_timing, r.select_count, r.reorder_children) == ("never", "never", None, False)
    d = a.delivery
    assert (d.tracked, d.completion_set_by_content, d.objective_set_by_content) == (True, False, False)
    assert not a.prevent_activation and not a.constrain_choice
    rc = a.rollup_considerations
    assert rc.required_for_satisfied == rc.required_for_completed == "always"
    assert rc.measure_satisfaction_if_active
    ct = a.completion_threshold
    assert (ct.completed_by_measure, ct.min_progress_measure, ct.progress_weight) == (False, 1.0, 1.0)
    assert tree.objectives_global_to_system and tree.shared_data_global_to_system


def test_full_sequencing_element_is_read():
    seq = """
      <imsss:controlMode choice="false" choiceExit="false" flow="true" forwardOnly="true"
          useCurrentAttemptObjectiveInfo="false" useCurrentAttemptProgressInfo="false"/>
      <imsss:sequencingRules>
        <imsss:preConditionRule><imsss:ruleConditions conditionCombination="any">
          <imsss:ruleCondition condition="satisfied" operator="not" referencedObjective="o1"/>
          <imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="0.5"/>
        </imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>
        <imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="completed"/>
        </imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule>
        <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/>
        </imsss:ruleConditions><imsss:ruleAction action="retryAll"/></imsss:postConditionRule>
      </imsss:sequencingRules>
      <imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H"/>
      <imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.5" rollupProgressCompletion="false">
        <imsss:rollupRule childActivitySet="atLeastCount" minimumCount="2">
          <imsss:rollupConditions conditionCombination="all"><imsss:rollupCondition condition="completed" operator="not"/></imsss:rollupConditions>
          <imsss:rollupAction action="incomplete"/></imsss:rollupRule>
      </imsss:rollupRules>
      <imsss:objectives>
        <imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
          <imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true" readNormalizedMeasure="false"/>
        </imsss:primaryObjective>
        <imsss:objective objectiveID="o1"/>
      </imsss:objectives>
      <imsss:randomizationControls randomizationTiming="onEachNewAttempt" selectCount="1" reorderChildren="true" selectionTiming="once"/>
      <imsss:deliveryControls tracked="false" completionSetByContent="true" objectiveSetByContent="true"/>
      <adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>
      <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" requiredForNotSatisfied="ifNotSkipped"
          requiredForCompleted="ifNotSuspended" requiredForIncomplete="ifAttempted" measureSatisfactionIfActive="false"/>
      <adlseq:objectives><adlseq:objective objectiveID="p">
          <adlseq:mapInfo targetObjectiveID="g1" writeRawScore="true" readCompletionStatus="false"/>
      </adlseq:objective></adlseq:objectives>
    """
    tree = build_activity_tree(manifest(cluster("c", leaf("a") + leaf("b"), seq=seq)))
    c = tree["c"]
    assert not c.control_mode.choice and c.control_mode.forward_only and c.control_mode.flow
    assert not c.control_mode.use_current_attempt_objective_info
    pre = c.rules_of("pre")[0]
    assert pre.action == "skip" and pre.condition_combination == "any"
    assert pre.conditions[0].operator == "not" and pre.conditions[0].referenced_objective == "o1"
    assert pre.conditions[1].measure_threshold == 0.5
    assert c.rules_of("exit")[0].action == "exit" and c.rules_of("post")[0].action == "retryAll"
    assert c.attempt_limit == 3 and c.attempt_absolute_duration_limit == "PT1H"
    assert not c.rollup_objective_satisfied and c.objective_measure_weight == 0.5
    rr = c.rollup_rules[0]
    assert (rr.child_activity_set, rr.minimum_count, rr.action, rr.condition_combination) == ("atLeastCount", 2, "incomplete", "all")
    po = c.primary_objective
    assert po.objective_id == "p" and po.satisfied_by_measure and po.min_normalized_measure == 0.6
    m = po.map_info[0]
    assert m.write_satisfied_status and not m.read_normalized_measure and m.read_satisfied_status
    assert m.write_raw_score and not m.read_completion_status and m.read_raw_score
    assert c.randomization.select_count == 1 and c.randomization.reorder_children
    assert not c.delivery.tracked and c.delivery.objective_set_by_content
    assert c.prevent_activation and c.constrain_choice
    assert c.rollup_considerations.required_for_not_satisfied == "ifNotSkipped"
    assert not c.rollup_considerations.measure_satisfaction_if_active


def test_sequencing_collection_idref_is_merged_with_local_elements():
    collection = """<imsss:sequencing ID="common">
        <imsss:controlMode choice="false" flow="true"/>
        <imsss:limitConditions attemptLimit="2"/></imsss:sequencing>"""
    body = ('<item identifier="a" identifierref="R"><title>a</title>'
            '<imsss:sequencing IDRef=" common "><imsss:limitConditions attemptLimit="5"/></imsss:sequencing></item>'
            '<item identifier="b" identifierref="R"><title>b</title><imsss:sequencing IDRef="common"/></item>')
    tree = build_activity_tree(manifest(body, collection=collection))
    a, b = tree["a"], tree["b"]
    assert a.control_mode.flow and not a.control_mode.choice  # from the collection
    assert a.attempt_limit == 5  # the local element replaces the collection's
    assert b.attempt_limit == 2 and b.control_mode.flow


def test_unknown_idref_is_an_error():
    xml = manifest('<item identifier="a" identifierref="R"><title>a</title><imsss:sequencing IDRef="nope"/></item>')
    with pytest.raises(ManifestError):
        build_activity_tree(xml)


def test_identifiers_are_trimmed_and_objective_ids_decoded():
    xml = manifest(
        '<item identifier="  a  " identifierref="R"><title>A</title><imsss:sequencing>'
        + '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
          '<imsss:ruleCondition condition="satisfied" referencedObjective="  ob%20%20j  "/></imsss:ruleConditions>'
          '<imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>'
        + '<imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID=" ob%20j "/></imsss:objectives>'
        + '</imsss:sequencing></item>', org_id="ORG")
    tree = build_activity_tree(xml)
    a = tree["a"]
    assert a.objective("ob j") is not None
    assert a.rules[0].conditions[0].referenced_objective == "ob j"


def test_item_extensions_completion_threshold_data_maps_and_presentation():
    extra = ('<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.7" progressWeight="2"/>'
             '<adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>'
             '<adlcp:dataFromLMS>hello</adlcp:dataFromLMS>'
             '<adlcp:data><adlcp:map targetID="t1"/><adlcp:map targetID="t2" readSharedData="false" writeSharedData="false"/></adlcp:data>'
             '<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>'
             '</adlnav:navigationInterface></adlnav:presentation>')
    tree = build_activity_tree(manifest(leaf("a", extra=extra), org_attrs='adlseq:objectivesGlobalToSystem="false" adlcp:sharedDataGlobalToSystem="false"'))
    a = tree["a"]
    assert a.completion_threshold.completed_by_measure and a.completion_threshold.min_progress_measure == 0.7
    assert a.completion_threshold.progress_weight == 2.0
    assert a.time_limit_action == "exit,message" and a.data_from_lms == "hello"
    assert [(m.target_id, m.read_shared_data, m.write_shared_data) for m in a.shared_data] == [
        ("t1", True, True), ("t2", False, False)]
    assert a.hide_lms_ui == ["continue"]
    assert not tree.objectives_global_to_system and not tree.shared_data_global_to_system


def test_organization_selection_and_errors():
    xml = manifest(leaf("a"), org_seq=FLOW)
    assert build_activity_tree(xml).root.id == "ORG"
    with pytest.raises(ManifestError):
        build_activity_tree(xml, organization_id="missing")
    with pytest.raises(ManifestError):
        build_activity_tree(b"<not-a-manifest/>")
    with pytest.raises(ManifestError):
        build_activity_tree(b"<manifest")


def test_entities_are_not_resolved():
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"><organizations default="O">
<organization identifier="O"><title>&x;</title><item identifier="a" identifierref="R"><title>a</title></item>
</organization></organizations></manifest>"""
    tree = build_activity_tree(xml)
    assert "root:" not in tree.root.title
