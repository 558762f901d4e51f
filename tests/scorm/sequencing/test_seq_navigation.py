"""Navigation request process (NB.2.1), termination (TB.2.3), sequencing requests (SB.2.x)."""
import json

from seqkit import FLOW, FLOW_NO_CHOICE, cluster, finish, leaf, manifest, session

from lms.scorm.sequencing import SequencingSession, TrackingState, build_activity_tree

LINEAR = manifest(leaf("a") + leaf("b") + leaf("c"), org_seq=FLOW)


def test_start_continue_previous_and_end_of_course():
    s = session(LINEAR)
    assert s.start().delivered == "a"
    assert finish(s).delivered == "b"
    assert finish(s, "previous").delivered == "a"
    assert finish(s).delivered == "b"
    assert finish(s).delivered == "c"
    r = finish(s)
    assert r.valid and r.ended and r.delivered is None
    assert s.current_activity is None
    # the attempt on the tree ended with the session
    assert not s.state.act("ORG").is_active


def test_start_twice_is_refused():
    s = session(LINEAR)
    s.navigate("start")
    r = s.navigate("start")
    assert not r.valid and r.exception == "NB.2.1-1"


def test_continue_without_flow_is_refused():
    s = session(manifest(leaf("a") + leaf("b")))  # flow defaults to false
    assert s.start().exception == "SB.2.2-1"
    assert s.navigate("{target=a}choice").delivered == "a"
    r = s.navigate("continue")
    assert not r.valid and r.exception == "NB.2.1-4"
    assert s.current_activity == "a" and s.is_active("a")  # nothing was terminated


def test_previous_with_forward_only_is_refused():
    s = session(manifest(leaf("a") + leaf("b"), org_seq='<imsss:controlMode flow="true" forwardOnly="true"/>'))
    s.start()
    finish(s)
    r = s.navigate("previous")
    assert r.exception == "NB.2.1-5"


def test_previous_from_first_activity_is_an_exception():
    s = session(LINEAR)
    s.start()
    r = finish(s, "previous")
    assert not r.valid and r.exception == "SB.2.1-3"


def test_choice_and_choice_disabled():
    s = session(LINEAR)
    s.start()
    assert s.navigate("{target=c}choice").delivered == "c"
    s2 = session(manifest(leaf("a") + leaf("b"), org_seq=FLOW_NO_CHOICE))
    s2.start()
    assert s2.navigate("{target=b}choice").exception == "NB.2.1-10"
    assert s2.navigate("{target=zzz}choice").exception == "NB.2.1-11"


def test_choice_exit_false_keeps_the_learner_inside():
    inner = cluster("m", leaf("a") + leaf("b"), seq='<imsss:controlMode flow="true" choiceExit="false"/>')
    s = session(manifest(inner + leaf("c"), org_seq=FLOW))
    assert s.start().delivered == "a"
    assert s.navigate("{target=c}choice").exception == "NB.2.1-8"
    assert s.navigate("{target=b}choice").delivered == "b"


def test_jump_ignores_flow_and_choice_restrictions():
    s = session(manifest(leaf("a") + leaf("b") + leaf("c"), org_seq=FLOW_NO_CHOICE))
    s.start()
    r = s.terminate("{target=c}jump")
    assert r.delivered == "c"


def test_exit_then_choice_and_exit_all():
    s = session(LINEAR)
    s.start()
    r = s.navigate("exit")
    assert r.valid and r.delivered is None and not r.ended
    assert not s.is_active("a")
    assert s.navigate("{target=b}choice").delivered == "b"
    r = s.navigate("exitAll")
    assert r.ended
    assert s.state.act("ORG").activity_attempt_count == 1


def test_abandon_all_discards_without_rollup():
    s = session(LINEAR)
    s.start()
    r = s.navigate("abandonAll")
    assert r.ended
    # abandon does not end the attempt: no completion was recorded
    assert not s.state.act("a").attempt_progress_status


