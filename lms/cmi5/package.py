"""Reading cmi5 and TinCan packages: zips and folders through the SCORM area's safe sources, and a bare
``cmi5.xml`` (cmi5 §14.2). Validation builds the same :class:`lms.scorm.package.Report` as SCORM."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

from lms.scorm.manifest import ERROR, Issue
from lms.scorm.package import DirSource, Limits, PackageSource, Report, UnsafePackage, ZipSource

from .structure import (CMI5_FILE, TINCAN_FILE, CourseStructure, TinCanPackageInfo, parse_course_structure,
                        parse_tincan)


class XmlFileSource(PackageSource):
    """A bare course structure file: a package of one file, without content."""

    def __init__(self, path: str | os.PathLike, limits: Limits = Limits()):
        self.path = Path(path)
        self.warnings: list[Issue] = []
        size = self.path.stat().st_size
        if size > limits.max_total_bytes:
            raise UnsafePackage([Issue(ERROR, "too_large", {"size": size, "limit": limits.max_total_bytes})])
        self.uncompressed_size = size

    def names(self) -> list[str]:
        return [CMI5_FILE]

    def read(self, path: str) -> bytes | None:
        return self.path.read_bytes() if path == CMI5_FILE else None


def is_bare(source: PackageSource) -> bool:
    return isinstance(source, XmlFileSource)


def validate_cmi5(source: PackageSource) -> tuple[CourseStructure | None, Report]:
    issues: list[Issue] = list(getattr(source, "warnings", []))
    data = source.read(CMI5_FILE)
    if data is None:
        issues.append(Issue(ERROR, "cmi5_missing", {}))
        return None, Report(issues, kind="cmi5")
    structure, found = parse_course_structure(data, CMI5_FILE,
                                              None if is_bare(source) else source.exists)
    issues.extend(found)
    return structure, Report(issues, version="1.0" if structure else None, kind="cmi5")


def validate_tincan(source: PackageSource) -> tuple[TinCanPackageInfo | None, Report]:
    issues: list[Issue] = list(getattr(source, "warnings", []))
    data = source.read(TINCAN_FILE)
    if data is None:
        issues.append(Issue(ERROR, "unknown_kind", {}))
        return None, Report(issues, kind="tincan")
    info, found = parse_tincan(data, TINCAN_FILE, source.exists)
    issues.extend(found)
    return info, Report(issues, kind="tincan")


class Spooled:
    """What was uploaded, as one file on disk: a zip (folders are zipped deterministically) or a bare XML.
    Deleted on close."""

    def __init__(self, path_or_file: str | os.PathLike | IO[bytes], limits: Limits):
        self._tmpdir = tempfile.mkdtemp(prefix="cmi5-upload-")
        self.original_filename: str | None = None
        if isinstance(path_or_file, (str, os.PathLike)):
            source_path = Path(path_or_file)
            self.original_filename = source_path.name
            self.is_xml = source_path.is_file() and source_path.suffix.lower() == ".xml"
            self.path = Path(self._tmpdir) / ("cmi5.xml" if self.is_xml else "package.zip")
            if source_path.is_dir():
                with DirSource(source_path, limits) as folder, open(self.path, "wb") as out:
                    folder.to_zip(out)
            elif source_path.is_file():
                shutil.copyfile(source_path, self.path)
            else:
                raise UnsafePackage([Issue(ERROR, "not_found", {"path": str(source_path)})])
        else:
            name = getattr(path_or_file, "filename", None) or getattr(path_or_file, "name", None)
            self.original_filename = os.path.basename(name) if isinstance(name, str) else None
            self.is_xml = bool(self.original_filename and self.original_filename.lower().endswith(".xml"))
            self.path = Path(self._tmpdir) / ("cmi5.xml" if self.is_xml else "package.zip")
            stream = getattr(path_or_file, "stream", path_or_file)
            if hasattr(stream, "seek"):
                try:
                    stream.seek(0)
                except (OSError, ValueError):
                    pass
            with open(self.path, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
        self.limits = limits

    def source(self) -> PackageSource:
        return XmlFileSource(self.path, self.limits) if self.is_xml else ZipSource(self.path, self.limits)

    def close(self) -> None:
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
