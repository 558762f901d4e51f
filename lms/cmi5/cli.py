"""``lms cmi5 abandon-idle``: record ``abandoned`` for AU sessions left without ``terminated`` (cron)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from lms.core.db import db


@click.group("cmi5")
def cmi5():
    """cmi5 courses."""


@cmi5.command("abandon-idle")
@click.option("--minutes", type=int, default=None,
              help="Idle time (default: CMI5_ABANDON_AFTER_SECONDS, 4 h).")
@with_appcontext
def abandon_idle(minutes: int | None):
    """Abandon AU sessions with no statement for a while (cmi5 §9.3.6)."""
    from .services import abandon_idle_sessions

    count = abandon_idle_sessions(timedelta(minutes=minutes) if minutes is not None else None)
    db.session.commit()
    click.echo(f"{count} session(s) abandoned")


commands = [cmi5]
