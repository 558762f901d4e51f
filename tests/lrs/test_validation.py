"""Each validation family: invalid statements are refused with 400 naming the property; valid ones pass."""
from __future__ import annotations

import copy

import pytest

from lms.lrs.validation import XAPIValidationError, validate_statement

BASE = {"actor": {"mbox": "mailto:a@example.test"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.test/a"}}


def with_(path: str, value):
    statement = copy.deepcopy(BASE)
    target = statement
    keys = path.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value
    return statement


INVALID = [
    # ids, versions, timestamps
    (with_("id", "not-a-uuid"), "id"),
    (with_("version", "2.0.0"), "version"),
    (with_("timestamp", "2024-13-01T00:00:00Z"), "timestamp"),
    (with_("timestamp", "2024-01-01T00:00:00-00:00"), "timestamp"),
    (with_("unknown", 1), "unknown"),
    # actors
    (with_("actor", {"mbox": "a@example.test"}), "actor.mbox"),
    (with_("actor", {"mbox": "mailto:a@example.test", "openid": "http://id.test/a"}), "actor"),
    (with_("actor", {"mbox_sha1sum": "xyz"}), "actor.mbox_sha1sum"),
    (with_("actor", {"account": {"homePage": "not an iri", "name": "a"}}), "actor.account.homePage"),
    (with_("actor", {"account": {"homePage": "http://h.test"}}), "actor.account.name"),
    (with_("actor", {"objectType": "Group"}), "actor.member"),
    (with_("actor", {"objectType": "Group", "member": [{"objectType": "Group", "member": []}]}),
     "actor.member[0].objectType"),
    (with_("actor", {"objectType": "Person", "mbox": "mailto:a@example.test"}), "actor.objectType"),
    # verb
    (with_("verb", {"display": {"en": "x"}}), "verb.id"),
    (with_("verb", {"id": "http://v.test/x", "display": {"not a tag": "x"}}), "verb.display.not a tag"),
    (with_("verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}), "object"),
    # object
    (with_("object", {"objectType": "Activity"}), "object.id"),
    (with_("object", {"id": "http://a.test", "definition": {"interactionType": "essay"}}),
     "object.definition.interactionType"),
    (with_("object", {"id": "http://a.test", "definition": {"interactionType": "likert",
                                                           "choices": [{"id": "a"}]}}), "object.definition.choices"),
    (with_("object", {"id": "http://a.test", "definition": {"interactionType": "choice",
                                                           "choices": [{"id": "a"}, {"id": "a"}]}}),
     "object.definition.choices[1].id"),
    (with_("object", {"objectType": "StatementRef", "id": "nope"}), "object.id"),
    (with_("object", {"objectType": "SubStatement", "actor": BASE["actor"], "verb": BASE["verb"],
                      "object": {"objectType": "SubStatement"}}), "object.object.objectType"),
    (with_("object", {"objectType": "SubStatement", "id": "x", "actor": BASE["actor"], "verb": BASE["verb"],
                      "object": BASE["object"]}), "object.id"),
    # result
    (with_("result", {"score": {"scaled": 1.5}}), "result.score.scaled"),
    (with_("result", {"score": {"min": 5, "max": 1}}), "result.score.max"),
    (with_("result", {"success": "yes"}), "result.success"),
    (with_("result", {"duration": "1 hour"}), "result.duration"),
    (with_("result", {"extensions": {"not an iri": 1}}), "result.extensions.not an iri"),
    # context
    (with_("context", {"registration": "abc"}), "context.registration"),
    (with_("context", {"team": {"mbox": "mailto:t@example.test"}}), "context.team.objectType"),
    (with_("context", {"contextActivities": {"sibling": []}}), "context.contextActivities.sibling"),
    (with_("context", {"language": "english please"}), "context.language"),
    (with_("context", {"statement": {"objectType": "StatementRef", "id": "x"}}), "context.statement.id"),
    (with_("object", {"objectType": "Agent", "mbox": "mailto:b@example.test"}) | {"context": {"platform": "web"}},
     "context.platform"),
    # attachments
    (with_("attachments", [{"usageType": "http://u.test", "display": {"en": "a"}, "contentType": "text/plain",
                            "length": "10", "sha2": "ab" * 32}]), "attachments[0].length"),
    (with_("attachments", [{"usageType": "http://u.test", "display": {"en": "a"}, "contentType": "text/plain",
                            "length": 10}]), "attachments[0].sha2"),
    # authority
    (with_("authority", {"objectType": "Group", "member": [{"mbox": "mailto:a@example.test"}]}), "authority"),
]


@pytest.mark.parametrize("statement,path", INVALID, ids=[p for _, p in INVALID])
def test_invalid_statements_name_the_property(statement, path):
    with pytest.raises(XAPIValidationError) as error:
        validate_statement(statement)
    assert error.value.path == path, str(error.value)


VALID = [
    BASE,
    with_("timestamp", "2024-01-01T10:00:00.123+02:00"),
    with_("actor", {"objectType": "Group", "member": [{"account": {"homePage": "http://h.test", "name": "x"}}]}),
    with_("result", {"score": {"scaled": -1, "raw": 0, "min": 0, "max": 10}, "duration": "P1DT2H3M4.5S",
                     "completion": True, "response": "", "extensions": {"http://e.test/x": None}}),
    with_("context", {"registration": "6a6f4f8e-3c1b-4b5e-9d2a-1f2e3d4c5b6a", "language": "ar-MA",
                      "contextActivities": {"parent": {"id": "http://p.test"}}, "revision": "2",
                      "extensions": {"http://e.test/x": {}}}),
    with_("object", {"id": "http://a.test", "definition": {"interactionType": "matching",
                                                          "source": [{"id": "s1"}], "target": [{"id": "t1"}],
                                                          "correctResponsesPattern": ["s1[.]t1"]}}),
    with_("verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}) | {
        "object": {"objectType": "StatementRef", "id": "6a6f4f8e-3c1b-4b5e-9d2a-1f2e3d4c5b6a"}},
    with_("result", {"duration": "P4W"}),
]


@pytest.mark.parametrize("statement", VALID)
def test_valid_statements_pass(statement):
    validate_statement(statement)


def test_refusals_over_http_are_400_with_the_property(client):
    from tests.lrs.helpers import XAPIClient

    x = XAPIClient(client)
    for statement, path in INVALID[:6]:
        response = x.post("statements", statement)
        assert response.status_code == 400
        assert response.get_json()["error"]["field"] == path
