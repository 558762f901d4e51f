"""The xAPI 1.0.3 resources under ``/xapi`` (Communication section of the specification).

Each resource is one view taking every method, because the alternate request syntax (``POST
?method=PUT`` with headers and content as form fields) turns one POST into any method. The request is
normalised into :class:`XRequest` first; errors answer JSON through the blueprint's own handlers.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Text, cast, func, select
from werkzeug.datastructures import Headers

from lms.core.db import db, sqlite_begin_mode
from lms.core.security import csrf, sessionless

from . import attachments as attachment_service
from . import documents as docs
from .credentials import Principal, authenticate, still_valid
from .formats import apply_format
from .models import ActivityDefinition, Statement

S = Statement.__table__.c
from .store import (MAX_LIMIT, StatementConflict, StatementRejected, agent_ifi, build_query, format_stored,
                    json_dumps, store_statements)
from .validation import (IRI_RE, UUID_RE, VERSION_RE, XAPIValidationError, check_actor, check_agent,
                         check_iri, parse_timestamp)

XAPI_VERSION = "1.0.3"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
ALTERNATE_HEADERS = {"authorization", "x-experience-api-version", "content-type", "content-length", "if-match",
                     "if-none-match"}
CORS_ALLOW_HEADERS = ("Content-Type, Content-Length, Authorization, If-Match, If-None-Match, "
                      "X-Experience-API-Version, X-Experience-API-Consistent-Through, Accept-Language")
CORS_EXPOSE_HEADERS = "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through, Location"
STATEMENT_QUERY_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents",
                          "since", "until", "limit", "format", "attachments", "ascending"}

bp = Blueprint("xapi", __name__, url_prefix="/xapi")
csrf.exempt(bp)
sessionless("/xapi/")  # every request authenticates with HTTP Basic: no cookie session to open or sign


class XAPIError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


@dataclass
class XRequest:
    method: str
    args: dict[str, str]
    headers: Headers
    body: bytes
    alternate: bool = False
    principal: Principal | None = None
    extra: dict = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


# --- request preparation ---------------------------------------------------------------------------------

def _parse_request() -> XRequest:
    method = request.method
    if method == "HEAD":
        method = "GET"
    args = request.args
    if "method" in args:
        if request.method != "POST":
            raise XAPIError(400, "the alternate request syntax must be sent as POST", "method")
        if len(args) > 1:
            raise XAPIError(400, "the alternate request syntax allows no query parameter but 'method'")
        alternate_method = args["method"].upper()
        if alternate_method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
            raise XAPIError(400, "unsupported method in the alternate request syntax", "method")
        mimetype = (request.mimetype or "").lower()
        if mimetype != "application/x-www-form-urlencoded":
            raise XAPIError(400, "the alternate request syntax needs an application/x-www-form-urlencoded body",
                            "Content-Type")
        raw = request.get_data(cache=True)
        try:
            fields = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
        except (ValueError, UnicodeDecodeError):
            raise XAPIError(400, "the form body is not URL-encoded", "content") from None
        headers = Headers()
        for name in ("Authorization", "X-Experience-API-Version", "If-Match", "If-None-Match"):
            if name in request.headers and name != "Authorization":
                headers[name] = request.headers[name]
        if "Authorization" in request.headers:
            headers["Authorization"] = request.headers["Authorization"]
        params: dict[str, str] = {}
        content = b""
        for name, value in fields:
            if name.lower() in ALTERNATE_HEADERS:
                headers[_canonical_header(name)] = value
            elif name == "content":
                content = value.encode("utf-8")
            else:
                params[name] = value
        if "Content-Type" not in headers:
            headers["Content-Type"] = "application/json" if content else ""
        if alternate_method in ("PUT", "POST") and "content" not in {n for n, _ in fields}:
            if alternate_method == "PUT" or (request.path.rstrip("/").endswith("/statements")):
                raise XAPIError(400, "the alternate request syntax carries the content in the 'content' field",
                                "content")
        return XRequest("GET" if alternate_method == "HEAD" else alternate_method, params, headers, content,
                        alternate=True)
    return XRequest(method, args.to_dict(), request.headers, request.get_data(cache=True))


def _canonical_header(name: str) -> str:
    lowered = name.lower()
    return {"authorization": "Authorization", "x-experience-api-version": "X-Experience-API-Version",
            "content-type": "Content-Type", "content-length": "Content-Length", "if-match": "If-Match",
            "if-none-match": "If-None-Match"}[lowered]


def _check_version(xreq: XRequest) -> None:
    version = xreq.headers.get("X-Experience-API-Version")
    if version is None:
        raise XAPIError(400, "the X-Experience-API-Version header is required", "X-Experience-API-Version")
    if not VERSION_RE.match(version.strip()):
        raise XAPIError(400, f"unsupported xAPI version {version!r}: this LRS speaks 1.0.x",
                        "X-Experience-API-Version")


def _challenge() -> str:
    """The 401 challenge. Scripts in a browser (launched content: fetch/XHR, marked by Sec-Fetch-Mode) get
    a scheme browsers do not prompt for: a Basic challenge opens the browser's password dialog and the
    content's request hangs behind it (a cmi5 AU whose token has ended, a wrong token)."""
    if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return 'xBasic realm="xAPI"'
    return 'Basic realm="xAPI"'


