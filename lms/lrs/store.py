"""Storing and querying statements: the LRS core, used by the HTTP resources and in-process by the emitter.

Everything runs in the caller's transaction (flush only). A batch is validated completely before the first
row is written and is inserted with one multi-row INSERT per table, so it is all-or-nothing and fast.
"""
from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from datetime import datetime, timezone
from functools import lru_cache
from typing import Iterable, NamedTuple

import orjson
from flask import current_app
from sqlalchemy import and_, func, select

from lms.core.db import db

from .models import Statement, StatementKey

S = Statement.__table__.c  # Core columns: no ORM overhead on the hot paths
from .validation import VOIDED, XAPIValidationError, parse_timestamp, validate_statement

DEFAULT_VERSION = "1.0.0"
MAX_LIMIT = 500


class StatementConflict(Exception):
    """A statement id is already stored with different content (409)."""


class StatementRejected(Exception):
    """A statement breaks a rule that depends on stored data (voiding a voiding statement...): 400."""


def json_dumps(value) -> str:
    """Compact JSON with sorted keys (responses, comparisons). orjson is ~10x faster than the standard
    encoder on statements; integers beyond 64 bits, which it refuses, go through the exact standard one."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def stored_json(value) -> str:
    """The JSON text of a statement as stored (keys in the order received)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_value(value):
    """A JSON column read with raw SQL: text on SQLite, already decoded by psycopg on PostgreSQL."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def canonical_json(value) -> str:
    """The canonical text of a statement: keys sorted, no insignificant whitespace."""
    return json_dumps(value)


# --- identities --------------------------------------------------------------------------------------------

def agent_ifi(agent: dict | None) -> str | None:
    """A stable string for an agent's inverse functional identifier (None for anonymous groups)."""
    if not agent:
        return None
    if "mbox" in agent:
        return "mbox:" + agent["mbox"]
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None


def system_authority() -> dict:
    """The authority of statements the LMS writes itself."""
    config = current_app.config
    return {"objectType": "Agent", "name": str(config.get("SITE_NAME") or "LMS"),
            "account": {"homePage": config["SITE_URL"].rstrip("/"), "name": "lms"}}


