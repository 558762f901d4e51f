"""Attempts and the run-time on the server: launching a SCO, applying the batches of API calls the
browser commits (validated again, in order, once), closing launches, grading, and reporting to the course
through :func:`lms.courses.results.report_result`.

Activity settings (``activity.settings``), all optional:
    ``scorm_display``: "iframe" | "window" | "fullscreen"
    ``max_attempts``: int, 0 = unlimited (the site's ``SCORM_MAX_ATTEMPTS`` and the package's
        ``attemptLimit`` also apply: the smallest non-zero limit wins)
    ``new_attempt``: "never" | "completed" | "passed" | "failed" | "always" — when opening the player after
        a finished attempt starts a new one
    ``learner_new_attempt``: bool (default True) — the learner may start a new attempt themselves
    ``grading_method``: "highest" | "average" | "sum" | "objects" (learning objects completed)
    ``attempt_grading``: "highest" | "average" | "first" | "last"
    ``completion_status_required``: "" | "completed" | "passed"
    ``completion_min_score``: percent or None
    ``completion_all_scos``: bool
    ``lenient_suspend_data``: bool — accept suspend_data beyond the standard's limit
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging

from flask import current_app
from sqlalchemy import func, select

from lms.core.db import db, lock_for_update, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.courses.results import report_result, reset_result

from . import xapi
from .models import ScormPackage, ScormPackageVersion
from .runtime import types
from .runtime.datamodel import SCORM12, NavContext, ScoRuntime, edition_of
from .runtime.models import (ScoTrack, ScormAttempt, ScormAttemptReset, ScormCommit, ScormInteraction,
                             ScormLearnerStore, ScormObjective)
from .runtime.navigation import navigator_for

log = logging.getLogger(__name__)

DEFAULTS = {
    "scorm_display": "iframe", "max_attempts": 0, "new_attempt": "never", "learner_new_attempt": True,
    "grading_method": "highest", "attempt_grading": "highest", "completion_status_required": "completed",
    "completion_min_score": None, "completion_all_scos": True, "lenient_suspend_data": False,
}
MAX_CALLS_PER_COMMIT = 5000


def settings(activity) -> dict:
    return {**DEFAULTS, **{k: v for k, v in (activity.settings or {}).items() if k in DEFAULTS}}


# --- attempts ----------------------------------------------------------------------------------------------

def attempts_of(activity, user, include_voided: bool = False) -> list[ScormAttempt]:
    query = select(ScormAttempt).where(ScormAttempt.activity_id == activity.id, ScormAttempt.user_id == user.id)
    if not include_voided:
        query = query.where(ScormAttempt.voided_at.is_(None))
    return list(db.session.scalars(query.order_by(ScormAttempt.number)))


def package_of(activity) -> ScormPackage:
    package = ScormPackage.for_activity(activity.id)
    if package is None or package.latest_version is None:
        raise DomainError(_("This activity has no SCORM package yet."), code="no_package", status=404)
    return package


def max_attempts(activity, version: ScormPackageVersion | None = None) -> int:
    """The smallest non-zero limit of the site, the activity and the package's attemptLimit; 0 = none."""
    limits = [int(current_app.config.get("SCORM_MAX_ATTEMPTS") or 0), int(settings(activity)["max_attempts"] or 0)]
    if version is not None and version.is_scorm_2004:
        tree_limit = ((version.activity_tree or {}).get("root") or {}).get("attempt_limit")
        if tree_limit:
            limits.append(int(tree_limit))
    limits = [limit for limit in limits if limit > 0]
    return min(limits) if limits else 0


def can_start_new_attempt(activity, user) -> bool:
    package = package_of(activity)
    limit = max_attempts(activity, package.latest_version)
    return not limit or len(attempts_of(activity, user)) < limit


