"""cmi5 courses and TinCan (``tincan.xml``) packages launched against the built-in LRS."""


def init_app(app):
    from . import activity_type  # noqa: F401 - registers the "cmi5" and "tincan" activity types
    from . import kinds  # noqa: F401 - registers the package kinds for `lms content`
    from .lrs_rules import install

    install()