def format_stored(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_ms() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# --- index rows ----------------------------------------------------------------------------------------------

def _agents_in(actor: dict | None, into: dict, direct: bool) -> None:
    if not isinstance(actor, dict):
        return
    ifi = agent_ifi(actor)
    if ifi:
        into[ifi] = into.get(ifi, False) or direct
    for member in actor.get("member") or ():
        ifi = agent_ifi(member)
        if ifi:
            into[ifi] = into.get(ifi, False) or False
    return


def _context_activities(context: dict | None, into: dict) -> None:
    if not context:
        return
    for items in (context.get("contextActivities") or {}).values():
        for item in (items if isinstance(items, list) else [items]):
            into.setdefault(item["id"], False)


def index_entries(statement: dict) -> tuple[dict, dict]:
    """(agents {ifi: direct}, activities {iri: direct}) for the agent/activity filters."""
    agents: dict[str, bool] = {}
    activities: dict[str, bool] = {}
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    _agents_in(statement["actor"], agents, True)
    if kind == "Activity":
        activities[obj["id"]] = True
    elif kind in ("Agent", "Group"):
        _agents_in(obj, agents, True)
    elif kind == "SubStatement":
        _agents_in(obj["actor"], agents, False)
        sub_obj = obj["object"]
        sub_kind = sub_obj.get("objectType", "Activity")
        if sub_kind == "Activity":
            activities.setdefault(sub_obj["id"], False)
        elif sub_kind in ("Agent", "Group"):
            _agents_in(sub_obj, agents, False)
        sub_context = obj.get("context") or {}
        _agents_in(sub_context.get("instructor"), agents, False)
        _agents_in(sub_context.get("team"), agents, False)
        _context_activities(sub_context, activities)
    context = statement.get("context") or {}
    _agents_in(context.get("instructor"), agents, False)
    _agents_in(context.get("team"), agents, False)
    _agents_in(statement.get("authority"), agents, False)
    _context_activities(context, activities)
    return agents, activities


@lru_cache(maxsize=65536)
def key_hash(kind: str, value: str) -> int:
    """The 64-bit (signed) hash of one filter key, as stored in ``lrs_statement_key``."""
    return int.from_bytes(hashlib.blake2b(f"{kind}|{value}".encode("utf-8"), digest_size=8).digest(), "big",
                          signed=True)


def statement_keys(statement: dict) -> set[int]:
    """The filter keys of a statement. An agent or activity is keyed once: ``a``/``o`` where it is the actor or
    object, ``A``/``O`` where it is only related; a related_* query looks for both kinds. (Earlier rows may
    carry both kinds for the same agent or activity: queries never count a statement twice.)"""
    agents, activities = index_entries(statement)
    keys = {key_hash("v", statement["verb"]["id"])}
    registration = (statement.get("context") or {}).get("registration")
    if registration:
        keys.add(key_hash("r", registration.lower()))
    for ifi, direct in agents.items():
        keys.add(key_hash("a" if direct else "A", ifi))
    for iri, direct in activities.items():
        keys.add(key_hash("o" if direct else "O", iri))
    return keys


# --- comparison ----------------------------------------------------------------------------------------------

_IGNORED = ("id", "stored", "authority", "version")


def _comparable(statement: dict, keep_timestamp: bool) -> str:
    copy = {k: v for k, v in statement.items() if k not in _IGNORED and (keep_timestamp or k != "timestamp")}
    return canonical_json(copy)


def normalise(statement: dict) -> dict:
    """The stored form: context activities always as arrays (the spec's canonical form), ids lower-case."""
    statement = dict(statement)
    for holder in (statement, statement["object"] if statement["object"].get("objectType") == "SubStatement"
                   else None):
        if holder is None:
            continue
        context = holder.get("context")
        if context and isinstance(context.get("contextActivities"), dict):
            activities = context["contextActivities"]
            if any(isinstance(v, dict) for v in activities.values()):
                context = dict(context, contextActivities={k: [v] if isinstance(v, dict) else v
                                                           for k, v in activities.items()})
                if holder is statement:
                    statement["context"] = context
                else:
                    statement["object"] = dict(holder, context=context)
    return statement


def same_statement(stored: dict, received: dict) -> bool:
    keep_timestamp = "timestamp" in received
    if keep_timestamp and "timestamp" in stored:
        try:
            if parse_timestamp(stored["timestamp"]) != parse_timestamp(received["timestamp"]):
                return False
        except XAPIValidationError:
            return False
        keep_timestamp = False
    return _comparable(stored, keep_timestamp) == _comparable(received, keep_timestamp)


# --- storing ----------------------------------------------------------------------------------------------

def store_statements(statements: list[dict], authority: dict | None = None, credential_id: int | None = None,
                     validate: bool = True, confirm=None) -> list[str]:
    """Validate, complete and insert statements in the current transaction; returns their ids in order.

    ``confirm`` (optional) runs once the transaction is open (on SQLite: holding the write lock) and before
    anything is read or written; it may raise to refuse the request (the xAPI resource re-checks there that
    its credential was not revoked).

    Raises :class:`XAPIValidationError` (400), :class:`StatementRejected` (400) or
    :class:`StatementConflict` (409). A statement whose id is already stored with the same content is
    accepted again without any change (the spec's "204 No Content" case).
    """
    if authority is None:
        authority = system_authority()
    stored_at = now_ms()
    stored_text = format_stored(stored_at)
    ids: list[str] = []
    seen: dict[str, int] = {}
    statements = list(statements)
    for index, statement in enumerate(statements):
        if validate:
            try:
                validate_statement(statement)
            except XAPIValidationError as error:
                if len(statements) > 1:
                    raise XAPIValidationError(error.message, f"[{index}].{error.path}" if error.path
                                              else f"[{index}]") from None
                raise
        statement = statements[index] = normalise(statement)
        statement_id = statement.get("id")
        if statement_id is None:
            statement_id = str(uuid_module.uuid4())
        else:
            statement_id = statement_id.lower()
        if statement_id in seen:
            raise StatementRejected(f"statement id {statement_id} appears twice in the batch")
        seen[statement_id] = index
        ids.append(statement_id)

    # Phase 1, CPU only (before the first query, so SQLite's write lock is not held meanwhile): complete
    # every statement as if it were new, with its filter keys and its JSON text.
    refs: dict[str, str] = {}
    voids: dict[str, str] = {}
    rows = []
    keys: dict[str, set[int]] = {}
    definitions: dict[str, dict] = {}
    for sid, statement in zip(ids, statements):
        data = dict(statement)
        data["id"] = sid
        data["stored"] = stored_text
        data["authority"] = authority
        data.setdefault("version", DEFAULT_VERSION)
        data.setdefault("timestamp", stored_text)
        obj = data["object"]
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            object_iri = obj["id"]
        elif kind in ("Agent", "Group"):
            object_iri = agent_ifi(obj)
        elif kind == "StatementRef":
            object_iri = refs[sid] = obj["id"].lower()
            if data["verb"]["id"] == VOIDED:
                voids[sid] = object_iri
        else:
            object_iri = None
        for activity in _all_activity_objects(data):
            if "definition" in activity:
                _merge_definition(definitions, activity["id"], activity["definition"])
        registration = (data.get("context") or {}).get("registration")
        rows.append({
            "statement_id": sid, "stored": stored_at, "verb_iri": data["verb"]["id"],
            "actor_ifi": agent_ifi(data["actor"]), "object_type": kind, "object_iri": object_iri,
            "registration": registration.lower() if registration else None, "voided": False,
            "ref_id": refs.get(sid), "credential_id": credential_id, "data": data,
            "json": stored_json(data), "has_attachments": bool(data.get("attachments")),
        })
        keys[sid] = statement_keys(data)
    for target in voids.values():
        if target in seen and statements[seen[target]]["verb"]["id"] == VOIDED:
            raise StatementRejected("object: a voiding statement cannot be voided")

    # Phase 2: what is already stored.
    sql = Driver()  # SQLite: takes the write lock (BEGIN IMMEDIATE)
    if confirm is not None:
        confirm()
    existing = {}
    if any("id" in s for s in statements):
        explicit = [sid for sid, s in zip(ids, statements) if "id" in s]
        for row in sql.select_in("SELECT statement_id, data FROM lrs_statement WHERE statement_id IN", explicit):
            existing[row[0]] = json_value(row[1])
    if existing:
        for sid in existing:
            if not same_statement(existing[sid], statements[seen[sid]]):
                raise StatementConflict(f"statement {sid} is already stored with different content")
        rows = [row for row in rows if row["statement_id"] not in existing]
        for sid in existing:
            keys.pop(sid, None)
            refs.pop(sid, None)
            voids.pop(sid, None)
        if not rows:
            return ids
    new_ids = [row["statement_id"] for row in rows]
    new_set = set(new_ids)
    outside_targets = {t for t in refs.values() if t not in new_set}
    target_pk: dict[str, int] = {}
    if outside_targets:
        void_targets = set(voids.values())
        for pk, statement_id, verb_iri in sql.select_in(
                "SELECT pk, statement_id, verb_iri FROM lrs_statement WHERE statement_id IN", list(outside_targets)):
            target_pk[statement_id] = pk
            if verb_iri == VOIDED and statement_id in void_targets:
                raise StatementRejected("object: a voiding statement cannot be voided")
    if refs:
        _inherit_keys(sql, refs, keys, target_pk)
    # Statements stored earlier that target the new ones: voiding statements (a target may arrive after
    # its void) and StatementRefs, which inherit the new statements' filter keys.
    referrers = []
    client_ids = [sid for sid in new_ids if "id" in statements[seen[sid]]]  # generated ids: nobody refers yet
    if client_ids:
        referrers = _referrers(sql, client_ids)
    already_voided = {r.ref_id for r in referrers if r.verb_iri == VOIDED}
    already_voided.update(t for t in voids.values() if t in new_set)
    for row in rows:
        if row["statement_id"] in already_voided and row["verb_iri"] != VOIDED:
            row["voided"] = True

    pks = allocate_pks(sql, len(rows))
    for pk, row in zip(pks, rows):
        row["pk"] = pk
    bulk_insert_statements(sql, rows)
    bulk_insert_keys(sql, [(pk, h) for pk, sid in zip(pks, new_ids) for h in keys[sid]])
    outside_voided = [t for t in voids.values() if t not in new_set]
    if outside_voided:
        mark = sql.mark
        for chunk in _chunks(outside_voided, 500):
            sql.run(f"UPDATE lrs_statement SET voided = {mark} WHERE verb_iri <> {mark} "
                    f"AND statement_id IN ({', '.join([mark] * len(chunk))})", (True, VOIDED, *chunk))
    if referrers:
        _propagate_to_referrers(sql, new_set, keys, referrers)
    if definitions:
        _save_definitions(sql, definitions)
    _after_store(new_ids)
    return ids


class Driver:
    """The request transaction's own DBAPI connection, for the few fixed statements of the ingest path.

    They run inside SQLite's write lock on every POST, where SQLAlchemy's per-statement machinery (execution
    context, result metadata, parameter processing) costs more than the statements themselves. The SQL is
    plain and portable; only the parameter mark differs (``?`` for sqlite3, ``%s`` for psycopg)."""

    def __init__(self):
        connection = db.session.connection()  # joins the request transaction (SQLite: begins it)
        self.postgres = connection.dialect.name == "postgresql"
        self.mark = "%s" if self.postgres else "?"
        self._dbapi = connection.connection.dbapi_connection

    def rows(self, statement: str, params=()) -> list[tuple]:
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(statement, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def run(self, statement: str, params=()) -> None:
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(statement, params)
        finally:
            cursor.close()

    def run_many(self, statement: str, rows: list) -> None:
        cursor = self._dbapi.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()

    def select_in(self, statement: str, values: list) -> list[tuple]:
        """Rows of ``statement (v1, v2...)`` over every value, 500 at a time."""
        found: list[tuple] = []
        for chunk in _chunks(values, 500):
            found += self.rows(f"{statement} ({', '.join([self.mark] * len(chunk))})", tuple(chunk))
        return found


_STATEMENT_COLUMNS = ("pk", "statement_id", "stored", "verb_iri", "actor_ifi", "object_type", "object_iri",
                      "registration", "voided", "ref_id", "credential_id", "data", "has_attachments")


def _db_datetime(sql: Driver, moment: datetime):
    """A UTC datetime as the UTCDateTime column stores it (SQLite: naive text, like SQLAlchemy writes it)."""
    return moment if sql.postgres else moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_insert_statements(sql: Driver, rows: list[dict]) -> None:
    """One executemany; values are encoded as the column types would (JSON text, UTC)."""
    columns = ", ".join(_STATEMENT_COLUMNS)
    marks = ", ".join(sql.mark + "::jsonb" if sql.postgres and c == "data" else sql.mark
                      for c in _STATEMENT_COLUMNS)
    stored_cache: dict = {}
    values = []
    for row in rows:
        stored = row["stored"]
        if stored not in stored_cache:
            stored_cache[stored] = _db_datetime(sql, stored)
        values.append((row["pk"], row["statement_id"], stored_cache[stored], row["verb_iri"], row["actor_ifi"],
                       row["object_type"], row["object_iri"], row["registration"], row["voided"], row["ref_id"],
                       row["credential_id"], row["json"], row["has_attachments"]))
    sql.run_many(f"INSERT INTO lrs_statement ({columns}) VALUES ({marks})", values)


def bulk_insert_keys(sql: Driver, pairs: list[tuple[int, int]]) -> None:
    if not pairs:
        return
    if sql.postgres:
        # One INSERT over two arrays: an executemany is one INSERT per row on the server, and a batch has five
        # keys per statement (PostgreSQL's CPU per statement in 100-statement batches: 150 -> 100 µs).
        sql.run("INSERT INTO lrs_statement_key (statement_pk, key_hash) SELECT * FROM unnest(%s::bigint[], "
                "%s::bigint[])", ([pk for pk, _ in pairs], [key for _, key in pairs]))
    else:
        sql.run_many("INSERT INTO lrs_statement_key (statement_pk, key_hash) VALUES (?, ?)", pairs)


def allocate_pks(sql: Driver, count: int) -> list[int]:
    """Primary keys for ``count`` new statements, in storage order, without a RETURNING round trip per row.

    SQLite: writers hold the database lock from BEGIN IMMEDIATE, so max(pk) + 1... is ours. PostgreSQL: one
    ``nextval`` call per key from the column's sequence, fetched in one query."""
    if sql.postgres:
        rows = sql.rows("SELECT nextval(pg_get_serial_sequence('lrs_statement', 'pk')) "
                        "FROM generate_series(1, %s)", (int(count),))
        return sorted(row[0] for row in rows)
    start = (sql.rows("SELECT max(pk) FROM lrs_statement")[0][0] or 0) + 1
    return list(range(start, start + count))


class _Referrer(NamedTuple):
    pk: int
    statement_id: str
    ref_id: str
    verb_iri: str


def _referrers(sql: Driver, targets: list[str]) -> list[_Referrer]:
    """Stored statements whose object is a StatementRef to one of ``targets``."""
    return [_Referrer(*row) for row in sql.select_in(
        "SELECT pk, statement_id, ref_id, verb_iri FROM lrs_statement WHERE ref_id IN", targets)]


def _keys_of(sql: Driver, pks: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for statement_pk, key_hash_value in sql.select_in(
            "SELECT statement_pk, key_hash FROM lrs_statement_key WHERE statement_pk IN", pks):
        found.setdefault(statement_pk, set()).add(key_hash_value)
    return found


def _inherit_keys(sql: Driver, refs: dict[str, str], keys: dict[str, set[int]], target_pk: dict[str, int]) -> None:
    """A statement targeting another (StatementRef) also matches every filter its target matches."""
    stored_keys = _keys_of(sql, list(target_pk.values())) if target_pk else {}
    for sid, target in refs.items():
        if sid in keys and target in target_pk:
            keys[sid] |= stored_keys.get(target_pk[target], set())
    for _depth in range(10):  # chains inside one batch
        changed = False
        for sid, target in refs.items():
            if sid in keys and target in keys and not keys[target] <= keys[sid]:
                keys[sid] |= keys[target]
                changed = True
        if not changed:
            break


def _propagate_to_referrers(sql: Driver, new_ids: set[str], keys: dict[str, set[int]], referrers: list) -> None:
    """Statements stored earlier that target one of the new statements inherit its keys (recursively)."""
    frontier = {sid: keys[sid] for sid in new_ids}
    for _depth in range(10):
        referrers = [r for r in referrers if r.statement_id not in new_ids]
        if not referrers:
            return
        current = _keys_of(sql, [r.pk for r in referrers])
        next_frontier = {}
        pairs = []
        for referrer in referrers:
            have = current.get(referrer.pk, set())
            missing = frontier[referrer.ref_id] - have
            if missing:
                pairs += [(referrer.pk, h) for h in missing]
                next_frontier[referrer.statement_id] = have | missing
        bulk_insert_keys(sql, pairs)
        if not next_frontier:
            return
        frontier = next_frontier
        referrers = _referrers(sql, list(frontier))


def _after_store(statement_ids: list[str]) -> None:
    from .forwarding import queue_forwarding

    queue_forwarding(statement_ids)


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _all_activity_objects(statement: dict) -> Iterable[dict]:
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        yield obj
    for context in (statement.get("context"), obj.get("context") if kind == "SubStatement" else None):
        for items in ((context or {}).get("contextActivities") or {}).values():
            yield from (items if isinstance(items, list) else [items])
    if kind == "SubStatement" and obj["object"].get("objectType", "Activity") == "Activity":
        yield obj["object"]


def _merge_definition(into: dict, iri: str, definition: dict) -> None:
    current = into.setdefault(iri, {})
    merge_definition(current, definition)


def merge_definition(current: dict, new: dict) -> dict:
    """Later definitions win, language maps are merged language by language."""
    for key, value in new.items():
        if key in ("name", "description") and isinstance(value, dict) and isinstance(current.get(key), dict):
            current[key] = {**current[key], **value}
        elif key == "extensions" and isinstance(value, dict) and isinstance(current.get(key), dict):
            current[key] = {**current[key], **value}
        else:
            current[key] = value
    return current


def _save_definitions(sql: Driver, definitions: dict[str, dict]) -> None:
    stored = {iri: json_value(definition) for iri, definition in
              sql.select_in("SELECT iri, definition FROM lrs_activity WHERE iri IN", list(definitions))}
    updated_at = _db_datetime(sql, now_ms())
    values = []
    for iri, definition in definitions.items():
        current = stored.get(iri)
        merged = merge_definition(dict(current or {}), definition)
        if merged != current:  # most statements repeat the definition already stored
            values.append((iri, stored_json(merged), updated_at))
    if values:
        mark = sql.mark
        sql.run_many(f"INSERT INTO lrs_activity (iri, definition, updated_at) VALUES ({mark}, "
                     f"{mark + '::jsonb' if sql.postgres else mark}, {mark}) ON CONFLICT (iri) DO UPDATE "
                     "SET definition = excluded.definition, updated_at = excluded.updated_at", values)


def store_internal_statement(statement: dict) -> str:
    """Validate, complete (id, stored, timestamp, authority, version) and store one statement written by the
    LMS itself, in the caller's transaction. Raises ``XAPIValidationError`` for an invalid statement."""
    return store_statements([statement], authority=system_authority())[0]


# --- querying -------------------------------------------------------------------------------------------

def _agent_param(agent) -> str | None:
    if agent is None:
        return None
    if isinstance(agent, str):
        return agent if ":" in agent and not agent.startswith("{") else agent_ifi(json.loads(agent))
    if isinstance(agent, dict):
        return agent_ifi(agent)
    from .emitter import actor_for

    return agent_ifi(actor_for(agent))  # a User


_KEY_ALIASES = [StatementKey.__table__.alias(f"k{index}") for index in range(4)]  # built once, reused
_KEYS = StatementKey.__table__


def build_query(agent=None, verb: str | None = None, activity: str | None = None,
                registration: str | None = None, related_activities: bool = False,
                related_agents: bool = False, since: datetime | str | None = None,
                until: datetime | str | None = None, ascending: bool = False,
                after_pk: int | None = None, max_pk: int | None = None, include_voided: bool = False,
                credential_id: int | None = None, columns=None):
    """A SELECT of (pk, data) for the xAPI query parameters, ordered by storage order."""
    ifi = _agent_param(agent)
    exact: list[int] = []          # one key each: an indexed join, walked in statement order
    either: list[tuple[int, int]] = []  # direct or related key: a semi-join (no statement twice)
    if ifi is not None:
        if related_agents:
            either.append((key_hash("a", ifi), key_hash("A", ifi)))
        else:
            exact.append(key_hash("a", ifi))
    if verb is not None:
        exact.append(key_hash("v", verb))
    if activity is not None:
        if related_activities:
            either.append((key_hash("o", activity), key_hash("O", activity)))
        else:
            exact.append(key_hash("o", activity))
    if registration is not None:
        exact.append(key_hash("r", registration.lower()))
    order_col = S.pk
    query = select(*(columns or (S.pk, S.data)))
    for index, wanted_hash in enumerate(exact):
        alias = _KEY_ALIASES[index]
        query = query.join(alias, and_(alias.c.statement_pk == S.pk, alias.c.key_hash == wanted_hash))
        if index == 0:
            order_col = alias.c.statement_pk
    for pair in either:
        query = query.where(S.pk.in_(select(_KEYS.c.statement_pk).where(_KEYS.c.key_hash.in_(pair))))
    if since is not None:
        query = query.where(S.stored > _as_datetime(since))
    if until is not None:
        query = query.where(S.stored <= _as_datetime(until))
    if not include_voided:
        query = query.where(S.voided.is_(False))
    if credential_id is not None:
        query = query.where(S.credential_id == credential_id)
    if max_pk is not None:
        query = query.where(order_col <= max_pk)
    if after_pk is not None:
        query = query.where(order_col > after_pk if ascending else order_col < after_pk)
    return query.order_by(order_col.asc() if ascending else order_col.desc())


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return parse_timestamp(value, "since")


def query_statements(agent=None, verb: str | None = None, activity: str | None = None,
                     registration: str | None = None, related_activities: bool = False,
                     related_agents: bool = False, since=None, until=None, limit: int = 0,
                     ascending: bool = False) -> list[dict]:
    """Statements matching the xAPI filters (newest first unless ``ascending``), voided ones excluded.

    ``agent`` may be an xAPI agent dict, a User, or an IFI string; ``verb`` and ``activity`` are IRIs.
    ``limit`` 0 means the server maximum (500)."""
    query = build_query(agent=agent, verb=verb, activity=activity, registration=registration,
                        related_activities=related_activities, related_agents=related_agents,
                        since=since, until=until, ascending=ascending)
    query = query.limit(limit if 0 < limit <= MAX_LIMIT else MAX_LIMIT)
    return [row.data for row in db.session.execute(query)]


def get_statement(statement_id: str, voided: bool = False) -> dict | None:
    """One statement by id; ``voided=True`` looks it up as a voidedStatementId (only if voided)."""
    row = db.session.execute(select(S.data, S.voided)
                             .where(S.statement_id == statement_id.lower())).first()
    if row is None or row.voided != voided:
        return None
    return row.data


def last_stored() -> datetime | None:
    return db.session.scalar(select(func.max(S.stored)))
