"""The Idarathon: the public-administration hackathon (editions, challenges, teams, submissions, jury,
results, communication, certificates and reports)."""


def init_app(app):
    # Registries and handlers: challenge types, the course activity type, access rules, outbox handlers.
    from . import activity, challenge_types, permissions, scoring  # noqa: F401
