"""Forwarding stored statements to an external LRS through the durable outbox (DESIGN.md §3).

Each stored batch enqueues one ``xapi_forward`` message (in the same transaction) naming its statement ids.
The worker sends them with the ``tincan`` client's :class:`RemoteLRS`; any failure (network, 5xx, 401) is
retried with the outbox's backoff. Statements keep their ids, so a batch re-sent after a lost answer is
answered 204 by a conformant LRS: nothing is stored twice.

Settings (app config or ``LMS_`` environment variables): ``LRS_FORWARD_ENDPOINT``, ``LRS_FORWARD_USERNAME``,
``LRS_FORWARD_PASSWORD``.
"""
from __future__ import annotations

import json
import logging
import os

from flask import current_app
from sqlalchemy import select

from lms.core.db import db
from lms.core.outbox import enqueue, outbox_handler

from .models import Statement

log = logging.getLogger(__name__)
KIND = "xapi_forward"


def forward_settings() -> dict | None:
    config = current_app.config

    def setting(name):
        return config.get(name) or os.environ.get(f"LMS_{name}")

    endpoint = setting("LRS_FORWARD_ENDPOINT")
    if not endpoint:
        return None
    return {"endpoint": endpoint, "username": setting("LRS_FORWARD_USERNAME") or "",
            "password": setting("LRS_FORWARD_PASSWORD") or ""}


def queue_forwarding(statement_ids: list[str]) -> None:
    if not statement_ids or forward_settings() is None:
        return
    enqueue(KIND, {"ids": list(statement_ids)}, dedupe_key=f"{KIND}:{statement_ids[0]}:{len(statement_ids)}")


class ForwardingError(RuntimeError):
    pass


@outbox_handler(KIND)
def deliver(payload: dict) -> None:
    from tincan import RemoteLRS
    from tincan.http_request import HTTPRequest

    settings = forward_settings()
    if settings is None:
        raise ForwardingError("forwarding is not configured (LRS_FORWARD_ENDPOINT)")
    ids = payload["ids"]
    rows = db.session.execute(select(Statement.statement_id, Statement.data)
                              .where(Statement.statement_id.in_(ids))).all()
    by_id = {row.statement_id: row.data for row in rows}
    statements = [by_id[i] for i in ids if i in by_id]
    if not statements:
        return
    endpoint = settings["endpoint"].rstrip("/") + "/"
    lrs = RemoteLRS(endpoint=endpoint, version="1.0.3", username=settings["username"],
                    password=settings["password"])
    request = HTTPRequest(method="POST", resource="statements")
    request.headers["Content-Type"] = "application/json"
    request.content = json.dumps(statements, ensure_ascii=False).encode("utf-8")
    response = lrs._send_request(request)  # exact JSON, keeping ids and timestamps
    status = response.response.status
    if response.success:
        return
    if status == 409:
        # One of the ids is stored there with other content: re-sending cannot succeed.
        log.warning("forwarding: the remote LRS refused a batch of %s statements as conflicting", len(statements))
        return
    raise ForwardingError(f"remote LRS answered {status}: {response.data[:300]!r}")
