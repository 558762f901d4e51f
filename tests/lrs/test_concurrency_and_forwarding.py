"""Concurrent writers over real HTTP, and forwarding through the outbox (remote down, then up)."""
from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lms.core.db import db
from lms.core.outbox import OutboxMessage, process_due
from lms.lrs.credentials import create_credential
from lms.lrs.models import Statement
from lms.lrs.store import query_statements, store_internal_statement
from tests.lrs.helpers import VERSION, basic, make_statement, new_id


def test_eight_concurrent_writers_lose_nothing(live_server):
    key, secret = create_credential("writers", ["all"])
    db.session.commit()
    headers = dict(VERSION, Authorization=basic(key, secret))
    url = f"{live_server.url}/xapi/statements"

    def writer(n: int) -> list[str]:
        ids = []
        with requests.Session() as session:
            for round_ in range(5):
                batch = [make_statement(f"w{n}", id=new_id()) for _ in range(10)]
                response = session.post(url, json=batch, headers=headers, timeout=30)
                assert response.status_code == 200, response.text
                ids += response.json()
                # the same batch again: accepted, nothing duplicated
                again = session.post(url, json=batch, headers=headers, timeout=30)
                assert again.status_code == 200, again.text
        return ids

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(writer, range(8)))
    all_ids = [sid for ids in results for sid in ids]
    assert len(all_ids) == len(set(all_ids)) == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 400


class FakeRemoteLRS:
    """A minimal remote LRS over real HTTP that records what it receives (and stores each id once)."""

    def __init__(self, port: int):
        self.received: list[str] = []
        self.requests = 0
        self.server = make_server("127.0.0.1", port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests += 1
        assert request.headers["X-Experience-API-Version"] == "1.0.3"
        assert request.authorization.username == "remote-key"
        statements = json.loads(request.get_data())
        ids = [s["id"] for s in statements]
        for sid in ids:
            if sid not in self.received:
                self.received.append(sid)
        return Response(json.dumps(ids), content_type="application/json")(environ, start_response)

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_forwarding_survives_remote_down_and_sends_once(app):
    port = _free_port()
    app.config.update(LRS_FORWARD_ENDPOINT=f"http://127.0.0.1:{port}/xapi/", LRS_FORWARD_USERNAME="remote-key",
                      LRS_FORWARD_PASSWORD="remote-secret")
    ids = [store_internal_statement(make_statement(f"f{i}")) for i in range(3)]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3

    assert process_due() == 0  # remote down: every message kept for a retry
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.delivered_at is None and m.attempts == 1 and m.last_error for m in messages)

    remote = FakeRemoteLRS(port)
    try:
        for message in messages:
            message.due_at = message.created_at  # the backoff has elapsed
        db.session.commit()
        assert process_due() == 3
        assert process_due() == 0  # nothing left, nothing sent twice
        assert sorted(remote.received) == sorted(ids)
        assert remote.requests == 3
    finally:
        remote.stop()
    assert len(query_statements()) == 3


def test_no_forwarding_without_a_remote(app):
    store_internal_statement(make_statement())
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