def test_suspend_all_then_resume_all_in_a_new_session():
    s = session(LINEAR)
    s.start()
    finish(s)  # on b
    s.report(exit="suspend", completion_status="incomplete")
    r = s.navigate("suspendAll")
    assert r.ended
    saved = json.loads(json.dumps(s.to_dict()))  # what the player stores
    assert saved["suspended_activity"] == "b"
    s2 = SequencingSession(build_activity_tree(LINEAR), saved)
    r = s2.start()
    assert r.request == "resumeAll" and r.delivered == "b"
    # resuming does not start a new attempt
    assert s2.state.act("b").activity_attempt_count == 1
    assert s2.suspended_activity is None


def test_resume_all_without_suspension_is_refused():
    s = session(LINEAR)
    assert s.navigate("resumeAll").exception == "NB.2.1-3"


def test_unknown_request_and_none():
    s = session(LINEAR)
    s.start()
    assert s.navigate("forward").exception == "NB.2.1-7"
    assert s.navigate("sideways").exception == "NB.2.1-13"
    assert s.navigate("_none_").valid and s.current_activity == "a"


def test_state_round_trips_through_json():
    s = session(LINEAR)
    s.start()
    finish(s, completion_status="completed", success_status="passed", score_scaled=0.5)
    blob = json.dumps(s.to_dict())
    st = TrackingState.from_dict(json.loads(blob))
    assert st.to_dict() == s.to_dict()
    s2 = SequencingSession(build_activity_tree(LINEAR), st)
    assert s2.current_activity == "b"
    assert finish(s2).delivered == "c"
    a = s2.state.act("a")
    assert a.attempt_completion_status and a.objectives[""].satisfied_status
    assert a.objectives[""].normalized_measure == 0.5


def test_choice_exit_false_on_the_current_leaf_blocks_its_siblings():
    s = session(manifest(leaf("a", seq='<imsss:controlMode choiceExit="false"/>') + leaf("b"), org_seq=FLOW))
    s.start()
    assert s.navigate("{target=b}choice").exception == "NB.2.1-8"
    assert [r["id"] for r in s.toc() if r["enabled"] and not r["current"]] == []
    assert finish(s).delivered == "b"  # flow is still allowed


def test_request_valid_continue_does_not_look_into_the_next_cluster():
    # the next cluster has no flow: Continue is offered (its children are not evaluated yet)
    body = leaf("a") + cluster("m", leaf("m1") + leaf("m2"))
    s = session(manifest(body, org_seq=FLOW))
    s.start()
    assert s.request_valid("continue") is True
    assert s.request_valid("previous") is False
    r = finish(s)
    assert not r.valid and r.exception == "SB.2.2-1"


def test_jump_needs_a_current_activity():
    s = session(LINEAR)
    r = s.navigate("{target=b}jump")
    assert not r.valid and r.exception == "SB.2.13-1"


def test_abandon_ends_nothing_but_deactivates():
    s = session(LINEAR)
    s.start()
    r = s.navigate("abandon")
    assert r.valid and r.delivered is None
    assert not s.is_active("a") and s.current_activity == "a"
    assert s.navigate("exit").exception == "NB.2.1-12"  # nothing active to exit
    assert s.navigate("{target=b}choice").delivered == "b"


def test_suspended_sco_is_resumed_without_a_new_attempt_and_cleared_by_choice():
    body = cluster("m", leaf("a") + leaf("b"), seq=FLOW) + leaf("c")
    s = session(manifest(body, org_seq=FLOW))
    s.start()
    s.report(exit="suspend", completion_status="incomplete")
    assert s.navigate("suspendAll").ended
    assert s.suspended_activity == "a"
    assert s.state.act("a").is_suspended and s.state.act("m").is_suspended
    s.navigate("resumeAll")
    assert s.current_activity == "a" and s.state.act("a").activity_attempt_count == 1
    assert not s.state.act("m").is_suspended
    # suspend again, then start elsewhere: the suspension is cleared (DB.2.1)
    s.report(exit="suspend")
    s.navigate("suspendAll")
    s.state.current_activity = None
    assert s.navigate("{target=c}choice").delivered == "c"
    assert s.suspended_activity is None
    assert not s.state.act("a").is_suspended and not s.state.act("m").is_suspended
