"""Rollup (RB.1.x): measure, completion measure, rules, considerations, delivery controls."""
from seqkit import FLOW, cluster, finish, leaf, manifest, session


def status(s, ident):
    a = s.tree[ident]
    return s.seq.obj_status(a, a.primary_objective), s.seq.completion(a), s.seq.obj_measure(a, a.primary_objective)


def rollup_rules(*rules, attrs=""):
    out = f"<imsss:rollupRules {attrs}>"
    for cas, cond, action, extra in rules:
        out += (f'<imsss:rollupRule childActivitySet="{cas}" {extra}><imsss:rollupConditions>'
                f'<imsss:rollupCondition condition="{cond}"/></imsss:rollupConditions>'
                f'<imsss:rollupAction action="{action}"/></imsss:rollupRule>')
    return out + "</imsss:rollupRules>"


def test_default_rollup_rules():
    s = session(manifest(cluster("m", leaf("a") + leaf("b"), seq=FLOW) + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s, completion_status="completed", success_status="passed")
    assert status(s, "m")[:2] == (None, None)  # b unknown: nothing rolls up yet
    r = finish(s, "previous", completion_status="incomplete", success_status="failed")
    assert r.delivered == "a"
    assert status(s, "m")[:2] == (False, False)  # all known, not all satisfied/completed
    finish(s, completion_status="completed", success_status="passed")
    finish(s, completion_status="completed", success_status="passed")
    assert status(s, "m")[:2] == (True, True)


def test_measure_rollup_with_weights():
    a = leaf("a", seq='<imsss:rollupRules objectiveMeasureWeight="3"/>')
    b = leaf("b", seq='<imsss:rollupRules objectiveMeasureWeight="1"/>')
    prim = ('<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
            '<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>')
    s = session(manifest(cluster("m", a + b, seq=FLOW + prim), org_seq=FLOW))
    s.start()
    finish(s, score_scaled=1.0)
    finish(s, score_scaled=0.2)
    sat, _, measure = status(s, "m")
    assert abs(measure - (3 * 1.0 + 0.2) / 4) < 1e-9
    assert sat is True  # 0.8 >= 0.7, satisfied by measure


def test_completion_measure_rollup_and_completed_by_measure():
    a = leaf("a", extra='<adlcp:completionThreshold progressWeight="0.75"/>')
    b = leaf("b", extra='<adlcp:completionThreshold progressWeight="0.25"/>')
    m = cluster("m", a + b, seq=FLOW).replace(
        "<imsss:sequencing>", '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.6"/><imsss:sequencing>', 1)
    s = session(manifest(m, org_seq=FLOW))
    s.start()
    finish(s, progress_measure=0.8)
    finish(s, progress_measure=0.0)
    amt = s.seq.completion_amount(s.tree["m"])
    assert abs(amt - 0.6) < 1e-9
    assert status(s, "m")[1] is True


def test_leaf_completed_by_measure_uses_the_threshold():
    a = leaf("a", extra='<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5"/>')
    s = session(manifest(a + leaf("b"), org_seq=FLOW))
    s.start()
    assert s.sco_init("a")["completion_threshold"] == 0.5
    finish(s, completion_status="completed", progress_measure=0.3)  # the measure wins
    assert status(s, "a")[1] is False


def test_custom_rollup_rule_sets():
    kids = leaf("a") + leaf("b") + leaf("c")
    rules = rollup_rules(("atLeastCount", "satisfied", "satisfied", 'minimumCount="2"'),
                         ("none", "satisfied", "notSatisfied", ""),
                         ("any", "completed", "completed", ""),
                         ("atLeastPercent", "completed", "incomplete", 'minimumPercent="0.9"'))
    s = session(manifest(cluster("m", kids, seq=FLOW + rules), org_seq=FLOW))
    s.start()
    finish(s, success_status="passed", completion_status="completed")
    assert status(s, "m")[:2] == (None, True)  # any completed
    finish(s, success_status="passed", completion_status="incomplete")
    assert status(s, "m")[0] is True  # two satisfied


def test_rollup_considerations_if_attempted():
    a = leaf("a")
    b = leaf("b", seq='<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" '
                      'requiredForNotSatisfied="ifAttempted" requiredForCompleted="ifAttempted" requiredForIncomplete="ifAttempted"/>')
    s = session(manifest(cluster("m", a + b, seq=FLOW) + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s, success_status="passed", completion_status="completed")
    # b was never attempted: it does not count, so m is satisfied and completed from a alone
    assert status(s, "m")[:2] == (True, True)


def test_children_excluded_from_rollup():
    a = leaf("a")
    b = leaf("b", seq='<imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false"/>')
    s = session(manifest(cluster("m", a + b, seq=FLOW) + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s, success_status="passed", completion_status="completed")
    assert status(s, "m")[:2] == (True, True)


def test_untracked_activity_records_nothing():
    a = leaf("a", seq='<imsss:deliveryControls tracked="false"/>')
    s = session(manifest(a + leaf("b"), org_seq=FLOW))
    s.start()
    finish(s, success_status="passed", completion_status="completed", score_scaled=1)
    st = s.state.act("a")
    assert not st.attempt_progress_status and st.activity_attempt_count == 0
    assert status(s, "a") == (None, None, None)


def test_content_sets_status_or_lms_defaults():
    a = leaf("a", seq='<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>')
    s = session(manifest(a + leaf("b") + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s)  # reports nothing
    assert status(s, "a")[:2] == (None, None)
    finish(s)  # b: the LMS assumes completed and satisfied
    assert status(s, "b")[:2] == (True, True)
    s.navigate("{target=a}choice")
    finish(s, success_status="unknown", completion_status="unknown")
    assert status(s, "a")[:2] == (None, None)


def test_use_current_attempt_objective_info():
    """Child data from an earlier attempt of the parent does not roll up."""
    m = cluster("m", leaf("a") + leaf("b"), seq=FLOW)
    s = session(manifest(m + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s, success_status="passed", completion_status="completed")
    finish(s, success_status="passed", completion_status="completed")
    assert status(s, "m")[:2] == (True, True)
    s.navigate("{target=a}choice")  # a new attempt on m (and on a)
    finish(s, "exit", success_status="failed", completion_status="completed")
    # b belongs to the previous attempt of m: unknown for this rollup -> nothing concluded
    assert status(s, "m")[0] is None
    assert status(s, "b")[0] is True  # b keeps its own data


def test_unknown_is_a_default_unless_the_content_set_it():
    s = session(manifest(leaf("a") + leaf("b") + leaf("c"), org_seq=FLOW))
    s.start()
    # the data model's defaults: the LMS assumes completed and satisfied at the end of the attempt
    finish(s, completion_status="unknown", success_status="unknown")
    assert status(s, "a")[:2] == (True, True)
    # the SCO itself set both to unknown: they stay unknown
    finish(s, completion_status="unknown", success_status="unknown",
           set_by_content=["completion_status", "success_status"])
    assert status(s, "b")[:2] == (None, None)


def test_explicit_unknown_objective_clears_the_shared_value():
    w = ('<imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID="o">'
         '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/></imsss:objective></imsss:objectives>')
    s = session(manifest(leaf("a", seq=w) + leaf("b", seq=w) + leaf("c", seq=w), org_seq=FLOW))
    s.start()
    finish(s, objectives=[{"id": "o", "success_status": "passed"}])
    assert s.global_objectives["g"]["satisfied"] is True
    finish(s, objectives=[{"id": "o", "success_status": "unknown"}])  # a default: no change
    assert s.global_objectives["g"]["satisfied"] is True
    finish(s, objectives=[{"id": "o", "success_status": "unknown", "set_fields": ["success_status"]}])
    assert s.global_objectives["g"]["satisfied"] is None
