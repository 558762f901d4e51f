"""cmi5 rules for statements sent by a launched AU, plugged into the LRS (``lms.lrs.api``
``launch_statement_checks`` / ``launch_statement_listeners``).

The check runs before the statements are stored: it refuses what cmi5 forbids with 403 Forbidden (the
status ADL's CATAPULT LMS test suite expects; statements that are not valid xAPI already got 400 from the
LRS) — order, duplicates, a session that has ended, LMS-only verbs, Browse/Review mode, session id, context
template, object, actor, id, timestamp, result properties, masteryScore, duration — and records what the
session and the registration reached. Refusing one statement
refuses the batch; the request's rollback undoes the recording. The listener runs once the statements are
stored: moveOn, satisfied statements, results to the course, and the end of the session's credential.

TinCan launches use the same hooks: statements about the package's activity feed the course results.
"""
from __future__ import annotations

import re

from flask import g

from lms.core.db import db, utcnow
from lms.lrs.validation import XAPIValidationError, parse_timestamp

from . import services
from .services import CATEGORY_CMI5, CATEGORY_MOVEON, EXT_MASTERY, EXT_SESSION, VERB_NAMES

AU_VERBS = ("initialized", "completed", "passed", "failed", "terminated")
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
NEEDS_DURATION = ("completed", "passed", "failed", "terminated")


def _error(status: int, message: str, field: str | None = None):
    from lms.lrs.api import XAPIError

    return XAPIError(status, f"cmi5: {message}", field)


def _ids(value) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    return [item.get("id") for item in (value or []) if isinstance(item, dict)]


def _ordered(statements: list[dict]) -> list[dict]:
    """cmi5 §9.3: order is the timestamps' order (statements without one keep their place)."""
    def key(pair):
        index, statement = pair
        try:
            return (parse_timestamp(statement["timestamp"]).timestamp(), index)
        except (KeyError, TypeError, XAPIValidationError):
            return (float("-inf"), index)
    if not all("timestamp" in s for s in statements):
        return statements
    return [s for _i, s in sorted(enumerate(statements), key=key)]


def check_statements(principal, statements: list[dict]) -> None:
    session = services.session_for_credential(principal.key, lock=True)
    if session is None:
        return
    touched = g.setdefault("cmi5_sessions", {})
    for statement in _ordered(statements):
        _check_one(session, statement)
    touched[session.id] = session
    db.session.flush()


def _check_one(session, statement: dict) -> None:
    au = session.au
    verb_iri = (statement.get("verb") or {}).get("id")
    if verb_iri == VOIDED:
        raise _error(403, "an AU may not void statements (§6.3)", "verb")
    if session.abandoned_at is not None:
        raise _error(403, "this session was abandoned: no statement is recorded after abandoned (§9.3.6)")
    if session.terminated_at is not None:
        raise _error(403, "this session is terminated: terminated is the last statement (§9.3.8)")
    if not statement.get("id"):
        raise _error(403, "statements carry an id assigned by the AU (§9.1)", "id")
    timestamp = statement.get("timestamp")
    if not isinstance(timestamp, str) or not re.search(r"(Z|[+-]00:?00)$", timestamp):
        raise _error(403, "statements carry a UTC timestamp (§9.7)", "timestamp")
    actor = statement.get("actor") or {}
    if actor.get("objectType", "Agent") != "Agent" or "account" not in actor:
        raise _error(403, "the actor is the launch actor: an Agent with an account (§9.2)", "actor")
    context = statement.get("context") or {}
    extensions = context.get("extensions") or {}
    if extensions.get(EXT_SESSION) != session.session_id:
        raise _error(403, "the context must carry this session's id (§9.6.3.1)", "context.extensions")
    activities = context.get("contextActivities") or {}
    if au.publisher_id not in _ids(activities.get("grouping")):
        raise _error(403, "the context must include the contextTemplate's publisher id grouping "
                          "(§9.6.2.3, §10.2.1)",
                     "context.contextActivities.grouping")
    categories = _ids(activities.get("category"))
    defined = CATEGORY_CMI5 in categories
    name = VERB_NAMES.get(verb_iri)
    verbs = list(session.verbs or [])
    if session.preferences_read_at is None:
        raise _error(403, "the AU reads the learner preferences before its first statement (§11)")
    if not verbs and not (defined and name == "initialized"):
        raise _error(403, "the first statement of a session must be the cmi5 defined initialized (§9.3.2)",
                     "verb")
    if not defined and CATEGORY_MOVEON in categories:
        raise _error(403, "the moveOn category is for cmi5 defined statements only (§9.6.2.2)",
                     "context.contextActivities.category")
    if defined:
        _check_defined(session, au, statement, name, verbs, categories)
        session.verbs = verbs + [name]
        if name == "initialized":
            session.initialized_at = utcnow()
        elif name == "terminated":
            session.terminated_at = utcnow()
    session.last_statement_at = utcnow()


