import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import DomainError

from . import services
from .models import Administration, SiteRole

users = click.Group("users", help="User accounts.")


@users.command("create")
@click.argument("username")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", type=click.Choice([r.value for r in SiteRole]), default="learner", show_default=True)
@click.option("--email", default=None)
@click.option("--full-name", default="")
@click.option("--administration", "administration_code", default=None, help="Code of the user's administration.")
@click.option("--gender", type=click.Choice(["female", "male", "unspecified"]), default=None)
@click.option("--language", default="ar", show_default=True)
@with_appcontext
def create(username, password, role, email, full_name, administration_code, gender, language):
    """Create a local account."""
    administration = None
    if administration_code:
        administration = db.session.scalar(select(Administration).where(Administration.code == administration_code))
        if administration is None:
            raise click.ClickException(f"unknown administration code: {administration_code}")
    try:
        user = services.create_user(username, password, role=role, email=email, full_name=full_name,
                                    administration=administration, gender=gender, preferred_language=language)
    except DomainError as error:
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(f"created {user.username} ({user.role.value}) id={user.id}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", required=True)
@with_appcontext
def set_password(username, password):
    """Set a user's password (and unlock the account)."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    try:
        services.set_password(user, password)
    except DomainError as error:
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(f"password changed for {user.username}")


commands = [users]
