"""The training_event activity type in a course, and the xAPI statements the workflow stores in the LRS."""
from sqlalchemy import select

from lms.core.db import db
from lms.courses.activities import get_activity_type
from lms.lrs.models import Statement
from lms.sessions import services
from lms.sessions.activity import event_for_activity
from lms.sessions.models import AttendanceStatus as A
from tests.factories import make_activity, make_course, make_user
from tests.sessions.factories import make_event, make_session


def test_the_activity_type_creates_and_links_an_event(app):
    course = make_course()
    activity = make_activity(course, "training_event", title="Atelier cybersécurité")
    activity_type = get_activity_type("training_event")
    with app.test_request_context():
        activity_type.create(activity, None)
        event = event_for_activity(activity)
        assert event is not None and event.title == activity.title
        assert activity.completion_rule == "completed"
        assert activity_type.launch_url(activity) == f"/training/events/{event.id}"
        data = activity_type.export_data(activity)
    copy = make_activity(course, "training_event")
    activity_type.import_data(copy, data)
    copied = event_for_activity(copy)
    assert copied.id != event.id and copied.title == event.title and copied.sessions == []


def test_linking_an_existing_standalone_event(app):
    event = make_event()
    activity = make_activity(make_course(), "training_event")

    class Form:
        class event_id:
            data = str(event.id)

    with app.test_request_context():
        get_activity_type("training_event").create(activity, Form())
    assert event.activity_id == activity.id


def test_registration_attendance_and_completion_are_xapi_statements(app):
    learner = make_user()
    event = make_event()
    session = make_session(event)
    services.register(session.id, learner)
    services.record_attendance(session, {learner.id: A.present}, None)
    statements = db.session.scalars(select(Statement).order_by(Statement.pk)).all()
    verbs = [s.verb_iri.rsplit("/", 1)[-1] for s in statements]
    assert verbs == ["registered", "attended", "completed"]
    registered, attended, completed = (s.data for s in statements)
    assert registered["actor"]["account"]["name"] == learner.uuid
    assert registered["object"]["id"].endswith(f"/xapi/activities/training-session/{session.uuid}")
    assert registered["context"]["contextActivities"]["parent"][0]["id"].endswith(
        f"/xapi/activities/training-event/{event.uuid}")
    assert attended["result"]["extensions"]["https://w3id.org/xapi/tamkeen/extensions/attendance"] == "present"
    assert completed["result"]["completion"] is True
