"""Shared set-up of the player tests: a course, a learner enrolled, a package imported."""
from __future__ import annotations

from lms.core.db import db
from lms.scorm.services import import_package
from tests.factories import enrol, make_course, make_user


def setup_activity(package_path, *, settings: dict | None = None, learner_name: str | None = None,
                   language: str = "en"):
    course = make_course()
    learner = make_user(learner_name, full_name="Amina Benali", language=language)
    enrol(learner, course)
    version = import_package(course, package_path)
    activity = version.package.activity
    if settings:
        activity.settings = {**(activity.settings or {}), **settings}
    db.session.flush()
    return course, learner, activity


def sign_in(client, user) -> None:
    """Sign the test client in without the password form: argon2 costs seconds on a loaded machine and the
    login form has its own tests."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.get_id())
        session["_fresh"] = True
