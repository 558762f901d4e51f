"""The xAPI statement of a whole course's completion, written through the one emitter (``lms.lrs.emitter``).

Activity types emit their own statements; reporting tools that read the LRS also need the course-level
outcome, so the moment completion is recorded on the enrolment (``course_completed``) the learner
"completed" the course, with the course grade as the score when there is one.
"""
from __future__ import annotations

from lms.core.db import utcnow

from .completion import course_completed

COURSE = "http://adlnet.gov/expapi/activities/course"


def course_object(course) -> dict:
    from lms.lrs.emitter import activity_iri

    names = {lang: text for lang, text in (course.title or {}).items() if text}
    definition: dict = {"type": COURSE}
    if names:
        definition["name"] = names
    return {"objectType": "Activity", "id": activity_iri(course, kind="course"), "definition": definition}


@course_completed.connect
def _emit_course_completed(course, user=None, enrolment=None, **_kwargs) -> None:
    if user is None:
        return
    from lms.lrs.emitter import actor_for, emit, verb

    result: dict = {"completion": True}
    if enrolment is not None and enrolment.final_grade is not None:
        result["score"] = {"scaled": round(min(max(enrolment.final_grade / 100.0, 0.0), 1.0), 4)}
    completed_at = (enrolment.completed_at if enrolment is not None and enrolment.completed_at else utcnow())
    emit({"actor": actor_for(user), "verb": verb("completed"), "object": course_object(course), "result": result,
          "timestamp": completed_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{completed_at.microsecond // 1000:03d}Z"})
