"""The built-in xAPI Learning Record Store (xAPI 1.0.3) under ``/xapi``.

Python API for other areas:
- ``lms.lrs.emitter``: ``emit(statement) -> id``, ``actor_for(user)``, ``activity_iri(activity)``, ``verb(name)``;
- ``lms.lrs.store``: ``store_internal_statement(statement) -> id``, ``query_statements(agent=..., verb=...,
  activity=..., registration=..., limit=...) -> list[dict]``, ``get_statement(id)``;
- ``lms.lrs.credentials``: ``issue_launch_credential(user, registration, activity_iri, ttl) -> (key, secret)``.
"""


def init_app(app) -> None:
    from . import forwarding  # noqa: F401  (registers the xapi_forward outbox handler)
    from .admin import init_jinja

    init_jinja(app)
