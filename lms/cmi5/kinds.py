"""The cmi5 and TinCan kinds of ``lms content validate/import`` (the SCORM area's package-kind registry)."""
from __future__ import annotations

from lms.scorm.kinds import register_package_kind, register_source_opener

from .package import XmlFileSource, validate_cmi5, validate_tincan
from .structure import CMI5_FILE, TINCAN_FILE


def _cmi5_detect(source) -> bool:
    return isinstance(source, XmlFileSource) or source.exists(CMI5_FILE)


def _cmi5_import(course, path, *, title=None, progress=None, user=None):
    from .services import import_cmi5

    return import_cmi5(course, path, title=title, progress=progress, user=user).activity


def _tincan_import(course, path, *, title=None, progress=None, user=None):
    from lms.courses.models import Activity
    from lms.core.db import db

    from .services import import_tincan

    package = import_tincan(course, path, title=title, progress=progress, user=user)
    return db.session.get(Activity, package.activity_id)


register_package_kind("cmi5", _cmi5_detect, lambda source: validate_cmi5(source)[1], _cmi5_import,
                      priority=10)
register_package_kind("tincan", lambda source: source.exists(TINCAN_FILE),
                      lambda source: validate_tincan(source)[1], _tincan_import, priority=20)


def _open_bare_xml(path, limits):
    """A bare course structure (cmi5 §14.2) given to ``lms content``: any ``.xml`` file."""
    if path.is_file() and path.suffix.lower() == ".xml":
        return XmlFileSource(path, limits)
    return None


register_source_opener(_open_bare_xml)
