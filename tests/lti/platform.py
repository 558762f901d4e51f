"""An LTI 1.3 Advantage platform (and LTI 1.1 consumer) emulator for the tests.

A real HTTP server (werkzeug, in a thread, on 127.0.0.1) with its own RSA keys and JWKS, an OIDC
authorization endpoint that answers with a ``form_post`` id_token, a client-credentials token endpoint
that verifies our signed assertion against the tool's JWKS, AGS line items and scores (Moodle-style
line-item URLs with ``?type_id=N``), NRPS with several pages chained by ``Link`` headers whose page
tokens are case-sensitive, a deep-linking return endpoint that verifies the tool's signed response,
LTI 1.1 Basic Outcomes, Dynamic Registration, and a course page that frames the tool in an iframe with
the client-side Platform Storage message handlers.

It is deliberately strict where real platforms are: redirect_uri must match exactly, scopes are enforced,
tokens expire.
"""
from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import secrets
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from lxml import etree
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client, RequestValidator, SignatureOnlyEndpoint
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
OUTCOMES_NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


_PRIVATE_KEYS: list = []


def _fresh_private_key():
    # RSA generation is slow on a busy machine: a small pool serves every emulator of the test run.
    if len(_PRIVATE_KEYS) < 4:
        _PRIVATE_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _PRIVATE_KEYS[-1]
    return _PRIVATE_KEYS[next(_key_turn) % len(_PRIVATE_KEYS)]


_key_turn = itertools.count()


class RsaKey:
    def __init__(self, private=None):
        self.private = private or _fresh_private_key()
        self.private_pem = self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()).decode()
        public_pem = self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.jwk = json.loads(JWK.from_pem(public_pem).export_public())
        self.kid = "platform-" + uuid.uuid4().hex[:10]
        self.jwk.update(kid=self.kid, alg="RS256", use="sig")

    @classmethod
    def brand_new(cls) -> "RsaKey":
        """A key no other emulator uses (forgeries, rotations)."""
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))


