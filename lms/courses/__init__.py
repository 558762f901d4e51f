"""Courses: catalogue, sections, activities (the registry every activity type plugs into), enrolment,
completion, gradebook and reports."""


def init_app(app):
    from . import permissions  # noqa: F401 — registers the course rules
