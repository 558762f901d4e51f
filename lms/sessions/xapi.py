"""xAPI statements of training management, written through the one emitter (``lms.lrs.emitter``).

Events and sessions are activities with IRIs under the site URL built from their uuid; when an event is
linked to a course activity, completion uses the course activity's IRI, as every other type does.
"""
from __future__ import annotations

import logging

from lms.core.db import utcnow

log = logging.getLogger(__name__)

MEETING = "http://adlnet.gov/expapi/activities/meeting"
EXT = "https://w3id.org/xapi/tamkeen/extensions/"


def _emit(statement: dict) -> str | None:
    from lms.lrs import emitter

    try:
        return emitter.emit(statement)
    except ModuleNotFoundError as error:  # the LRS store lands with its own issue
        if error.name and error.name.startswith("lms.lrs"):
            log.info("xAPI statement not stored (no LRS store yet): %s", statement["verb"]["id"])
            return None
        raise


def _event_object(event) -> dict:
    from lms.lrs.emitter import activity_iri

    if event.activity_id is not None:
        from lms.core.db import db
        from lms.courses.models import Activity

        activity = db.session.get(Activity, event.activity_id)
        if activity is not None:
            iri = activity_iri(activity)
        else:
            iri = activity_iri(event.uuid, kind="training-event")
    else:
        iri = activity_iri(event.uuid, kind="training-event")
    names = {lang: text for lang, text in (event.title or {}).items() if text}
    return {"objectType": "Activity", "id": iri, "definition": {"type": MEETING, "name": names}}


def _session_object(session) -> dict:
    from lms.lrs.emitter import activity_iri

    names = {lang: text for lang, text in (session.title or session.event.title or {}).items() if text}
    return {"objectType": "Activity", "id": activity_iri(session.uuid, kind="training-session"),
            "definition": {"type": MEETING, "name": names}}


def registered(registration) -> str | None:
    from lms.lrs.emitter import actor_for, verb

    session = registration.session
    return _emit({"actor": actor_for(registration.user), "verb": verb("registered"),
                  "object": _session_object(session),
                  "context": {"contextActivities": {"parent": [_event_object(session.event)]}},
                  "timestamp": utcnow().isoformat()})


def attended(session, user, status) -> str | None:
    from lms.lrs.emitter import actor_for, verb

    return _emit({"actor": actor_for(user), "verb": verb("attended"), "object": _session_object(session),
                  "result": {"extensions": {EXT + "attendance": status.value}},
                  "context": {"contextActivities": {"parent": [_event_object(session.event)]}},
                  "timestamp": utcnow().isoformat()})


def completed(event, user, percent: float, hours: float) -> str | None:
    from lms.lrs.emitter import actor_for, verb

    return _emit({"actor": actor_for(user), "verb": verb("completed"), "object": _event_object(event),
                  "result": {"completion": True, "duration": f"PT{int(round(hours * 3600))}S",
                             "extensions": {EXT + "attendance-percent": round(percent, 1)}},
                  "timestamp": utcnow().isoformat()})
