"""Test builders for the courses area (flush only)."""
from __future__ import annotations

from lms.courses import services
from lms.courses.models import Category, PageContent
from lms.core.db import db
from tests.factories import make_activity, make_course, make_user


def make_category(code="digital", name="Transformation digitale", ar="التحول الرقمي"):
    category = Category(code=code, name={"fr": name, "ar": ar, "en": name})
    db.session.add(category)
    db.session.flush()
    return category


def make_page(course, title="Leçon", body=None, **fields):
    activity = make_activity(course, "page", title=title, **fields)
    db.session.add(PageContent(activity_id=activity.id, body=body or {"fr": "<p>Bonjour</p>", "ar": "<p>مرحبا</p>"}))
    db.session.flush()
    return activity


def course_with_staff(**fields):
    """A course with an instructor, a tutor and an enrolled learner."""
    instructor = make_user(role="instructor")
    tutor = make_user(role="instructor")
    learner = make_user()
    course = make_course(**fields)
    services.enrol_user(course, instructor, "instructor")
    services.enrol_user(course, tutor, "tutor")
    services.enrol_user(course, learner, "learner")
    return course, instructor, tutor, learner
