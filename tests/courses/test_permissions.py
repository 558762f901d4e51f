"""The permission matrix: who may see, edit, enrol and grade what — checked through the one mechanism
(lms.core.permissions.can) and over HTTP."""
import pytest

from lms.accounts.models import SiteRole
from lms.core.permissions import can
from lms.courses import services
from tests.factories import make_administration, make_course, make_user

PERMISSIONS = ["course.view", "course.edit", "course.participate", "course.grade", "course.enrol_others",
               "course.view_reports"]

# actor → set of permissions granted on a VISIBLE course
MATRIX = {
    "anonymous": {"course.view"},
    "administrator": set(PERMISSIONS),
    "manager": {"course.view", "course.enrol_others", "course.view_reports"},
    "instructor": set(PERMISSIONS),
    "tutor": {"course.view", "course.participate", "course.grade", "course.view_reports"},
    "learner": {"course.view", "course.participate"},
    "outsider": {"course.view"},
    "other_instructor": {"course.view"},
    "creator": {"course.view", "course.edit"},
    "suspended_learner": {"course.view"},
}
# on a HIDDEN course, "course.view" is kept only by staff
HIDDEN_VIEW = {"administrator", "instructor", "tutor", "creator"}


def _actors(course):
    admin = make_user(role=SiteRole.administrator)
    manager = make_user(role=SiteRole.manager, administration=make_administration())
    instructor = make_user(role=SiteRole.instructor)
    tutor = make_user(role=SiteRole.instructor)
    learner = make_user()
    outsider = make_user()
    other = make_user(role=SiteRole.instructor)
    creator = make_user(role=SiteRole.instructor)
    suspended = make_user()
    course.created_by_id = creator.id
    services.enrol_user(course, instructor, "instructor")
    services.enrol_user(course, tutor, "tutor")
    services.enrol_user(course, learner, "learner")
    services.enrol_user(course, suspended, "learner")
    services.unenrol(course, suspended)
    from flask_login import AnonymousUserMixin

    return {"anonymous": AnonymousUserMixin(), "administrator": admin, "manager": manager, "instructor": instructor,
            "tutor": tutor, "learner": learner, "outsider": outsider, "other_instructor": other, "creator": creator,
            "suspended_learner": suspended}


def test_permission_matrix_on_visible_course(db):
    course = make_course(visible=True)
    actors = _actors(course)
    granted = {actor: {p for p in PERMISSIONS if can(user, p, course)} for actor, user in actors.items()}
    assert granted == MATRIX


def test_hidden_course_is_seen_by_staff_only(db):
    course = make_course(visible=False)
    actors = _actors(course)
    assert {actor for actor, user in actors.items() if can(user, "course.view", course)} == HIDDEN_VIEW


@pytest.mark.parametrize("role,allowed", [(SiteRole.instructor, True), (SiteRole.manager, True),
                                          (SiteRole.learner, False), (SiteRole.administrator, True)])
def test_who_may_create_courses(db, role, allowed):
    assert can(make_user(role=role), "course.create") is allowed


def test_enrolment_past_its_end_date_gives_no_access(db):
    from datetime import timedelta

    from lms.core.db import utcnow

    course = make_course()
    learner = make_user()
    services.enrol_user(course, learner, "learner", time_end=utcnow() - timedelta(days=1))
    assert not can(learner, "course.participate", course)


# HTTP: (actor, url template, expected status)
HTTP_CASES = [
    ("anonymous", "/courses/{id}/edit", 302),  # login_required redirects to the sign-in page
    ("learner", "/courses/{id}/edit", 403),
    ("tutor", "/courses/{id}/edit", 403),
    ("instructor", "/courses/{id}/edit", 200),
    ("learner", "/courses/{id}/gradebook", 403),
    ("tutor", "/courses/{id}/gradebook", 200),
    ("instructor", "/courses/{id}/gradebook", 200),
    ("learner", "/courses/{id}/participants", 403),
    ("tutor", "/courses/{id}/participants", 403),
    ("manager", "/courses/{id}/participants", 200),
    ("instructor", "/courses/{id}/participants", 200),
    ("learner", "/courses/reports?course={id}", 403),
    ("outsider", "/courses/reports", 403),
    ("tutor", "/courses/reports?course={id}", 200),
    ("manager", "/courses/reports", 200),
    ("learner", "/courses/{id}/gradebook.csv", 403),
    ("outsider", "/courses/{id}", 200),
    ("learner", "/courses/new", 403),
    ("instructor", "/courses/new", 200),
]


@pytest.mark.parametrize("actor,url,status", HTTP_CASES)
def test_http_access(db, client, auth, actor, url, status):
    course = make_course(visible=True)
    users = _actors(course)
    db.session.commit()
    if actor != "anonymous":
        auth.login(users[actor])
    response = client.get(url.format(id=course.id))
    assert response.status_code == status


def test_hidden_course_page_is_403_for_a_learner_and_401_for_anonymous(db, client, auth):
    course = make_course(visible=False)
    learner = make_user()
    db.session.commit()
    assert client.get(f"/courses/{course.id}").status_code == 401
    auth.login(learner)
    assert client.get(f"/courses/{course.id}").status_code == 403
