"""401/403 matrix, revocation, launch credentials and the CLI."""
from __future__ import annotations

import json

import pytest

from sqlalchemy import func, select, update

from lms.core.db import db, utcnow
from lms.lrs.models import Credential, Statement
from lms.lrs.credentials import issue_launch_credential
from lms.lrs.emitter import actor_for
from tests.factories import make_user
from tests.lrs.helpers import XAPIClient, basic, make_statement, new_id

AGENT = json.dumps({"mbox": "mailto:a@example.test"})
REQUESTS = {
    "write": ("POST", "statements", None),
    "read": ("GET", "statements", None),
    "state": ("GET", "activities/state", {"activityId": "http://example.test/a", "agent": AGENT}),
    "profile": ("GET", "activities/profile", {"activityId": "http://example.test/a"}),
}
# scope -> requests it may make
MATRIX = {
    "all": {"write", "read", "state", "profile"},
    "all/read": {"read", "state", "profile"},
    "statements/write": {"write"},
    "statements/read": {"read"},
    "statements/read/mine": {"read"},
    "state": {"state"},
    "profile": {"profile"},
}


def _call(x, name):
    method, path, params = REQUESTS[name]
    body = make_statement() if method == "POST" else None
    return x.request(method, path, params, json_body=body)


@pytest.mark.parametrize("scope", sorted(MATRIX))
def test_scope_matrix(client, scope):
    x = XAPIClient(client, scopes=[scope])
    for name in REQUESTS:
        status = _call(x, name).status_code
        assert (status < 400) == (name in MATRIX[scope]), (scope, name, status)
        if name not in MATRIX[scope]:
            assert status == 403


def test_missing_wrong_and_revoked_credentials(client, runner):
    x = XAPIClient(client)
    assert x.get("statements", auth=False).status_code == 401
    assert x.get("statements", auth=False).headers["WWW-Authenticate"].startswith("Basic")
    assert x.get("statements", headers={"Authorization": basic(x.key, "wrong")}).status_code == 401
    assert x.get("statements", headers={"Authorization": "Bearer abc"}).status_code == 401
    result = runner.invoke(args=["lrs", "revoke-credential", x.key])
    assert result.exit_code == 0, result.output
    assert x.get("statements").status_code == 401


def test_revocation_by_another_process_is_effective_at_once(client):
    """Another process revokes (a row update, this process's credential cache untouched): the next request
    is refused and a statement it carried is not stored."""
    x = XAPIClient(client)
    assert x.post("statements", make_statement("before")).status_code == 200  # the credential is now cached
    db.session.execute(update(Credential).where(Credential.key == x.key).values(revoked_at=utcnow()))
    db.session.commit()
    sid = new_id()
    refused = x.put("statements", make_statement("after"), {"statementId": sid})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"]
    assert x.get("statements").status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Statement).where(Statement.statement_id == sid)) == 0


def test_cli_create_credential(client, runner):
    result = runner.invoke(args=["lrs", "create-credential", "tool", "--scope", "statements/write",
                                 "--scope", "statements/read"])
    assert result.exit_code == 0, result.output
    key, secret = result.output.strip().splitlines()
    x = XAPIClient(client, key_secret=(key, secret))
    assert x.post("statements", make_statement()).status_code == 200
    assert x.get("statements").status_code == 200
    assert x.get("activities/state", REQUESTS["state"][2]).status_code == 403
    bad = runner.invoke(args=["lrs", "create-credential", "tool", "--scope", "everything"])
    assert bad.exit_code != 0


def test_statements_read_mine_sees_own_statements_only(client):
    writer = XAPIClient(client, scopes=["statements/write", "statements/read/mine"])
    other = XAPIClient(client)
    mine = writer.post("statements", make_statement("w")).get_json()[0]
    theirs = other.post("statements", make_statement("o")).get_json()[0]
    listed = [s["id"] for s in writer.get("statements").get_json()["statements"]]
    assert listed == [mine]
    assert writer.get("statements", {"statementId": theirs}).status_code == 404


def test_launch_credentials_are_restricted(client, app):
    user = make_user()
    registration = new_id()
    key, secret = issue_launch_credential(user, registration, "http://lms.test/xapi/activities/activity/x", ttl=60)
    db.session.commit()
    x = XAPIClient(client, key_secret=(key, secret))
    actor = actor_for(user)
    own = {"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
           "object": {"id": "http://lms.test/xapi/activities/activity/x"}, "context": {"registration": registration}}
    assert x.post("statements", own).status_code == 200
    assert x.post("statements", dict(own, actor={"mbox": "mailto:other@example.test"})).status_code == 403
    assert x.post("statements", dict(own, context={"registration": new_id()})).status_code == 403
    state = {"activityId": "http://lms.test/xapi/activities/activity/x", "agent": json.dumps(actor),
             "registration": registration, "stateId": "bookmark"}
    assert x.put("activities/state", {"page": 3}, state).status_code == 204
    other_state = dict(state, agent=json.dumps({"mbox": "mailto:other@example.test"}))
    assert x.put("activities/state", {"page": 3}, other_state).status_code == 403
    assert x.get("activities/profile", {"activityId": "http://example.test/a"}).status_code == 403
    assert len(x.get("statements").get_json()["statements"]) == 1


def test_expired_launch_credentials(client):
    user = make_user()
    key, secret = issue_launch_credential(user, new_id(), ttl=-1)
    db.session.commit()
    x = XAPIClient(client, key_secret=(key, secret))
    assert x.get("statements").status_code == 401
