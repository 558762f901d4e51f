"""``lms content validate PATH`` and ``lms content import PATH --course C [--title T]``.

The commands dispatch on what the package contains through :mod:`lms.scorm.kinds`; SCORM registers itself
below, cmi5 and TinCan register theirs from their own areas.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.core.db import db

from .kinds import detect_kind, open_package, register_package_kind
from .manifest import ERROR, Issue
from .package import MANIFEST_NAME, PackageSource, Report, UnsafePackage, validate_source


# --- the SCORM kind ---------------------------------------------------------------------------------------

def _scorm_detect(source: PackageSource) -> bool:
    return source.exists(MANIFEST_NAME)


def _scorm_validate(source: PackageSource) -> Report:
    return validate_source(source)[1]


def _scorm_import(course, path, *, title=None, progress=None, user=None):
    from .services import import_package

    return import_package(course, path, title=title, progress=progress, user=user).package.activity


register_package_kind("scorm", _scorm_detect, _scorm_validate, _scorm_import, priority=100)


# --- commands ---------------------------------------------------------------------------------------------

def _open(path: str):
    from .services import limits_from_config

    return open_package(Path(path), limits_from_config())


def _inspect(path: str):
    """(kind or None, report, uncompressed size)."""
    try:
        source = _open(path)
    except UnsafePackage as exc:
        return None, Report(exc.issues), 0
    with source:
        kind = detect_kind(source)
        if kind is None:
            return None, Report([Issue(ERROR, "unknown_kind", {})]), 0
        report = kind.validate(source)
        report.kind = kind.key
        size = getattr(source, "uncompressed_size", 0)
        return kind, report, size


def _echo_report(report: Report, err: bool = False) -> None:
    for line in report.lines():
        click.echo(line, err=err)


@click.group("content")
def content():
    """Content packages: SCORM 1.2/2004 (and every kind another area registers)."""


@content.command("validate")
@click.argument("path", type=click.Path())
@with_appcontext
def validate_command(path: str):
    """Print the validation report of PATH (a zip or a folder); exit 0 when it can be imported."""
    kind, report, _size = _inspect(path)
    _echo_report(report)
    label = f"{kind.key}" + (f" {report.version}" if report.version else "") if kind else "unknown"
    verdict = "importable" if report.ok else "not importable"
    click.echo(f"{label}: {len(report.errors)} error(s), {len(report.warnings)} warning(s): {verdict}")
    sys.exit(0 if report.ok else 1)


@content.command("import")
@click.argument("path", type=click.Path())
@click.option("--course", "course_ref", required=True, help="Course id or short name.")
@click.option("--title", default=None, help="Activity title (default: the package's own title).")
@with_appcontext
def import_command(path: str, course_ref: str, title: str | None):
    """Import PATH (a zip or a folder) as a new activity of COURSE; prints the activity id last."""
    from .services import PackageRejected, find_course

    course = find_course(course_ref)
    if course is None:
        click.echo(f"error: no course {course_ref!r}", err=True)
        sys.exit(1)
    kind, report, size = _inspect(path)
    _echo_report(report)
    if kind is None or not report.ok:
        click.echo(f"{len(report.errors)} error(s): not imported", err=True)
        sys.exit(1)
    try:
        with click.progressbar(length=max(size, 1), label="Importing", file=sys.stderr,
                               show_pos=False) as bar:
            activity = kind.import_(course, path, title=title, progress=bar.update, user=None)
        db.session.commit()
    except PackageRejected as exc:
        db.session.rollback()
        _echo_report(exc.report, err=True)
        sys.exit(1)
    click.echo(f"imported into course {course.shortname}, section {activity.section_id}")
    click.echo(str(activity.id))


commands = [content]