class PlatformEmulator:
    page_size = 2

    def __init__(self, tool_url: str, *, client_id: str = "tamkeen-client", deployment_id: str = "deployment-1"):
        self.tool_url = tool_url.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.tool_login_url = self.tool_url + "/lti/login"
        self.tool_redirect_uris = [self.tool_url + "/lti/launch"]
        self.tool_jwks_url = self.tool_url + "/lti/jwks"
        self.keys = [RsaKey()]
        self.messages: dict[str, dict] = {}
        self.auth_requests: list[dict] = []
        self.tokens: dict[str, dict] = {}
        self.token_requests = 0
        self.used_assertion_jtis: set[str] = set()
        self.tool_jwks: dict | None = None
        self.tool_jwks_fetches = 0
        self.lineitems: dict[str, list[dict]] = {}
        self.scores: list[dict] = []
        self.members: dict[str, list[dict]] = {}
        self.nrps_requests: list[str] = []
        self.deep_link_responses: list[dict] = []
        self.outcomes: list[dict] = []
        self.lti11_consumers: dict[str, str] = {}
        self.registration_token = secrets.token_urlsafe(16)
        self.registrations: list[dict] = []
        self.tamper = None          # callable(header, claims) -> signing key override or None
        self.ags_down = False       # AGS answers 503 (the outbox must retry)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.url_map = Map([
            Rule("/.well-known/openid-configuration", endpoint="openid_configuration"),
            Rule("/register", endpoint="register", methods=["POST"]),
            Rule("/jwks", endpoint="jwks"),
            Rule("/auth", endpoint="auth", methods=["GET", "POST"]),
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/ags/<ctx>/lineitems", endpoint="lineitems", methods=["GET", "POST"]),
            Rule("/ags/<ctx>/lineitems/<int:n>/lineitem", endpoint="lineitem", methods=["GET"]),
            Rule("/ags/<ctx>/lineitems/<int:n>/lineitem/scores", endpoint="scores", methods=["POST"]),
            Rule("/nrps/<ctx>", endpoint="nrps"),
            Rule("/deep_link_return", endpoint="deep_link_return", methods=["POST"]),
            Rule("/outcomes", endpoint="outcomes", methods=["POST"]),
            Rule("/course/<hint>", endpoint="course_page"),
            Rule("/initiate/<hint>", endpoint="initiate"),
        ])
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # -- lifecycle / registration values ------------------------------------------------------------------
    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)

    @property
    def auth_url(self):
        return self.url + "/auth"

    @property
    def token_url(self):
        return self.url + "/token"

    @property
    def jwks_url(self):
        return self.url + "/jwks"

    def rotate_keys(self):
        self.keys.insert(0, RsaKey.brand_new())

    def cli_args(self) -> list[str]:
        return ["lti", "add-platform", "--issuer", self.issuer, "--client-id", self.client_id, "--deployment-id",
                self.deployment_id, "--auth-url", self.auth_url, "--token-url", self.token_url,
                "--jwks-url", self.jwks_url, "--name", "Emulated Moodle"]

    # -- messages the platform will launch ------------------------------------------------------------------
    def add_context(self, ctx: str, members: list[dict] | None = None):
        self.lineitems.setdefault(ctx, [])
        if members is not None:
            self.members[ctx] = members

    def resource_link(self, *, sub: str, roles: list[str], ctx: str = "ctx-1", resource_link_id: str = "rl-1",
                      custom: dict | None = None, name: str = "Test User", email: str | None = None,
                      lineitem: str | None = None, ags: bool = True, nrps: bool = True,
                      target_link_uri: str | None = None, hint: str | None = None) -> str:
        self.add_context(ctx)
        claims = {
            "sub": sub, "name": name, "given_name": name.split()[0], "family_name": name.split()[-1],
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target_link_uri or self.tool_redirect_uris[0],
            LTI + "resource_link": {"id": resource_link_id, "title": "Tamkeen link"},
            LTI + "roles": roles,
            LTI + "context": {"id": ctx, "label": ctx.upper(), "title": f"Platform course {ctx}",
                              "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            LTI + "launch_presentation": {"document_target": "iframe", "locale": "fr"},
            LTI + "tool_platform": {"guid": "emulator", "product_family_code": "moodle", "name": "Emulator"},
        }
        if email:
            claims["email"] = email
        if custom:
            claims[LTI + "custom"] = custom
        if ags:
            claims[AGS_CLAIM] = {"scope": [SCOPE_LINEITEM, SCOPE_SCORE, SCOPE_RESULT],
                                 "lineitems": f"{self.url}/ags/{ctx}/lineitems?type_id=3"}
            if lineitem:
                claims[AGS_CLAIM]["lineitem"] = lineitem
        if nrps:
            claims[NRPS_CLAIM] = {"context_memberships_url": f"{self.url}/nrps/{ctx}",
                                  "service_versions": ["2.0"]}
        return self._store(claims, hint)

    def deep_linking(self, *, sub: str, roles: list[str], ctx: str = "ctx-1", accept_multiple: bool = True) -> str:
        self.add_context(ctx)
        claims = {
            "sub": sub, "name": "Ines Instructor",
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_redirect_uris[0],
            LTI + "roles": roles,
            LTI + "context": {"id": ctx, "title": f"Platform course {ctx}"},
            LTI + "launch_presentation": {"document_target": "iframe", "locale": "fr"},
            DL + "deep_linking_settings": {
                "deep_link_return_url": self.url + "/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": accept_multiple,
                "data": "opaque-" + uuid.uuid4().hex[:8],
            },
        }
        return self._store(claims)

    def _store(self, claims: dict, hint: str | None = None) -> str:
        hint = hint or "msg-" + uuid.uuid4().hex[:12]
        self.messages[hint] = claims
        return hint

    def login_params(self, hint: str, **extra) -> dict:
        params = {"iss": self.issuer, "login_hint": self.messages[hint]["sub"],
                  "target_link_uri": self.messages[hint][LTI + "target_link_uri"], "lti_message_hint": hint,
                  "client_id": self.client_id, "lti_deployment_id": self.deployment_id}
        params.update(extra)
        return {k: v for k, v in params.items() if v is not None}

    # -- the id_token --------------------------------------------------------------------------------------
    def sign(self, header: dict, claims: dict, key: RsaKey | None = None) -> str:
        if header.get("alg") == "none":
            return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}."
        key = key or self.keys[0]
        header = {"kid": key.kid, **header}
        return jwt.encode(claims, key.private_pem, algorithm=header.get("alg", "RS256"), headers=header)

    def id_token(self, hint: str, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "azp": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce, "jti": uuid.uuid4().hex, **json.loads(json.dumps(self.messages[hint]))}
        header = {"alg": "RS256", "typ": "JWT"}
        key = None
        if self.tamper is not None:
            key = self.tamper(header, claims)
        return self.sign(header, claims, key)

    # -- HTTP ------------------------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, values = adapter.match()
            response = getattr(self, "on_" + endpoint)(request, **values)
        except HTTPException as error:
            response = error.get_response()
        return response(environ, start_response)

    @staticmethod
    def _json(data, status=200, content_type="application/json", headers=None):
        return Response(json.dumps(data), status=status, content_type=content_type, headers=headers or {})

    @staticmethod
    def _error(status, message):
        return Response(json.dumps({"error": message}), status=status, content_type="application/json")

    def on_jwks(self, request):
        return self._json({"keys": [k.jwk for k in self.keys]})

    def on_openid_configuration(self, request):
        return self._json({
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "registration_endpoint": self.url + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", SCOPE_LINEITEM, SCOPE_SCORE, SCOPE_RESULT, SCOPE_NRPS],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "emulated-moodle", "version": "4.3",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        })

    def on_register(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return self._error(401, "bad registration token")
        body = request.get_json()
        tool = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
        for field in ("initiate_login_uri", "redirect_uris", "jwks_uri", "client_name"):
            if not body.get(field):
                return self._error(400, f"missing {field}")
        if body.get("token_endpoint_auth_method") != "private_key_jwt" or not tool.get("target_link_uri"):
            return self._error(400, "incomplete tool configuration")
        self.registrations.append(body)
        self.client_id = "dyn-" + uuid.uuid4().hex[:8]
        self.deployment_id = "dyn-deployment-" + uuid.uuid4().hex[:6]
        self.tool_login_url = body["initiate_login_uri"]
        self.tool_redirect_uris = list(body["redirect_uris"])
        self.tool_jwks_url = body["jwks_uri"]
        answer = dict(body, client_id=self.client_id)
        answer["https://purl.imsglobal.org/spec/lti-tool-configuration"] = dict(tool, deployment_id=self.deployment_id)
        return self._json(answer)

    def on_auth(self, request):
        params = request.values
        self.auth_requests.append(dict(params))
        problems = []
        if params.get("scope") != "openid":
            problems.append("scope")
        if params.get("response_type") != "id_token":
            problems.append("response_type")
        if params.get("response_mode") != "form_post":
            problems.append("response_mode")
        if params.get("prompt") != "none":
            problems.append("prompt")
        if params.get("client_id") != self.client_id:
            problems.append("client_id")
        if params.get("redirect_uri") not in self.tool_redirect_uris:  # exact match, as platforms do
            problems.append("redirect_uri")
        hint = params.get("lti_message_hint")
        if hint not in self.messages or params.get("login_hint") != self.messages[hint]["sub"]:
            problems.append("hint")
        if not params.get("nonce") or not params.get("state"):
            problems.append("nonce/state")
        if problems:
            return self._error(400, "invalid authorization request: " + ", ".join(problems))
        token = self.id_token(hint, params["nonce"])
        return Response(self.form_post_html(params["redirect_uri"], {"id_token": token, "state": params["state"]}),
                        content_type="text/html; charset=utf-8")

    @staticmethod
    def form_post_html(action: str, fields: dict) -> str:
        inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in fields.items())
        return (f'<!doctype html><html lang="en"><head><title>Redirect</title></head><body>'
                f'<form id="f" method="post" action="{html.escape(action)}">{inputs}'
                f'<noscript><button type="submit">Continue</button></noscript></form>'
                f'<script>document.getElementById("f").submit();</script></body></html>')

    # -- OAuth2 client credentials -------------------------------------------------------------------------
    def fetch_tool_jwks(self) -> dict:
        self.tool_jwks_fetches += 1
        self.tool_jwks = requests.get(self.tool_jwks_url, timeout=10).json()
        return self.tool_jwks

    def _tool_key(self, kid: str):
        for refresh in (False, True):
            if refresh or self.tool_jwks is None:
                self.fetch_tool_jwks()
            for key in self.tool_jwks["keys"]:
                if key.get("kid") == kid:
                    if key.get("alg") != "RS256" or key.get("use") != "sig":
                        raise ValueError("tool key lacks alg/use")
                    return jwt.PyJWK(key).key
        raise ValueError(f"unknown tool kid {kid}")

    def verify_tool_jwt(self, token: str, audience: str) -> dict:
        header = jwt.get_unverified_header(token)
        key = self._tool_key(header.get("kid"))
        return jwt.decode(token, key, algorithms=["RS256"], audience=audience)

    def on_token(self, request):
        self.token_requests += 1
        form = request.form
        if form.get("grant_type") != "client_credentials" or \
                form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return self._error(400, "unsupported_grant_type")
        try:
            claims = self.verify_tool_jwt(form.get("client_assertion", ""), self.token_url)
        except Exception as error:  # noqa: BLE001
            return self._error(401, f"invalid_client: {error}")
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return self._error(401, "invalid_client: iss/sub")
        if claims.get("jti") in self.used_assertion_jtis:
            return self._error(401, "invalid_client: replayed assertion")
        self.used_assertion_jtis.add(claims.get("jti"))
        scopes = set((form.get("scope") or "").split())
        token = secrets.token_urlsafe(24)
        self.tokens[token] = {"scopes": scopes, "expires": time.time() + 3600}
        return self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                           "scope": " ".join(sorted(scopes))})

    def _check_bearer(self, request, scope: str):
        auth = request.headers.get("Authorization", "")
        token = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if token is None or token["expires"] < time.time():
            return self._error(401, "invalid token")
        if scope not in token["scopes"]:
            return self._error(403, f"missing scope {scope}")
        return None

    # -- AGS -------------------------------------------------------------------------------------------------
    def lineitem_url(self, ctx: str, n: int) -> str:
        return f"{self.url}/ags/{ctx}/lineitems/{n}/lineitem?type_id=3"  # Moodle's shape

    def create_lineitem(self, ctx: str, **fields) -> dict:
        n = next(self._ids)
        item = {"id": self.lineitem_url(ctx, n), "scoreMaximum": 100, "label": "Item", **fields}
        self.lineitems.setdefault(ctx, []).append(item)
        return item

    def on_lineitems(self, request, ctx):
        if request.args.get("type_id") != "3":
            return self._error(404, "no type_id")
        denied = self._check_bearer(request, SCOPE_LINEITEM if request.method == "POST" else SCOPE_LINEITEM)
        if denied:
            return denied
        if request.method == "POST":
            data = request.get_json(force=True)
            if "scoreMaximum" not in data or "label" not in data:
                return self._error(400, "lineitem needs scoreMaximum and label")
            item = self.create_lineitem(ctx, **{k: v for k, v in data.items() if k != "id"})
            return self._json(item, status=201, content_type="application/vnd.ims.lis.v2.lineitem+json")
        return self._json(self.lineitems.get(ctx, []),
                          content_type="application/vnd.ims.lis.v2.lineitemcontainer+json")

    def on_lineitem(self, request, ctx, n):
        for item in self.lineitems.get(ctx, []):
            if item["id"] == self.lineitem_url(ctx, n):
                return self._json(item, content_type="application/vnd.ims.lis.v2.lineitem+json")
        return self._error(404, "no such line item")

    def on_scores(self, request, ctx, n):
        if self.ags_down:
            return self._error(503, "maintenance")
        if request.args.get("type_id") != "3":  # Moodle needs its query string after /scores
            return self._error(400, "type_id missing: /scores must be inserted before the query string")
        denied = self._check_bearer(request, SCOPE_SCORE)
        if denied:
            return denied
        if request.mimetype != "application/vnd.ims.lis.v1.score+json":
            return self._error(415, "score content type expected")
        score = json.loads(request.get_data(as_text=True))
        for field in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if field not in score:
                return self._error(400, f"missing {field}")
        if not any(item["id"] == self.lineitem_url(ctx, n) for item in self.lineitems.get(ctx, [])):
            return self._error(404, "no such line item")
        with self._lock:
            self.scores.append({"lineitem": self.lineitem_url(ctx, n), **score})
        return Response(status=204)

    # -- NRPS ------------------------------------------------------------------------------------------------
    def on_nrps(self, request, ctx):
        denied = self._check_bearer(request, SCOPE_NRPS)
        if denied:
            return denied
        self.nrps_requests.append(request.url)
        members = self.members.get(ctx, [])
        token = request.args.get("pageToken")
        page = 0
        if token is not None:
            match = re.fullmatch(r"PaGe-(\d+)-Xy", token)  # case-sensitive, like opaque cursors
            if not match:
                return self._error(400, "unknown page token")
            page = int(match.group(1))
        chunk = members[page * self.page_size:(page + 1) * self.page_size]
        headers = {}
        if (page + 1) * self.page_size < len(members):
            next_url = f"{self.url}/nrps/{ctx}?pageToken=PaGe-{page + 1}-Xy"
            headers["Link"] = f'<{next_url}>; rel="next", <{self.url}/nrps/{ctx}>; rel="first"'
        body = {"id": request.url, "context": {"id": ctx, "title": f"Platform course {ctx}"}, "members": chunk}
        return self._json(body, content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                          headers=headers)

    # -- Deep Linking return ---------------------------------------------------------------------------------
    def on_deep_link_return(self, request):
        token = request.form.get("JWT", "")
        try:
            claims = self.verify_tool_jwt(token, self.issuer)
        except Exception as error:  # noqa: BLE001
            return self._error(400, f"deep linking response rejected: {error}")
        problems = []
        if claims.get("iss") != self.client_id:
            problems.append("iss")
        if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse":
            problems.append("message_type")
        if claims.get(LTI + "version") != "1.3.0":
            problems.append("version")
        if claims.get(LTI + "deployment_id") != self.deployment_id:
            problems.append("deployment_id")
        if not claims.get("nonce"):
            problems.append("nonce")
        sent = [m for m in self.messages.values() if m.get(LTI + "message_type") == "LtiDeepLinkingRequest"]
        sent_data = {m[DL + "deep_linking_settings"].get("data") for m in sent}
        if claims.get(DL + "data") not in sent_data:
            problems.append("data")
        if problems:
            return self._error(400, "deep linking response rejected: " + ", ".join(problems))
        self.deep_link_responses.append(claims)
        items = claims.get(DL + "content_items") or []
        return Response(f"<!doctype html><html lang='en'><head><title>Saved</title></head><body>"
                        f"<p id='received'>Received {len(items)} items</p></body></html>",
                        content_type="text/html")

    # -- LTI 1.1 ---------------------------------------------------------------------------------------------
    def sign_lti11(self, url: str, key: str, secret: str, params: dict, *, nonce: str | None = None,
                   timestamp: int | None = None) -> dict:
        """Form fields of an LTI 1.1 launch signed like Moodle (32-character nonce)."""
        body = dict(params)
        body.setdefault("lti_message_type", "basic-lti-launch-request")
        body.setdefault("lti_version", "LTI-1p0")
        client = Client(key, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA1,
                        signature_type=SIGNATURE_TYPE_BODY, nonce=nonce or uuid.uuid4().hex,
                        timestamp=str(timestamp or int(time.time())))
        _uri, _headers, signed = client.sign(url, http_method="POST", body=urlencode(body),
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        from urllib.parse import parse_qsl

        return dict(parse_qsl(signed, keep_blank_values=True))

    def on_outcomes(self, request):
        body = request.get_data()
        platform = self

        class Validator(RequestValidator):
            enforce_ssl = False

            @property
            def allowed_signature_methods(self):
                return (SIGNATURE_HMAC_SHA1,)

            def check_nonce(self, nonce):
                return bool(nonce)

            def check_client_key(self, key):
                return bool(key)

            def validate_client_key(self, key, request):
                return key in platform.lti11_consumers

            def get_client_secret(self, key, request):
                return platform.lti11_consumers.get(key, "dummy")

            def validate_timestamp_and_nonce(self, *args, **kwargs):
                return True

            @property
            def dummy_client(self):
                return "dummy"

        headers = {"Authorization": request.headers.get("Authorization", ""), "Content-Type": request.content_type}
        valid, oauth_request = SignatureOnlyEndpoint(Validator()).validate_request(
            request.url, "POST", body=None, headers=headers)
        params = dict(oauth_request.oauth_params) if oauth_request is not None else {}
        expected_hash = base64.b64encode(hashlib.sha1(body).digest()).decode()
        if not valid or params.get("oauth_body_hash") != expected_hash:
            return Response("signature or body hash invalid", status=401)
        tree = etree.fromstring(body)
        ns = {"o": OUTCOMES_NS}
        sourced = tree.findtext(".//o:sourcedId", namespaces=ns)
        score = tree.findtext(".//o:resultScore/o:textString", namespaces=ns)
        self.outcomes.append({"sourcedid": sourced, "score": float(score)})
        reply = f"""<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="{OUTCOMES_NS}"><imsx_POXHeader><imsx_POXResponseHeaderInfo>
<imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{uuid.uuid4().hex}</imsx_messageIdentifier>
<imsx_statusInfo><imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity></imsx_statusInfo>
</imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody><replaceResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>"""
        return Response(reply, content_type="application/xml")

    # -- pages a browser sees ------------------------------------------------------------------------------
    def on_course_page(self, request, hint):
        """The platform's course page: frames the tool and answers the Platform Storage messages."""
        storage = request.args.get("storage") == "1"
        tool_origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.tool_url))
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Emulated platform course</title></head>
<body><h1>Platform course</h1>
<iframe name="tool-frame" id="tool-frame" title="Tamkeen" src="/initiate/{hint}{'?storage=1' if storage else ''}"
 style="width:1000px;height:700px" allow="fullscreen"></iframe>
