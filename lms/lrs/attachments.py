"""Attachments: multipart/mixed requests and responses, SHA-2 matching, signed statements (JWS)."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid as uuid_module
from dataclasses import dataclass

from sqlalchemy import select

from lms.core.db import db

from .models import Attachment
from .validation import SIGNATURE_USAGE, XAPIValidationError

HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
JWS_ALGORITHMS = {"RS256", "RS384", "RS512"}


@dataclass
class Part:
    headers: dict[str, str]   # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def boundary_of(content_type: str) -> str | None:
    for piece in content_type.split(";")[1:]:
        name, _, value = piece.strip().partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    return None


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    boundary = boundary_of(content_type)
    if not boundary:
        raise XAPIValidationError("multipart/mixed requires a boundary parameter", "Content-Type")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise XAPIValidationError("the multipart body has no parts", "body")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        head, separator, payload = chunk.partition(b"\r\n\r\n")
        if not separator:
            head, separator, payload = chunk.partition(b"\n\n")
            if not separator:
                if not chunk.strip():
                    continue
                head, payload = chunk, b""
        headers = {}
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers, payload))
    if not parts:
        raise XAPIValidationError("the multipart body has no parts", "body")
    return parts


def digest(content: bytes, length: int = 64) -> str:
    return HASHES.get(length, hashlib.sha256)(content).hexdigest()


def check_and_collect(statements: list[dict], parts: list[Part]) -> dict[str, Part]:
    """Match the attachment parts with the statements' attachment objects; returns {sha2: part}."""
    by_hash: dict[str, Part] = {}
    for index, part in enumerate(parts):
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise XAPIValidationError("every attachment part needs an X-Experience-API-Hash header",
                                      f"attachment part {index + 1}")
        encoding = part.headers.get("content-transfer-encoding")
        if encoding is None or encoding.lower() != "binary":
            raise XAPIValidationError("every attachment part needs Content-Transfer-Encoding: binary",
                                      f"attachment part {index + 1}")
        if digest(part.body, len(sha2)) != sha2.lower():
            raise XAPIValidationError("the part's content does not match its X-Experience-API-Hash",
                                      f"attachment part {index + 1}")
        by_hash[sha2.lower()] = part
    declared = set()
    for statement in statements:
        for attachment in _attachments_of(statement):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if sha2 not in by_hash and "fileUrl" not in attachment:
                raise XAPIValidationError("no attachment part carries this sha2 and no fileUrl is given",
                                          "attachments.sha2")
            if sha2 in by_hash and attachment.get("usageType") == SIGNATURE_USAGE:
                verify_signature(statement, attachment, by_hash[sha2])
    extra = set(by_hash) - declared
    if extra:
        raise XAPIValidationError("an attachment part matches no attachment of the statements", "attachments")
    return by_hash


def _attachments_of(statement: dict):
    yield from statement.get("attachments") or ()
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        yield from obj.get("attachments") or ()


def require_parts_for(statements: list[dict]) -> None:
    """A plain JSON request cannot carry attachment payloads: each attachment needs a fileUrl."""
    for statement in statements:
        for attachment in _attachments_of(statement):
            if "fileUrl" not in attachment:
                raise XAPIValidationError("an attachment without fileUrl must be sent in a multipart/mixed "
                                          "request", "attachments.fileUrl")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


_SIGNATURE_IGNORED = ("id", "authority", "stored", "version", "attachments", "timestamp")


def verify_signature(statement: dict, attachment: dict, part: Part) -> None:
    """xAPI signed statements: a JWS (compact) whose payload is the statement, RS256/384/512, verified
    with the certificate in ``x5c`` when one is given."""
    path = "attachments.signature"
    if attachment.get("contentType") != "application/octet-stream":
        raise XAPIValidationError("a signature attachment must have contentType application/octet-stream", path)
    try:
        token = part.body.decode("ascii").strip()
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64decode(header_b64))
        payload = json.loads(_b64decode(payload_b64))
    except (ValueError, UnicodeDecodeError):
        raise XAPIValidationError("the signature is not a JWS compact serialization", path) from None
    if not isinstance(header, dict) or header.get("alg") not in JWS_ALGORITHMS:
        raise XAPIValidationError("the JWS algorithm must be RS256, RS384 or RS512", path)
    if not isinstance(payload, dict) or not _same_signed(statement, payload):
        raise XAPIValidationError("the JWS payload does not match the statement", path)
    chain = header.get("x5c")
    if chain:
        import jwt
        from cryptography.x509 import load_der_x509_certificate

        try:
            certificate = load_der_x509_certificate(base64.b64decode(chain[0]))
            jwt.api_jws.PyJWS().decode_complete(token, key=certificate.public_key(), algorithms=[header["alg"]])
        except Exception:  # noqa: BLE001 — any failure means the signature is not valid
            raise XAPIValidationError("the JWS signature does not verify with the x5c certificate", path) from None


def _same_signed(statement: dict, payload: dict) -> bool:
    def strip(value):
        return {k: v for k, v in value.items() if k not in _SIGNATURE_IGNORED}

    if "id" in payload and "id" in statement and payload["id"].lower() != statement["id"].lower():
        return False
    return json.dumps(strip(statement), sort_keys=True) == json.dumps(strip(payload), sort_keys=True)


def save_parts(parts: dict[str, Part]) -> None:
    if not parts:
        return
    known = set(db.session.scalars(select(Attachment.sha2).where(Attachment.sha2.in_(list(parts)))))
    for sha2, part in parts.items():
        if sha2 not in known:
            db.session.add(Attachment(sha2=sha2, content_type=part.content_type or "application/octet-stream",
                                      content=part.body))
    db.session.flush()


def multipart_response(document: bytes, statements: list[dict]) -> tuple[bytes, str]:
    """A multipart/mixed body: the JSON document first, then every stored attachment payload."""
    wanted = []
    for statement in statements:
        for attachment in _attachments_of(statement):
            sha2 = attachment["sha2"].lower()
            if sha2 not in wanted:
                wanted.append(sha2)
    rows = {}
    if wanted:
        rows = {a.sha2: a for a in db.session.scalars(select(Attachment).where(Attachment.sha2.in_(wanted)))}
    boundary = uuid_module.uuid4().hex
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), document, b"\r\n"]
    for sha2 in wanted:
        row = rows.get(sha2)
        if row is None:
            continue
        out.append(f"--{boundary}\r\nContent-Type: {row.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                   f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode())
        out.append(row.content)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"
