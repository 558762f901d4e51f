"""LTI 1.1 for older installations: ``basic-lti-launch-request`` signed with OAuth 1.0a HMAC-SHA1
(verified by oauthlib) and Basic Outcomes ``replaceResult`` for grade passback.

oauthlib's defaults refuse what real consumers send: nonces of 20-30 letters and digits only (Moodle
sends 32 characters, Blackboard UUIDs with dashes) and keys of 20-30 characters. We accept any printable
ASCII up to 255 characters, keep the timestamp window, and refuse a nonce seen before for that key.
"""
from __future__ import annotations

import base64
import hashlib
import string
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import request
from lxml import etree
from oauthlib.oauth1 import Client, RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA1
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.db import db, utcnow
from lms.core.outbox import outbox_handler

from .launch import LaunchRejected
from .models import LtiConsumer, LtiConsumerNonce, LtiGradeTarget
from .platforms import http_session, http_timeout
from .settings import setting

PRINTABLE = set(string.ascii_letters + string.digits + string.punctuation)
OUTCOMES_NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"


def _i18n():
    from lms.core.i18n import _

    return _


class ConsumerValidator(RequestValidator):
    dummy_client = "dummy-client-key-for-timing"
    enforce_ssl = False  # TLS is the proxy's job; the signature covers the URL the consumer used

    def __init__(self):
        super().__init__()
        self.consumer: LtiConsumer | None = None

    @property
    def allowed_signature_methods(self):
        return (SIGNATURE_HMAC_SHA1,)

    @property
    def timestamp_lifetime(self):
        return int(setting("LTI11_TIMESTAMP_WINDOW_SECONDS"))

    def check_client_key(self, client_key):
        return 1 <= len(client_key) <= 255 and set(client_key) <= PRINTABLE

    def check_nonce(self, nonce):
        return 1 <= len(nonce) <= 255 and set(nonce) <= PRINTABLE

    def validate_client_key(self, client_key, request):
        self.consumer = db.session.scalar(select(LtiConsumer).where(LtiConsumer.key == client_key,
                                                                    LtiConsumer.active.is_(True)))
        return self.consumer is not None

    def get_client_secret(self, client_key, request):
        consumer = self.consumer if self.consumer is not None and self.consumer.key == client_key else None
        return consumer.secret if consumer is not None else "dummy-secret-for-timing"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None):
        consumer = db.session.scalar(select(LtiConsumer).where(LtiConsumer.key == client_key))
        if consumer is None:
            return True  # unknown keys fail on the client check, at the same cost
        seen = db.session.scalar(select(LtiConsumerNonce.id).where(LtiConsumerNonce.consumer_id == consumer.id,
                                                                   LtiConsumerNonce.nonce == nonce))
        return seen is None