<script>
var store = {{}};
window.addEventListener("message", function (event) {{
  if (event.origin !== {json.dumps(tool_origin)}) return;
  var m = event.data || {{}};
  if (m.subject === "lti.put_data") {{
    store[m.key] = m.value;
    event.source.postMessage({{subject: "lti.put_data.response", message_id: m.message_id, key: m.key, value: m.value}}, event.origin);
  }} else if (m.subject === "lti.get_data") {{
    event.source.postMessage({{subject: "lti.get_data.response", message_id: m.message_id, key: m.key, value: store[m.key]}}, event.origin);
  }}
  window.ltiStore = store;
}});
</script></body></html>"""
        return Response(page, content_type="text/html; charset=utf-8")

    def on_initiate(self, request, hint):
        """Third-party initiated login by form POST, as Moodle does, inside the iframe."""
        extra = {"lti_storage_target": "_parent"} if request.args.get("storage") == "1" else {}
        return Response(self.form_post_html(self.tool_login_url, self.login_params(hint, **extra)),
                        content_type="text/html; charset=utf-8")


# -- a scripted browser (requests) --------------------------------------------------------------------------
FORM_RE = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
INPUT_RE = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)


def parse_form(page: str, form_id: str | None = None) -> tuple[str, dict]:
    match = next((m for m in FORM_RE.finditer(page) if form_id is None or f'id="{form_id}"' in m.group(0)), None)
    assert match, f"no form in page: {page[:500]}"
    action = html.unescape(match.group(1))
    fields = {html.unescape(n): html.unescape(v) for n, v in INPUT_RE.findall(match.group(2))}
    return action, fields


def start_login(browser: requests.Session, platform: PlatformEmulator, hint: str, method: str = "GET",
                **extra) -> tuple[str, dict]:
    """Initiate login at the tool and let the platform answer: returns the launch form (action, fields)."""
    params = platform.login_params(hint, **extra)
    if method == "GET":
        response = browser.get(platform.tool_login_url, params=params, allow_redirects=True, timeout=20)
    else:
        response = browser.post(platform.tool_login_url, data=params, allow_redirects=True, timeout=20)
    assert response.status_code == 200, response.text[:1000]
    return parse_form(response.text)


def launch(browser: requests.Session, platform: PlatformEmulator, hint: str, method: str = "GET",
           follow: bool = True, **extra) -> requests.Response:
    action, fields = start_login(browser, platform, hint, method, **extra)
    return browser.post(action, data=fields, allow_redirects=follow, timeout=20)
