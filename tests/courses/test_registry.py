"""The activity registry: a test-only type plugs in without touching core code."""
import io

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from lms.core.db import db as _db
from lms.courses import archive, services
from lms.courses.activities import (ActivityType, activity_types, get_activity_type, register_activity_type,
                                    unregister_activity_type)
from lms.courses.models import Activity
from lms.courses.results import report_result
from tests.factories import make_user

STORE: dict[int, str] = {}  # the test type keeps its data in memory (a real type has its own table)


class RiddleFields(FlaskForm):
    answer = StringField("Answer")


@pytest.fixture
def riddle_type(app):
    class RiddleType(ActivityType):
        key = "riddle"
        title = "Riddle"
        graded = True
        form_class = RiddleFields
        completion_rules = ("viewed", "passed", "grade")

        def create(self, activity, form):
            STORE[activity.id] = form.answer.data

        def update(self, activity, form):
            STORE[activity.id] = form.answer.data

        def view(self, activity):
            return f"riddle {activity.id}"

        def export_data(self, activity):
            return {"answer": STORE.get(activity.id)}

        def import_data(self, activity, data):
            STORE[activity.id] = data.get("answer")

    register_activity_type(RiddleType)
    yield get_activity_type("riddle")
    unregister_activity_type("riddle")
    STORE.clear()


def test_a_new_type_is_listed_created_viewed_graded_and_copied(db, client, auth, riddle_type):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="R1", title={"fr": "Énigmes"}, created_by=teacher)
    db.session.commit()
    auth.login(teacher)
    assert "Riddle" in client.get(f"/courses/{course.id}/activities/new").get_data(as_text=True)
    response = client.post(f"/courses/{course.id}/activities/new?type=riddle",
                           data={"type_key": "riddle", "title_fr": "Devinette", "section_id": course.sections[0].id,
                                 "visible": "y", "completion_rule": "passed", "answer": "42", "grade_max": "10",
                                 "grade_weight": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    activity = _db.session.query(Activity).filter_by(type_key="riddle").one()
    assert activity.graded and STORE[activity.id] == "42"
    assert client.get(f"/courses/activity/{activity.id}").get_data(as_text=True) == f"riddle {activity.id}"

    learner = make_user()
    services.enrol_user(course, learner, "learner")
    result = report_result(activity, learner, passed=True, score=0.9)
    assert result.is_complete

    copy = services.duplicate_course(course, shortname="R2", by=teacher)
    copied = [a for a in copy.activities if a.type_key == "riddle"]
    assert len(copied) == 1 and STORE[copied[0].id] == "42" and copied[0].uuid != activity.uuid

    imported = archive.import_course(io.BytesIO(archive.export_course(course)), by=teacher)
    assert [STORE[a.id] for a in imported.activities] == ["42"]


def test_registering_a_different_class_under_a_taken_key_fails(app):
    class Impostor(ActivityType):
        key = "page"
        title = "Impostor"

    with pytest.raises(RuntimeError):
        register_activity_type(Impostor)
    assert type(activity_types["page"]).__name__ == "PageType"


def test_built_in_types_are_registered_once(app):
    assert {"page", "file", "url"} <= set(activity_types)
