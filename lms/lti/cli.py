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


def _platform_by_key(issuer: str, client_id: str | None):
    from sqlalchemy import select

    from .models import LtiPlatform

    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(db.session.scalars(query))
    if len(found) != 1:
        raise click.ClickException("no such platform" if not found else "several platforms use this issuer: "
                                   "give --client-id")
    return found[0]


@lti.command("link-context")
@click.option("--issuer", required=True, help="The platform's issuer.")
@click.option("--client-id", default=None, help="The platform's client id (needed when the issuer has several).")
@click.option("--context-id", required=True, help="The platform course (context) id, as the launches send it.")
@click.option("--course", "course_ref", required=True, help="Shortname of the Tamkeen course (enrolments go there).")
@click.option("--section", "section_ref", default=None,
              help="Land on this section of the course: its number (1 = first section) or #ID.")
@click.option("--cohort", default=None, help="Cohort recorded on the enrolments made through this context.")
@with_appcontext
def link_context(issuer, client_id, context_id, course_ref, section_ref, cohort):
    """Link a platform course to a course, optionally to one of its sections and/or a cohort."""
    from sqlalchemy import select

    from lms.courses.models import Course, Section

    from .contexts import link_context as link

    platform = _platform_by_key(issuer, client_id)
    course = db.session.scalar(select(Course).where(Course.shortname == course_ref))
    if course is None:
        raise click.ClickException(f"no course with the shortname {course_ref}")
    section = None
    if section_ref:
        if section_ref.startswith("#") and section_ref[1:].isdigit():
            section = db.session.get(Section, int(section_ref[1:]))
        elif section_ref.isdigit() and 1 <= int(section_ref) <= len(course.sections):
            section = course.sections[int(section_ref) - 1]
        if section is None or section.course_id != course.id:
            raise click.ClickException(f"no section {section_ref} in the course {course_ref}")
    try:
        context = link(platform, context_id, course, section=section, cohort=cohort)
    except DomainError as error:
        raise click.ClickException(error.message)
    summary = (f"context {context.id}: {context.context_id} → {course.shortname}"
               f"{f' section #{section.id}' if section else ''}{f' cohort {context.cohort}' if context.cohort else ''}")
    db.session.commit()
    click.echo(summary)


@lti.command("deactivate-platform")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None)
@with_appcontext
def deactivate_platform(issuer, client_id):
    """Refuse the platform's launches from now on (its data is kept; add-platform or the screen reactivates)."""
    from .platforms import set_platform_active

    platform = set_platform_active(_platform_by_key(issuer, client_id), False)
    summary = f"platform {platform.id} deactivated"
    db.session.commit()
    click.echo(summary)


@lti.command("activate-platform")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None)
@with_appcontext
def activate_platform(issuer, client_id):
    """Accept the platform's launches again."""
    from .platforms import set_platform_active

    platform = set_platform_active(_platform_by_key(issuer, client_id), True)
    summary = f"platform {platform.id} active"
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
