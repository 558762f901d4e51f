"""Objectives: local and global maps, extended (4th edition) maps, objectivesGlobalToSystem."""
from seqkit import FLOW, FLOW_NO_CHOICE, finish, leaf, manifest, pre_rule, session


def objectives(primary_map: str = "", others: str = "", primary_attrs: str = "") -> str:
    return (f'<imsss:objectives><imsss:primaryObjective objectiveID="p" {primary_attrs}>{primary_map}'
            f'</imsss:primaryObjective>{others}</imsss:objectives>')


WRITE_G = '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>'
READ_G = '<imsss:mapInfo targetObjectiveID="g"/>'


def pretest_course(org_attrs: str = "") -> bytes:
    """Activity 'pre' writes g; 'lesson' is skipped when g is satisfied."""
    pre = leaf("pre", seq=objectives(WRITE_G))
    lesson = leaf("lesson", seq=pre_rule("satisfied", "skip") + objectives(READ_G))
    return manifest(pre + lesson + leaf("end"), org_seq=FLOW_NO_CHOICE, org_attrs=org_attrs)


def test_pretest_passed_skips_the_lesson():
    s = session(pretest_course())
    s.start()
    assert finish(s, success_status="passed").delivered == "end"
    assert s.global_objectives["g"]["satisfied"] is True


def test_pretest_failed_delivers_the_lesson():
    s = session(pretest_course())
    s.start()
    assert finish(s, success_status="failed", score_scaled=0.3).delivered == "lesson"
    assert s.global_objectives["g"]["measure"] == 0.3
    init = s.sco_init("lesson")
    assert init["objectives"] == [{
        "id": "p", "success_status": "failed", "score_scaled": 0.3, "score_raw": None, "score_min": None,
        "score_max": None, "completion_status": "unknown", "progress_measure": None}]


def _course_reading_g(org_attrs: str = "") -> bytes:
    lesson = leaf("lesson", seq=pre_rule("satisfied", "skip") + objectives(READ_G))
    return manifest(leaf("intro") + lesson + leaf("end"), org_seq=FLOW_NO_CHOICE, org_attrs=org_attrs)


def test_global_objectives_shared_between_two_packages_of_a_learner():
    learner_store = {}  # what the player persists per learner
    a = session(pretest_course(), global_objectives=learner_store)
    a.start()
    finish(a, success_status="passed")
    # another package of the same learner reads g: its lesson is skipped
    b = session(_course_reading_g(), global_objectives=learner_store)
    b.start()
    assert finish(b).delivered == "end"
    # another learner (empty store) sees the lesson
    c = session(_course_reading_g(), global_objectives={})
    c.start()
    assert finish(c).delivered == "lesson"


def test_global_objectives_kept_apart_when_not_global_to_system():
    learner_store = {}
    a = session(pretest_course('adlseq:objectivesGlobalToSystem="false"'), global_objectives=learner_store)
    a.start()
    finish(a, success_status="passed")
    assert learner_store == {}  # nothing leaked to the learner's system-wide store
    assert a.state.local_global_objectives["g"]["satisfied"] is True
    b = session(_course_reading_g(), global_objectives=learner_store)
    b.start()
    assert finish(b).delivered == "lesson"
    # and a package that keeps its objectives to itself does not read the system store either
    learner_store2 = {"g": {"satisfied": True, "measure": None, "raw": None, "min": None, "max": None,
                            "completion": None, "progress_measure": None}}
    c = session(_course_reading_g('adlseq:objectivesGlobalToSystem="false"'), global_objectives=learner_store2)
    c.start()
    assert finish(c).delivered == "lesson"


def test_non_global_objectives_last_one_attempt_on_the_tree():
    xml = pretest_course('adlseq:objectivesGlobalToSystem="false"')
    s = session(xml)
    s.start()
    finish(s, success_status="passed")
    s.navigate("exitAll")
    s2 = session(xml, s.to_dict())
    s2.start()  # a new attempt on the tree: the course's own objectives start empty
    assert s2.state.local_global_objectives == {}