def _check_defined(session, au, statement, name, verbs, categories) -> None:
    if name not in AU_VERBS:
        raise _error(403, "this verb is not one an AU may use in a cmi5 defined statement (§9.3)", "verb")
    if (statement.get("object") or {}).get("id") != au.lms_iri:
        raise _error(403, "the object of a cmi5 defined statement is the AU's activityId (§9.4)", "object.id")
    if name in verbs:
        raise _error(403, f"{name} was already sent in this session (§9.3: verbs are not duplicated)", "verb")
    if name in ("completed", "passed", "failed") and session.launch_mode != "Normal":
        raise _error(403, f"{session.launch_mode} mode records no satisfaction data (§10.2.2)", "verb")
    result = statement.get("result") or {}
    if "score" in result and name not in ("passed", "failed"):
        raise _error(403, "only passed and failed carry a score (§9.5.1)", "result.score")
    score = result.get("score") or {}
    if "raw" in score and not ("min" in score and "max" in score):
        raise _error(403, "a raw score comes with min and max (§9.5.1)", "result.score")
    expected_success = {"passed": True, "failed": False}.get(name)
    if expected_success is None and "success" in result:
        raise _error(403, f"{name} must not include success (§9.5.2)", "result.success")
    if expected_success is not None and result.get("success") is not expected_success:
        raise _error(403, f"{name} must set success to {str(expected_success).lower()} (§9.5.2)",
                     "result.success")
    if name == "completed" and result.get("completion") is not True:
        raise _error(403, "completed must set completion to true (§9.5.3)", "result.completion")
    if name != "completed" and "completion" in result:
        raise _error(403, f"{name} must not include completion (§9.5.3)", "result.completion")
    moveon = "success" in result or "completion" in result
    if moveon != (CATEGORY_MOVEON in categories):
        raise _error(403, "the moveOn category goes with, and only with, success or completion (§9.6.2.2)",
                     "context.contextActivities.category")
    if name in NEEDS_DURATION and "duration" not in result:
        raise _error(403, f"{name} must include a duration (§9.5.4.1)", "result.duration")
    registration = session.registration
    state = services.au_state(registration, au)
    if name in ("passed", "failed"):
        if "passed" in verbs or "failed" in verbs:
            raise _error(403, "only one of passed and failed per session (§9.3)", "verb")
        mastery = au.mastery_score
        scaled = (result.get("score") or {}).get("scaled")
        if not isinstance(scaled, (int, float)) or isinstance(scaled, bool):
            scaled = None
        if mastery is not None:
            extensions = (statement.get("context") or {}).get("extensions") or {}
            extension = extensions.get(EXT_MASTERY)
            judged_by_score = scaled is not None or EXT_MASTERY in extensions
            if judged_by_score and (not isinstance(extension, (int, float)) or isinstance(extension, bool)
                                    or float(extension) != float(mastery)):
                raise _error(403, "passed and failed carry the launch data's masteryScore (§9.6.3.2)",
                             "context.extensions")
            if scaled is not None and name == "passed" and scaled < mastery:
                raise _error(403, "a passed score must reach the masteryScore (§9.3.4)",
                             "result.score.scaled")
            if scaled is not None and name == "failed" and scaled >= mastery:
                raise _error(403, "a failed score must be below the masteryScore (§9.3.5)",
                             "result.score.scaled")
        if state.passed:
            raise _error(403, f"{name} after passed in this registration "
                              "(§9.3: one passed, no failed after it)",
                         "verb")
        if name == "passed":
            state.passed = True
        else:
            state.failed = True
        if scaled is not None:
            state.score = float(scaled)
        g.setdefault("cmi5_evaluate", set()).add(session.id)
    elif name == "completed":
        if state.completed:
            raise _error(403, "completed was already sent in this registration (§9.3)", "verb")
        state.completed = True
        g.setdefault("cmi5_evaluate", set()).add(session.id)


def after_statements(principal, statements: list[dict], ids: list[str]) -> None:
    session = services.session_for_credential(principal.key)
    if session is None:
        _tincan_results(principal, statements)
        return
    if session.id in g.get("cmi5_evaluate", set()):
        services.evaluate(session.registration, session.session_id)
    if session.terminated_at is not None:
        services.end_session(session)


def _tincan_results(principal, statements: list[dict]) -> None:
    from sqlalchemy import select

    from lms.courses.results import report_result

    from .models import Cmi5Registration, TinCanPackage

    if not principal.registration:
        return
    registration = db.session.scalar(select(Cmi5Registration)
                                     .where(Cmi5Registration.registration == principal.registration))
    if registration is None or registration.activity.type_key != "tincan":
        return
    package = TinCanPackage.for_activity(registration.activity_id)
    for statement in statements:
        if (statement.get("object") or {}).get("id") != package.activity_iri:
            continue
        verb = ((statement.get("verb") or {}).get("id") or "").rsplit("/", 1)[-1]
        result = statement.get("result") or {}
        completed = True if (verb in ("completed", "passed") or result.get("completion") is True) else None
        passed = {"passed": True, "failed": False}.get(verb, result.get("success"))
        scaled = (result.get("score") or {}).get("scaled")
        if completed is None and passed is None and scaled is None:
            continue
        score = max(0.0, min(1.0, float(scaled))) if isinstance(scaled, (int, float)) else None
        report_result(registration.activity, registration.user, completed=completed,
                      passed=passed if isinstance(passed, bool) else None, score=score)


def check_document(principal, method: str, state_id: str | None, kind: str = "state") -> None:
    """LMS.LaunchData is the LMS's: an AU reads it and never writes or deletes it (§10.2.1). An AU reads
    its learner preferences on startup (§11): noted here, required before its first statement."""
    if kind == "agent_profile":
        if method == "GET" and state_id == services.LEARNER_PREFERENCES:
            session = services.session_for_credential(principal.key)
            if session is not None and session.preferences_read_at is None:
                session.preferences_read_at = utcnow()
                db.session.flush()
        return
    if method == "GET":
        return
    if state_id == services.LAUNCH_DATA or (method == "DELETE" and state_id is None):
        if services.session_for_credential(principal.key) is not None:
            raise _error(403, "LMS.LaunchData is read-only for the AU (§10.2.1)", "stateId")


def install() -> None:
    from lms.lrs import api

    if check_statements not in api.launch_statement_checks:
        api.launch_statement_checks.append(check_statements)
    if check_document not in getattr(api, "launch_document_checks", [check_document]):
        api.launch_document_checks.append(check_document)
    if after_statements not in api.launch_statement_listeners:
        api.launch_statement_listeners.append(after_statements)
