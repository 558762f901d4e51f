"""LTI fixtures: the platform emulator over real HTTP, registered with the tool served by ``live_server``.

SQLite serialises every transaction (BEGIN IMMEDIATE): the test thread commits its data and never holds a
transaction open while the live server answers (values needed later are read before committing).
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from flask import render_template_string

from lms.core.db import db as _db
from lms.courses.activities import ActivityType, register_activity_type
from tests.factories import make_activity, make_course

from .platform import PlatformEmulator

LEARNER = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
           "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"]
INSTRUCTOR = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
              "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"]


@register_activity_type
class LtiTestPage(ActivityType):
    """A minimal inline page activity (the SCORM player is another area's): content rendered in place."""

    key = "lti_test_page"
    title = "Test page"
    graded = True
    addable = False

    def view(self, activity):
        return render_template_string(
            '{% extends "core/base.html" %}{% block content %}<h1>{{ a.title|loc }}</h1>'
            '<p id="page-body">{{ a.settings.get("body", "") }}</p>{% endblock %}', a=activity)


@pytest.fixture
def platform(live_server, app):
    app.config["LTI_JWKS_MIN_REFRESH_SECONDS"] = 0
    emulator = PlatformEmulator(live_server.url)
    yield emulator
    emulator.stop()


@pytest.fixture
def registered(platform, runner, live_server):
    """The emulator registered with the CLI, and the tool's JWKS already cached by the platform."""
    result = runner.invoke(args=platform.cli_args())
    assert result.exit_code == 0, result.output
    _db.session.rollback()
    platform.fetch_tool_jwks()  # platforms cache the tool's keys (creates our first key, committed)
    return platform


@pytest.fixture
def course_data(app):
    """A course with one graded page activity, committed; plain values only (no ORM object to lazy-load)."""
    course = make_course(title="Transformation digitale")
    activity = make_activity(course, "lti_test_page", title="Lecture une", graded=True)
    activity.settings = {"body": "Contenu de la page"}
    activity.grade_max = 100.0
    _db.session.flush()
    data = SimpleNamespace(course_id=course.id, course_uuid=course.uuid, course_title="Transformation digitale",
                           activity_id=activity.id, activity_uuid=activity.uuid, activity_title="Lecture une")
    _db.session.commit()
    return data


@pytest.fixture
def browser_session():
    def make():
        session = requests.Session()
        session.headers["Accept-Language"] = "en"
        return session

    return make


def sign_in(client, user) -> None:
    """Sign the test client in without the password form (argon2 is slow on a loaded machine; the login
    form has its own tests). CSRF is switched off for the client: ``live_server`` turns it on."""
    from flask import current_app

    _db.session.commit()
    current_app.config["WTF_CSRF_ENABLED"] = False
    with client.session_transaction() as session:
        session["_user_id"] = str(user.get_id())
        session["_fresh"] = True
