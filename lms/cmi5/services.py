"""cmi5 and TinCan domain operations (flush, never commit): import, registrations, launch (LaunchData,
learner preferences, the launched statement, the one-time fetch token), LMS statements (satisfied,
abandoned, waived), moveOn evaluation and results for the course's completion and gradebook."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from datetime import datetime, timedelta
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, url_for
from sqlalchemy import func, select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.storage import storage
from lms.lrs import documents as docs
from lms.lrs.emitter import activity_iri, emit, site_url
from lms.lrs.store import agent_ifi
from lms.scorm.package import Report, UnsafePackage
from lms.scorm.services import PackageRejected, limits_from_config

from .models import (AUState, Cmi5AU, Cmi5Block, Cmi5Course, Cmi5Objective, Cmi5Session, Cmi5Registration,
                     TinCanPackage)
from .package import Spooled, validate_cmi5, validate_tincan
from .structure import CourseStructure, package_path

# --- cmi5 vocabulary ----------------------------------------------------------------------------------------

CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXT_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
EXT_MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
EXT_LAUNCH_MODE = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
EXT_LAUNCH_URL = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
EXT_MOVE_ON = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
EXT_LAUNCH_PARAMETERS = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
EXT_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
TYPE_BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"
TYPE_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
LAUNCH_DATA = "LMS.LaunchData"
LEARNER_PREFERENCES = "cmi5LearnerPreferences"
LAUNCH_MODES = ("Normal", "Browse", "Review")

VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "abandoned": "https://w3id.org/xapi/adl/verbs/abandoned",
    "waived": "https://w3id.org/xapi/adl/verbs/waived",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
}
VERB_NAMES = {iri: name for name, iri in VERBS.items()}
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")


def _verb(name: str) -> dict:
    return {"id": VERBS[name], "display": {"en-US": name}}


def _timestamp(moment: datetime | None = None) -> str:
    moment = moment or utcnow()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.2f}S"


def learner_actor(user) -> dict:
    """The launch actor (§9.2): an account, no name or e-mail (§8.1.3: no sensitive PII)."""
    return {"objectType": "Agent", "account": {"homePage": site_url(), "name": user.uuid}}


# --- import -------------------------------------------------------------------------------------------------

def _reject(report: Report):
    raise PackageRejected(report)


def import_cmi5(course, path_or_file: str | IO[bytes], *, title: str | None = None, activity=None, user=None,
                progress=None) -> Cmi5Course:
    """Import a cmi5 zip, folder or bare ``cmi5.xml`` as a new ``cmi5`` activity of ``course`` (or into
    ``activity``, whose structure must still be empty). Raises :class:`PackageRejected`."""
    limits = limits_from_config()
    try:
        with Spooled(path_or_file, limits) as spooled:
            with spooled.source() as source:
                structure, report = validate_cmi5(source)
                if structure is None or not report.ok:
                    _reject(report)
                xml = (source.read("cmi5.xml") or b"").decode("utf-8", "replace")
                digest = None
                if not spooled.is_xml:
                    with open(spooled.path, "rb") as fh:
                        digest = storage.put_blob(fh)
                    storage.write_package(digest, lambda staging: source.extract_to(staging, progress))
    except UnsafePackage as exc:
        raise PackageRejected(Report(exc.issues, kind="cmi5")) from None
    return _record_course(course, activity, structure, report, digest, xml, title=title)


def _first_section(course):
    from lms.courses.models import Section
    from lms.courses.services import add_section

    section = db.session.scalar(select(Section).where(Section.course_id == course.id)
                                .order_by(Section.position, Section.id).limit(1))
    return section or add_section(course)


def _title_dict(course, title: str | dict | None, fallback: dict) -> dict:
    if isinstance(title, dict) and title:
        return title
    if title and title.strip():
        languages = list(course.languages or []) or [current_app.config.get("DEFAULT_LOCALE", "ar")]
        return {lang: title.strip() for lang in languages}
    simple = {}
    for lang, text in (fallback or {}).items():
        simple.setdefault(lang.split("-")[0].lower(), text)
    return simple or {"en": "cmi5"}


def add_package_activity(course, type_key: str, title: dict):
    from lms.courses.services import add_activity

    return add_activity(_first_section(course), type_key, title, completion_rule="completed")


def _record_course(course, activity, structure: CourseStructure, report: Report, digest, xml, *, title):
    if activity is None:
        activity = add_package_activity(course, "cmi5", _title_dict(course, title, structure.title))
    elif Cmi5Course.for_activity(activity.id) is not None:
        raise DomainError(_("This activity already has a cmi5 course; add a new activity for another one."),
                          code="cmi5_exists", status=409)
    base = activity_iri(activity, "cmi5")
    row = Cmi5Course(activity_id=activity.id, publisher_id=structure.id, lms_iri=base, title=structure.title,
                     description=structure.description, digest=digest, structure_xml=xml,
                     report=report.to_dict())
    db.session.add(row)
    db.session.flush()
    for objective in structure.objectives:
        db.session.add(Cmi5Objective(course_id=row.id, publisher_id=objective.id, title=objective.title,
                                     description=objective.description))
    db.session.add_all([Cmi5Block(course_id=row.id, position=block.position, publisher_id=block.id,
                                  lms_iri=f"{base}/block/{block.position + 1}", title=block.title,
                                  description=block.description, parent_ids=block.parents,
                                  objective_ids=block.objectives) for block in structure.blocks])
    db.session.add_all([Cmi5AU(course_id=row.id, position=au.position, publisher_id=au.id,
                               lms_iri=f"{base}/au/{au.position + 1}", title=au.title,
                               description=au.description,
                               url=au.url, launch_method=au.launch_method, move_on=au.move_on,
                               mastery_score=au.mastery_score, activity_type=au.activity_type,
                               launch_parameters=au.launch_parameters, entitlement_key=au.entitlement_key,
                               parent_ids=au.parents, objective_ids=au.objectives) for au in structure.aus])
    db.session.flush()
    return row


def import_tincan(course, path_or_file, *, title: str | None = None, activity=None, user=None,
                  progress=None) -> TinCanPackage:
    limits = limits_from_config()
    try:
        with Spooled(path_or_file, limits) as spooled:
            with spooled.source() as source:
                info, report = validate_tincan(source)
                if info is None or info.launch_activity is None or not report.ok:
                    _reject(report)
                with open(spooled.path, "rb") as fh:
                    digest = storage.put_blob(fh)
                storage.write_package(digest, lambda staging: source.extract_to(staging, progress))
    except UnsafePackage as exc:
        raise PackageRejected(Report(exc.issues, kind="tincan")) from None
    launch = info.launch_activity
    if activity is None:
        activity = add_package_activity(course, "tincan", _title_dict(course, title, launch.name))
    package = TinCanPackage(activity_id=activity.id, digest=digest, activity_iri=launch.id,
                            launch=launch.launch,
                            activities=info.to_dict(), report=report.to_dict())
    db.session.add(package)
    db.session.flush()
    return package


# --- registrations ------------------------------------------------------------------------------------------

def _enrolment(activity, user):
    from lms.courses.permissions import enrolment_of

    return enrolment_of(user, activity.course)


def current_registration(activity, user) -> Cmi5Registration | None:
    return db.session.scalar(select(Cmi5Registration).where(Cmi5Registration.activity_id == activity.id,
                                                        Cmi5Registration.user_id == user.id)
                             .order_by(Cmi5Registration.attempt.desc()).limit(1))


def registration_for(activity, user, *, new_attempt: bool = False) -> Cmi5Registration:
    """The learner's registration for this enrolment attempt: a new one on the first launch, after
    re-enrolment, or when the learner starts a new attempt. A new cmi5 registration evaluates moveOn
    at once (§9.6.1: NotApplicable AUs are satisfied from the start)."""
    enrolment = _enrolment(activity, user)
    latest = current_registration(activity, user)
    enrolment_id = getattr(enrolment, "id", None)
    same_enrolment = latest is not None and (enrolment_id is None or latest.enrolment_id == enrolment_id)
    if same_enrolment and not new_attempt:
        return latest
    registration = Cmi5Registration(activity_id=activity.id, user_id=user.id, enrolment_id=enrolment_id,
                                attempt=(latest.attempt + 1) if latest else 1, registration=str(uuid.uuid4()),
                                satisfied=[])
    db.session.add(registration)
    db.session.flush()
    if activity.type_key == "cmi5":
        for session in active_sessions(latest) if latest else []:
            abandon(session)
        evaluate(registration, session_id=None)
    return registration


def au_states(registration: Cmi5Registration) -> dict[int, AUState]:
    return {state.au_id: state for state in db.session.scalars(
        select(AUState).where(AUState.registration_id == registration.id))}


def au_state(registration: Cmi5Registration, au: Cmi5AU) -> AUState:
    state = db.session.scalar(select(AUState).where(AUState.registration_id == registration.id,
                                                    AUState.au_id == au.id))
    if state is None:
        state = AUState(registration_id=registration.id, au_id=au.id)
        db.session.add(state)
        db.session.flush()
    return state


# --- moveOn -------------------------------------------------------------------------------------------------

def move_on_met(move_on: str, *, completed: bool, passed: bool, waived: bool = False) -> bool:
    """cmi5 §13.1.4 moveOn, with §9.3.9: a waived AU has met its moveOn criteria."""
    if waived or move_on == "NotApplicable":
        return True
    if move_on == "Passed":
        return passed
    if move_on == "Completed":
        return completed
    if move_on == "CompletedAndPassed":
        return completed and passed
    if move_on == "CompletedOrPassed":
        return completed or passed
    raise ValueError(f"unknown moveOn {move_on!r}")


def _context(registration: Cmi5Registration, session_id: str, grouping: str, *, moveon: bool = False,
             extensions: dict | None = None) -> dict:
    category = [{"objectType": "Activity", "id": CATEGORY_CMI5}]
    if moveon:
        category.append({"objectType": "Activity", "id": CATEGORY_MOVEON})
    return {"registration": registration.registration,
            "contextActivities": {"category": category,
                                  "grouping": [{"objectType": "Activity", "id": grouping}]},
            "extensions": {EXT_SESSION: session_id, **(extensions or {})}}


def evaluate(registration: Cmi5Registration, session_id: str | None) -> list[str]:
    """Apply moveOn to every AU, then blocks and the course; issue one satisfied statement per newly
    satisfied block or course (§9.3.9; the launch session's id, or a new one outside a session) and report
    the result to the course. Returns the publisher ids newly satisfied."""
    course = Cmi5Course.for_activity(registration.activity_id)
    if course is None:
        return []
    states = au_states(registration)
    satisfied_aus: set[str] = set()
    now = utcnow()
    for au in course.aus:
        state = states.get(au.id)
        met = move_on_met(au.move_on, completed=bool(state and state.completed),
                          passed=bool(state and state.passed),
                          waived=bool(state and state.waived))
        if met:
            satisfied_aus.add(au.publisher_id)
            if state is None:
                state = au_state(registration, au)
            if not state.satisfied:
                state.satisfied = True
                state.satisfied_at = now
    newly: list[str] = []
    already = set(registration.satisfied or [])
    sid = session_id or str(uuid.uuid4())
    user = registration.user
    for block in sorted(course.blocks, key=lambda b: -len(b.parent_ids)):
        inside = [au for au in course.aus if block.publisher_id in (au.parent_ids or [])]
        done = inside and all(au.publisher_id in satisfied_aus for au in inside)
        if done and block.publisher_id not in already:
            _satisfied_statement(registration, user, block.lms_iri, TYPE_BLOCK, block.publisher_id,
                                 block.title, sid)
            newly.append(block.publisher_id)
    course_done = all(au.publisher_id in satisfied_aus for au in course.aus)
    if course_done and course.publisher_id not in already:
        _satisfied_statement(registration, user, course.lms_iri, TYPE_COURSE, course.publisher_id,
                             course.title, sid)
        newly.append(course.publisher_id)
    if newly:
        registration.satisfied = list(already) + newly
    db.session.flush()
    _report(course, registration, states, course_done)
    return newly


def _satisfied_statement(registration, user, iri, activity_type, publisher_id, title, session_id) -> str:
    return emit({"actor": learner_actor(user), "verb": _verb("satisfied"),
                 "object": {"objectType": "Activity", "id": iri,
                            "definition": {"type": activity_type, "name": _lang_map(title)}},
                 "context": _context(registration, session_id, publisher_id),
                 "timestamp": _timestamp()})


def _lang_map(value: dict) -> dict:
    return {(lang if lang != "und" else "en"): text for lang, text in (value or {}).items()} or {"en": "-"}


def _report(course: Cmi5Course, registration: Cmi5Registration, states: dict[int, AUState],
            course_done: bool) -> None:
    from lms.courses.results import report_result

    states = au_states(registration)
    scores = [s.score for s in states.values() if s.score is not None]
    needs_pass = any("Passed" in au.move_on for au in course.aus)
    report_result(course.activity, registration.user,
                  completed=True if course_done else None,
                  passed=True if (course_done and needs_pass) else None,
                  score=(sum(scores) / len(scores)) if scores else None,
                  details={"cmi5_registration": registration.registration,
                           "cmi5_satisfied": list(registration.satisfied or [])})


# --- sessions and launch ------------------------------------------------------------------------------------

def active_sessions(registration: Cmi5Registration) -> list[Cmi5Session]:
    return list(db.session.scalars(select(Cmi5Session).where(
        Cmi5Session.registration_id == registration.id, Cmi5Session.terminated_at.is_(None),
        Cmi5Session.abandoned_at.is_(None), Cmi5Session.au_id.is_not(None)).order_by(Cmi5Session.id)))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def content_base_url(au: Cmi5AU) -> str:
    """The AU's URL without the cmi5 launch parameters, fully qualified (§9.6.3.4)."""
    if urlsplit(au.url).scheme:
        return au.url
    path = url_for("cmi5.content", course_id=au.course_id, relpath=package_path(au.url) or "")
    query = urlsplit(au.url).query
    return site_url() + path + (f"?{query}" if query else "")


def context_template(registration: Cmi5Registration, au: Cmi5AU, session_id: str) -> dict:
    return {"contextActivities": {"grouping": [{"objectType": "Activity", "id": au.publisher_id}]},
            "extensions": {EXT_SESSION: session_id}}


def launch_data(session: Cmi5Session, au: Cmi5AU, return_url: str) -> dict:
    data = {"contextTemplate": context_template(session.registration, au, session.session_id),
            "launchMode": session.launch_mode, "moveOn": au.move_on, "returnURL": return_url}
    if au.launch_parameters:
        data["launchParameters"] = au.launch_parameters
    if au.mastery_score is not None:
        data["masteryScore"] = au.mastery_score
    if au.entitlement_key:
        data["entitlementKey"] = {"courseStructure": au.entitlement_key}
    return data


def learner_preferences(user) -> dict:
    languages = [user.preferred_language or "ar"] + [code for code in ("ar", "fr", "en")
                                                     if code != user.preferred_language]
    return {"languagePreference": ",".join(languages), "audioPreference": "on"}


def launch(activity, au: Cmi5AU, user, *, mode: str = "Normal") -> tuple[Cmi5Session, str]:
    """Start an AU session: abandon the registration's open sessions (§9.3.6), write LMS.LaunchData and the
    learner preferences (§10, §11), record ``launched`` (§9.3.1), and build the launch URL (§8.1) with a
    one-time fetch URL (§8.2). Returns the session and the URL to open."""
    if mode not in LAUNCH_MODES:
        raise DomainError(_("Unknown launch mode."), code="cmi5_launch_mode", status=400)
    registration = registration_for(activity, user)
    for session in active_sessions(registration):
        abandon(session)
    token = secrets.token_urlsafe(32)
    session = Cmi5Session(session_id=str(uuid.uuid4()), registration=registration, au=au, launch_mode=mode,
                          fetch_token_hash=_hash(token), launched_at=utcnow(), verbs=[])
    db.session.add(session)
    db.session.flush()
    actor = learner_actor(user)
    ifi = agent_ifi(actor)
    return_url = site_url() + url_for("cmi5.return_to_course", session_id=session.session_id)
    data = launch_data(session, au, return_url)
    docs.put_document(docs.STATE, LAUNCH_DATA, json.dumps(data).encode("utf-8"), "application/json",
                      au.lms_iri, ifi, registration.registration)
    if docs.get_document(docs.AGENT_PROFILE, LEARNER_PREFERENCES, None, ifi) is None:
        docs.put_document(docs.AGENT_PROFILE, LEARNER_PREFERENCES,
                          json.dumps(learner_preferences(user)).encode("utf-8"), "application/json", None,
                          ifi)
    base = content_base_url(au)
    session.launch_url = base
    extensions = {EXT_LAUNCH_MODE: mode, EXT_LAUNCH_URL: base, EXT_MOVE_ON: au.move_on}
    if au.mastery_score is not None:
        extensions[EXT_MASTERY] = au.mastery_score
    if au.launch_parameters:
        extensions[EXT_LAUNCH_PARAMETERS] = au.launch_parameters
    emit({"id": str(uuid.uuid4()), "actor": actor, "verb": _verb("launched"),
          "object": {"objectType": "Activity", "id": au.lms_iri},
          "context": _context(registration, session.session_id, au.publisher_id, extensions=extensions),
          "timestamp": _timestamp(session.launched_at)})
    parts = urlsplit(base)
    # No trailing slash: AUs join it as `${endpoint}/statements` (ADL's CATAPULT does); libraries that
    # append a slash themselves are fine too.
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        ("endpoint", site_url() + "/xapi"),
        ("fetch", site_url() + url_for("cmi5.fetch_token", token=token)),
        ("actor", json.dumps(actor, separators=(",", ":"))),
        ("registration", registration.registration),
        ("activityId", au.lms_iri)]
    db.session.flush()
    return session, urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def session_ttl() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("CMI5_SESSION_SECONDS") or 8 * 3600))


