"""State, Activity Profile and Agent Profile documents (flush only)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import delete, select

from lms.core.db import db

from .models import Document
from .store import now_ms

STATE, ACTIVITY_PROFILE, AGENT_PROFILE = "state", "activity", "agent"


class DocumentError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _key(kind: str, activity_iri: str | None, agent_ifi: str | None, registration: str | None) -> dict:
    return {"kind": kind, "activity_iri": activity_iri or "", "agent_ifi": agent_ifi or "",
            "registration": (registration or "").lower()}


def _filter(query, key: dict, any_registration: bool = False):
    query = query.where(Document.kind == key["kind"], Document.activity_iri == key["activity_iri"],
                        Document.agent_ifi == key["agent_ifi"])
    if not any_registration or key["registration"]:
        query = query.where(Document.registration == key["registration"])
    return query


def get_document(kind, doc_id, activity_iri=None, agent_ifi=None, registration=None) -> Document | None:
    key = _key(kind, activity_iri, agent_ifi, registration)
    return db.session.scalar(_filter(select(Document), key).where(Document.doc_id == doc_id))


def list_ids(kind, activity_iri=None, agent_ifi=None, registration=None, since: datetime | None = None) -> list[str]:
    key = _key(kind, activity_iri, agent_ifi, registration)
    query = _filter(select(Document.doc_id), key, any_registration=(kind == STATE))
    if since is not None:
        query = query.where(Document.updated_at > since)
    return sorted(set(db.session.scalars(query)))


def last_modified(kind, activity_iri=None, agent_ifi=None, registration=None) -> datetime | None:
    from sqlalchemy import func

    key = _key(kind, activity_iri, agent_ifi, registration)
    return db.session.scalar(_filter(select(func.max(Document.updated_at)), key,
                                     any_registration=(kind == STATE)))


def check_preconditions(existing: Document | None, if_match: str | None, if_none_match: str | None,
                        require: bool) -> None:
    """ETag concurrency: 412 when a precondition fails; 409 when a profile would be overwritten blindly."""
    if if_match is not None:
        tags = {t.strip().strip('"') for t in if_match.split(",")}
        if existing is None or ("*" not in tags and existing.etag not in tags):
            raise DocumentError(412, "If-Match does not match the document's current ETag")
    if if_none_match is not None:
        tags = {t.strip().strip('"') for t in if_none_match.split(",")}
        if existing is not None and ("*" in tags or existing.etag in tags):
            raise DocumentError(412, "If-None-Match: the document already exists")
    if require and if_match is None and if_none_match is None:
        if existing is not None:
            raise DocumentError(409, "the document exists: send If-Match with its ETag (or If-None-Match: *)")
        raise DocumentError(400, "PUT on a profile needs If-Match or If-None-Match (If-None-Match: * to create)")


def is_json_type(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


def put_document(kind, doc_id, content: bytes, content_type: str, activity_iri=None, agent_ifi=None,
                 registration=None, if_match=None, if_none_match=None, require_precondition=False) -> Document:
    existing = get_document(kind, doc_id, activity_iri, agent_ifi, registration)
    check_preconditions(existing, if_match, if_none_match, require_precondition)
    now = now_ms()
    if existing is None:
        existing = Document(**_key(kind, activity_iri, agent_ifi, registration), doc_id=doc_id)
        db.session.add(existing)
    existing.content = content
    existing.content_type = content_type or "application/octet-stream"
    existing.etag = etag_of(content)
    existing.updated_at = now
    db.session.flush()
    return existing


def post_document(kind, doc_id, content: bytes, content_type: str, activity_iri=None, agent_ifi=None,
                  registration=None, if_match=None, if_none_match=None) -> Document:
    """POST: create, or merge the JSON object into the stored JSON object (top-level keys)."""
    existing = get_document(kind, doc_id, activity_iri, agent_ifi, registration)
    check_preconditions(existing, if_match, if_none_match, False)
    if existing is None:
        if is_json_type(content_type):
            _json_object(content)
        return put_document(kind, doc_id, content, content_type, activity_iri, agent_ifi, registration)
    if not is_json_type(content_type) or not is_json_type(existing.content_type):
        raise DocumentError(400, "POST merges JSON documents only: both must be application/json objects")
    incoming = _json_object(content)
    try:
        current = json.loads(existing.content)
    except ValueError:
        current = None
    if not isinstance(current, dict):
        raise DocumentError(400, "the stored document is not a JSON object: it cannot be merged")
    current.update(incoming)
    merged = json.dumps(current, ensure_ascii=False).encode("utf-8")
    return put_document(kind, doc_id, merged, "application/json", activity_iri, agent_ifi, registration)


def _json_object(content: bytes) -> dict:
    try:
        value = json.loads(content)
    except ValueError:
        raise DocumentError(400, "the document is not valid JSON") from None
    if not isinstance(value, dict):
        raise DocumentError(400, "the document must be a JSON object to be merged")
    return value


def delete_document(kind, doc_id, activity_iri=None, agent_ifi=None, registration=None,
                    if_match=None, if_none_match=None) -> None:
    existing = get_document(kind, doc_id, activity_iri, agent_ifi, registration)
    if existing is None:
        if if_match is not None:
            raise DocumentError(412, "If-Match does not match the document's current ETag")
        return
    check_preconditions(existing, if_match, if_none_match, False)
    db.session.delete(existing)
    db.session.flush()


def delete_documents(kind, activity_iri=None, agent_ifi=None, registration=None) -> int:
    key = _key(kind, activity_iri, agent_ifi, registration)
    result = db.session.execute(_filter(delete(Document), key, any_registration=True))
    return result.rowcount or 0
