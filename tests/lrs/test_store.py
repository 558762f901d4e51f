"""The in-process store: what other areas use to emit and check statements."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.lrs.emitter import activity_iri, actor_for, emit, verb
from lms.lrs.models import Statement, StatementKey
from lms.lrs.store import (StatementConflict, StatementRejected, get_statement, key_hash, query_statements,
                           store_internal_statement, store_statements)
from lms.lrs.validation import XAPIValidationError
from tests.factories import make_user


def statement(actor_name="a", verb_name="completed", activity="http://lms.test/xapi/activities/activity/1", **extra):
    data = {"actor": {"mbox": f"mailto:{actor_name}@example.test"},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb_name}"},
            "object": {"id": activity}}
    data.update(extra)
    return data


def test_emit_completes_and_stores(db):
    user = make_user()
    sid = emit({"actor": actor_for(user), "verb": verb("completed"), "object": {"id": activity_iri("abc")}})
    db.session.commit()
    stored = get_statement(sid)
    assert stored["id"] == sid
    assert stored["version"] == "1.0.0"
    assert stored["authority"]["account"] == {"homePage": "http://lms.test", "name": "lms"}
    assert stored["stored"].endswith("Z") and stored["timestamp"] == stored["stored"]
    found = query_statements(agent=user, verb=verb("completed")["id"], activity=activity_iri("abc"))
    assert [s["id"] for s in found] == [sid]
    assert query_statements(agent=actor_for(user), verb=verb("passed")["id"]) == []


def test_invalid_statement_names_the_property(db):
    with pytest.raises(XAPIValidationError) as error:
        store_internal_statement(statement(result={"score": {"scaled": 2}}))
    assert "result.score.scaled" in str(error.value)


def test_query_filters_and_order(db):
    registration = "6a6f4f8e-3c1b-4b5e-9d2a-1f2e3d4c5b6a"
    first = store_internal_statement(statement("a"))
    second = store_internal_statement(statement("b", context={"registration": registration,
                                                             "contextActivities": {"parent": {"id": "http://x.test/p"}}}))
    third = store_internal_statement(statement("a", "passed"))
    assert [s["id"] for s in query_statements()] == [third, second, first]
    assert [s["id"] for s in query_statements(ascending=True, limit=2)] == [first, second]
    assert [s["id"] for s in query_statements(agent={"mbox": "mailto:a@example.test"})] == [third, first]
    assert [s["id"] for s in query_statements(registration=registration)] == [second]
    assert query_statements(activity="http://x.test/p") == []
    assert [s["id"] for s in query_statements(activity="http://x.test/p", related_activities=True)] == [second]


def test_each_agent_and_activity_is_keyed_once_and_related_queries_count_statements_once(db):
    instructor = {"mbox": "mailto:teacher@example.test"}
    taught = store_internal_statement(statement("a", context={
        "instructor": instructor, "contextActivities": {"parent": {"id": "http://x.test/course"}}}))
    own = store_internal_statement(statement("teacher", activity="http://x.test/course"))
    db.session.flush()
    pk = db.session.scalar(select(Statement.pk).where(Statement.statement_id == taught))
    keys = set(db.session.scalars(select(StatementKey.key_hash).where(StatementKey.statement_pk == pk)))
    assert key_hash("a", "mbox:mailto:a@example.test") in keys
    assert key_hash("A", "mbox:mailto:a@example.test") not in keys  # the actor is keyed once, as actor
    assert key_hash("A", "mbox:mailto:teacher@example.test") in keys
    assert key_hash("O", "http://x.test/course") in keys and key_hash("o", "http://x.test/course") not in keys
    # Rows written before agents were keyed once carry both kinds: a related query still returns it once.
    db.session.add(StatementKey(statement_pk=pk, key_hash=key_hash("A", "mbox:mailto:a@example.test")))
    db.session.flush()
    assert [s["id"] for s in query_statements(agent={"mbox": "mailto:a@example.test"}, related_agents=True)] \
        == [taught]
    assert [s["id"] for s in query_statements(agent=instructor, related_agents=True)] == [own, taught]
    assert [s["id"] for s in query_statements(agent=instructor)] == [own]
    assert [s["id"] for s in query_statements(activity="http://x.test/course", related_activities=True,
                                              agent=instructor, related_agents=True)] == [own, taught]
    assert [s["id"] for s in query_statements(activity="http://x.test/course")] == [own]


def test_same_id_twice_and_conflict(db):
    data = statement(id="7a6f4f8e-3c1b-4b5e-9d2a-1f2e3d4c5b6a")
    store_statements([dict(data)])
    store_statements([dict(data)])  # identical: accepted, nothing changes
    assert len(query_statements()) == 1
    with pytest.raises(StatementConflict):
        store_statements([statement("other", id=data["id"])])


def test_voiding(db):
    target = store_internal_statement(statement())
    voiding = store_internal_statement(statement(verb_name="voided", activity=None) | {
        "object": {"objectType": "StatementRef", "id": target}})
    assert get_statement(target) is None
    assert get_statement(target, voided=True)["id"] == target
    assert [s["id"] for s in query_statements()] == [voiding]
    with pytest.raises(StatementRejected):
        store_internal_statement(statement(verb_name="voided") | {"object": {"objectType": "StatementRef",
                                                                              "id": voiding}})


def test_batch_is_all_or_nothing(db):
    with pytest.raises(XAPIValidationError) as error:
        store_statements([statement("a"), statement("b", verb={"id": "not an iri"})])
    assert "[1].verb.id" in str(error.value)
    db.session.rollback()
    assert query_statements() == []