def _authenticate(xreq: XRequest) -> Principal:
    header = xreq.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise XAPIError(401, "HTTP Basic credentials are required", headers={"WWW-Authenticate": _challenge()})
    try:
        key, _, secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise XAPIError(401, "malformed HTTP Basic credentials", headers={"WWW-Authenticate": _challenge()}) \
            from None
    principal = authenticate(key, secret)
    if principal is None:
        raise XAPIError(401, "unknown, revoked or expired credentials",
                        headers={"WWW-Authenticate": _challenge()})
    return principal


@bp.before_request
def _prepare():
    if request.method == "OPTIONS":
        return _cors(Response(status=200))
    xreq = _parse_request()
    g.xreq = xreq
    if xreq.method == "GET":
        # Reads take no write lock on SQLite (WAL readers never wait for the writer).
        g.lrs_begin_token = sqlite_begin_mode.set("DEFERRED")
    if request.endpoint == "xapi.about":
        return None
    xreq.principal = _authenticate(xreq)
    _check_version(xreq)
    if not (request.endpoint == "xapi.statements" and xreq.method in ("POST", "PUT")):
        _confirm_principal(xreq.principal)  # statement writes confirm once they hold the write lock
    return None


def _confirm_principal(principal: Principal) -> None:
    """Refuse a cached credential that another process revoked since (read in this request's transaction)."""
    if not still_valid(principal):
        raise XAPIError(401, "unknown, revoked or expired credentials", headers={"WWW-Authenticate": _challenge()})


def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers.add("Vary", "Origin")
    response.headers["Access-Control-Allow-Methods"] = "HEAD, GET, POST, PUT, DELETE, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.teardown_request
def _restore_begin_mode(_error=None) -> None:
    token = g.pop("lrs_begin_token", None)
    if token is not None:
        sqlite_begin_mode.reset(token)


