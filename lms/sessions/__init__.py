"""Training management: training events and sessions (course-like activities), registration with approval
and waiting list, attendance, satisfaction surveys, certificates of attendance, calendar and feeds, reports."""


def init_app(app):
    from . import activity, permissions  # noqa: F401 — registers the rules and the training_event type
