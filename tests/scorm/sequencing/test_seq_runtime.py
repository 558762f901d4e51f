"""Run-time side: request_valid, TOC, adl.data, cmi.exit, durations."""
import pytest
from seqkit import FLOW, FLOW_NO_CHOICE, cluster, finish, leaf, manifest, pre_rule, session

from lms.scorm.sequencing import parse_nav_request
from lms.scorm.sequencing.durations import format_duration, parse_duration


def test_parse_nav_request():
    assert parse_nav_request("{target=a_1}choice") == ("choice", "a_1")
    assert parse_nav_request("{target=x}jump") == ("jump", "x")
    assert parse_nav_request("continue") == ("continue", None)


def test_request_valid_follows_the_tree_and_has_no_side_effect():
    s = session(manifest(leaf("a") + leaf("b") + leaf("c", seq=pre_rule("always", "disabled")), org_seq=FLOW))
    s.start()
    before = s.to_dict()
    v = s.request_valid_all()
    assert v["continue"] is True and v["previous"] is False
    assert v["choice"]["b"] is True and v["choice"]["c"] is False
    assert v["jump"]["c"] is False  # disabled activities cannot be delivered at all
    assert s.to_dict() == before  # evaluated on a copy
    finish(s)
    assert s.request_valid("previous") is True
    assert s.request_valid("choice", "nope") is False


def test_request_valid_without_choice():
    s = session(manifest(leaf("a") + leaf("b"), org_seq=FLOW_NO_CHOICE))
    s.start()
    assert s.request_valid("choice", "b") is False
    assert s.request_valid("jump", "b") is True


def test_toc_rows():
    body = cluster("m", leaf("a", title="Lesson A") + leaf("b", seq=pre_rule("always", "hiddenFromChoice")), seq=FLOW)
    body += '<item identifier="inv" identifierref="R" isvisible="false"><title>Invisible</title></item>'
    s = session(manifest(body, org_seq=FLOW))
    s.start()
    rows = {r["id"]: r for r in s.toc()}
    assert [r["id"] for r in s.toc()] == ["ORG", "m", "a", "b", "inv"]
    assert rows["a"]["title"] == "Lesson A" and rows["a"]["current"] and rows["a"]["depth"] == 2
    assert rows["b"]["visible"] is False and rows["inv"]["visible"] is False
    assert rows["a"]["enabled"] is True


def test_cmi_exit_suspend_and_time_out():
    s = session(manifest(leaf("a") + leaf("b"), org_seq=FLOW))
    s.start()
    assert s.report(exit="suspend") is None
    assert s.state.act("a").is_suspended
    assert s.report(exit="time-out") == "exitAll"
    r = s.terminate(None, exit="logout")
    assert r.ended


def test_session_time_accumulates():
    s = session(manifest(leaf("a") + leaf("b"), org_seq=FLOW))
    s.start()
    s.report(session_time="PT1M30S", exit="suspend")
    s.report(session_time=30)
    st = s.state.act("a")
    assert st.attempt_experienced_duration == 120 and st.activity_experienced_duration == 120


@pytest.mark.parametrize("value,seconds", [("PT1H2M3.5S", 3723.5), ("P1D", 86400), ("PT0S", 0), ("P1Y", 365 * 86400)])
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


def test_invalid_durations_and_format():
    assert parse_duration("P") is None and parse_duration("PT") is None and parse_duration("1H") is None
    assert format_duration(3723.5) == "PT1H2M3.5S"


def test_shared_data_permissions_and_scope():
    maps = ('<adlcp:data><adlcp:map targetID="notes"/>'
            '<adlcp:map targetID="ro" writeSharedData="false"/><adlcp:map targetID="wo" readSharedData="false"/></adlcp:data>')
    xml = manifest(leaf("a", extra=maps) + leaf("b", extra='<adlcp:data><adlcp:map targetID="notes"/></adlcp:data>'),
                   org_seq=FLOW)
    store = {}
    s = session(xml, shared_data=store)
    s.start()
    s.write_shared_data("notes", "hello")
    assert s.read_shared_data("notes") == "hello"
    with pytest.raises(PermissionError):
        s.write_shared_data("ro", "x")
    s.write_shared_data("wo", "secret")
    with pytest.raises(PermissionError):
        s.read_shared_data("wo")
    with pytest.raises(KeyError):
        s.read_shared_data("unmapped")
    finish(s)
    assert s.read_shared_data("notes") == "hello"  # b shares the store
    assert store["notes"] == "hello"  # system-wide by default
    s.write_shared_data("notes", "")
    assert s.read_shared_data("notes") is None
    # sharedDataGlobalToSystem="false": kept in the course's own state
    xml2 = manifest(leaf("a", extra=maps), org_seq=FLOW, org_attrs='adlcp:sharedDataGlobalToSystem="false"')
    store2 = {}
    s2 = session(xml2, shared_data=store2)
    s2.start()
    s2.write_shared_data("notes", "local")
    assert store2 == {} and s2.state.local_shared_data == {"notes": "local"}
    maps_info = s2.shared_data_maps()
    assert [(m["id"], m["store"], m["readable"], m["writable"]) for m in maps_info] == [
        ("notes", "local", True, True), ("ro", None, True, False), ("wo", None, False, True)]


def test_single_sco_without_flow_is_launched():
    s = session(manifest(leaf("only")))
    assert s.start().delivered == "only"


def test_batch_choice_validity_agrees_with_single_requests():
    from seqkit import post_rule
    m1 = cluster("m1", leaf("a", seq=post_rule("satisfied", "retry", operator="not")) + leaf("b"),
                 seq=FLOW + '<adlseq:constrainedChoiceConsiderations constrainChoice="true"/>')
    m2 = cluster("m2", leaf("c") + leaf("d", seq=pre_rule("always", "hiddenFromChoice")),
                 seq='<imsss:controlMode choice="true" flow="true" choiceExit="false"/>'
                     '<adlseq:constrainedChoiceConsiderations preventActivation="true"/>')
    m3 = cluster("m3", leaf("e", seq=pre_rule("always", "stopForwardTraversal")) + leaf("f"), seq=FLOW)
    s = session(manifest(m1 + m2 + m3, org_seq=FLOW))
    s.start()
    steps = [("report", dict(success_status="failed")), ("nav", "continue"), ("nav", "{target=c}choice"),
             ("nav", "exit"), ("nav", "{target=e}choice"), ("nav", "continue")]
    for kind, arg in steps:
        batch = s.targets_valid("choice")
        single = {a.id: s.request_valid("choice", a.id) for a in s.tree}
        assert batch == single
        if kind == "report":
            s.report(**arg)
        else:
            s.navigate(arg)