@bp.after_request
def _finish(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    if request.endpoint == "xapi.statements" and "X-Experience-API-Consistent-Through" not in response.headers:
        response.headers["X-Experience-API-Consistent-Through"] = _consistent_through()
    return _cors(response)


def _error_response(status: int, message: str, field: str | None = None, code: str | None = None,
                    headers: dict | None = None) -> Response:
    from lms.core.errors import _status_code_name

    body = {"error": {"code": code or _status_code_name(status), "message": message, "status": status}}
    if field:
        body["error"]["field"] = field
    response = Response(json_dumps(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.errorhandler(XAPIError)
def _xapi_error(error: XAPIError):
    db.session.rollback()
    return _error_response(error.status, error.message, error.field, headers=error.headers)


@bp.errorhandler(XAPIValidationError)
def _validation_error(error: XAPIValidationError):
    db.session.rollback()
    return _error_response(400, str(error), error.path or None, code="invalid_statement")


@bp.errorhandler(StatementConflict)
def _conflict(error: StatementConflict):
    db.session.rollback()
    return _error_response(409, str(error), "id", code="conflict")


@bp.errorhandler(StatementRejected)
def _rejected(error: StatementRejected):
    db.session.rollback()
    return _error_response(400, str(error), code="invalid_statement")


@bp.errorhandler(docs.DocumentError)
def _document_error(error: docs.DocumentError):
    db.session.rollback()
    return _error_response(error.status, error.message)


# --- helpers ------------------------------------------------------------------------------------------------

def _json_response(value, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json_dumps(value) if not isinstance(value, (bytes, str)) else value, status=status,
                        mimetype="application/json")
    for name, header_value in (headers or {}).items():
        response.headers[name] = header_value
    return response


def _no_content(headers: dict | None = None) -> Response:
    response = Response(status=204)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _require_scope(principal: Principal, *scopes: str) -> None:
    if not principal.allows(*scopes):
        raise XAPIError(403, "these credentials do not allow this request (scope)")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes, what: str = "body"):
    # Python's parser accepts NaN and Infinity, which are not JSON and could not be stored or sent back.
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise XAPIError(400, "the body is not valid JSON", what) from None


def _bool_param(args: dict, name: str) -> bool:
    value = args.get(name)
    if value is None:
        return False
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    raise XAPIError(400, f"{name} must be true or false", name)


def _agent_param(args: dict, name: str = "agent", required: bool = True, allow_group: bool = True) -> dict | None:
    raw = args.get(name)
    if raw is None:
        if required:
            raise XAPIError(400, f"the {name} parameter is required", name)
        return None
    try:
        agent = json.loads(raw)
    except ValueError:
        raise XAPIError(400, f"{name} must be a JSON Agent", name) from None
    if not isinstance(agent, dict):
        raise XAPIError(400, f"{name} must be a JSON Agent", name)
    try:
        if allow_group:
            check_actor(agent, name)
        else:
            check_agent(agent, name)
    except XAPIValidationError as error:
        raise XAPIError(400, str(error), name) from None
    if agent_ifi(agent) is None:
        raise XAPIError(400, f"{name} must be identified (mbox, mbox_sha1sum, openid or account)", name)
    return agent


def _iri_param(args: dict, name: str, required: bool = True) -> str | None:
    value = args.get(name)
    if value is None:
        if required:
            raise XAPIError(400, f"the {name} parameter is required", name)
        return None
    if not IRI_RE.match(value):
        raise XAPIError(400, f"{name} must be an IRI", name)
    return value


def _uuid_param(args: dict, name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if not UUID_RE.match(value):
        raise XAPIError(400, f"{name} must be a UUID", name)
    return value.lower()


def _timestamp_param(args: dict, name: str) -> datetime | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        return parse_timestamp(value, name)
    except XAPIValidationError as error:
        raise XAPIError(400, str(error), name) from None


def _accepted_languages() -> list[str]:
    languages = [value for value, _quality in request.accept_languages]
    return languages or []


def _consistent_through() -> str:
    return format_stored(datetime.now(timezone.utc))


# --- statements ---------------------------------------------------------------------------------------------

@bp.route("/statements", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def statements():
    xreq: XRequest = g.xreq
    if xreq.method == "GET":
        return _get_statements(xreq)
    if xreq.method == "PUT":
        return _put_statement(xreq)
    if xreq.method == "POST":
        return _post_statements(xreq)
    raise XAPIError(405, "the Statement Resource accepts GET, HEAD, PUT and POST",
                    headers={"Allow": "GET, HEAD, PUT, POST"})


def _read_statements_body(xreq: XRequest):
    """(statements list or single dict, attachment parts by sha2)."""
    mimetype = xreq.mimetype
    parts = {}
    if mimetype == "multipart/mixed":
        max_bytes = int(current_app.config.get("LRS_MAX_ATTACHMENT_BYTES") or 64 * 1024 * 1024)
        if len(xreq.body) > max_bytes:
            raise XAPIError(413, f"attachments larger than {max_bytes} bytes are refused")
        all_parts = attachment_service.parse_multipart(xreq.body, xreq.content_type)
        first = all_parts[0]
        if first.content_type != "application/json":
            raise XAPIError(400, "the first part of a multipart/mixed request must be application/json",
                            "Content-Type")
        payload = _parse_json(first.body)
        statement_list = payload if isinstance(payload, list) else [payload]
        if not all(isinstance(s, dict) for s in statement_list):
            raise XAPIError(400, "statements must be JSON objects")
        _validate_all(statement_list, isinstance(payload, list))
        parts = attachment_service.check_and_collect(statement_list, all_parts[1:])
        return payload, parts
    if mimetype not in ("application/json", "") and not xreq.alternate:
        raise XAPIError(400, "statements are sent as application/json or multipart/mixed", "Content-Type")
    payload = _parse_json(xreq.body)
    statement_list = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(s, dict) for s in statement_list):
        raise XAPIError(400, "statements must be JSON objects")
    _validate_all(statement_list, isinstance(payload, list))
    attachment_service.require_parts_for(statement_list)
    return payload, parts


def _validate_all(statement_list: list[dict], batch: bool) -> None:
    from .validation import validate_statement

    for index, statement in enumerate(statement_list):
        try:
            validate_statement(statement)
        except XAPIValidationError as error:
            if not batch:
                raise
            raise XAPIValidationError(error.message, f"[{index}].{error.path}" if error.path else f"[{index}]") \
                from None


# Extension point for areas that launch content (cmi5): each check runs on the statements a launch
# credential sends, before they are stored (raise XAPIError to refuse them); each listener runs once they
# are stored, in the same transaction, with their ids.
launch_statement_checks: list = []
launch_statement_listeners: list = []
# ... and each document check runs on a State or Agent Profile request made with a launch credential:
# ``check(principal, method, document_id, kind)`` with kind "state" or "agent_profile" (raise XAPIError;
# cmi5 keeps LMS.LaunchData read-only and notes that the AU read its learner preferences).
launch_document_checks: list = []


def _after_launch_write(principal: Principal, statement_list: list[dict], ids: list[str]) -> None:
    if principal.is_launch:
        for listener in launch_statement_listeners:
            listener(principal, statement_list, ids)


def _check_launch_write(principal: Principal, statement_list: list[dict]) -> None:
    if not principal.is_launch:
        return
    for statement in statement_list:
        if agent_ifi(statement.get("actor")) != principal.actor_ifi:
            raise XAPIError(403, "these launch credentials write statements for their own learner only", "actor")
        registration = (statement.get("context") or {}).get("registration")
        if principal.registration and (registration or "").lower() != principal.registration:
            raise XAPIError(403, "these launch credentials write statements for their registration only",
                            "context.registration")
    for check in launch_statement_checks:
        check(principal, statement_list)


def _put_statement(xreq: XRequest):
    _require_scope(xreq.principal, "statements/write")
    statement_id = xreq.args.get("statementId")
    if statement_id is None:
        raise XAPIError(400, "PUT needs the statementId parameter", "statementId")
    unknown = set(xreq.args) - {"statementId"}
    if unknown:
        raise XAPIError(400, f"unexpected parameter {sorted(unknown)[0]}", sorted(unknown)[0])
    if not UUID_RE.match(statement_id):
        raise XAPIError(400, "statementId must be a UUID", "statementId")
    payload, parts = _read_statements_body(xreq)
    if not isinstance(payload, dict):
        raise XAPIError(400, "PUT stores one statement (a JSON object)")
    if "id" in payload and payload["id"].lower() != statement_id.lower():
        raise XAPIError(400, "the statement's id differs from the statementId parameter", "id")
    payload = dict(payload, id=statement_id.lower())
    _check_launch_write(xreq.principal, [payload])
    attachment_service.save_parts(parts)
    ids = store_statements([payload], authority=xreq.principal.authority, credential_id=xreq.principal.id,
                           validate=False, confirm=lambda: _confirm_principal(xreq.principal))
    _after_launch_write(xreq.principal, [payload], ids)
    return _no_content()


def _post_statements(xreq: XRequest):
    if xreq.args and not xreq.alternate:
        # A GET sent as POST by a client that cannot send long URLs is only allowed via ?method=GET.
        unknown = sorted(xreq.args)
        raise XAPIError(400, f"unexpected parameter {unknown[0]}", unknown[0])
    _require_scope(xreq.principal, "statements/write")
    payload, parts = _read_statements_body(xreq)
    statement_list = payload if isinstance(payload, list) else [payload]
    _check_launch_write(xreq.principal, statement_list)
    attachment_service.save_parts(parts)
    ids = store_statements(statement_list, authority=xreq.principal.authority, credential_id=xreq.principal.id,
                           validate=False, confirm=lambda: _confirm_principal(xreq.principal))
    _after_launch_write(xreq.principal, statement_list, ids)
    return _json_response(ids)


def _statement_row(statement_id: str):
    return db.session.execute(select(S.data, S.voided, S.stored, S.credential_id)
                              .where(S.statement_id == statement_id.lower())).first()


def _get_statements(xreq: XRequest):
    principal = xreq.principal
    if not principal.allows("statements/read", "all/read", "statements/read/mine"):
        raise XAPIError(403, "these credentials cannot read statements (scope)")
    mine_only = not principal.allows("statements/read", "all/read")
    args = xreq.args
    fmt = args.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise XAPIError(400, "format must be ids, exact or canonical", "format")
    with_attachments = _bool_param(args, "attachments")
    headers = {"X-Experience-API-Consistent-Through": _consistent_through()}
    if "statementId" in args or "voidedStatementId" in args:
        if "statementId" in args and "voidedStatementId" in args:
            raise XAPIError(400, "statementId and voidedStatementId cannot be used together")
        name = "statementId" if "statementId" in args else "voidedStatementId"
        unknown = set(args) - {name, "format", "attachments"}
        if unknown:
            raise XAPIError(400, f"{sorted(unknown)[0]} cannot be combined with {name}", sorted(unknown)[0])
        statement_id = args[name]
        if not UUID_RE.match(statement_id):
            raise XAPIError(400, f"{name} must be a UUID", name)
        row = _statement_row(statement_id)
        if row is None or row.voided != (name == "voidedStatementId") or \
                (mine_only and row.credential_id != principal.id):
            raise XAPIError(404, "no such statement", name)
        statement = apply_format(row.data, fmt, _accepted_languages())
        headers["Last-Modified"] = _http_date(row.stored)
        body = json_dumps(statement).encode("utf-8")
        if with_attachments:
            content, content_type = attachment_service.multipart_response(body, [row.data])
            response = Response(content, status=200, content_type=content_type)
            for name_, value in headers.items():
                response.headers[name_] = value
            return response
        return _json_response(body, headers=headers)
    return _query_statements(xreq, fmt, with_attachments, mine_only, headers)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lms.lrs.more")


def _query_statements(xreq: XRequest, fmt: str, with_attachments: bool, mine_only: bool, headers: dict):
    args = xreq.args
    if "more" in args:
        try:
            cursor = _serializer().loads(args["more"])
        except BadSignature:
            raise XAPIError(400, "the more cursor is not valid", "more") from None
        if cursor.get("c") != xreq.principal.id:
            raise XAPIError(403, "this cursor belongs to other credentials", "more")
        params = cursor["p"]
        fmt = params.get("format", fmt)
        with_attachments = params.get("attachments", "false") == "true"
        after_pk, max_pk = cursor["a"], cursor["m"]
    else:
        unknown = set(args) - STATEMENT_QUERY_PARAMS
        if unknown:
            raise XAPIError(400, f"unknown parameter {sorted(unknown)[0]}", sorted(unknown)[0])
        params = dict(args)
        after_pk = None
        # Descending pages walk down from the first page, so later statements never enter them; ascending pages
        # walk up and are bounded by the newest statement when the listing started.
        max_pk = (db.session.scalar(select(func.max(S.pk))) or 0) if _bool_param(args, "ascending") else None
    agent = _agent_param(params, "agent", required=False)
    verb = _iri_param(params, "verb", required=False)
    activity = _iri_param(params, "activity", required=False)
    registration = _uuid_param(params, "registration")
    related_activities = _bool_param(params, "related_activities")
    related_agents = _bool_param(params, "related_agents")
    ascending = _bool_param(params, "ascending")
    since = _timestamp_param(params, "since")
    until = _timestamp_param(params, "until")
    raw_limit = params.get("limit", "0")
    if not raw_limit.isdigit():
        raise XAPIError(400, "limit must be a non-negative integer", "limit")
    limit = int(raw_limit)
    limit = MAX_LIMIT if limit == 0 or limit > MAX_LIMIT else limit
    exact = fmt == "exact"
    columns = (S.pk, S.stored, cast(S.data, Text).label("text") if exact else S.data)
    query = build_query(agent=agent, verb=verb, activity=activity, registration=registration,
                        related_activities=related_activities, related_agents=related_agents, since=since,
                        until=until, ascending=ascending, after_pk=after_pk, max_pk=max_pk,
                        credential_id=xreq.principal.id if mine_only else None, columns=columns)
    rows = db.session.execute(query.limit(limit + 1)).all()
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        token = _serializer().dumps({"p": {k: v for k, v in params.items()}, "a": rows[-1].pk, "m": max_pk,
                                     "c": xreq.principal.id})
        more = f"{request.script_root}/xapi/statements?more={token}"
    if rows:
        headers["Last-Modified"] = _http_date(max(row.stored for row in rows))
    if exact:
        # The stored JSON text goes out as is: no parse and re-serialisation per statement.
        body = ('{"statements":[' + ",".join(row.text for row in rows) + '],"more":' + json.dumps(more)
                + "}").encode("utf-8")
        statements_out = [json.loads(row.text) for row in rows] if with_attachments else []
    else:
        languages = _accepted_languages() if fmt == "canonical" else []
        statements_out = [apply_format(row.data, fmt, languages) for row in rows]
        body = json_dumps({"statements": statements_out, "more": more}).encode("utf-8")
    if with_attachments:
        content, content_type = attachment_service.multipart_response(body, statements_out if exact else
                                                                      [row.data for row in rows])
        response = Response(content, status=200, content_type=content_type)
        for name, value in headers.items():
            response.headers[name] = value
        return response
    return _json_response(body, headers=headers)


# --- documents ----------------------------------------------------------------------------------------------

def _document_response(document) -> Response:
    response = Response(document.content, status=200, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.etag}"'
    response.headers["Last-Modified"] = _http_date(document.updated_at)
    return response


def _document_write(xreq: XRequest, kind: str, doc_id: str, activity_iri=None, ifi=None, registration=None,
                    require_precondition=False) -> Response:
    if_match = xreq.headers.get("If-Match")
    if_none_match = xreq.headers.get("If-None-Match")
    content_type = xreq.content_type or "application/octet-stream"
    if xreq.method == "PUT":
        if docs.is_json_type(content_type) and xreq.body:
            _parse_json(xreq.body, "document")
        document = docs.put_document(kind, doc_id, xreq.body, content_type, activity_iri, ifi, registration,
                                     if_match, if_none_match, require_precondition)
    else:
        document = docs.post_document(kind, doc_id, xreq.body, content_type, activity_iri, ifi, registration,
                                      if_match, if_none_match)
    return _no_content({"ETag": f'"{document.etag}"'})


def _check_params(args: dict, allowed: set[str]) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise XAPIError(400, f"unknown parameter {sorted(unknown)[0]}", sorted(unknown)[0])


def _ids_response(ids: list[str], last: datetime | None) -> Response:
    headers = {"Last-Modified": _http_date(last)} if last else {}
    return _json_response(ids, headers=headers)


@bp.route("/activities/state", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def state():
    xreq: XRequest = g.xreq
    principal = xreq.principal
    if xreq.method == "GET":
        _require_scope(principal, "state", "all/read")
    else:
        _require_scope(principal, "state")
    args = xreq.args
    _check_params(args, {"activityId", "agent", "registration", "stateId", "since"})
    activity_iri = _iri_param(args, "activityId")
    agent = _agent_param(args, "agent")
    registration = _uuid_param(args, "registration")
    ifi = agent_ifi(agent)
    if principal.is_launch:
        if ifi != principal.actor_ifi or (principal.registration and registration != principal.registration):
            raise XAPIError(403, "these launch credentials reach their own learner's state only")
    state_id = args.get("stateId")
    if principal.is_launch:
        for check in launch_document_checks:
            check(principal, xreq.method, state_id, "state")
    if xreq.method in ("PUT", "POST"):
        if state_id is None:
            raise XAPIError(400, "the stateId parameter is required", "stateId")
        if "since" in args:
            raise XAPIError(400, "since is only allowed when listing ids", "since")
        return _document_write(xreq, docs.STATE, state_id, activity_iri, ifi, registration)
    if xreq.method == "GET":
        if state_id is not None:
            if "since" in args:
                raise XAPIError(400, "since is only allowed when listing ids", "since")
            document = docs.get_document(docs.STATE, state_id, activity_iri, ifi, registration)
            if document is None:
                raise XAPIError(404, "no such state document", "stateId")
            return _document_response(document)
        since = _timestamp_param(args, "since")
        return _ids_response(docs.list_ids(docs.STATE, activity_iri, ifi, registration, since),
                             docs.last_modified(docs.STATE, activity_iri, ifi, registration))
    if xreq.method == "DELETE":
        if "since" in args:
            raise XAPIError(400, "since is not allowed on DELETE", "since")
        if state_id is not None:
            docs.delete_document(docs.STATE, state_id, activity_iri, ifi, registration,
                                 xreq.headers.get("If-Match"), xreq.headers.get("If-None-Match"))
        else:
            docs.delete_documents(docs.STATE, activity_iri, ifi, registration)
        return _no_content()
    raise XAPIError(405, "method not allowed")


@bp.route("/activities/profile", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def activity_profile():
    xreq: XRequest = g.xreq
    _require_scope(xreq.principal, "profile", *(("all/read",) if xreq.method == "GET" else ()))
    if xreq.principal.is_launch:
        raise XAPIError(403, "launch credentials cannot reach profiles")
    args = xreq.args
    _check_params(args, {"activityId", "profileId", "since"})
    activity_iri = _iri_param(args, "activityId")
    return _profile(xreq, docs.ACTIVITY_PROFILE, activity_iri=activity_iri)


@bp.route("/agents/profile", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def agent_profile():
    xreq: XRequest = g.xreq
    args = xreq.args
    if xreq.principal.is_launch:
        # cmi5 §11: launched content reads its learner's preferences (its own agent, read only).
        _check_params(args, {"agent", "profileId", "since"})
        agent = _agent_param(args, "agent")
        if xreq.method != "GET" or agent_ifi(agent) != xreq.principal.actor_ifi:
            raise XAPIError(403, "launch credentials only read their own learner's agent profile")
        for check in launch_document_checks:
            check(xreq.principal, xreq.method, args.get("profileId"), "agent_profile")
        return _profile(xreq, docs.AGENT_PROFILE, ifi=agent_ifi(agent))
    _require_scope(xreq.principal, "profile", *(("all/read",) if xreq.method == "GET" else ()))
    _check_params(args, {"agent", "profileId", "since"})
    agent = _agent_param(args, "agent")
    return _profile(xreq, docs.AGENT_PROFILE, ifi=agent_ifi(agent))


def _profile(xreq: XRequest, kind: str, activity_iri=None, ifi=None) -> Response:
    args = xreq.args
    profile_id = args.get("profileId")
    if xreq.method in ("PUT", "POST", "DELETE") and profile_id is None:
        raise XAPIError(400, "the profileId parameter is required", "profileId")
    if xreq.method in ("PUT", "POST"):
        if "since" in args:
            raise XAPIError(400, "since is only allowed when listing ids", "since")
        return _document_write(xreq, kind, profile_id, activity_iri, ifi,
                               require_precondition=(xreq.method == "PUT"))
    if xreq.method == "GET":
        if profile_id is not None:
            if "since" in args:
                raise XAPIError(400, "since is only allowed when listing ids", "since")
            document = docs.get_document(kind, profile_id, activity_iri, ifi)
            if document is None:
                raise XAPIError(404, "no such profile document", "profileId")
            return _document_response(document)
        since = _timestamp_param(args, "since")
        return _ids_response(docs.list_ids(kind, activity_iri, ifi, since=since),
                             docs.last_modified(kind, activity_iri, ifi))
    if xreq.method == "DELETE":
        if "since" in args:
            raise XAPIError(400, "since is not allowed on DELETE", "since")
        docs.delete_document(kind, profile_id, activity_iri, ifi, None, xreq.headers.get("If-Match"),
                             xreq.headers.get("If-None-Match"))
        return _no_content()
    raise XAPIError(405, "method not allowed")


# --- activities, agents, about -------------------------------------------------------------------------------

@bp.route("/activities", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def activities():
    xreq: XRequest = g.xreq
    if xreq.method != "GET":
        raise XAPIError(405, "the Activities Resource accepts GET only", headers={"Allow": "GET, HEAD"})
    _check_params(xreq.args, {"activityId"})
    activity_iri = _iri_param(xreq.args, "activityId")
    definition = db.session.scalar(select(ActivityDefinition.definition).where(ActivityDefinition.iri == activity_iri))
    activity = {"objectType": "Activity", "id": activity_iri}
    if definition:
        activity["definition"] = definition
    return _json_response(activity)


@bp.route("/agents", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def agents():
    xreq: XRequest = g.xreq
    if xreq.method != "GET":
        raise XAPIError(405, "the Agents Resource accepts GET only", headers={"Allow": "GET, HEAD"})
    _check_params(xreq.args, {"agent"})
    agent = _agent_param(xreq.args, "agent")
    person: dict = {"objectType": "Person"}
    if agent.get("name"):
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return _json_response(person)


@bp.route("/about", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def about():
    xreq: XRequest = g.xreq
    if xreq.method != "GET":
        raise XAPIError(405, "the About Resource accepts GET only", headers={"Allow": "GET, HEAD"})
    return _json_response({"version": SUPPORTED_VERSIONS, "extensions": {}})
