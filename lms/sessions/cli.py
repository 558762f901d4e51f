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


commands = [training]