def verify_launch(form, url: str) -> LtiConsumer:
    """Verify an LTI 1.1 launch; raises :class:`LaunchRejected` with the reason."""
    _ = _i18n()
    if form.get("lti_message_type") != "basic-lti-launch-request":
        raise LaunchRejected(_("Only basic-lti-launch-request messages are accepted here."), "lti11_bad_message")
    if form.get("lti_version") not in ("LTI-1p0", "LTI-1p1", None):
        raise LaunchRejected(_("This LTI version is not supported."), "lti11_bad_version")
    if form.get("oauth_signature_method") != SIGNATURE_HMAC_SHA1:
        raise LaunchRejected(_("The launch must be signed with HMAC-SHA1."), "lti11_bad_signature_method", 401)
    validator = ConsumerValidator()
    try:
        timestamp = int(form.get("oauth_timestamp") or "")
    except ValueError:
        raise LaunchRejected(_("The launch timestamp is missing or malformed."), "lti11_bad_timestamp", 401)
    if abs(time.time() - timestamp) > validator.timestamp_lifetime:
        raise LaunchRejected(_("The launch is too old (stale timestamp); check the platform clock and launch again."),
                             "lti11_stale_timestamp", 401)
    key, nonce = form.get("oauth_consumer_key") or "", form.get("oauth_nonce") or ""
    if not validator.check_client_key(key) or not validator.check_nonce(nonce):
        raise LaunchRejected(_("The OAuth key or nonce is malformed."), "lti11_malformed", 401)
    if not validator.validate_timestamp_and_nonce(key, str(timestamp), nonce, None):
        raise LaunchRejected(_("This launch has already been used (replayed nonce). Please launch again."),
                             "lti11_replayed", 401)
    endpoint = SignatureOnlyEndpoint(validator)
    body = urlencode(list(form.items(multi=True)))
    valid, _request = endpoint.validate_request(url, "POST", body=body,
                                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    if not valid or validator.consumer is None:
        raise LaunchRejected(_("The launch signature is not valid (wrong key or secret)."), "lti11_bad_signature",
                             401)
    try:
        with db.session.begin_nested():
            db.session.add(LtiConsumerNonce(consumer_id=validator.consumer.id, nonce=nonce, timestamp=timestamp,
                                            expires_at=utcnow() + timedelta(seconds=2 * validator.timestamp_lifetime)))
    except IntegrityError:  # the same launch arriving twice at once
        raise LaunchRejected(_("This launch has already been used (replayed nonce). Please launch again."),
                             "lti11_replayed", 401)
    return validator.consumer


def request_url() -> str:
    """The URL the consumer signed: what the browser posted to (ProxyFix restores scheme and host)."""
    return request.url


# -- outcomes ------------------------------------------------------------------------------------------------
class BodyHashClient(Client):
    """OAuth 1.0a with the ``oauth_body_hash`` extension LTI outcomes require for the XML body."""

    def __init__(self, *args, body: bytes = b"", **kwargs):
        super().__init__(*args, **kwargs)
        self._body_hash = base64.b64encode(hashlib.sha1(body).digest()).decode()

    def get_oauth_params(self, request):
        params = super().get_oauth_params(request)
        params.append(("oauth_body_hash", self._body_hash))
        return params


def replace_result_xml(sourcedid: str, score: float, message_id: str | None = None) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeRequest xmlns="{OUTCOMES_NS}">
  <imsx_POXHeader><imsx_POXRequestHeaderInfo>
    <imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{escape(message_id or uuid.uuid4().hex)}</imsx_messageIdentifier>
  </imsx_POXRequestHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><replaceResultRequest><resultRecord>
    <sourcedGUID><sourcedId>{escape(sourcedid)}</sourcedId></sourcedGUID>
    <result><resultScore><language>en</language><textString>{score:.4f}</textString></resultScore></result>
  </resultRecord></replaceResultRequest></imsx_POXBody>
</imsx_POXEnvelopeRequest>""".encode()


def sign_outcome_request(consumer: LtiConsumer, url: str, body: bytes) -> dict:
    client = BodyHashClient(consumer.key, client_secret=consumer.secret, signature_method=SIGNATURE_HMAC_SHA1,
                            body=body)
    _uri, headers, _body = client.sign(url, http_method="POST", headers={"Content-Type": "application/xml"})
    return headers


@outbox_handler("lti11_outcome")
def deliver_outcome(payload: dict) -> None:
    target = db.session.get(LtiGradeTarget, payload["target_id"])
    if target is None or target.consumer_id is None or not target.outcome_url or not target.result_sourcedid:
        return
    consumer = db.session.get(LtiConsumer, target.consumer_id)
    score = min(max(float(payload["score"]), 0.0), 1.0)
    body = replace_result_xml(target.result_sourcedid, score)
    headers = sign_outcome_request(consumer, target.outcome_url, body)
    response = http_session().post(target.outcome_url, data=body, headers=headers, timeout=http_timeout())
    response.raise_for_status()
    tree = etree.fromstring(response.content)
    code = tree.findtext(f".//{{{OUTCOMES_NS}}}imsx_codeMajor")
    if code != "success":
        raise RuntimeError(f"outcome refused by the consumer: {code}")
