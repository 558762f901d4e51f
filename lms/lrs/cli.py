"""``lms lrs``: LRS credentials and a development schema helper."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.core.db import db


@click.group("lrs")
def lrs():
    """The built-in xAPI Learning Record Store."""


@lrs.command("create-credential")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, default=("all",), show_default=True,
              help="all, all/read, statements/write, statements/read, statements/read/mine, state, define, profile")
@with_appcontext
def create_credential_command(name: str, scopes: tuple[str, ...]):
    """Create HTTP Basic credentials: prints the key, then the secret (shown once)."""
    from .credentials import create_credential

    try:
        key, secret = create_credential(name, list(scopes))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--scope") from None
    db.session.commit()
    click.echo(key)
    click.echo(secret)


@lrs.command("revoke-credential")
@click.argument("key")
@with_appcontext
def revoke_credential_command(key: str):
    """Revoke credentials by key."""
    from .credentials import revoke_credential

    if not revoke_credential(key):
        raise click.ClickException(f"no active credential with key {key}")
    db.session.commit()
    click.echo(f"revoked {key}")


@lrs.command("init-db")
@with_appcontext
def init_db_command():
    """Create missing tables (development and conformance runs only; production uses migrations)."""
    db.create_all()
    click.echo("tables created")


commands = [lrs]
