"""The player's options set by an instructor on the course's add/edit activity pages, stored in
``activity.settings`` and honoured by the player (SQLite and PostgreSQL)."""
from __future__ import annotations

import re

from sqlalchemy import select

from lms.core.db import db
from lms.courses.models import Activity
from lms.scorm.models import ScormPackage
from lms.scorm.player import attempt_token
from lms.scorm.runtime.models import ScormAttempt
from tests.factories import enrol, make_course, make_user
from tests.scorm.player_fixtures import sign_in
from tests.scorm.player_packages import single_12


def _common(course, **extra):
    return {"section_id": str(course.sections[0].id), "title_fr": "Module", "visible": "y",
            "completion_rule": "completed", "required_for_completion": "y", "grade_max": "100",
            "grade_weight": "1", **extra}


def _setup():
    teacher = make_user("teacher", role="instructor")
    learner = make_user("amina", full_name="Amina Benali")
    course = make_course("OPT-1")
    enrol(teacher, course, role="instructor")
    enrol(learner, course)
    db.session.commit()
    return teacher, learner, course


def _add(client, course, path, **options):
    with open(path, "rb") as fh:
        return client.post(f"/courses/{course.id}/activities/new?type=scorm",
                           data=_common(course, type_key="scorm", package=(fh, path.name), **options),
                           content_type="multipart/form-data")


OPTIONS = {"scorm_display": "window", "max_attempts": "1", "new_attempt": "completed",
           "learner_new_attempt": "y", "grading_method": "average", "attempt_grading": "last",
           "completion_status_required": "passed", "completion_min_score": "60", "completion_all_scos": "y",
           "lenient_suspend_data": "y", "keep_version_for_attempts": "y"}


def test_the_new_activity_page_offers_the_player_options(client, db):
    teacher, _learner, course = _setup()
    sign_in(client, teacher)
    html = client.get(f"/courses/{course.id}/activities/new?type=scorm").get_data(as_text=True)
    for name in ("scorm_display", "max_attempts", "new_attempt", "grading_method", "attempt_grading",
                 "completion_status_required", "completion_min_score", "completion_all_scos",
                 "lenient_suspend_data", "learner_new_attempt"):
        assert f'name="{name}"' in html, name
    assert "Maximum number of attempts" in html
    teacher.preferred_language = "ar"
    db.session.commit()
    arabic = client.get(f"/courses/{course.id}/activities/new?type=scorm").get_data(as_text=True)
    assert "الحد الأقصى لعدد المحاولات" in arabic and "طريقة التقييم" in arabic


def test_options_are_stored_shown_again_and_edited(client, db, tmp_path):
    teacher, _learner, course = _setup()
    sign_in(client, teacher)
    response = _add(client, course, single_12(tmp_path, mastery=80), **OPTIONS)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    activity = db.session.scalar(select(Activity).where(Activity.type_key == "scorm"))
    assert activity.settings["scorm_display"] == "window"
    assert activity.settings["max_attempts"] == 1
    assert activity.settings["new_attempt"] == "completed"
    assert activity.settings["grading_method"] == "average" and activity.settings["attempt_grading"] == "last"
    assert activity.settings["completion_status_required"] == "passed"
    assert activity.settings["completion_min_score"] == 60.0
    assert activity.settings["completion_all_scos"] is True
    assert activity.settings["lenient_suspend_data"] is True
    assert ScormPackage.for_activity(activity.id).keep_version_for_attempts is True

    page = client.get(f"/courses/activity/{activity.id}/edit").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="window"|<option[^>]*value="window"[^>]*selected', page)
    assert 'name="max_attempts"' in page and 'value="1"' in page

    # unchecked boxes are stored as False, an empty minimum score as None
    response = client.post(f"/courses/activity/{activity.id}/edit", data=_common(
        course, scorm_display="fullscreen", max_attempts="3", new_attempt="never", grading_method="objects",
        attempt_grading="first", completion_status_required="completed", completion_min_score=""))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    activity = db.session.get(Activity, activity.id)
    settings = activity.settings
    assert (settings["scorm_display"], settings["max_attempts"], settings["grading_method"]) == \
        ("fullscreen", 3, "objects")
    assert settings["completion_min_score"] is None
    assert settings["lenient_suspend_data"] is False and settings["learner_new_attempt"] is False
    assert settings["completion_all_scos"] is False
    assert ScormPackage.for_activity(activity.id).keep_version_for_attempts is False