def _create_attempt(activity, user) -> ScormAttempt:
    package = package_of(activity)
    if not can_start_new_attempt(activity, user):
        raise DomainError(_("You have used all the attempts allowed for this activity."), code="no_attempts_left",
                          status=409)
    number = (db.session.scalar(select(func.max(ScormAttempt.number)).where(
        ScormAttempt.activity_id == activity.id, ScormAttempt.user_id == user.id)) or 0) + 1
    attempt = ScormAttempt(activity_id=activity.id, user_id=user.id, version_id=package.latest_version.id,
                           number=number, started_at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    report_result(activity, user, viewed=True)
    return attempt


def _wants_new_attempt(rule: str, attempt: ScormAttempt) -> bool:
    if attempt.finished_at is None:
        return False
    return {"never": False, "always": True, "completed": bool(attempt.completed),
            "passed": attempt.passed is True, "failed": attempt.passed is False}.get(rule, False)


def attempt_for_play(activity, user) -> ScormAttempt:
    """The attempt the player opens: the last one, or a new one when there is none or the rule says so."""
    attempts = attempts_of(activity, user)
    if not attempts:
        return _create_attempt(activity, user)
    last = attempts[-1]
    if _wants_new_attempt(settings(activity)["new_attempt"], last) and can_start_new_attempt(activity, user):
        return _create_attempt(activity, user)
    package = package_of(activity)
    if not package.keep_version_for_attempts and last.version_id != package.latest_version.id:
        last.version_id = package.latest_version.id
        last.sequencing_state = None
        db.session.flush()
    return last


def start_new_attempt(activity, user) -> ScormAttempt:
    """The learner asked for a new attempt."""
    if not settings(activity)["learner_new_attempt"]:
        raise DomainError(_("New attempts are not allowed for this activity."), code="new_attempt_refused",
                          status=403)
    attempts = attempts_of(activity, user)
    if attempts and not attempts[-1].tracks:
        return attempts[-1]  # the last one has not been started: no need for another
    return _create_attempt(activity, user)


def reset_attempts(activity, user, by, reason: str | None = None) -> ScormAttemptReset:
    """An instructor voids a learner's attempts (kept for the audit, excluded from grading and counts)."""
    attempts = attempts_of(activity, user)
    now = utcnow()
    for attempt in attempts:
        attempt.voided_at = now
    audit = ScormAttemptReset(activity_id=activity.id, user_id=user.id, reset_by_id=getattr(by, "id", None),
                              reset_at=now, attempts=[a.number for a in attempts], reason=reason)
    db.session.add(audit)
    db.session.flush()
    reset_result(activity, user)  # the gradebook drops the voided attempts' result
    return audit


# --- navigation ------------------------------------------------------------------------------------------

def _statuses(attempt: ScormAttempt) -> dict:
    return {t.item_identifier: (t.is_completed, t.is_passed, t.lesson_status) for t in attempt.tracks}


def _learner_store(user_id: int, create: bool = False) -> ScormLearnerStore | None:
    store = db.session.scalar(select(ScormLearnerStore).where(ScormLearnerStore.user_id == user_id))
    if store is None and create:
        store = ScormLearnerStore(user_id=user_id, objectives={}, shared_data={})
        db.session.add(store)
    return store


def navigator(attempt: ScormAttempt):
    stores = None
    if attempt.version.is_scorm_2004:
        store = _learner_store(attempt.user_id)
        stores = (copy.deepcopy(store.objectives or {}) if store else {},
                  copy.deepcopy(store.shared_data or {}) if store else {})
    return navigator_for(attempt.version, attempt.sequencing_state, _statuses(attempt), stores)


def _save_navigator(attempt: ScormAttempt, nav) -> None:
    attempt.sequencing_state = nav.to_state()
    attempt.current_item = nav.current
    if getattr(nav, "uses_engine", False):
        objectives, shared = nav.stores()
        store = _learner_store(attempt.user_id, create=bool(objectives or shared))
        if store is not None:
            store.objectives = copy.deepcopy(objectives)
            store.shared_data = copy.deepcopy(shared)


def navigate(attempt: ScormAttempt, request: str, target: str | None = None) -> dict:
    """Process a navigation request (LMS button, TOC choice, or the SCO's adl.nav.request after Terminate)."""
    nav = navigator(attempt)
    if is_review(attempt):
        outcome = nav.start() if request == "start" else nav.navigate(request, target)
        return {"valid": outcome.valid, "delivered": outcome.delivered, "ended": outcome.ended,
                "exception": outcome.exception, "nav": nav_state(attempt, nav), "review": True}
    _close_open_launches(attempt, nav)
    if request == "start":
        outcome = nav.start()
    else:
        outcome = nav.navigate(request, target)
    _save_navigator(attempt, nav)
    now = utcnow()
    attempt.last_access_at = now
    if outcome.ended:
        if request == "suspendAll":
            attempt.suspended = True
            attempt.finished_at = None  # the learner asked to come back to it
        else:
            attempt.finished_at = attempt.finished_at or now
            attempt.suspended = False
        _grade(attempt)
    db.session.flush()
    result = {"valid": outcome.valid, "delivered": outcome.delivered, "ended": outcome.ended,
              "exception": outcome.exception, "nav": nav_state(attempt, nav)}
    if outcome.exception == "prerequisites":
        result["message"] = PREREQUISITES_MESSAGE()
    return result


def PREREQUISITES_MESSAGE() -> str:  # noqa: N802 - a translated constant
    return _("This part is not available yet: first finish the parts it depends on.")


def nav_state(attempt: ScormAttempt, nav=None) -> dict:
    nav = nav or navigator(attempt)
    return {"current": nav.current, "request_valid": nav.request_valid(),
            "toc": [row.to_dict() for row in nav.toc()], "engine": nav.uses_engine}


# --- launching a SCO -------------------------------------------------------------------------------------

def _track(attempt: ScormAttempt, item_id: str) -> ScoTrack:
    track = attempt.track(item_id)
    if track is None:
        track = ScoTrack(attempt=attempt, item_identifier=item_id, cmi={"values": {}, "counts": {}})
        db.session.add(track)
        db.session.flush()
    return track


def launch(attempt: ScormAttempt, item_id: str) -> dict:
    """Prepare the launch of one SCO: close a launch left open, decide cmi.entry, the LMS-set values."""
    version = attempt.version
    item = version.item(item_id)
    if item is None or not item.launch_url:
        raise DomainError(_("This part of the package cannot be launched."), code="not_launchable", status=404)
    edition = edition_of(version.scorm_version)
    nav = navigator(attempt)
    if not nav.uses_engine and item_id != nav.current and not nav.available(item_id):
        raise DomainError(PREREQUISITES_MESSAGE(), code="prerequisites", status=409)
    track = _track(attempt, item_id)
    if is_review(attempt):
        return _review_launch(attempt, track, item, nav, edition)
    if track.launch_state == "running":
        _close_launch(attempt, track, nav)
    attempt.finished_at = None  # an incomplete attempt the learner comes back to goes on
    if track.launches and edition != SCORM12 and track.exit != "suspend":
        # SCORM 2004: a SCO that ended without suspending starts a new attempt with fresh data.
        _reset_track(track)
        track.entry = "ab-initio"
    elif track.launches:
        track.entry = "resume" if track.exit == "suspend" else ""
    track.launches += 1
    track.launch_state = "not_initialized"
    track.session_seconds = 0.0
    track.exit = None
    attempt.current_item = item_id
    attempt.last_access_at = utcnow()
    values, counts = _launch_values(attempt, track, item, nav, edition)
    track.cmi = {"values": values, "counts": counts}
    _save_navigator(attempt, nav) if nav.current == item_id else None
    db.session.flush()
    lenient = bool(settings(attempt_activity(attempt))["lenient_suspend_data"])
    return {"item": item_id, "edition": edition, "values": values, "counts": counts, "lenient": lenient,
            "nav_context": nav.request_valid(), "shared_data": _shared_data(nav, item_id),
            "last_seq": attempt.last_seq, "launch": track.launches}


def is_review(attempt: ScormAttempt) -> bool:
    """A finished attempt that reached a result (completed, passed or failed) opens in review mode: the
    SCOs show what was recorded and nothing changes. A finished but incomplete attempt goes on."""
    return attempt.finished_at is not None and bool(attempt.completed or attempt.passed is not None)


def _review_launch(attempt, track, item, nav, edition) -> dict:
    values, counts = _launch_values(attempt, track, item, nav, edition)
    if edition == SCORM12:
        values.update({"cmi.core.lesson_mode": "review", "cmi.core.credit": "no-credit", "cmi.core.entry": ""})
    else:
        values.update({"cmi.mode": "review", "cmi.credit": "no-credit", "cmi.entry": ""})
    db.session.expire(track)  # nothing of a review launch is stored
    return {"item": item.identifier, "edition": edition, "values": values, "counts": counts, "lenient": True,
            "nav_context": nav.request_valid(), "shared_data": _shared_data(nav, item.identifier),
            "last_seq": attempt.last_seq, "launch": track.launches, "review": True}


def attempt_activity(attempt: ScormAttempt):
    from lms.courses.models import Activity

    return db.session.get(Activity, attempt.activity_id)


def _shared_data(nav, item_id: str) -> list[dict]:
    getter = getattr(nav, "shared_data_maps", None)
    return getter(item_id) if getter else []


def _reset_track(track: ScoTrack) -> None:
    track.cmi = {"values": {}, "counts": {}}
    track.completion_status = track.success_status = track.lesson_status = None
    track.score_scaled = track.score_raw = track.score_min = track.score_max = track.progress_measure = None
    track.location = track.suspend_data = None
    track.interactions.clear()
    track.objectives.clear()


def _launch_values(attempt, track, item, nav, edition) -> tuple[dict, dict]:
    user = attempt.user
    stored = dict((track.cmi or {}).get("values") or {})
    counts = dict((track.cmi or {}).get("counts") or {})
    activity = attempt_activity(attempt)
    credit = "credit" if activity.graded else "no-credit"
    if edition == SCORM12:
        lms = {
            "cmi.core.student_id": user.username, "cmi.core.student_name": _name_12(user),
            "cmi.core.credit": credit, "cmi.core.entry": track.entry or "",
            "cmi.core.total_time": types.seconds_to_timespan_12(track.total_seconds),
            "cmi.core.lesson_mode": "normal", "cmi.launch_data": item.data_from_lms or "",
            "cmi.student_data.mastery_score": _number_text(item.mastery_score),
            "cmi.student_data.max_time_allowed": item.max_time_allowed or "",
            "cmi.student_data.time_limit_action": item.time_limit_action or "",
        }
        stored.setdefault("cmi.core.lesson_status", "not attempted")
    else:
        init = nav.sco_init(item.identifier) or {}
        lms = {"cmi.learner_id": user.username, "cmi.learner_name": user.full_name or user.username,
               "cmi.credit": credit, "cmi.entry": track.entry or "", "cmi.mode": "normal",
               "cmi.total_time": types.seconds_to_interval(track.total_seconds),
               "cmi.time_limit_action": init.get("time_limit_action") or item.time_limit_action
               or "continue,no message"}
        threshold = init.get("completion_threshold")
        if threshold is None and item.completion_threshold and item.completion_threshold.get("completed_by_measure"):
            threshold = item.completion_threshold.get("min_progress_measure")
        passing = init.get("scaled_passing_score", item.scaled_passing_score)
        for key, value in (("cmi.completion_threshold", threshold), ("cmi.scaled_passing_score", passing),
                           ("cmi.max_time_allowed", init.get("max_time_allowed") or item.max_time_allowed),
                           ("cmi.launch_data", init.get("launch_data") or item.data_from_lms)):
            if value is not None and value != "":
                lms[key] = _number_text(value) if isinstance(value, float) else str(value)
        if track.entry == "ab-initio":
            _seed_objectives(stored, counts, init.get("objectives") or [])
        stored.pop("adl.nav.request", None)
    stored.update(lms)
    # write-only values do not survive a launch
    for key in ("cmi.core.exit", "cmi.core.session_time", "cmi.exit", "cmi.session_time"):
        stored.pop(key, None)
    return stored, counts


def _seed_objectives(values: dict, counts: dict, objectives: list[dict]) -> None:
    """Objectives the sequencing definition declares are present, with global values, from the start."""
    for objective in objectives:
        index = counts.get("cmi.objectives", 0)
        prefix = f"cmi.objectives.{index}."
        values[prefix + "id"] = objective["id"]
        for name, key in (("success_status", "success_status"), ("completion_status", "completion_status")):
            if objective.get(key) and objective[key] != "unknown":
                values[prefix + name] = objective[key]
        for part in ("scaled", "raw", "min", "max"):
            if objective.get("score_" + part) is not None:
                values[prefix + "score." + part] = _number_text(objective["score_" + part])
        if objective.get("progress_measure") is not None:
            values[prefix + "progress_measure"] = _number_text(objective["progress_measure"])
        counts["cmi.objectives"] = index + 1


def _name_12(user) -> str:
    name = (user.full_name or user.username).strip()
    parts = name.split(" ", 1)
    return f"{parts[1]}, {parts[0]}" if len(parts) == 2 else name  # "Last, First" as 1.2 asks


def _number_text(value) -> str:
    if value is None or value == "":
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


# --- commits ---------------------------------------------------------------------------------------------

class CommitOutOfOrder(DomainError):
    def __init__(self, expected: int, conflict: bool = False):
        super().__init__(_("A previous commit is missing; send it first.") if not conflict else
                         _("Another commit already used this number; send it again with the next one."),
                         code="commit_conflict" if conflict else "commit_out_of_order", status=409)
        self.expected = expected
        self.conflict = conflict


def batch_digest(item_id: str, calls: list) -> str:
    text = json.dumps([item_id, calls], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _runtime(attempt: ScormAttempt, track: ScoTrack, shared_data: list[dict] | None = None) -> ScoRuntime:
    edition = edition_of(attempt.version.scorm_version)
    cmi = track.cmi or {}
    lenient = bool(settings(attempt_activity(attempt))["lenient_suspend_data"])
    runtime = ScoRuntime(edition, cmi.get("values"), cmi.get("counts"), lenient_suspend_data=lenient,
                         nav=NavContext.from_dict(None), shared_data=shared_data)
    runtime.state = {"running": ScoRuntime.RUNNING, "terminated": ScoRuntime.TERMINATED}.get(
        track.launch_state, ScoRuntime.NOT_INITIALIZED)
    return runtime


def apply_commit(attempt_id: int, payload: dict) -> dict:
    """Apply one batch of API calls: ``{"seq": n, "item": id, "calls": [["init"], ["set", el, value],
    ["commit"], ["term"]]}``. Idempotent: a batch whose number was already applied is acknowledged and
    ignored; a gap (a batch missing before it) is refused with 409 so the browser resends in order."""
    attempt = db.session.scalar(lock_for_update(select(ScormAttempt).where(ScormAttempt.id == attempt_id)))
    if attempt is None:
        raise DomainError(_("Unknown attempt."), code="not_found", status=404)
    try:
        seq = int(payload.get("seq"))
    except (TypeError, ValueError):
        raise DomainError(_("The commit has no sequence number."), code="bad_commit", status=400) from None
    calls = payload.get("calls") or []
    item_id = str(payload.get("item") or "")
    digest = batch_digest(item_id, calls)
    if seq <= attempt.last_seq:
        earlier = db.session.scalar(select(ScormCommit.digest).where(ScormCommit.attempt_id == attempt.id,
                                                                     ScormCommit.seq == seq))
        if earlier is not None and earlier != digest:
            # Another tab (or a lost counter) used this number for different calls: renumber, do not drop.
            raise CommitOutOfOrder(attempt.last_seq + 1, conflict=True)
        return {"ok": True, "duplicate": True, "seq": attempt.last_seq}
    if seq != attempt.last_seq + 1:
        raise CommitOutOfOrder(attempt.last_seq + 1)
    if not isinstance(calls, list) or len(calls) > MAX_CALLS_PER_COMMIT:
        raise DomainError(_("The commit is not readable."), code="bad_commit", status=400)
    if attempt.version.item(item_id) is None:
        raise DomainError(_("Unknown SCO."), code="bad_commit", status=400)
    if attempt.voided_at is not None:
        raise DomainError(_("This attempt was reset by an instructor."), code="attempt_reset", status=410)
    if is_review(attempt):
        db.session.add(ScormCommit(attempt_id=attempt.id, seq=seq, item_identifier=item_id, calls=len(calls),
                                   digest=digest, rejected=[]))
        attempt.last_seq = seq
        db.session.flush()
        return {"ok": True, "seq": seq, "review": True, "rejected": []}
    track = _track(attempt, item_id)
    before = _outcome_snapshot(track)
    # Only SCOs with adl.data maps need the sequencing session while their calls are replayed.
    nav = navigator(attempt) if attempt.version.item(item_id).shared_data else None
    shared = _shared_data(nav, item_id) if nav is not None else []
    runtime = _runtime(attempt, track, shared)
    rejected = []
    events = []
    for call in calls:
        if not isinstance(call, list) or not call:
            continue
        name = call[0]
        if name == "init":
            if runtime.initialize("") == "true":
                events.append("init")
        elif name == "set" and len(call) == 3:
            element, value = str(call[1]), call[2]
            if runtime.set_value(element, value) != "true":
                rejected.append([element, str(value)[:200], runtime.last_error])
        elif name == "commit":
            runtime.commit("")
        elif name == "term":
            if runtime.terminate("") == "true":
                events.append("term")
        else:
            rejected.append([str(name), "", 201])
    if rejected:
        log.warning("attempt %s seq %s: %d value(s) refused by the server: %s", attempt.id, seq, len(rejected),
                    rejected[:5])
    track.cmi = runtime.snapshot()
    track.launch_state = runtime.state
    _sync_columns(attempt, track, runtime)
    _sync_records(attempt, track, runtime)
    if nav is not None:
        _save_shared_data(attempt, nav, item_id, shared, runtime)
    db.session.add(ScormCommit(attempt_id=attempt.id, seq=seq, item_identifier=item_id, calls=len(calls),
                               digest=digest, rejected=rejected))
    attempt.last_seq = seq
    attempt.last_access_at = utcnow()
    if "init" in events:
        xapi.sco_initialized(attempt, track)
    xapi.changes(attempt, track, before)
    if "term" in events:
        session_seconds = track.session_seconds or 0.0
        _close_launch(attempt, track)
        xapi.sco_terminated(attempt, track, session_seconds)
    _grade(attempt)
    db.session.flush()
    return {"ok": True, "seq": seq, "rejected": rejected}


def _save_shared_data(attempt, nav, item_id: str, before: list[dict], runtime: ScoRuntime) -> None:
    """adl.data stores the SCO wrote go back to the sequencing session (its shared data store)."""
    changed = False
    for old, new in zip(before, runtime.shared_data):
        if new.get("store") != old.get("store") and new.get("writable", True):
            nav.session.write_shared_data(new["id"], new["store"], activity_id=item_id)
            changed = True
    if changed:
        _save_navigator(attempt, nav)


def _outcome_snapshot(track: ScoTrack) -> dict:
    return {"completed": track.is_completed, "passed": track.is_passed, "score": _track_score(track),
            "interactions": {i.index: i.reported_response for i in track.interactions}}


def _float(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _sync_columns(attempt: ScormAttempt, track: ScoTrack, runtime: ScoRuntime) -> None:
    v = runtime.values
    if runtime.is_12:
        track.lesson_status = v.get("cmi.core.lesson_status")
        track.location = v.get("cmi.core.lesson_location")
        track.score_raw = _float(v.get("cmi.core.score.raw"))
        track.score_min = _float(v.get("cmi.core.score.min"))
        track.score_max = _float(v.get("cmi.core.score.max"))
        track.exit = v.get("cmi.core.exit", track.exit)
        session = v.get("cmi.core.session_time")
        track.session_seconds = types.timespan_12_seconds(session) if session else track.session_seconds
        mastery = _float(v.get("cmi.student_data.mastery_score"))
        if mastery is not None and track.score_raw is not None and v.get("cmi.core.credit") == "credit" \
                and track.lesson_status not in (None, "not attempted", "browsed"):
            # RTE 1.2: with a mastery score, the LMS decides passed/failed from the raw score.
            track.lesson_status = "passed" if track.score_raw >= mastery else "failed"
        track.completion_status = {"passed": "completed", "failed": "completed", "completed": "completed",
                                   "incomplete": "incomplete", "browsed": "incomplete"}.get(
            track.lesson_status or "", "not attempted")
        track.success_status = {"passed": "passed", "failed": "failed"}.get(track.lesson_status or "", "unknown")
    else:
        track.location = v.get("cmi.location")
        track.score_scaled = _float(v.get("cmi.score.scaled"))
        track.score_raw = _float(v.get("cmi.score.raw"))
        track.score_min = _float(v.get("cmi.score.min"))
        track.score_max = _float(v.get("cmi.score.max"))
        track.progress_measure = _float(v.get("cmi.progress_measure"))
        track.completion_status = runtime.evaluated_status("cmi.completion_status") or \
            v.get("cmi.completion_status") or "unknown"
        track.success_status = runtime.evaluated_status("cmi.success_status") or \
            v.get("cmi.success_status") or "unknown"
        track.exit = v.get("cmi.exit", track.exit)
        session = v.get("cmi.session_time")
        track.session_seconds = types.interval_seconds(session) if session else track.session_seconds
    track.suspend_data = v.get("cmi.suspend_data")



def _sync_records(attempt: ScormAttempt, track: ScoTrack, runtime: ScoRuntime) -> None:
    prefix_i = "cmi.interactions"
    existing = {row.index: row for row in track.interactions}
    for index, record in enumerate(runtime.records(prefix_i)):
        row = existing.get(index)
        if row is None:
            row = ScormInteraction(track=track, attempt_id=attempt.id, index=index)
            track.interactions.append(row)
        row.identifier = record.get("id")
        row.type = record.get("type")
        row.timestamp = record.get("timestamp") or record.get("time")
        row.weighting = _float(record.get("weighting"))
        row.learner_response = record.get("learner_response", record.get("student_response"))
        row.result = record.get("result")
        row.latency = record.get("latency")
        row.description = record.get("description")
        base = f"{prefix_i}.{index}"
        row.correct_responses = [runtime.values.get(f"{base}.correct_responses.{i}.pattern")
                                 for i in range(runtime.count(base + ".correct_responses"))]
        row.objective_ids = [runtime.values.get(f"{base}.objectives.{i}.id")
                             for i in range(runtime.count(base + ".objectives"))]
    existing_o = {row.index: row for row in track.objectives}
    for index, record in enumerate(runtime.records("cmi.objectives")):
        row = existing_o.get(index)
        if row is None:
            row = ScormObjective(track=track, attempt_id=attempt.id, index=index)
            track.objectives.append(row)
        row.identifier = record.get("id")
        status_12 = record.get("status")
        row.success_status = record.get("success_status") or ({"passed": "passed", "failed": "failed"}.get(
            status_12 or "", "unknown") if runtime.is_12 else None)
        row.completion_status = record.get("completion_status") or (
            {"completed": "completed", "passed": "completed", "failed": "completed",
             "incomplete": "incomplete"}.get(status_12 or "", "not attempted") if runtime.is_12 else None)
        row.score_scaled = _float(record.get("score.scaled"))
        row.score_raw = _float(record.get("score.raw"))
        row.score_min = _float(record.get("score.min"))
        row.score_max = _float(record.get("score.max"))
        row.progress_measure = _float(record.get("progress_measure"))
        row.description = record.get("description")


def _close_launch(attempt: ScormAttempt, track: ScoTrack, nav=None) -> None:
    """End of a SCO launch (Terminate, or a launch left open when the page closed): session_time goes
    into total_time, cmi.entry of the next launch is decided, the sequencing engine gets the results."""
    abandoned = track.launch_state == "running"
    session_seconds = track.session_seconds or 0.0
    if abandoned:
        # The page closed without Terminate: keep the data and resume there next time.
        track.exit = track.exit or "suspend"
    track.total_seconds = (track.total_seconds or 0.0) + (track.session_seconds or 0.0)
    attempt.total_seconds = sum(t.total_seconds or 0.0 for t in attempt.tracks)
    track.session_seconds = 0.0
    track.launch_state = "terminated"
    values = dict((track.cmi or {}).get("values") or {})
    edition = edition_of(attempt.version.scorm_version)
    if edition == SCORM12:
        if track.lesson_status in (None, "not attempted"):
            track.lesson_status = "incomplete" if track.exit == "suspend" else "completed"
            values["cmi.core.lesson_status"] = track.lesson_status
            track.completion_status = "incomplete" if track.lesson_status == "incomplete" else "completed"
        values["cmi.core.total_time"] = types.seconds_to_timespan_12(track.total_seconds)
        values.pop("cmi.core.session_time", None)
    else:
        values["cmi.total_time"] = types.seconds_to_interval(track.total_seconds)
        values.pop("cmi.session_time", None)
    track.cmi = {"values": values, "counts": dict((track.cmi or {}).get("counts") or {})}
    nav = nav or navigator(attempt)
    implied = nav.report(track.item_identifier, completion_status=track.completion_status,
                         lesson_status=track.lesson_status,
                         success_status=track.success_status, score_scaled=track.score_scaled,
                         score_raw=track.score_raw, score_min=track.score_min, score_max=track.score_max,
                         progress_measure=track.progress_measure,
                         objectives=[{"id": o.identifier, "success_status": o.success_status,
                                      "completion_status": o.completion_status, "score_scaled": o.score_scaled,
                                      "score_raw": o.score_raw, "score_min": o.score_min,
                                      "score_max": o.score_max, "progress_measure": o.progress_measure}
                                     for o in track.objectives if o.identifier],
                         session_time=None, exit="suspend" if track.exit == "suspend" else (track.exit or ""))
    _save_navigator(attempt, nav)
    if abandoned:
        xapi.sco_terminated(attempt, track, session_seconds)
    launchable = attempt.version.launchable_items()
    if len(launchable) <= 1 or implied == "exitAll":
        # A single-SCO package ends with its SCO; suspending keeps the attempt open.
        if track.exit == "suspend":
            attempt.suspended = True
        else:
            attempt.suspended = False
            attempt.finished_at = attempt.finished_at or utcnow()


def _close_open_launches(attempt: ScormAttempt, nav) -> None:
    for track in attempt.tracks:
        if track.launch_state == "running":
            _close_launch(attempt, track, nav)


# --- grading ---------------------------------------------------------------------------------------------

def _track_score(track: ScoTrack) -> float | None:
    """The SCO's score scaled to 0..1."""
    if track.score_scaled is not None:
        return max(0.0, min(1.0, track.score_scaled))
    if track.score_raw is None:
        return None
    low = track.score_min if track.score_min is not None else 0.0
    high = track.score_max if track.score_max is not None else 100.0
    if high <= low:
        return None
    return max(0.0, min(1.0, (track.score_raw - low) / (high - low)))


def attempt_outcome(attempt: ScormAttempt, activity=None) -> dict:
    activity = activity or attempt_activity(attempt)
    conf = settings(activity)
    scos = [item.identifier for item in attempt.version.launchable_items() if item.is_sco] or \
        [item.identifier for item in attempt.version.launchable_items()]
    tracks = {t.item_identifier: t for t in attempt.tracks}
    scores = [s for s in (_track_score(tracks[i]) for i in scos if i in tracks) if s is not None]
    method = conf["grading_method"]
    score = None
    if method == "objects":
        score = sum(1 for i in scos if i in tracks and tracks[i].is_completed) / len(scos) if scos else None
    elif scores:
        if method == "highest":
            score = max(scores)
        elif method == "average":
            score = sum(scores) / len(scores)
        elif method == "sum":
            raws = [(t.score_raw, t.score_max if t.score_max is not None else 100.0)
                    for t in tracks.values() if t.score_raw is not None]
            total = sum(m for _, m in raws)
            score = min(1.0, sum(r for r, _ in raws) / total) if total else None
    done = [tracks[i].is_completed if i in tracks else False for i in scos]
    passed_values = [tracks[i].is_passed for i in scos if i in tracks]
    required = conf["completion_status_required"]
    if conf["completion_all_scos"]:
        completed = bool(done) and all(done)
        passed = None if any(p is None for p in passed_values) or len(passed_values) < len(scos) \
            else all(passed_values)
        known = [p for p in passed_values if p is not None]
        if passed is None and completed and known:
            # every SCO is completed; those that report no success status (lessons) do not block passing
            passed = all(known)
    else:
        completed = any(done)
        passed = True if any(p is True for p in passed_values) else (False if passed_values and all(
            p is False for p in passed_values) else None)
    if required == "passed":
        completed = completed and passed is True
    min_score = conf["completion_min_score"]
    if min_score not in (None, ""):
        completed = completed and score is not None and score * 100 >= float(min_score) - 1e-9
    return {"score": score, "completed": completed, "passed": passed}


def _grade(attempt: ScormAttempt) -> None:
    activity = attempt_activity(attempt)
    outcome = attempt_outcome(attempt, activity)
    attempt.score, attempt.completed, attempt.passed = outcome["score"], outcome["completed"], outcome["passed"]
    db.session.flush()
    attempts = [a for a in attempts_of(activity, attempt.user) if a.tracks]
    scored = [a for a in attempts if a.score is not None]
    rule = settings(activity)["attempt_grading"]
    score = None
    if scored:
        if rule == "highest":
            score = max(a.score for a in scored)
        elif rule == "average":
            score = sum(a.score for a in scored) / len(scored)
        elif rule == "first":
            score = scored[0].score
        else:
            score = scored[-1].score
    completed = True if any(a.completed for a in attempts) else None
    passed = True if any(a.passed for a in attempts) else (False if any(a.passed is False for a in attempts)
                                                           else None)
    if score is not None:
        score = round(max(0.0, min(1.0, score)), 6)
    report_result(activity, attempt.user, completed=completed, passed=passed, score=score,
                  raw=round(score * activity.grade_max, 4) if score is not None else None,
                  max=activity.grade_max if score is not None else None,
                  duration=sum(a.total_seconds or 0.0 for a in attempts) or None,
                  details={"scorm_attempts": len(attempts)})


