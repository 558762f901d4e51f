"""Course archives: a zip with ``course.json`` (structure and each type's ``export_data``) and
``blobs/<sha256>`` (the files each type lists in ``export_files``). Imported archives are untrusted."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime

from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.storage import storage

from . import services
from .activities import activity_types
from .models import Activity, Category, Course, Section
from .services import ACTIVITY_COPY_FIELDS, COURSE_COPY_FIELDS

FORMAT = "tamkeen-course"
VERSION = 1
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
BLOB_NAME = re.compile(r"^blobs/([0-9a-f]{64})$")
DATE_FIELDS = {"start_at", "end_at", "enrol_start_at", "enrol_end_at", "available_from", "available_until", "due_at"}


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def export_course(course: Course) -> bytes:
    digests: set[str] = set()
    fields = {name: _plain(getattr(course, name)) for name in COURSE_COPY_FIELDS if name != "category_id"}
    if course.image_digest:
        digests.add(course.image_digest)
    structure = {
        "format": FORMAT, "version": VERSION,
        "course": {"shortname": course.shortname, "title": course.title, **fields,
                   "category": course.category.code if course.category else None},
        "sections": [],
    }
    for section in course.sections:
        entry = {"title": section.title, "summary": section.summary, "visible": section.visible, "activities": []}
        for activity in section.activities:
            activity_type = activity.type
            files = activity_type.export_files(activity)
            digests.update(files)
            entry["activities"].append({
                "uuid": activity.uuid,
                **{name: _plain(getattr(activity, name)) for name in ACTIVITY_COPY_FIELDS},
                "data": activity_type.export_data(activity), "files": files,
            })
        structure["sections"].append(entry)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(structure, ensure_ascii=False, indent=1))
        for digest in sorted(digests):
            if storage.has_blob(digest):
                archive.write(storage.blob_path(digest), f"blobs/{digest}")
    return buffer.getvalue()


def _bad(message=None) -> DomainError:
    return DomainError(message or _("This file is not a course archive exported from Tamkeen."), code="bad_archive")


def _parse_dates(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name in DATE_FIELDS and value:
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                value = None
        out[name] = value
    return out


def import_course(stream, *, by, shortname: str | None = None) -> Course:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        raise _bad() from None
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        if "course.json" not in infos or infos["course.json"].file_size > MAX_JSON_BYTES:
            raise _bad()
        if sum(info.file_size for info in infos.values()) > MAX_TOTAL_BYTES:
            raise _bad(_("The archive is too large."))
        try:
            structure = json.loads(archive.read("course.json"))
        except (ValueError, UnicodeDecodeError):
            raise _bad() from None
        if not isinstance(structure, dict) or structure.get("format") != FORMAT or \
                int(structure.get("version") or 0) > VERSION:
            raise _bad()
        # Store the blobs first; a digest that does not match its content is refused.
        for name, info in infos.items():
            match = BLOB_NAME.match(name)
            if not match:
                continue
            with archive.open(info) as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != match.group(1):
                raise _bad(_("The archive is damaged: a file does not match its checksum."))
            storage.put_blob(data)
    meta = structure.get("course") or {}
    missing_types = sorted({a.get("type_key") for s in structure.get("sections") or [] for a in s.get("activities") or []
                            if a.get("type_key") not in activity_types})
    if missing_types:
        raise _bad(_("The archive uses activity types this site does not have: %(types)s",
                     types=", ".join(str(t) for t in missing_types)))
    base = shortname or str(meta.get("shortname") or "imported")[:90]
    candidate, n = base, 1
    while db.session.scalar(select(Course.id).where(Course.shortname == candidate)):
        n += 1
        candidate = f"{base}-{n}"
    fields = _parse_dates({k: meta.get(k) for k in COURSE_COPY_FIELDS if k in meta and k != "category_id"})
    if fields.get("image_digest") and not storage.has_blob(fields["image_digest"]):
        fields["image_digest"] = None
    category = None
    if meta.get("category"):
        category = db.session.scalar(select(Category).where(Category.code == meta["category"]))
    fields["visible"] = False
    fields["category_id"] = category.id if category else None
    title = meta.get("title") if isinstance(meta.get("title"), dict) else {"fr": str(meta.get("title") or candidate)}
    course = services.create_course(shortname=candidate, title=title, created_by=by, **fields)
    first = course.sections[0]
    for index, entry in enumerate(structure.get("sections") or []):
        section = first if index == 0 else Section(course_id=course.id, position=index)
        section.title = entry.get("title") if isinstance(entry.get("title"), dict) else {}
        section.summary = entry.get("summary") if isinstance(entry.get("summary"), dict) else None
        section.visible = bool(entry.get("visible", True))
        db.session.add(section)
        db.session.flush()
        for position, item in enumerate(entry.get("activities") or []):
            values = _parse_dates({name: item.get(name) for name in ACTIVITY_COPY_FIELDS if name in item})
            values.setdefault("settings", {})
            if not isinstance(values.get("title"), dict):
                values["title"] = {"fr": str(values.get("title") or "")}
            activity = Activity(course_id=course.id, section_id=section.id, position=position, **values)
            db.session.add(activity)
            db.session.flush()
            activity.type.import_data(activity, item.get("data") or {})
    db.session.flush()
    db.session.expire(course)
    return course
