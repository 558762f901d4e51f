"""``lms training ...``: the periodic jobs of training management (run from cron or the scheduler)."""
import click
from flask.cli import with_appcontext

from lms.core.db import db


@click.group("training")
def training():
    """Training management."""


@training.command("send-surveys")
@with_appcontext
def send_surveys():
    """Invite the attendees of finished training events to the satisfaction survey (once each)."""
    from .services import send_due_surveys

    count = send_due_surveys()
    db.session.commit()
    click.echo(f"{count} survey invitation(s) queued")


@training.command("send-reminders")
@click.option("--hours", default=24, show_default=True, help="Remind of the sessions starting within this time.")
@with_appcontext
def send_reminders(hours: int):
    """Remind confirmed participants of their sessions starting soon (once per session date)."""
    from .services import send_reminders as remind

    count = remind(hours=hours)
    db.session.commit()
    click.echo(f"{count} reminder(s) queued")


commands = [training]