def test_read_map_without_value_is_unknown():
    # the lesson reads g (never written): its own default satisfaction does not count
    lesson = leaf("lesson", seq=pre_rule("satisfied", "hiddenFromChoice") + objectives(READ_G))
    s = session(manifest(lesson + leaf("other"), org_seq=FLOW))
    s.start()
    finish(s)
    assert s.navigate("{target=lesson}choice").delivered == "lesson"


def test_satisfied_by_measure_reads_the_measure():
    writer = leaf("w", seq=objectives(WRITE_G))
    reader = leaf("r", seq=pre_rule("satisfied", "skip") + objectives(
        READ_G + '<imsss:minNormalizedMeasure>0.5</imsss:minNormalizedMeasure>', primary_attrs='satisfiedByMeasure="true"'))
    s = session(manifest(writer + reader + leaf("end"), org_seq=FLOW_NO_CHOICE))
    s.start()
    # written status says failed, but the reader is satisfied by measure: 0.8 >= 0.5 -> skip
    assert finish(s, success_status="failed", score_scaled=0.8).delivered == "end"


def test_non_primary_objectives_from_cmi_objectives():
    others = ('<imsss:objective objectiveID="o1"><imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:objective>')
    a = leaf("a", seq=objectives(others=others))
    b = leaf("b", seq=pre_rule("satisfied", "skip", referenced="o1") + objectives(
        others='<imsss:objective objectiveID="o1"><imsss:mapInfo targetObjectiveID="g1"/></imsss:objective>'))
    s = session(manifest(a + b + leaf("c"), org_seq=FLOW_NO_CHOICE))
    s.start()
    r = finish(s, objectives=[{"id": "o1", "success_status": "passed"}])
    assert r.delivered == "c"


def test_extended_maps_share_scores_completion_and_progress():
    w = leaf("w", seq=objectives() + '<adlseq:objectives><adlseq:objective objectiveID="p">'
             '<adlseq:mapInfo targetObjectiveID="gx" writeRawScore="true" writeMinScore="true" writeMaxScore="true" '
             'writeCompletionStatus="true" writeProgressMeasure="true"/></adlseq:objective></adlseq:objectives>')
    r = leaf("r", seq=pre_rule("completed", "skip", operator="not") + objectives()
             + '<adlseq:objectives><adlseq:objective objectiveID="p"><adlseq:mapInfo targetObjectiveID="gx"/>'
               '</adlseq:objective></adlseq:objectives>')
    s = session(manifest(w + r + leaf("end"), org_seq=FLOW_NO_CHOICE))
    s.start()
    res = finish(s, completion_status="incomplete", progress_measure=0.4, score_raw=7, score_min=0, score_max=10)
    assert res.delivered == "end"  # r reads "incomplete" and is skipped
    g = s.global_objectives["gx"]
    assert (g["raw"], g["min"], g["max"], g["completion"], g["progress_measure"]) == (7.0, 0.0, 10.0, "incomplete", 0.4)
    init = s.sco_init("r")["objectives"][0]
    assert (init["score_raw"], init["completion_status"], init["progress_measure"]) == (7.0, "incomplete", 0.4)


def test_runtime_values_from_the_definition():
    a = leaf("a", seq='<imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>' + objectives(
        '<imsss:minNormalizedMeasure>0.75</imsss:minNormalizedMeasure>', primary_attrs='satisfiedByMeasure="true"'),
        extra='<adlcp:dataFromLMS>cfg=1</adlcp:dataFromLMS><adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>')
    s = session(manifest(a, org_seq=FLOW))
    s.start()
    init = s.sco_init()
    assert init["scaled_passing_score"] == 0.75 and init["max_time_allowed"] == "PT30M"
    assert init["launch_data"] == "cfg=1" and init["time_limit_action"] == "exit,message"
    assert init["completion_threshold"] is None
    # the LMS evaluates success from the score and the passing score
    assert s.effective_success_status(s.tree["a"], "passed", 0.5) == "failed"
    assert s.effective_success_status(s.tree["a"], "failed", None) == "unknown"
