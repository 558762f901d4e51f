"""SCORM import: validate, store content-addressed, record the version and its items (flush, never commit)."""
from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Callable

from flask import current_app
from lxml import etree
from sqlalchemy import func, select

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.storage import storage

from .manifest import WARNING, Issue, Manifest, secure_parser
from .models import ScormItem, ScormPackage, ScormPackageVersion
from .package import MANIFEST_NAME, DirSource, Limits, Report, UnsafePackage, ZipSource, validate_source

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]


class PackageRejected(DomainError):
    """The validation report has errors; ``report`` says which."""

    def __init__(self, report: Report):
        first = report.errors[0].message(_) if report.errors else ""
        super().__init__(_("The package cannot be imported: %(reason)s", reason=first),
                         code="package_invalid", status=422)
        self.report = report


def limits_from_config() -> Limits:
    config = current_app.config
    defaults = Limits()
    return Limits(max_total_bytes=int(config.get("SCORM_MAX_TOTAL_BYTES") or defaults.max_total_bytes),
                  max_ratio=float(config.get("SCORM_MAX_RATIO") or defaults.max_ratio),
                  max_files=int(config.get("SCORM_MAX_FILES") or defaults.max_files))


def translate_issue(issue) -> str:
    """An issue's message in the current user's language."""
    return issue.message(_)


# --- reading what was uploaded --------------------------------------------------------------------------