def test_invalid_options_are_refused_on_the_form(client, db, tmp_path):
    teacher, _learner, course = _setup()
    sign_in(client, teacher)
    response = _add(client, course, single_12(tmp_path), max_attempts="-1", completion_min_score="150",
                    scorm_display="popup")
    assert response.status_code == 400
    assert db.session.scalar(select(Activity).where(Activity.type_key == "scorm")) is None
    html = response.get_data(as_text=True)
    assert "Number must be between 0 and 1000." in html and "Not a valid choice" in html


def _finish_attempt(client, activity):
    attempt = db.session.scalars(select(ScormAttempt).where(ScormAttempt.activity_id == activity.id)
                                 .order_by(ScormAttempt.id.desc())).first()
    post = lambda name, body: client.post(f"/scorm/attempts/{attempt.id}/{name}",  # noqa: E731
                                          json={**body, "token": attempt_token(attempt)})
    assert post("nav", {"request": "start"}).status_code == 200
    seq = post("launch", {"item": "SCO-1"}).json["last_seq"]
    calls = [["init"], ["set", "cmi.core.score.raw", "90"], ["set", "cmi.core.lesson_status", "completed"],
             ["set", "cmi.core.exit", ""], ["commit"], ["term"]]
    response = post("commit", {"seq": seq + 1, "item": "SCO-1", "calls": calls})
    assert response.status_code == 200, response.json


def test_the_player_honours_the_options_set_on_the_page(client, db, tmp_path):
    teacher, learner, course = _setup()
    sign_in(client, teacher)
    assert _add(client, course, single_12(tmp_path), scorm_display="window", max_attempts="1",
                new_attempt="always", learner_new_attempt="y", completion_all_scos="y").status_code == 302
    activity = db.session.scalar(select(Activity).where(Activity.type_key == "scorm"))

    sign_in(client, learner)
    page = client.get(f"/activities/{activity.id}/play")
    assert page.status_code == 200
    assert 'data-display="window"' in page.get_data(as_text=True)
    _finish_attempt(client, activity)
    # "always" wants a new attempt, the limit of one keeps the learner on the finished one (review) and
    # refuses a new one clearly
    review = client.get(f"/activities/{activity.id}/play")
    assert review.status_code == 200
    assert db.session.scalar(select(ScormAttempt.number).where(ScormAttempt.activity_id == activity.id)
                             .order_by(ScormAttempt.number.desc())) == 1
    refused = client.post(f"/activities/{activity.id}/attempts/new")
    assert refused.status_code == 409
    assert "You have used all the attempts allowed for this activity." in refused.get_data(as_text=True)

    # the instructor raises the limit on the edit page: the learner gets a second attempt
    sign_in(client, teacher)
    assert client.post(f"/courses/activity/{activity.id}/edit", data=_common(
        course, scorm_display="iframe", max_attempts="2", new_attempt="always", learner_new_attempt="y",
        grading_method="highest", attempt_grading="last", completion_status_required="completed",
        completion_all_scos="y")).status_code == 302
    sign_in(client, learner)
    page = client.get(f"/activities/{activity.id}/play")
    assert page.status_code == 200 and 'data-display="iframe"' in page.get_data(as_text=True)
    numbers = db.session.scalars(select(ScormAttempt.number)
                                 .where(ScormAttempt.activity_id == activity.id)).all()
    assert sorted(numbers) == [1, 2]


def test_learner_new_attempt_off_refuses_the_button(client, db, tmp_path):
    teacher, learner, course = _setup()
    sign_in(client, teacher)
    assert _add(client, course, single_12(tmp_path), max_attempts="0", new_attempt="never",
                grading_method="highest", attempt_grading="highest",
                completion_status_required="completed").status_code == 302
    activity = db.session.scalar(select(Activity).where(Activity.type_key == "scorm"))
    assert activity.settings["learner_new_attempt"] is False
    sign_in(client, learner)
    assert client.get(f"/activities/{activity.id}/play").status_code == 200
    _finish_attempt(client, activity)
    response = client.post(f"/activities/{activity.id}/attempts/new")
    assert response.status_code == 403
    assert "New attempts are not allowed for this activity." in response.get_data(as_text=True)
