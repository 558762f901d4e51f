"""Registry of content package kinds for ``lms content validate`` and ``lms content import``.

SCORM registers itself here; other areas (cmi5, TinCan) add their kind without editing this code::

    from lms.scorm.kinds import register_package_kind

    register_package_kind("cmi5", detect=lambda source: source.exists("cmi5.xml"),
                          validate=validate_cmi5, import_=import_cmi5, priority=10)

``detect(source) -> bool`` and ``validate(source) -> Report`` receive a
:class:`lms.scorm.package.PackageSource` that has already passed the archive safety checks (paths, links, sizes). ``import_(course, path, *, title,
progress, user) -> Activity`` imports from the original path (zip or folder) and flushes; ``progress`` is a
callable taking a number of bytes, or None. Kinds are tried by ascending ``priority``; the first whose
``detect`` answers True handles the package.

A kind whose packages are not zips or folders (a bare ``cmi5.xml``) registers a source opener:
``register_source_opener(opener)`` with ``opener(path: Path, limits) -> PackageSource | None`` (None: not
mine). Openers are asked before the zip/folder reader.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .package import Limits, PackageSource, Report, open_source


@dataclass(frozen=True)
class PackageKind:
    key: str
    detect: Callable[[PackageSource], bool]
    validate: Callable[[PackageSource], Report]
    import_: Callable[..., Any]
    priority: int = 100


_kinds: dict[str, PackageKind] = {}


def register_package_kind(key: str, detect: Callable[[PackageSource], bool],
                          validate: Callable[[PackageSource], Report], import_: Callable[..., Any],
                          priority: int = 100) -> PackageKind:
    kind = PackageKind(key, detect, validate, import_, priority)
    _kinds[key] = kind
    return kind


def unregister_package_kind(key: str) -> None:
    _kinds.pop(key, None)


def package_kinds() -> list[PackageKind]:
    return sorted(_kinds.values(), key=lambda k: (k.priority, k.key))


def detect_kind(source: PackageSource) -> PackageKind | None:
    for kind in package_kinds():
        if kind.detect(source):
            return kind
    return None


SourceOpener = Callable[[Path, Limits], "PackageSource | None"]
_openers: list[SourceOpener] = []


def register_source_opener(opener: SourceOpener) -> SourceOpener:
    if opener not in _openers:
        _openers.append(opener)
    return opener


def unregister_source_opener(opener: SourceOpener) -> None:
    if opener in _openers:
        _openers.remove(opener)


def open_package(path: str | Path, limits: Limits) -> PackageSource:
    """The registered openers first, then a zip or a folder (raises UnsafePackage like ``open_source``)."""
    path = Path(path)
    for opener in _openers:
        source = opener(path, limits)
        if source is not None:
            return source
    return open_source(path, limits)
