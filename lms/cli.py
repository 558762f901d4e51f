"""The ``lms`` command: Flask's CLI over :func:`lms.create_app`.

Core commands (``lms demo load``, ``lms worker``, ``lms i18n``) live in :mod:`lms.core.cli`; each area
adds its own (``lms users``, ``lms content``, ``lms lrs``, ``lms lti``...); Flask-Migrate adds ``lms db``.
"""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app
from .core.cli import compile_catalogues  # noqa: F401 (used by the test session and make)


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, load_dotenv=False)
def main():
    """Tamkeen LMS administration."""


if __name__ == "__main__":
    main()
