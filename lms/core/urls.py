"""Absolute links built from the configured public address (LMS_SITE_URL), inside or outside a request.

Mails, feeds and xAPI IRIs must not depend on which host or worker happened to build them.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
        path = adapter.build(endpoint, values)
    return current_app.config["SITE_URL"].rstrip("/") + path
