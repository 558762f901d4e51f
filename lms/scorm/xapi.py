"""SCORM → xAPI, after ADL's xAPI SCORM Profile, built on the server from the stored values (never from
what the browser claims) and written through :func:`lms.lrs.emitter.emit`.

Statements: initialized / resumed (Initialize), terminated / suspended (Terminate), completed,
passed / failed, scored (when the stored outcome changes), responded (one per interaction response).
Every statement carries the attempt's uuid as registration, the SCO as object, the package activity as
parent and the profile as category.
"""
from __future__ import annotations

import logging
from urllib.parse import quote

from lms.core.db import db

from .runtime import types

log = logging.getLogger(__name__)

PROFILE = "https://w3id.org/xapi/scorm"
LESSON = "http://adlnet.gov/expapi/activities/lesson"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
INTERACTION_TYPES = {"true-false": "true-false", "choice": "choice", "fill-in": "fill-in",
                     "long-fill-in": "long-fill-in", "likert": "likert", "matching": "matching",
                     "performance": "performance", "sequencing": "sequencing", "numeric": "numeric",
                     "other": "other"}


def _activity(attempt):
    from .attempts import attempt_activity

    return attempt_activity(attempt)


def sco_iri(activity, item_identifier: str) -> str:
    from lms.lrs.emitter import activity_iri

    return f"{activity_iri(activity)}/sco/{quote(item_identifier, safe='')}"


def _sco_object(activity, attempt, item_identifier: str) -> dict:
    item = attempt.version.item(item_identifier)
    title = (item.title if item is not None else "") or item_identifier
    return {"objectType": "Activity", "id": sco_iri(activity, item_identifier),
            "definition": {"type": LESSON, "name": {"und": title}}}


def _context(activity, attempt) -> dict:
    from lms.lrs.emitter import activity_iri

    return {"registration": attempt.uuid,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": activity_iri(activity),
                            "definition": {"type": "http://adlnet.gov/expapi/activities/module",
                                           "name": {"und": activity.display_title}}}],
                "category": [{"objectType": "Activity", "id": PROFILE,
                              "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}]}}


def _emit(attempt, track, verb_name: str, result: dict | None = None, obj: dict | None = None) -> None:
    from lms.lrs.emitter import actor_for, emit, verb

    activity = _activity(attempt)
    statement = {"actor": actor_for(attempt.user), "verb": verb(verb_name),
                 "object": obj or _sco_object(activity, attempt, track.item_identifier),
                 "context": _context(activity, attempt)}
    if result:
        statement["result"] = result
    try:
        with db.session.begin_nested():
            emit(statement)
    except Exception:  # noqa: BLE001 — a statement that cannot be stored must not lose the learner's data
        log.exception("xAPI statement %s for attempt %s not stored", verb_name, attempt.id)


def _score(track) -> dict | None:
    from .attempts import _track_score

    scaled = _track_score(track)
    if scaled is None:
        return None
    score = {"scaled": round(scaled, 6)}
    if track.score_raw is not None:
        score["raw"] = track.score_raw
        score["min"] = track.score_min if track.score_min is not None else 0.0
        score["max"] = track.score_max if track.score_max is not None else 100.0
        if not score["min"] <= score["raw"] <= score["max"]:
            score.pop("raw"), score.pop("min"), score.pop("max")
    return score


def sco_initialized(attempt, track) -> None:
    _emit(attempt, track, "resumed" if track.entry == "resume" else "initialized")


def sco_terminated(attempt, track, session_seconds: float = 0.0) -> None:
    result = {"duration": types.seconds_to_interval(session_seconds)}
    _emit(attempt, track, "suspended" if track.exit == "suspend" else "terminated", result)


def changes(attempt, track, before: dict) -> None:
    """Statements for what changed in this commit."""
    from .attempts import _track_score

    score = _score(track)
    if track.is_completed and not before["completed"]:
        _emit(attempt, track, "completed", {"completion": True})
    passed = track.is_passed
    if passed is not None and passed != before["passed"]:
        result = {"success": passed, "completion": track.is_completed}
        if score:
            result["score"] = score
        _emit(attempt, track, "passed" if passed else "failed", result)
    current = _track_score(track)
    if current is not None and current != before["score"] and score:
        _emit(attempt, track, "scored", {"score": score})
    activity = _activity(attempt)
    for interaction in track.interactions:
        if not interaction.identifier or interaction.learner_response is None:
            continue
        signature = f"{interaction.learner_response}|{interaction.result}"
        if before["interactions"].get(interaction.index) == signature:
            continue
        interaction.reported_response = signature
        definition = {"type": INTERACTION}
        if interaction.description:
            definition["description"] = {"und": interaction.description}
        if interaction.type in INTERACTION_TYPES:
            definition["interactionType"] = INTERACTION_TYPES[interaction.type]
            patterns = [p for p in interaction.correct_responses or [] if p is not None]
            if patterns:
                definition["correctResponsesPattern"] = patterns
        obj = {"objectType": "Activity", "definition": definition,
               "id": f"{sco_iri(activity, track.item_identifier)}/interactions/{quote(interaction.identifier, safe='')}"}
        result = {"response": interaction.learner_response}
        if interaction.is_correct is not None:
            result["success"] = interaction.is_correct
        if interaction.latency and interaction.latency.startswith("P"):
            result["duration"] = interaction.latency
        _emit(attempt, track, "responded", result, obj)
