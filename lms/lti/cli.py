import click
from flask.cli import with_appcontext

from lms.core.db import db
from lms.core.errors import DomainError

lti = click.Group("lti", help="LTI 1.3 platforms, LTI 1.1 consumers and the tool's keys.")


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="The client id the platform gave Tamkeen.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Deployment id (repeat for several).")
@click.option("--auth-url", required=True, help="OIDC authentication (authorization) endpoint.")
@click.option("--token-url", required=True, help="OAuth2 access token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--name", default="", help="A name to recognise it.")
@click.option("--audience", default=None, help="Token audience, when it differs from the token URL.")
@click.option("--role-map", default=None,
              help='LIS role → course role overrides, as JSON: \'{"Mentor": "instructor"}\'.')
@click.option("--default-course", default=None, help="Shortname of the course unlinked placements open.")
@with_appcontext
def add_platform(issuer, client_id, deployment_ids, auth_url, token_url, jwks_url, name, audience, role_map,
                 default_course):
    """Register (or update) a platform, keyed by issuer and client id."""
    import json

    from sqlalchemy import select

    from lms.courses.models import Course

    from .platforms import register_platform
    from .roles import RANK

    try:
        platform = register_platform(issuer=issuer, client_id=client_id, auth_login_url=auth_url,
                                     auth_token_url=token_url, jwks_url=jwks_url, deployment_ids=deployment_ids,
                                     name=name, auth_audience=audience)
    except DomainError as error:
        raise click.ClickException(error.message)
    if role_map is not None:
        try:
            mapping = json.loads(role_map)
        except ValueError:
            raise click.ClickException("--role-map must be a JSON object")
        if not isinstance(mapping, dict) or any(v not in RANK for v in mapping.values()):
            raise click.ClickException(f"--role-map values must be one of {', '.join(RANK)}")
        platform.role_map = mapping
    if default_course is not None:
        course = db.session.scalar(select(Course).where(Course.shortname == default_course))
        if course is None:
            raise click.ClickException(f"no course with the shortname {default_course}")
        platform.default_course_id = course.id
    summary = (f"platform {platform.id}: {platform.issuer} client {platform.client_id} "
               f"deployments {', '.join(d.deployment_id for d in platform.deployments) or '-'}")
    db.session.commit()
    click.echo(summary)


@lti.command("add-consumer")
@click.argument("key")
@click.argument("secret")
@click.option("--name", default="")
@with_appcontext
def add_consumer(key, secret, name):
    """Register an LTI 1.1 consumer (OAuth key and shared secret)."""
    from .registration import add_consumer as add

    consumer = add(key, secret, name=name)
    summary = f"consumer {consumer.id}: {consumer.key}"
    db.session.commit()
    click.echo(summary)


@lti.command("urls")
@with_appcontext
def urls():
    """Print the URLs to paste in the platform."""
    from .views import tool_urls

    for name, url in tool_urls().items():
        click.echo(f"{name:12} {url}")


@lti.command("rotate-key")
@with_appcontext
def rotate_key():
    """Start signing with a new key; the old one stays in the JWKS for the grace period."""
    from .keys import rotate

    kid = rotate().kid
    db.session.commit()
    click.echo(f"new key {kid}")


@lti.command("prune")
@with_appcontext
def prune():
    """Remove retired keys past their grace period and expired launch records."""
    from .keys import prune as prune_keys
    from .launch import purge_expired

    removed = prune_keys()
    purged = purge_expired()
    db.session.commit()
    click.echo(f"removed {removed} keys, {purged} expired launch records")


@lti.command("invite")
@with_appcontext
def invite():
    """Create a one-time Dynamic Registration URL."""
    from .registration import create_invite

    url = create_invite()
    db.session.commit()
    click.echo(url)


@lti.command("sync-roster")
@click.argument("context_id", type=int)
@with_appcontext
def sync_roster(context_id):
    """Read a platform context's roster (NRPS) now."""
    from .models import LtiContext
    from .services import sync_roster as sync

    context = db.session.get(LtiContext, context_id)
    if context is None:
        raise click.ClickException("no such context")
    count = sync(context)
    db.session.commit()
    click.echo(f"{count} members")


commands = [lti]
