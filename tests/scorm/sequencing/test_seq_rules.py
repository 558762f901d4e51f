"""Sequencing rules (pre / exit / post), limit conditions, constrained choice, selection."""
from seqkit import FLOW, FLOW_NO_CHOICE, cluster, finish, leaf, manifest, post_rule, pre_rule, session


def test_skip_rule_on_satisfied():
    s = session(manifest(leaf("a") + leaf("b", seq=pre_rule("satisfied", "skip")) + leaf("c"), org_seq=FLOW))
    s.start()
    finish(s)  # a completes (and is satisfied by default); b is not yet attempted -> unknown
    assert s.current_activity == "b"
    s.navigate("exitAll")
    # second course attempt: b was satisfied by default at the end of its attempt -> skipped
    s2 = session(manifest(leaf("a") + leaf("b", seq=pre_rule("satisfied", "skip")) + leaf("c"), org_seq=FLOW), s.to_dict())
    s2.start()
    assert finish(s2).delivered == "c"


def test_skip_with_not_operator_and_referenced_objective():
    objs = '<imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID="o1"/></imsss:objectives>'
    b_seq = pre_rule("satisfied", "skip", operator="not", referenced="o1") + objs
    s = session(manifest(leaf("a") + leaf("b", seq=b_seq) + leaf("c"), org_seq=FLOW))
    s.start()
    # o1 is unknown: "not satisfied" is unknown -> no skip
    assert finish(s).delivered == "b"
    r = finish(s, objectives=[{"id": "o1", "success_status": "failed"}])
    assert r.delivered == "c"
    r = finish(s, "previous")
    # o1 failed -> "not satisfied" true -> b is skipped backwards too
    assert r.delivered == "a"


def test_disabled_activity_blocks_flow_and_choice():
    s = session(manifest(leaf("a") + leaf("b", seq=pre_rule("always", "disabled")) + leaf("c"), org_seq=FLOW))
    s.start()
    r = finish(s)
    assert not r.valid and r.exception == "SB.2.2-2"
    r = s.navigate("{target=b}choice")
    assert not r.valid and r.exception == "DB.1.1-3"
    assert s.navigate("{target=c}choice").delivered == "c"


def test_hidden_from_choice():
    s = session(manifest(leaf("a") + leaf("b", seq=pre_rule("always", "hiddenFromChoice")), org_seq=FLOW))
    s.start()
    assert s.navigate("{target=b}choice").exception == "SB.2.9-3"
    rows = {r["id"]: r for r in s.toc()}
    assert not rows["b"]["visible"] and not rows["b"]["enabled"]
    assert finish(s).delivered == "b"  # flow still reaches it


def test_stop_forward_traversal_limits_forward_choice():
    s = session(manifest(leaf("a", seq=pre_rule("always", "stopForwardTraversal")) + leaf("b") + leaf("c"), org_seq=FLOW))
    s.start()
    assert s.navigate("{target=c}choice").exception == "SB.2.4-1"
    assert finish(s).delivered == "b"  # flow is not affected


def test_attempt_limit():
    xml = manifest(leaf("a", seq='<imsss:limitConditions attemptLimit="1"/>') + leaf("b"), org_seq=FLOW)
    s = session(xml)
    s.start()
    finish(s)
    r = finish(s, "previous")
    assert not r.valid and r.exception == "SB.2.2-2"
    assert s.navigate("{target=a}choice").exception == "DB.1.1-3"
    assert s.request_valid("previous") is False and s.request_valid("choice", "a") is False


def test_exit_action_rule_on_a_cluster():
    exit_rule = ('<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions>'
                 '<imsss:ruleCondition condition="completed"/></imsss:ruleConditions>'
                 '<imsss:ruleAction action="exit"/></imsss:exitConditionRule></imsss:sequencingRules>')
    m = cluster("m", leaf("a") + leaf("b") + leaf("b2"), seq=FLOW + exit_rule
                + '<imsss:rollupRules><imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
                  '<imsss:rollupCondition condition="completed"/></imsss:rollupConditions>'
                  '<imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>')
    s = session(manifest(m + leaf("c"), org_seq=FLOW))
    s.start()
    r = finish(s, completion_status="incomplete")
    assert r.delivered == "b"  # m is not completed yet
    r = finish(s, completion_status="completed")
    # m completes (any child completed): its exit rule ends m, continue goes on after m
    assert r.delivered == "c"
    assert s.state.act("b2").activity_attempt_count == 0
    assert not s.state.act("m").is_active


def test_post_condition_exit_parent():
    m = cluster("m", leaf("a", seq=post_rule("always", "exitParent")) + leaf("b"), seq=FLOW)
    s = session(manifest(m + leaf("c"), org_seq=FLOW))
    s.start()
    assert finish(s).delivered == "c"  # a leaves m; continue from m goes to c


def test_post_condition_retry_remediation_loop():
    """Forced order, a failed post-test sends the learner back to the lesson."""
    lesson = leaf("lesson")
    # the post-test always leaves its unit, whose own post-condition decides what comes next
    test = leaf("test", seq=post_rule("always", "exitParent")
                + '<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
                  '<imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>')
    unit = cluster("unit", lesson + test, seq='<imsss:controlMode choice="false" flow="true" forwardOnly="true"/>'
                   + post_rule("satisfied", "retry", operator="not"))
    s = session(manifest(unit + leaf("end"), org_seq=FLOW_NO_CHOICE))
    assert s.start().delivered == "lesson"
    assert finish(s, completion_status="completed").delivered == "test"
    r = finish(s, score_scaled=0.4, completion_status="completed")
    assert r.delivered == "lesson"  # failed: the unit is retried from its first activity
    assert s.state.act("unit").activity_attempt_count == 2
    assert finish(s, completion_status="completed").delivered == "test"
    r = finish(s, score_scaled=0.9, completion_status="completed")
    assert r.delivered == "end"
    assert s.seq.obj_status(s.tree["unit"], s.tree["unit"].primary_objective) is True


