"""Knowledge base: good practices, success stories and lessons learned, searchable in Arabic, French and
English, and usable as course resources."""


def init_app(app):
    from . import activity_type, permissions, search  # noqa: F401 — type registration, rules, FTS DDL