class _Spooled:
    """The upload as one seekable zip file on disk (folders are zipped deterministically), deleted on
    close. Everything downstream reads this one file, so validation, digest and extraction agree."""

    def __init__(self, path_or_file: str | os.PathLike | IO[bytes], limits: Limits):
        self._tmpdir = tempfile.mkdtemp(prefix="scorm-upload-")
        self.path = Path(self._tmpdir) / "package.zip"
        self.original_filename: str | None = None
        if isinstance(path_or_file, (str, os.PathLike)):
            source_path = Path(path_or_file)
            self.original_filename = source_path.name
            if source_path.is_dir():
                with DirSource(source_path, limits) as folder, open(self.path, "wb") as out:
                    folder.to_zip(out)
            elif source_path.is_file():
                shutil.copyfile(source_path, self.path)
            else:
                raise UnsafePackage([_issue("not_found", path=str(source_path))])
        else:
            self.original_filename = (getattr(path_or_file, "filename", None)
                                      or getattr(path_or_file, "name", None))
            stream = getattr(path_or_file, "stream", path_or_file)  # werkzeug FileStorage
            if hasattr(stream, "seek"):
                try:
                    stream.seek(0)
                except (OSError, ValueError):
                    pass
            with open(self.path, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
        if isinstance(self.original_filename, str):
            self.original_filename = os.path.basename(self.original_filename)[:255] or None
        else:
            self.original_filename = None

    def close(self) -> None:
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _issue(code: str, **params):
    from .manifest import ERROR, Issue

    return Issue(ERROR, code, params)


def validate(path_or_file: str | os.PathLike | IO[bytes], limits: Limits | None = None
             ) -> tuple[Manifest | None, Report]:
    """Validate a zip, folder or file object as SCORM without storing anything."""
    limits = limits or limits_from_config()
    try:
        with _Spooled(path_or_file, limits) as spooled, ZipSource(spooled.path, limits) as source:
            return validate_source(source)
    except UnsafePackage as exc:
        return None, Report(exc.issues)


# --- import ---------------------------------------------------------------------------------------------

def import_package(course, path_or_file: str | os.PathLike | IO[bytes], title: str | None = None,
                   activity=None, *, organization: str | None = None, user=None,
                   progress: ProgressCallback | None = None) -> ScormPackageVersion:
    """Import a SCORM package (zip path, folder, or uploaded file object).

    Without ``activity``, a new activity of type ``scorm`` is appended to the course's first section
    (created if the course has none). With ``activity``, a new version of its package is added; earlier
    versions stay. Raises :class:`PackageRejected` when the validation report has errors.
    ``progress(n)`` is called with the number of bytes extracted, as they are written.
    """
    limits = limits_from_config()
    try:
        with _Spooled(path_or_file, limits) as spooled:
            with ZipSource(spooled.path, limits) as source:
                manifest, report = validate_source(source)
                if not report.ok or manifest is None:
                    raise PackageRejected(report)
                if organization:
                    organization = organization.strip()
                    if organization not in [o.identifier for o in manifest.organizations]:
                        raise DomainError(_("The package has no organization %(id)s.", id=organization),
                                          code="unknown_organization", status=422, field="organization")
                manifest_xml = manifest_text(source.read(MANIFEST_NAME) or b"")
                tree = build_tree(manifest_xml.encode("utf-8"), organization or manifest.default_organization,
                                  report)
                with open(spooled.path, "rb") as fh:
                    digest = storage.put_blob(fh)
                storage.write_package(digest, lambda staging: source.extract_to(staging, progress))
                file_count = len(source.names())
                size_bytes = source.uncompressed_size
            return _record_version(course, activity, manifest, tree, report, digest, manifest_xml,
                                   title=title, organization=organization, user=user,
                                   file_count=file_count, size_bytes=size_bytes,
                                   original_filename=spooled.original_filename)
    except UnsafePackage as exc:
        raise PackageRejected(Report(exc.issues)) from None


def _record_version(course, activity, manifest: Manifest, tree: dict | None, report: Report,
                    digest: str, manifest_xml: str, *, title, organization, user, file_count, size_bytes,
                    original_filename) -> ScormPackageVersion:
    organization = organization or manifest.default_organization
    package_title = ((title or "").strip() or manifest.title
                     or (Path(original_filename).stem if original_filename else "") or "SCORM")
    if activity is None:
        activity = add_scorm_activity(course, package_title)
    package = ScormPackage.for_activity(activity.id)
    if package is None:
        package = ScormPackage(activity_id=activity.id, version_number=0)
        db.session.add(package)
        db.session.flush()
    number = (db.session.scalar(select(func.max(ScormPackageVersion.number))
                                .where(ScormPackageVersion.package_id == package.id)) or 0) + 1
    version = ScormPackageVersion(
        package=package, number=number, digest=digest, scorm_version=manifest.version,
        title=package_title[:500], organization=organization, manifest=manifest.to_dict(),
        manifest_xml=manifest_xml, report=report.to_dict(), file_count=file_count,
        size_bytes=size_bytes, original_filename=original_filename, created_by_id=getattr(user, "id", None))
    db.session.add(version)
    _add_items(version, manifest)
    version.activity_tree = tree
    package.version_number = number
    db.session.flush()
    return version


def manifest_text(data: bytes) -> str:
    """The manifest as text that parses again from its UTF-8 bytes: decoded with the encoding it declares
    (UTF-16, ISO-8859-1... are found in the wild), the declaration rewritten to UTF-8, the BOM and any blank
    lines before the declaration dropped."""
    encoding = "utf-8"
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.lstrip().startswith(b"<?xml"):
        body = body.lstrip()
    try:
        encoding = etree.fromstring(body, parser=secure_parser()).getroottree().docinfo.encoding or encoding
    except etree.XMLSyntaxError:
        pass
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace")
    text = text.lstrip("\ufeff").lstrip()
    return re.sub(r"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", r'\1"UTF-8"', text, count=1)


def _add_items(version: ScormPackageVersion, manifest: Manifest) -> None:
    position = 0
    for org in manifest.organizations:
        def add(item, parent, depth):
            nonlocal position
            threshold = dataclasses.asdict(item.completion_threshold) if item.completion_threshold else None
            version.items.append(ScormItem(
                organization=org.identifier, identifier=item.identifier[:255],
                parent_identifier=parent.identifier if parent else None, position=position, depth=depth,
                title=(item.title or item.identifier)[:500], scorm_type=item.scorm_type,
                resource_identifier=item.identifierref, launch_url=item.launch_url,
                launch_path=item.launch_path,
                parameters=item.parameters, visible=item.is_visible, mastery_score=item.mastery_score,
                scaled_passing_score=item.scaled_passing_score, max_time_allowed=item.max_time_allowed,
                time_limit_action=item.time_limit_action, data_from_lms=item.data_from_lms,
                prerequisites=item.prerequisites, completion_threshold=threshold,
                hide_lms_ui=list(item.hide_lms_ui),
                shared_data=[dataclasses.asdict(m) for m in item.shared_data]))
            position += 1
            for child in item.children:
                add(child, item, depth + 1)

        for top in org.items:
            add(top, None, 0)


def build_tree(manifest_xml: bytes, organization: str | None, report: Report | None = None) -> dict | None:
    """The sequencing engine's activity tree of ``organization``, as JSON (for inspection and reports; the
    engine rebuilds it from ``manifest_xml`` when it plays). None when the engine is not installed; when it
    cannot read the sequencing information, a warning goes into ``report`` and the import goes on."""
    try:
        from .sequencing import ManifestError, build_activity_tree
    except ImportError:
        return None
    try:
        tree = build_activity_tree(manifest_xml, organization_id=organization)
    except Exception as exc:  # noqa: BLE001 - ManifestError, or an engine bug: the package still imports
        if not isinstance(exc, ManifestError):
            log.exception("sequencing tree not built for organization %s", organization)
        if report is not None:
            report.issues.append(Issue(WARNING, "sequencing_invalid", {"detail": str(exc)}, MANIFEST_NAME))
        return None
    return _plain(tree)


def _plain(obj: Any, depth: int = 0) -> Any:
    """Dataclasses to JSON-able dicts, skipping back-references (``parent``) and indexes (``by_id``)."""
    if depth > 200:
        return None
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj)
                if f.name not in ("parent", "by_id", "order")}
    if isinstance(obj, dict):
        return {str(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v, depth + 1) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


# --- the course joint -----------------------------------------------------------------------------------

def add_scorm_activity(course, title: str | dict):
    """Append a ``scorm`` activity to the course's first section (created if missing), through the course
    joint (:func:`lms.courses.services.add_activity`)."""
    from lms.courses.models import Section
    from lms.courses.services import add_activity, add_section

    section = db.session.scalar(select(Section).where(Section.course_id == course.id)
                                .order_by(Section.position, Section.id).limit(1))
    if section is None:
        section = add_section(course)
    title_dict = title if isinstance(title, dict) else _title_in_course_languages(course, title)
    return add_activity(section, "scorm", title_dict, completion_rule="completed")


def _title_in_course_languages(course, title: str) -> dict:
    languages = list(course.languages or []) or [current_app.config.get("DEFAULT_LOCALE", "ar")]
    return {lang: title for lang in languages}


def find_course(course_id_or_shortname: str):
    from lms.courses.models import Course

    course = None
    if str(course_id_or_shortname).isdigit():
        course = db.session.get(Course, int(course_id_or_shortname))
    if course is None:
        course = db.session.scalar(select(Course).where(Course.shortname == str(course_id_or_shortname)))
    return course


def bench_course(shortname: str):
    """A course for the benchmark's throw-away database."""
    from lms.courses.models import Course

    course = find_course(shortname)
    if course is None:
        course = Course(shortname=shortname, title={"en": shortname}, languages=["en"])
        db.session.add(course)
        db.session.flush()
    return course
