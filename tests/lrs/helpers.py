"""An xAPI client over the Flask test client, with HTTP Basic credentials."""
from __future__ import annotations

import base64
import json
import uuid

from lms.core.db import db
from lms.lrs.credentials import create_credential

VERSION = {"X-Experience-API-Version": "1.0.3"}


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class XAPIClient:
    def __init__(self, client, scopes=("all",), key_secret=None):
        if key_secret is None:
            key_secret = create_credential("test", list(scopes))
            db.session.commit()
        self.key, self.secret = key_secret
        self.client = client
        self.auth = basic(self.key, self.secret)

    def headers(self, extra=None, version=True, auth=True):
        headers = {}
        if version:
            headers.update(VERSION)
        if auth:
            headers["Authorization"] = self.auth
        headers.update(extra or {})
        return headers

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, content_type=None,
                version=True, auth=True):
        if isinstance(json_body, bytes):
            data, json_body = json_body, None
            content_type = content_type or "application/json"
        if json_body is not None:
            data = json.dumps(json_body)
            content_type = content_type or "application/json"
        return self.client.open(f"/xapi/{path}", method=method, query_string=params, data=data,
                                headers=self.headers(headers, version, auth), content_type=content_type)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params, **kw)

    def post(self, path, json_body=None, params=None, **kw):
        return self.request("POST", path, params, json_body=json_body, **kw)

    def put(self, path, json_body=None, params=None, **kw):
        return self.request("PUT", path, params, json_body=json_body, **kw)

    def delete(self, path, params=None, **kw):
        return self.request("DELETE", path, params, **kw)


def make_statement(actor="a", verb="completed", activity="http://example.test/activity/1", **extra):
    data = {"actor": {"objectType": "Agent", "mbox": f"mailto:{actor}@example.test", "name": actor},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": activity}}
    data.update(extra)
    return data


def new_id() -> str:
    return str(uuid.uuid4())
