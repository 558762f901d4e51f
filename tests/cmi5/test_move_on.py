"""moveOn evaluation (cmi5 §13.1.4, §9.3.9, §9.6.1) for every value, for AUs, blocks and the course."""
from __future__ import annotations

import pytest

from lms.cmi5 import services
from lms.cmi5.services import VERBS, move_on_met
from lms.core.db import db as _db
from lms.courses.results import get_result
from lms.lrs.store import query_statements
from tests.cmi5.helpers import setup_course
from tests.cmi5.packages import BASE, au_xml, block_xml

EXPECTED = {  # moveOn -> satisfied after (nothing, completed, passed, completed and passed)
    "NotApplicable": (True, True, True, True),
    "Completed": (False, True, False, True),
    "Passed": (False, False, True, True),
    "CompletedAndPassed": (False, False, False, True),
    "CompletedOrPassed": (False, True, True, True),
}
SCENARIOS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.mark.parametrize("move_on", list(EXPECTED))
def test_move_on_table(move_on):
    assert tuple(move_on_met(move_on, completed=c, passed=p) for c, p in SCENARIOS) == EXPECTED[move_on]
    assert move_on_met(move_on, completed=False, passed=False, waived=True)


@pytest.mark.parametrize("move_on", list(EXPECTED))
@pytest.mark.parametrize("scenario", range(4))
def test_move_on_satisfies_the_course(db, tmp_path, move_on, scenario):
    row, user = setup_course(tmp_path, [au_xml(attrs={"moveOn": move_on})])
    registration = services.registration_for(row.activity, user)
    completed, passed = SCENARIOS[scenario]
    state = services.au_state(registration, row.aus[0])
    state.completed, state.passed = completed, passed
    services.evaluate(registration, "session-1")
    expected = EXPECTED[move_on][scenario]
    assert state.satisfied is expected
    satisfied = query_statements(verb=VERBS["satisfied"])
    assert [s["object"]["id"] for s in satisfied] == ([row.lms_iri] if expected else [])
    result = get_result(row.activity, user)
    assert bool(result and result.is_complete) is expected


def test_not_applicable_course_is_satisfied_at_registration(db, tmp_path):
    row, user = setup_course(tmp_path, [block_xml(f"{BASE}/b", [au_xml(f"{BASE}/a1"), au_xml(f"{BASE}/a2")])])
    registration = services.registration_for(row.activity, user)
    objects = [s["object"]["id"] for s in query_statements(verb=VERBS["satisfied"], ascending=True)]
    assert objects == [row.blocks[0].lms_iri, row.lms_iri]
    assert registration.satisfied == [f"{BASE}/b", row.publisher_id]
    # Evaluating again issues nothing new (one satisfied per block and course per registration).
    services.evaluate(registration, None)
    assert len(query_statements(verb=VERBS["satisfied"])) == 2


def test_nested_blocks_are_satisfied_inside_out(db, tmp_path):
    inner = block_xml(f"{BASE}/inner", [au_xml(f"{BASE}/a1", attrs={"moveOn": "Completed"})])
    outer = block_xml(f"{BASE}/outer", [inner, au_xml(f"{BASE}/a2", attrs={"moveOn": "Completed"})])
    row, user = setup_course(tmp_path, [outer])
    registration = services.registration_for(row.activity, user)
    by_id = {au.publisher_id: au for au in row.aus}
    services.au_state(registration, by_id[f"{BASE}/a1"]).completed = True
    assert services.evaluate(registration, "s") == [f"{BASE}/inner"]
    services.au_state(registration, by_id[f"{BASE}/a2"]).completed = True
    assert services.evaluate(registration, "s") == [f"{BASE}/outer", row.publisher_id]
    _db.session.commit()