def fetch(token: str) -> dict:
    """The fetch URL (§8.2): the first call returns the authorization token (an LRS launch credential for
    this learner and registration, valid for the session); every later call gets error 1 (§8.2.3)."""
    from lms.lrs.credentials import issue_launch_credential

    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.fetch_token_hash == _hash(token or "")))
    if session is None:
        return {"error-code": "2", "error-text": "Unknown authorization token request."}
    if session.fetched_at is not None or not session.is_active:
        return {"error-code": "1", "error-text": "The authorization token has already been returned."}
    if utcnow() - session.launched_at > session_ttl():
        return {"error-code": "1", "error-text": "The AU session has expired."}
    registration = session.registration
    key, secret = issue_launch_credential(registration.user, registration.registration, session.au.lms_iri,
                                          ttl=session_ttl())
    session.fetched_at = utcnow()
    session.credential_key = key
    db.session.flush()
    return {"auth-token": base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")}


def end_session(session: Cmi5Session) -> None:
    from lms.lrs.credentials import revoke_credential

    if session.credential_key:
        revoke_credential(session.credential_key)


def abandon(session: Cmi5Session) -> str | None:
    """Record ``abandoned`` for a session left without ``terminated`` (§9.3.6); later statements of the
    session are refused."""
    if not session.is_active or session.au is None:
        return None
    now = utcnow()
    session.abandoned_at = now
    last = session.last_statement_at or session.launched_at
    duration = (last - session.launched_at).total_seconds()
    registration = session.registration
    statement_id = emit({"actor": learner_actor(registration.user), "verb": _verb("abandoned"),
                         "object": {"objectType": "Activity", "id": session.au.lms_iri},
                         "result": {"duration": iso_duration(duration)},
                         "context": _context(registration, session.session_id, session.au.publisher_id),
                         "timestamp": _timestamp(now)})
    end_session(session)
    db.session.flush()
    return statement_id


def abandon_idle_sessions(idle: timedelta | None = None, registration: Cmi5Registration | None = None) -> int:
    """Abandon sessions (of one registration, or all) with no statement for ``idle`` (config
    ``CMI5_ABANDON_AFTER_SECONDS``)."""
    if idle is None:
        idle = timedelta(seconds=int(current_app.config.get("CMI5_ABANDON_AFTER_SECONDS") or 4 * 3600))
    cutoff = utcnow() - idle
    sessions = db.session.scalars(select(Cmi5Session).where(
        Cmi5Session.terminated_at.is_(None), Cmi5Session.abandoned_at.is_(None),
        Cmi5Session.au_id.is_not(None),
        func.coalesce(Cmi5Session.last_statement_at, Cmi5Session.launched_at) < cutoff,
        *([Cmi5Session.registration_id == registration.id] if registration is not None else []))).all()
    for session in sessions:
        abandon(session)
    return len(sessions)


def waive(activity, au: Cmi5AU, user, reason: str = "Administrative") -> str:
    """Waive an AU for the learner's registration (§9.3.7): one waived statement per registration and AU,
    with its own session id, then moveOn (satisfied statements share that session id)."""
    if not reason or not reason.strip():
        raise DomainError(_("A reason is required to waive an AU."), code="cmi5_reason_required", status=422)
    registration = registration_for(activity, user)
    state = au_state(registration, au)
    if state.waived:
        raise DomainError(_("This AU is already waived for this registration."), code="cmi5_already_waived",
                          status=409)
    session_id = str(uuid.uuid4())
    db.session.add(Cmi5Session(session_id=session_id, registration=registration, au=None,
                               launch_mode="Normal",
                               launched_at=utcnow(), terminated_at=utcnow(), verbs=["waived"]))
    statement_id = emit({"actor": learner_actor(user), "verb": _verb("waived"),
                         "object": {"objectType": "Activity", "id": au.lms_iri},
                         "result": {"success": True, "completion": True,
                                    "extensions": {EXT_REASON: reason.strip()}},
                         "context": _context(registration, session_id, au.publisher_id, moveon=True),
                         "timestamp": _timestamp()})
    state.waived = True
    state.waived_reason = reason.strip()[:100]
    db.session.flush()
    evaluate(registration, session_id)
    return statement_id


def session_by_id(session_id: str) -> Cmi5Session | None:
    return db.session.scalar(select(Cmi5Session).where(Cmi5Session.session_id == session_id))


def session_for_credential(key: str, *, lock: bool = False) -> Cmi5Session | None:
    """The session whose fetch created this LRS credential. ``lock``: the row is locked for the rest of the
    transaction (PostgreSQL), so two requests of one session apply the cmi5 rules one after the other."""
    query = select(Cmi5Session).where(Cmi5Session.credential_key == key)
    return db.session.scalar(query.with_for_update() if lock else query)


# --- TinCan launch ------------------------------------------------------------------------------------------

def tincan_launch(activity, user) -> str:
    """The TinCan ("Rustici launch") URL: endpoint, auth, actor, registration and activity_id, with a
    short-lived LRS credential for this learner and registration."""
    from lms.lrs.credentials import issue_launch_credential

    package = TinCanPackage.for_activity(activity.id)
    if package is None:
        raise DomainError(_("This activity has no package yet."), code="no_package", status=404)
    registration = registration_for(activity, user)
    key, secret = issue_launch_credential(user, registration.registration, package.activity_iri,
                                          ttl=session_ttl())
    actor = learner_actor(user)
    if urlsplit(package.launch).scheme:
        base = package.launch
    else:
        base = site_url() + url_for("cmi5.tincan_content", package_id=package.id,
                                    relpath=package_path(package.launch) or "")
        query = urlsplit(package.launch).query
        base += f"?{query}" if query else ""
    parts = urlsplit(base)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        ("endpoint", site_url() + "/xapi/"),
        ("auth", "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")),
        ("actor", json.dumps(actor, separators=(",", ":"))),
        ("registration", registration.registration),
        ("activity_id", package.activity_iri)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