def test_post_condition_continue_previous_and_exit_all():
    s = session(manifest(leaf("a", seq=post_rule("always", "continue")) + leaf("b") + leaf("c"), org_seq=FLOW))
    s.start()
    assert s.navigate("exit").delivered == "b"  # exit + post-condition continue
    s = session(manifest(leaf("a") + leaf("b", seq=post_rule("always", "previous")), org_seq=FLOW))
    s.start()
    finish(s)
    assert s.navigate("exit").delivered == "a"
    s = session(manifest(leaf("a", seq=post_rule("always", "exitAll")) + leaf("b"), org_seq=FLOW))
    s.start()
    assert finish(s).ended


def test_retry_all_restarts_the_course():
    s = session(manifest(leaf("a") + leaf("b", seq=post_rule("always", "retryAll")), org_seq=FLOW))
    s.start()
    finish(s)
    r = finish(s)
    assert r.delivered == "a"
    assert s.state.act("ORG").activity_attempt_count == 2


def test_prevent_activation_and_constrain_choice():
    inner = cluster("m", leaf("m1") + leaf("m2"),
                    seq=FLOW + '<adlseq:constrainedChoiceConsiderations preventActivation="true"/>')
    s = session(manifest(leaf("a") + inner, org_seq=FLOW))
    s.start()
    assert s.navigate("{target=m2}choice").exception == "SB.2.9-6"
    assert s.navigate("{target=m}choice").delivered == "m1"  # the cluster itself may be chosen
    assert s.navigate("{target=m2}choice").delivered == "m2"  # now that m is active
    body = (cluster("x", leaf("x1") + leaf("x2"), seq=FLOW + '<adlseq:constrainedChoiceConsiderations constrainChoice="true"/>')
            + cluster("y", leaf("y1")) + cluster("z", leaf("z1")))
    s = session(manifest(body, org_seq=FLOW))
    s.start()
    assert s.navigate("{target=z1}choice").exception == "SB.2.9-8"  # not logically next to x
    assert s.navigate("{target=y1}choice").delivered == "y1"


def test_selection_and_randomization_once():
    kids = "".join(leaf(f"k{i}") for i in range(6))
    seq = FLOW + '<imsss:randomizationControls selectionTiming="once" selectCount="3" randomizationTiming="once" reorderChildren="true"/>'
    xml = manifest(cluster("pool", kids, seq=seq), org_seq=FLOW)
    s = session(xml, seed=7)
    first = s.start().delivered
    avail = s.state.act("pool").available_children
    assert len(avail) == 3 and first == avail[0]
    seen = [first]
    while True:
        r = finish(s)
        if r.ended:
            break
        seen.append(r.delivered)
    assert seen == avail  # exactly the selected children, in the randomized order
    # the selection is kept in the state (once)
    s2 = session(xml, s.to_dict())
    assert s2.state.act("pool").available_children == avail


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_attempt_absolute_duration_limit_and_time_limit_condition():
    clock = FakeClock()
    a = leaf("a", seq='<imsss:limitConditions attemptAbsoluteDurationLimit="PT10M"/>'
             + post_rule("timeLimitExceeded", "exitAll"))
    s = session(manifest(a + leaf("b"), org_seq=FLOW), clock=clock)
    s.start()
    clock.now += 5 * 60
    assert s.seq.evaluate_condition(s.tree["a"], "timeLimitExceeded") is False
    clock.now += 6 * 60
    assert s.seq.evaluate_condition(s.tree["a"], "timeLimitExceeded") is True
    r = finish(s)  # the post-condition ends the course
    assert r.ended
    st = s.state.act("a")
    assert st.attempt_absolute_duration == 11 * 60 and st.activity_absolute_duration == 11 * 60
    # the last attempt used up the time allowed: a can no longer be delivered (flow stops there)
    s2 = session(manifest(a + leaf("b"), org_seq=FLOW), s.to_dict(), clock=clock)
    assert s2.start().exception == "SB.2.2-2"
    assert s2.navigate("{target=a}choice").exception == "DB.1.1-3"
    assert s2.navigate("{target=b}choice").delivered == "b"


def test_selection_and_randomization_on_each_new_attempt():
    kids = "".join(leaf(f"k{i}") for i in range(8))
    seq = FLOW + ('<imsss:randomizationControls selectionTiming="onEachNewAttempt" selectCount="4" '
            'randomizationTiming="onEachNewAttempt" reorderChildren="true"/>')
    xml = manifest(cluster("pool", kids, seq=seq) + leaf("end"), org_seq=FLOW)
    s = session(xml, seed=3)
    s.start()
    orders = [tuple(s.state.act("pool").available_children)]
    for _ in range(4):
        s.navigate("{target=end}choice")  # ends the attempt on pool
        orders.append(tuple(s.state.act("pool").available_children))
        s.navigate("{target=pool}choice")  # a new attempt on pool
    assert all(len(o) == 4 for o in orders)
    assert len(set(orders)) > 1  # a new selection / order for new attempts
