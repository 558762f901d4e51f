"""Enrolment rules: self-enrolment (open, key, dates, capacity), manual, administration and cohort rules."""
from datetime import timedelta

import pytest

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.courses import services
from lms.courses.models import CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus
from tests.factories import make_administration, make_course, make_user


def test_open_self_enrolment_enrols_a_learner(db):
    course = make_course()
    course.self_enrolment = "open"
    user = make_user()
    enrolment = services.self_enrol(course, user)
    assert enrolment.role == CourseRole.learner and enrolment.method == EnrolmentMethod.self


def test_closed_self_enrolment_is_refused(db):
    course = make_course()
    with pytest.raises(DomainError) as refused:
        services.self_enrol(course, make_user())
    assert refused.value.code == "enrolment_closed"


def test_enrolment_key_must_match(db):
    course = make_course()
    course.self_enrolment, course.enrolment_key = "key", "S3same"
    user = make_user()
    with pytest.raises(DomainError) as refused:
        services.self_enrol(course, user, "wrong")
    assert refused.value.code == "wrong_key"
    assert services.self_enrol(course, user, " S3same ").user_id == user.id


@pytest.mark.parametrize("opens,closes,ok", [(-2, 2, True), (1, 3, False), (-3, -1, False), (None, None, True)])
def test_enrolment_dates(db, opens, closes, ok):
    course = make_course()
    course.self_enrolment = "open"
    now = utcnow()
    course.enrol_start_at = None if opens is None else now + timedelta(days=opens)
    course.enrol_end_at = None if closes is None else now + timedelta(days=closes)
    if ok:
        services.self_enrol(course, make_user())
    else:
        with pytest.raises(DomainError):
            services.self_enrol(course, make_user())


def test_capacity_full_gives_a_clear_message(db):
    course = make_course()
    course.self_enrolment, course.capacity = "open", 2
    services.self_enrol(course, make_user())
    services.self_enrol(course, make_user())
    assert services.seats_left(course) == 0
    with pytest.raises(DomainError) as refused:
        services.self_enrol(course, make_user())
    assert refused.value.code == "capacity_full"
    assert "full" in refused.value.message and "2" in refused.value.message


def test_capacity_counts_learners_only(db):
    course = make_course()
    course.self_enrolment, course.capacity = "open", 1
    services.enrol_user(course, make_user(role="instructor"), "instructor")
    services.self_enrol(course, make_user())
    assert services.learner_count(course) == 1


def test_capacity_full_over_http_shows_the_message(db, client, auth):
    course = make_course()
    course.self_enrolment, course.capacity = "open", 1
    services.self_enrol(course, make_user())
    late = make_user()
    db.session.commit()
    auth.login(late)
    page = client.get(f"/courses/{course.id}")
    assert "This course is full" in page.get_data(as_text=True) or "full" in page.get_data(as_text=True)
    response = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "full" in response.get_data(as_text=True)
    assert db.session.query(Enrolment).filter_by(user_id=late.id).count() == 0


def test_self_enrol_over_http_then_the_course_opens(db, client, auth):
    course = make_course()
    course.self_enrolment = "open"
    user = make_user(language="fr")
    db.session.commit()
    auth.login(user)
    response = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert response.status_code == 200
    assert "Welcome" in response.get_data(as_text=True) or "Bienvenue" in response.get_data(as_text=True)
    assert db.session.query(Enrolment).filter_by(user_id=user.id, course_id=course.id).one()


def test_enrol_user_is_idempotent_and_never_lowers_a_role_automatically(db):
    course = make_course()
    user = make_user(role="instructor")
    services.enrol_user(course, user, "tutor", "manual")
    again = services.enrol_user(course, user, "learner", "lti")
    assert again.role == CourseRole.tutor
    assert db.session.query(Enrolment).filter_by(user_id=user.id).count() == 1


def test_unenrol_then_reenrol_keeps_the_row(db):
    course = make_course()
    course.self_enrolment = "open"
    user = make_user()
    first = services.self_enrol(course, user)
    services.unenrol(course, user)
    assert first.status == EnrolmentStatus.suspended
    second = services.self_enrol(course, user)
    assert second.id == first.id and second.status == EnrolmentStatus.active


def test_enrol_a_whole_administration_with_its_sub_bodies(db):
    ministry = make_administration()
    agency = make_administration(parent=ministry)
    other = make_administration()
    members = [make_user(administration=ministry), make_user(administration=agency)]
    make_user(administration=other)
    course = make_course()
    assert services.enrol_administration(course, ministry) == 2
    enrolled = {e.user_id for e in db.session.query(Enrolment).filter_by(course_id=course.id)}
    assert enrolled == {m.id for m in members}


def test_cohort_rule_enrols_newcomers_on_their_dashboard(db, client, auth):
    ministry = make_administration()
    course = make_course()
    services.add_enrolment_rule(course, ministry)
    newcomer = make_user(administration=ministry)
    db.session.commit()
    auth.login(newcomer)
    assert client.get("/dashboard").status_code == 200
    enrolment = db.session.query(Enrolment).filter_by(user_id=newcomer.id, course_id=course.id).one()
    assert enrolment.method == EnrolmentMethod.cohort


def test_manual_enrolment_by_the_instructor_over_http(db, client, auth):
    course = make_course()
    instructor = make_user(role="instructor")
    services.enrol_user(course, instructor, "instructor")
    learner = make_user("amina")
    administration = make_administration()
    colleague = make_user(administration=administration)
    db.session.commit()
    auth.login(instructor)
    response = client.post(f"/courses/{course.id}/participants",
                           data={"usernames": "amina\nnobody", "administration_id": administration.id,
                                 "include_children": "y", "role": "learner"}, follow_redirects=True)
    assert response.status_code == 200
    assert "nobody" in response.get_data(as_text=True)
    enrolled = {e.user_id for e in db.session.query(Enrolment).filter_by(course_id=course.id, role=CourseRole.learner)}
    assert enrolled == {learner.id, colleague.id}


def test_a_manager_cannot_appoint_an_instructor(db, client, auth):
    course = make_course()
    manager = make_user(role="manager", administration=make_administration())
    make_user("karim", role="instructor")
    db.session.commit()
    auth.login(manager)
    response = client.post(f"/courses/{course.id}/participants", data={"usernames": "karim", "role": "instructor"})
    assert response.status_code == 403
