"""A knowledge-base resource inside a course: follows updates, counts for completion, records xAPI."""
from lms.core.db import db
from lms.courses import services as course_services
from lms.courses.models import ActivityResult
from lms.knowledge import services
from lms.lrs.store import query_statements
from tests.factories import enrol, make_course


def test_resource_added_to_a_course_is_viewed_completed_and_recorded(client, auth, publish, people):
    resource = publish("Bonne pratique d'accueil", body="<p>Version initiale</p>")
    course = make_course(created_by=people["author"])
    enrol(people["author"], course, role="instructor")
    enrol(people["learner"], course)
    auth.login("author")
    response = client.post(f"/courses/{course.id}/activities/new?type=knowledge_resource", data={
        "type_key": "knowledge_resource", "title_fr": "Lecture", "section_id": course.sections[0].id,
        "completion_rule": "viewed", "translation_group": resource.translation_group, "visible": "y"})
    assert response.status_code in (302, 200), response.get_data(as_text=True)[:500]
    activity = db.session.scalar(db.select(course_services.Activity).where(
        course_services.Activity.type_key == "knowledge_resource"))
    assert activity is not None
    auth.logout()
    # The resource changes after it was added: the course shows the new text.
    services.update_resource(resource, {"title": resource.title, "language": "fr", "kind": "good_practice",
                                        "body": "<p>Version mise à jour</p>"}, people["reviewer"])
    db.session.commit()
    auth.login("learner")
    page = client.get(f"/courses/activity/{activity.id}")
    assert page.status_code == 200 and "Version mise à jour" in page.get_data(as_text=True)
    result = db.session.scalar(db.select(ActivityResult).where(ActivityResult.activity_id == activity.id))
    assert result.is_complete
    statements = query_statements(agent=people["learner"], verb="http://adlnet.gov/expapi/verbs/experienced")
    assert len(statements) == 1 and statements[0]["object"]["id"].endswith(activity.uuid)
