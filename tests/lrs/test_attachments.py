"""Attachments (multipart/mixed, SHA-2, fileUrl) and signed statements (JWS)."""
from __future__ import annotations

import base64
import datetime
import hashlib
import json

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.lrs.helpers import XAPIClient, make_statement

BOUNDARY = "xapi-boundary"


@pytest.fixture
def x(client):
    return XAPIClient(client)


def multipart(statements, parts):
    chunks = [f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(),
              json.dumps(statements).encode(), b"\r\n"]
    for content, content_type, sha2 in parts:
        chunks.append(f"--{BOUNDARY}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                      f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode())
        chunks += [content, b"\r\n"]
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def attachment(content: bytes, usage="http://example.test/usage/report", content_type="text/plain", **extra):
    data = {"usageType": usage, "display": {"en-US": "report"}, "contentType": content_type,
            "length": len(content), "sha2": hashlib.sha256(content).hexdigest()}
    data.update(extra)
    return data


def post_multipart(x, statements, parts):
    return x.request("POST", "statements", data=multipart(statements, parts),
                     content_type=f"multipart/mixed; boundary={BOUNDARY}")


def test_attachment_round_trip(x):
    content = b"hello attachments"
    statement = make_statement(attachments=[attachment(content)])
    sha2 = hashlib.sha256(content).hexdigest()
    response = post_multipart(x, [statement], [(content, "text/plain", sha2)])
    assert response.status_code == 200, response.data
    sid = response.get_json()[0]
    got = x.get("statements", {"statementId": sid, "attachments": "true"})
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("multipart/mixed")
    assert content in got.data and sha2.encode() in got.data


def test_attachment_errors(x):
    content = b"payload"
    statement = make_statement(attachments=[attachment(content)])
    # a JSON request cannot carry the payload
    assert x.post("statements", statement).status_code == 400
    # wrong hash
    wrong = post_multipart(x, [statement], [(b"other", "text/plain", hashlib.sha256(content).hexdigest())])
    assert wrong.status_code == 400
    # extra part matching nothing
    extra = post_multipart(x, [make_statement()], [(content, "text/plain", hashlib.sha256(content).hexdigest())])
    assert extra.status_code == 400
    # fileUrl-only attachments need no part
    remote = make_statement(attachments=[attachment(content, fileUrl="http://files.test/report.txt")])
    assert x.post("statements", remote).status_code == 200


def test_attachment_size_limit(x, app):
    app.config["LRS_MAX_ATTACHMENT_BYTES"] = 100
    content = b"x" * 500
    statement = make_statement(attachments=[attachment(content)])
    response = post_multipart(x, [statement], [(content, "text/plain", hashlib.sha256(content).hexdigest())])
    assert response.status_code == 413
    assert "100" in response.get_json()["error"]["message"]


def _certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _signed(statement, key, chain, payload=None):
    token = jwt.encode(payload or statement, key, algorithm="RS256", headers={"x5c": [chain]}).encode()
    signature = attachment(token, usage="http://adlnet.gov/expapi/attachments/signature",
                           content_type="application/octet-stream")
    signed = dict(statement, attachments=[signature])
    return signed, token


def test_signed_statement_verified(x):
    key, chain = _certificate()
    statement = make_statement()
    signed, token = _signed(statement, key, chain)
    ok = post_multipart(x, [signed], [(token, "application/octet-stream", hashlib.sha256(token).hexdigest())])
    assert ok.status_code == 200, ok.data
    tampered, token = _signed(statement, key, chain, payload=make_statement("someone-else"))
    bad = post_multipart(x, [tampered], [(token, "application/octet-stream", hashlib.sha256(token).hexdigest())])
    assert bad.status_code == 400
    other_key, _ = _certificate()
    forged, token = _signed(statement, other_key, chain)
    bad = post_multipart(x, [forged], [(token, "application/octet-stream", hashlib.sha256(token).hexdigest())])
    assert bad.status_code == 400
    assert "signature" in bad.get_json()["error"]["message"]
