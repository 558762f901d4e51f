"""The Statement Resource over HTTP: PUT, POST (single, batch), GET (single, query, more), HEAD."""
from __future__ import annotations

import json

import pytest

from tests.lrs.helpers import XAPIClient, make_statement, new_id


@pytest.fixture
def x(client):
    return XAPIClient(client)


def test_about_needs_no_credentials(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.get_json()["version"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_put_post_get(x):
    sid = new_id()
    assert x.put("statements", make_statement(), {"statementId": sid}).status_code == 204
    response = x.get("statements", {"statementId": sid})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == sid and body["version"] == "1.0.0" and body["authority"]["name"] == "test"
    assert response.headers["X-Experience-API-Consistent-Through"]
    assert response.headers["Last-Modified"]
    ids = x.post("statements", [make_statement("b"), make_statement("c")]).get_json()
    assert len(ids) == 2
    single = x.post("statements", make_statement("d")).get_json()
    assert len(single) == 1


def test_reused_id_same_content_then_conflict(x):
    sid = new_id()
    statement = make_statement(id=sid)
    assert x.post("statements", statement).status_code == 200
    assert x.put("statements", statement, {"statementId": sid}).status_code == 204
    assert x.post("statements", statement).status_code == 200
    conflict = x.put("statements", make_statement("z"), {"statementId": sid})
    assert conflict.status_code == 409


def test_put_rules(x):
    assert x.put("statements", make_statement()).status_code == 400  # no statementId
    sid = new_id()
    response = x.put("statements", make_statement(id=new_id()), {"statementId": sid})
    assert response.status_code == 400


def test_validation_errors_name_the_property(x):
    bad = make_statement()
    bad["verb"]["id"] = "not an iri"
    response = x.post("statements", bad)
    assert response.status_code == 400
    assert "verb.id" in response.get_json()["error"]["message"]
    response = x.post("statements", make_statement(result={"score": {"raw": 5, "min": 10, "max": 20}}))
    assert response.status_code == 400 and "result.score.raw" in response.get_json()["error"]["message"]
    response = x.post("statements", b"{not json", content_type="application/json")
    assert response.status_code == 400


def test_nan_is_not_json_but_huge_integers_are_kept_exactly(x):
    text = json.dumps(make_statement(result={"extensions": {"http://example.test/x": 1}}))
    response = x.post("statements", text.replace('"http://example.test/x": 1', '"http://example.test/x": NaN')
                      .encode(), content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.get_json()["error"]["message"]
    huge = 10 ** 70 + 1  # beyond 64 bits: stored and returned digit for digit
    sid = x.post("statements", make_statement(result={"extensions": {"http://example.test/x": huge}})).get_json()[0]
    body = x.get("statements", {"statementId": sid}).get_json()
    assert body["result"]["extensions"]["http://example.test/x"] == huge


def test_batch_is_all_or_nothing(x):
    bad = make_statement("b")
    bad["actor"] = {"mbox": "nope"}
    response = x.post("statements", [make_statement("a"), bad])
    assert response.status_code == 400
    assert "[1].actor.mbox" in response.get_json()["error"]["message"]
    assert x.get("statements").get_json()["statements"] == []


def test_query_parameters_and_paging(x):
    reg = new_id()
    for index in range(5):
        x.post("statements", make_statement("a", context={"registration": reg} if index % 2 else {}))
    x.post("statements", make_statement("b", verb="passed"))
    agent = json.dumps({"mbox": "mailto:a@example.test"})
    assert len(x.get("statements", {"agent": agent}).get_json()["statements"]) == 5
    assert len(x.get("statements", {"registration": reg}).get_json()["statements"]) == 2
    passed = x.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/passed"}).get_json()["statements"]
    assert [s["actor"]["name"] for s in passed] == ["b"]
    page = x.get("statements", {"limit": 2}).get_json()
    seen = [s["id"] for s in page["statements"]]
    x.post("statements", make_statement("late"))  # stable cursor: not in this listing
    while page["more"]:
        assert page["more"].startswith("/xapi/statements?more=")
        page = x.client.get(page["more"], headers=x.headers()).get_json()
        seen += [s["id"] for s in page["statements"]]
    assert len(seen) == len(set(seen)) == 6
    ascending = x.get("statements", {"ascending": "true"}).get_json()["statements"]
    assert ascending[0]["actor"]["name"] == "a" and ascending[-1]["actor"]["name"] == "late"
    ids_format = x.get("statements", {"format": "ids", "limit": 1}).get_json()["statements"][0]
    assert ids_format["actor"] == {"objectType": "Agent", "mbox": "mailto:late@example.test"}
    assert ids_format["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert x.get("statements", {"format": "bogus"}).status_code == 400
    assert x.get("statements", {"unknown": "1"}).status_code == 400
    assert x.get("statements", {"agent": "{bad"}).status_code == 400


def test_since_until(x):
    first = x.post("statements", make_statement("a")).get_json()[0]
    stored = x.get("statements", {"statementId": first}).get_json()["stored"]
    x.post("statements", make_statement("b"))
    after = x.get("statements", {"since": stored}).get_json()["statements"]
    assert first not in [s["id"] for s in after]
    until = x.get("statements", {"until": stored}).get_json()["statements"]
    assert first in [s["id"] for s in until]


def test_voiding_over_http(x):
    target = x.post("statements", make_statement()).get_json()[0]
    void = make_statement(verb="voided")
    void["object"] = {"objectType": "StatementRef", "id": target}
    voiding = x.post("statements", void).get_json()[0]
    assert x.get("statements", {"statementId": target}).status_code == 404
    assert x.get("statements", {"voidedStatementId": target}).get_json()["id"] == target
    listed = [s["id"] for s in x.get("statements").get_json()["statements"]]
    assert voiding in listed and target not in listed
    void_the_void = make_statement(verb="voided")
    void_the_void["object"] = {"objectType": "StatementRef", "id": voiding}
    assert x.post("statements", void_the_void).status_code == 400


def test_head_and_alternate_syntax(x):
    sid = x.post("statements", make_statement()).get_json()[0]
    head = x.client.head("/xapi/statements", query_string={"statementId": sid}, headers=x.headers())
    assert head.status_code == 200 and head.data == b""
    form = {"Authorization": x.auth, "X-Experience-API-Version": "1.0.3", "statementId": sid}
    response = x.client.post("/xapi/statements?method=GET", data=form)
    assert response.status_code == 200 and response.get_json()["id"] == sid
    put_id = new_id()
    form = {"Authorization": x.auth, "X-Experience-API-Version": "1.0.3", "statementId": put_id,
            "Content-Type": "application/json", "content": json.dumps(make_statement())}
    assert x.client.post("/xapi/statements?method=PUT", data=form).status_code == 204
    assert x.get("statements", {"statementId": put_id}).status_code == 200
    assert x.client.post("/xapi/statements?method=PUT&statementId=" + put_id, data=form).status_code == 400
    assert x.client.get("/xapi/statements?method=GET", headers=x.headers()).status_code == 400


def test_version_header_rules(x):
    assert x.get("statements", version=False).status_code == 400
    assert x.get("statements", headers={"X-Experience-API-Version": "0.95"}).status_code == 400
    assert x.get("statements", headers={"X-Experience-API-Version": "1.0"}).status_code == 200


def test_cors(x, client):
    preflight = client.options("/xapi/statements", headers={"Origin": "http://content.test",
                                                             "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://content.test"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    response = x.get("statements", headers={"Origin": "http://content.test"})
    assert "X-Experience-API-Consistent-Through" in response.headers["Access-Control-Expose-Headers"]


def test_activities_and_agents_resources(x):
    activity = "http://example.test/activity/defined"
    first = make_statement(activity=activity)
    first["object"]["definition"] = {"name": {"en-US": "meeting"}}
    second = make_statement(activity=activity)
    second["object"]["definition"] = {"name": {"fr-FR": "réunion"}, "type": "http://example.test/type"}
    x.post("statements", [first, second])
    body = x.get("activities", {"activityId": activity}).get_json()
    assert body["definition"]["name"] == {"en-US": "meeting", "fr-FR": "réunion"}
    assert x.get("activities").status_code == 400
    person = x.get("agents", {"agent": json.dumps({"mbox": "mailto:a@example.test", "name": "A"})}).get_json()
    assert person == {"objectType": "Person", "name": ["A"], "mbox": ["mailto:a@example.test"]}
    assert x.get("agents").status_code == 400


def test_xapi_requests_carry_no_cookie_session(app):
    """Statements are sent with HTTP Basic on every call: no session cookie is decoded or signed for them."""
    from flask import request
    from flask.sessions import NullSession

    with app.test_request_context("/xapi/statements", headers={"Cookie": "session=whatever"}):
        assert isinstance(app.session_interface.open_session(app, request), NullSession)
    with app.test_request_context("/courses/"):
        assert not isinstance(app.session_interface.open_session(app, request), NullSession)
