"""SCORM 1.2 adlcp:prerequisites: the AICC script subset, the flow navigator (TOC disabled, choice refused,
flow passing over), and the run-time endpoints (refusal with a clear message)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from lms.scorm.runtime.navigation import FlowNavigator
from lms.scorm.runtime.prerequisites import (PrerequisiteSyntaxError, evaluate, prerequisites_met,
                                             referenced)

STATUS = {"A": "passed", "B": "incomplete", "C": "completed", "D": "failed", "E": "browsed"}


@pytest.mark.parametrize("script,expected", [
    ("A", True), ("B", False), ("C", True), ("D", False), ("E", False), ("Z", False),
    ("A & C", True), ("A&B", False), ("A | B", True), ("B|D", False), ("~B", True), ("~A", False),
    ("~~A", True), ("(A|B)&C", True), ("A|B&D", True), ("(A|B)&D", False), ("~(A&B)", True),
    ("2*{A,B,C}", True), ("3*{A,B,C}", False), ("1*{B,D,E}", False), ("2 * { A , C }", True),
    ("2*{A&C,B,D|A}", True), ("D=failed", True), ('D="failed"', True), ("D = F", True), ("B<>passed", True),
    ("A<>passed", False), ("E=browsed", True), ("Z=not attempted", True), ("Z=N", True),
    ('Z="not attempted"', True),
    ("A=PASSED & C=completed", True), ("D=F & ~B", True), ("B=incomplete & (A | 2*{B,D})", True),
])
def test_scripts(script, expected):
    assert evaluate(script, STATUS.get) is expected


@pytest.mark.parametrize("script", ["A &", "(A", "A)", "2*{A,B", "A = maybe", "&A", "A B", "2*A", ""])
def test_malformed_scripts_raise(script):
    with pytest.raises(PrerequisiteSyntaxError):
        evaluate(script, STATUS.get)


def test_referenced_names_every_operand():
    assert referenced("A & B=passed | 2*{C, ~D}") == ["A", "B", "C", "D"]


def test_broken_or_unknown_scripts_do_not_lock_the_learner_out():
    known = {"A", "B"}
    assert prerequisites_met(None, STATUS.get, known) and prerequisites_met("  ", STATUS.get, known)
    assert prerequisites_met("A & (", STATUS.get, known)  # unparsable: ignored
    assert prerequisites_met("NOPE", STATUS.get, known)  # names an item the package lacks: ignored
    assert not prerequisites_met("B", STATUS.get, known)


def _item(identifier, prerequisites=None, parent=None, launch=True, depth=0):
    return SimpleNamespace(identifier=identifier, title=identifier.title(), depth=depth, visible=True,
                           launch_url=f"{identifier}.html" if launch else None, parent_identifier=parent,
                           prerequisites=prerequisites)


def _navigator(statuses=None):
    items = [_item("INTRO"), _item("BLOCK", launch=False),
             _item("L1", parent="BLOCK", depth=1), _item("L2", "L1", parent="BLOCK", depth=1),
             _item("QUIZ", "BLOCK & INTRO"), _item("BONUS", "QUIZ=passed"), _item("END")]
    return FlowNavigator(items, {}, dict(statuses or {}))


def test_toc_disables_items_whose_prerequisites_are_unmet():
    nav = _navigator({"INTRO": (True, None, "completed")})
    nav.start()
    enabled = {row.id: row.enabled for row in nav.toc()}
    assert enabled == {"INTRO": True, "BLOCK": False, "L1": True, "L2": False, "QUIZ": False, "BONUS": False,
                       "END": True}
    valid = nav.request_valid()["choice"]
    assert valid["L1"] and not valid["L2"] and not valid["QUIZ"]


def test_choice_of_an_unavailable_item_is_refused():
    nav = _navigator()
    nav.start()
    outcome = nav.navigate("choice", "L2")
    assert not outcome.valid and outcome.exception == "prerequisites" and outcome.target == "L2"
    assert nav.current == "INTRO"


def test_aggregation_status_comes_from_its_scos_and_parents_prerequisites_apply():
    nav = _navigator({"INTRO": (True, None, "completed"), "L1": (True, None, "completed"),
                      "L2": (True, True, "passed")})
    assert nav.status_of("BLOCK") == "completed"
    assert nav.available("QUIZ") and not nav.available("BONUS")
    nav.report("QUIZ", completion_status="completed", success_status="failed", lesson_status="failed")
    assert nav.status_of("QUIZ") == "failed" and not nav.available("BONUS")
    nav.report("QUIZ", completion_status="completed", success_status="passed", lesson_status="passed")
    assert nav.available("BONUS")
    # a child inherits its parent's prerequisites
    items = [_item("A"), _item("G", "A", launch=False), _item("G1", parent="G", depth=1)]
    nested = FlowNavigator(items, {}, {})
    assert not nested.available("G1")
    nested.report("A", completion_status="completed", lesson_status="completed")
    assert nested.available("G1")


def test_flow_passes_over_unavailable_scos():
    nav = _navigator({"INTRO": (True, None, "completed")})
    nav.start()
    assert nav.navigate("continue").delivered == "L1"
    # L2 needs L1 (not done yet), QUIZ needs the block, BONUS the quiz passed: straight to END
    assert nav.navigate("continue").delivered == "END"
    assert nav.navigate("previous").delivered == "L1"
