"""State, Activity Profile and Agent Profile documents: merge, ETags, lists, deletes."""
from __future__ import annotations

import json

import pytest

from tests.lrs.helpers import XAPIClient, new_id

AGENT = json.dumps({"mbox": "mailto:learner@example.test"})
ACTIVITY = "http://example.test/activity/doc"


@pytest.fixture
def x(client):
    return XAPIClient(client)


def state_params(**extra):
    params = {"activityId": ACTIVITY, "agent": AGENT}
    params.update(extra)
    return params


def test_state_put_get_merge_list_delete(x):
    reg = new_id()
    assert x.put("activities/state", {"a": 1}, state_params(stateId="s1")).status_code == 204
    assert x.post("activities/state", {"b": 2}, state_params(stateId="s1")).status_code == 204
    response = x.get("activities/state", state_params(stateId="s1"))
    assert response.get_json() == {"a": 1, "b": 2}
    assert response.headers["ETag"].strip('"') and response.headers["Last-Modified"]
    x.request("PUT", "activities/state", state_params(stateId="bin", registration=reg), data=b"\x00\x01",
              content_type="application/octet-stream")
    binary = x.get("activities/state", state_params(stateId="bin", registration=reg))
    assert binary.data == b"\x00\x01" and binary.headers["Content-Type"] == "application/octet-stream"
    assert x.get("activities/state", state_params(stateId="bin")).status_code == 404  # other registration
    assert sorted(x.get("activities/state", state_params()).get_json()) == ["bin", "s1"]
    assert x.get("activities/state", state_params(registration=reg)).get_json() == ["bin"]
    future = "2999-01-01T00:00:00Z"
    assert x.get("activities/state", state_params(since=future)).get_json() == []
    assert x.delete("activities/state", state_params(stateId="s1")).status_code == 204
    assert x.get("activities/state", state_params(stateId="s1")).status_code == 404
    assert x.delete("activities/state", state_params()).status_code == 204
    assert x.get("activities/state", state_params()).get_json() == []


def test_state_validation(x):
    assert x.put("activities/state", {"a": 1}, {"activityId": ACTIVITY, "stateId": "s"}).status_code == 400
    assert x.put("activities/state", {"a": 1}, state_params()).status_code == 400  # no stateId
    assert x.get("activities/state", state_params(registration="nope")).status_code == 400
    assert x.get("activities/state", {"activityId": "not an iri", "agent": AGENT}).status_code == 400
    x.request("PUT", "activities/state", state_params(stateId="text"), data=b"hello", content_type="text/plain")
    merge = x.post("activities/state", {"b": 2}, state_params(stateId="text"))
    assert merge.status_code == 400


def test_profile_etag_concurrency(x):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    assert x.put("activities/profile", {"v": 1}, params).status_code == 400  # no precondition header
    assert x.put("activities/profile", {"v": 1}, params, headers={"If-None-Match": "*"}).status_code == 204
    etag = x.get("activities/profile", params).headers["ETag"]
    assert x.put("activities/profile", {"v": 2}, params).status_code == 409  # blind overwrite
    assert x.put("activities/profile", {"v": 2}, params, headers={"If-Match": '"wrong"'}).status_code == 412
    assert x.put("activities/profile", {"v": 2}, params, headers={"If-None-Match": "*"}).status_code == 412
    assert x.put("activities/profile", {"v": 2}, params, headers={"If-Match": etag}).status_code == 204
    assert x.get("activities/profile", params).get_json() == {"v": 2}
    assert x.get("activities/profile", {"activityId": ACTIVITY}).get_json() == ["p"]
    assert x.delete("activities/profile", params).status_code == 204
    new = {"activityId": ACTIVITY, "profileId": "q"}
    assert x.put("activities/profile", {"v": 1}, new, headers={"If-None-Match": "*"}).status_code == 204


def test_agent_profile(x):
    params = {"agent": AGENT, "profileId": "prefs"}
    assert x.post("agents/profile", {"lang": "ar"}, params).status_code == 204
    assert x.post("agents/profile", {"theme": "dark"}, params).status_code == 204
    assert x.get("agents/profile", params).get_json() == {"lang": "ar", "theme": "dark"}
    assert x.get("agents/profile", {"agent": AGENT}).get_json() == ["prefs"]
    assert x.get("agents/profile", {"agent": json.dumps({"name": "nobody"})}).status_code == 400
