"""SCORM package files: safe reading of zips and folders, extraction, and the validation report.

Pure (no Flask, no database): limits are passed in as :class:`Limits`; :mod:`lms.scorm.services` reads
them from the app config (``SCORM_MAX_TOTAL_BYTES``, ``SCORM_MAX_RATIO``, ``SCORM_MAX_FILES``).
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from .manifest import ERROR, MESSAGES, WARNING, Issue, Manifest, N_, parse_manifest

MANIFEST_NAME = "imsmanifest.xml"

PACKAGE_MESSAGES: dict[str, str] = {
    "not_a_zip": N_("The file is not a zip archive: %(detail)s"),
    "zip_corrupt": N_("The zip archive is damaged: %(detail)s"),
    "unsafe_path": N_("The archive entry %(name)s has an unsafe path (%(reason)s)."),
    "symlink": N_("The archive entry %(name)s is a symbolic link; links are not allowed."),
    "encrypted": N_("The archive entry %(name)s is encrypted."),
    "duplicate_entry": N_("The archive contains %(name)s more than once."),
    "case_collision": N_("The archive entries %(name)s and %(other)s differ only by case."),
    "too_many_files": N_("The archive has %(count)s files; at most %(limit)s are allowed."),
    "too_large": N_("The archive expands to %(size)s bytes; at most %(limit)s are allowed."),
    "ratio_exceeded": N_("The archive entry %(name)s is compressed %(ratio)s times; at most %(limit)s is "
                         "allowed (zip bomb?)."),
    "size_mismatch": N_("The archive entry %(name)s expands to more than the size it declares."),
    "unsupported_compression": N_("The archive entry %(name)s uses an unsupported compression method."),
    "not_found": N_("%(path)s does not exist or is neither a zip file nor a folder."),
    "unknown_kind": N_("This is not a package this site can import (no imsmanifest.xml, cmi5.xml or "
                       "tincan.xml)."),
}
MESSAGES.update(PACKAGE_MESSAGES)

# Below this size a high compression ratio is ordinary text, not a bomb.
RATIO_MIN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_total_bytes: int = 2 * 1024 ** 3
    max_ratio: float = 200.0
    max_files: int = 20_000


class UnsafePackage(Exception):
    """Raised when the archive must not be extracted; ``issues`` says why."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.message() for i in issues))
        self.issues = issues


# --- the report -----------------------------------------------------------------------------------------

@dataclass
class Report:
    """What validation found. ``ok`` is true when the package can be imported (no error)."""

    issues: list[Issue] = field(default_factory=list)
    version: str | None = None  # detected SCORM version, when the manifest could be read
    kind: str = "scorm"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self, translate: Callable[[str], str] | None = None,
              severity_label: Callable[[str], str] | None = None) -> list[str]:
        """One line per issue: ``error: file:line:column: message`` (location parts when known)."""
        out = []
        for issue in sorted(self.issues, key=lambda i: (i.severity != ERROR,)):
            label = severity_label(issue.severity) if severity_label else issue.severity
            loc = issue.location()
            message = issue.message(translate)
            out.append(f"{label}: {loc}: {message}" if loc else f"{label}: {message}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "version": self.version, "issues": [i.to_dict() for i in self.issues]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Report":
        data = data or {}
        return cls(issues=[Issue.from_dict(d) for d in data.get("issues", [])], version=data.get("version"),
                   kind=data.get("kind", "scorm"))


# --- safe archive reading -------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_reason(name: str) -> str | None:
    """Why an archive member name is unsafe, or None. Reasons are short English tokens."""
    if not name:
        return "empty name"
    if "\\" in name:
        return "backslash"
    if _CONTROL.search(name):
        return "control character"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    parts = name.split("/")
    if any(part == ".." for part in parts):
        return "parent directory"
    return None


def package_name(name: str) -> str:
    """The name a file has in the package: normalised path, Unicode NFC. Archives made on macOS store
    decomposed (NFD) accents while manifests and browsers use composed ones; extracting under the NFC name
    makes ``é`` in an href and ``é`` in the archive the same file."""
    return unicodedata.normalize("NFC", posixpath.normpath(name))


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_zip(zf: zipfile.ZipFile, limits: Limits) -> list[Issue]:
    """Every reason the archive must not be extracted (empty list: safe)."""
    issues: list[Issue] = []
    infos = zf.infolist()
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_files:
        issues.append(Issue(ERROR, "too_many_files", {"count": len(files), "limit": limits.max_files}))
    total = 0
    seen: dict[str, str] = {}
    seen_lower: dict[str, str] = {}
    for info in infos:
        name = info.filename
        reason = unsafe_reason(name)
        if reason:
            issues.append(Issue(ERROR, "unsafe_path", {"name": name, "reason": reason}))
            continue
        if is_symlink(info):
            issues.append(Issue(ERROR, "symlink", {"name": name}))
            continue
        if info.flag_bits & 0x1:
            issues.append(Issue(ERROR, "encrypted", {"name": name}))
            continue
        if info.is_dir():
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                      zipfile.ZIP_LZMA):
            issues.append(Issue(ERROR, "unsupported_compression", {"name": name}))
            continue
        normal = package_name(name)
        if normal in seen:
            issues.append(Issue(ERROR, "duplicate_entry", {"name": name}))
            continue
        seen[normal] = name
        if normal.lower() in seen_lower:
            issues.append(Issue(WARNING, "case_collision",
                                {"name": name, "other": seen_lower[normal.lower()]}))
        seen_lower.setdefault(normal.lower(), name)
        total += info.file_size
        if info.file_size >= RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                issues.append(Issue(ERROR, "ratio_exceeded", {"name": name, "ratio": int(ratio),
                                                               "limit": limits.max_ratio}))
    if total > limits.max_total_bytes:
        issues.append(Issue(ERROR, "too_large", {"size": total, "limit": limits.max_total_bytes}))
    return issues


class PackageSource:
    """Read-only view of a package's files, by package-relative POSIX path."""

    root_prefix: str = ""  # folder inside the archive that holds imsmanifest.xml ("" or ending with "/")

    def names(self) -> list[str]:
        raise NotImplementedError

    def read(self, path: str) -> bytes | None:
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        return path in self._name_set()

    def _name_set(self) -> set[str]:
        if not hasattr(self, "_names_cache"):
            self._names_cache = set(self.names())
        return self._names_cache

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ZipSource(PackageSource):
    """A zip archive, checked against ``limits`` before anything is read (raises :class:`UnsafePackage`)."""

    def __init__(self, file: str | os.PathLike | IO[bytes], limits: Limits = Limits()):
        self.limits = limits
        try:
            self.zf = zipfile.ZipFile(file)
        except zipfile.BadZipFile as exc:
            raise UnsafePackage([Issue(ERROR, "not_a_zip", {"detail": str(exc)})]) from None
        except (OSError, EOFError, ValueError) as exc:
            raise UnsafePackage([Issue(ERROR, "zip_corrupt", {"detail": str(exc)})]) from None
        issues = check_zip(self.zf, limits)
        self.warnings = [i for i in issues if not i.is_error]
        errors = [i for i in issues if i.is_error]
        if errors:
            self.zf.close()
            raise UnsafePackage(errors)
        members = [i for i in self.zf.infolist() if not i.is_dir() and not _is_junk(package_name(i.filename))]
        all_files = [package_name(i.filename) for i in members]
        self._members = {package_name(i.filename): i for i in members}
        self.root_prefix = _find_root(all_files)
        self._names = [n[len(self.root_prefix):] for n in all_files if n.startswith(self.root_prefix)]

    def names(self) -> list[str]:
        return list(self._names)

    def read(self, path: str) -> bytes | None:
        info = self._members.get(self.root_prefix + path)
        if info is None:
            return None
        try:
            with self.zf.open(info) as fh:
                return _bounded_read(fh, info, self.limits.max_total_bytes)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise UnsafePackage([Issue(ERROR, "zip_corrupt", {"detail": str(exc)})]) from None

    def extract_to(self, dest: Path, progress: Callable[[int], None] | None = None) -> int:
        """Write every file under ``dest`` (an empty or new folder). Returns bytes written. Sizes are
        enforced on the data itself, not on the (forgeable) sizes the archive declares."""
        try:
            return self._extract_to(Path(dest), progress)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise UnsafePackage([Issue(ERROR, "zip_corrupt", {"detail": str(exc)})]) from None

    def _extract_to(self, dest: Path, progress: Callable[[int], None] | None) -> int:
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written = 0
        aliases: list[tuple[Path, Path]] = []
        for rel in self._names:
            info = self._members[self.root_prefix + rel]
            # Written under the name the archive gives (the package's own pages use it); when that is not
            # NFC, the NFC name (what the manifest check and most browsers use) becomes a link to it.
            original = _strip_components(posixpath.normpath(info.filename), self.root_prefix)
            target = (dest / original).resolve()
            if root not in target.parents:
                raise UnsafePackage([Issue(ERROR, "unsafe_path", {"name": info.filename,
                                                                  "reason": "outside the package"})])
            if original != rel:
                aliases.append((target, (dest / rel).resolve()))
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.zf.open(info) as src, open(target, "xb") as out:
                remaining = info.file_size
                while True:
                    chunk = src.read(min(1024 * 1024, remaining + 1))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                    written += len(chunk)
                    if remaining < 0:
                        raise UnsafePackage([Issue(ERROR, "size_mismatch", {"name": info.filename})])
                    if written > self.limits.max_total_bytes:
                        raise UnsafePackage([Issue(ERROR, "too_large",
                                                   {"size": written, "limit": self.limits.max_total_bytes})])
                    out.write(chunk)
                    if progress:
                        progress(len(chunk))
            os.chmod(target, 0o644)
        for target, alias in aliases:
            if root in alias.parents and not alias.exists():
                alias.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, alias)
                except OSError:
                    shutil.copyfile(target, alias)
        return written

    @property
    def uncompressed_size(self) -> int:
        return sum(self._members[self.root_prefix + n].file_size for n in self._names)

    def close(self) -> None:
        self.zf.close()


def _is_junk(name: str) -> bool:
    """macOS resource forks (``__MACOSX/``) that Finder adds to every archive it makes."""
    return name.startswith("__MACOSX/") or "/__MACOSX/" in name


def _strip_components(name: str, prefix: str) -> str:
    """``name`` without as many leading folders as ``prefix`` has (prefixes are compared in NFC)."""
    count = prefix.count("/")
    return name.split("/", count)[count] if count else name


def _bounded_read(fh: IO[bytes], info: zipfile.ZipInfo, limit: int) -> bytes:
    data = fh.read(min(info.file_size, limit) + 1)
    if len(data) > info.file_size:
        raise UnsafePackage([Issue(ERROR, "size_mismatch", {"name": info.filename})])
    return data


class DirSource(PackageSource):
    """An unpacked package folder (for ``lms content validate``/``import`` on a folder). Symbolic links
    are refused like in archives."""

    def __init__(self, path: str | os.PathLike, limits: Limits = Limits()):
        self.path = Path(path)
        self.limits = limits
        self.warnings: list[Issue] = []
        self._real: dict[str, str] = {}  # NFC package name -> name on disk
        names, errors, total = [], [], 0
        for dirpath, dirnames, filenames in os.walk(self.path):
            for name in list(dirnames) + filenames:
                full = Path(dirpath) / name
                rel = full.relative_to(self.path).as_posix()
                if full.is_symlink():
                    errors.append(Issue(ERROR, "symlink", {"name": rel}))
                    if name in dirnames:
                        dirnames.remove(name)
                elif name in filenames and not _is_junk(package_name(rel)):
                    names.append(rel)
                    self._real[package_name(rel)] = rel
                    total += full.stat().st_size
        if len(names) > limits.max_files:
            errors.append(Issue(ERROR, "too_many_files", {"count": len(names), "limit": limits.max_files}))
        if total > limits.max_total_bytes:
            errors.append(Issue(ERROR, "too_large", {"size": total, "limit": limits.max_total_bytes}))
        if errors:
            raise UnsafePackage(errors)
        names = sorted(self._real)
        self.root_prefix = _find_root(names)
        self._names = [n[len(self.root_prefix):] for n in names if n.startswith(self.root_prefix)]

    def names(self) -> list[str]:
        return list(self._names)

    def read(self, path: str) -> bytes | None:
        if not self.exists(path):
            return None
        return (self.path / self._real[self.root_prefix + path]).read_bytes()

    @property
    def uncompressed_size(self) -> int:
        return sum((self.path / self._real[self.root_prefix + n]).stat().st_size for n in self._names)

    def to_zip(self, target: IO[bytes]) -> None:
        """Write the package as a deterministic zip (sorted names, fixed dates), so the same folder always
        gives the same digest."""
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for name in self._names:
                real = self._real[self.root_prefix + name]
                info = zipfile.ZipInfo(_strip_components(real, self.root_prefix),
                                       date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with open(self.path / real, "rb") as src, \
                        zf.open(info, "w", force_zip64=True) as out:
                    shutil.copyfileobj(src, out, 1024 * 1024)


def _find_root(names: Iterable[str]) -> str:
    """"" when imsmanifest.xml (or another kind's descriptor) is at the root; else the single folder that
    holds it (archives made by zipping the folder instead of its contents)."""
    names = list(names)
    top = {n.split("/", 1)[0] for n in names}
    if any("/" not in n for n in names if n.lower() in _DESCRIPTORS):
        return ""
    if len(top) == 1:
        folder = next(iter(top))
        if any(n.lower() == f"{folder}/{d}".lower() for n in names for d in _DESCRIPTORS):
            return folder + "/"
    return ""


_DESCRIPTORS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")


def open_source(path_or_file: str | os.PathLike | IO[bytes], limits: Limits = Limits()) -> PackageSource:
    """A :class:`PackageSource` for a zip (path or binary file object) or a folder."""
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if path.is_dir():
            return DirSource(path, limits)
        if not path.is_file():
            raise UnsafePackage([Issue(ERROR, "not_found", {"path": str(path)})])
    return ZipSource(path_or_file, limits)


# --- validation -----------------------------------------------------------------------------------------

def validate_source(source: PackageSource) -> tuple[Manifest | None, Report]:
    """Parse and check the SCORM package in ``source``."""
    issues: list[Issue] = list(getattr(source, "warnings", []))
    if source.root_prefix:
        issues.append(Issue(WARNING, "manifest_in_subfolder", {"folder": source.root_prefix.rstrip("/")}))
    data = source.read(MANIFEST_NAME)
    if data is None:
        issues.append(Issue(ERROR, "manifest_missing", {}))
        return None, Report(issues)
    manifest, manifest_issues = parse_manifest(data, filename=MANIFEST_NAME, file_exists=source.exists,
                                               read_file=source.read)
    issues.extend(manifest_issues)
    return manifest, Report(issues, version=manifest.version if manifest else None)


def validate_package(path_or_file: str | os.PathLike | IO[bytes], limits: Limits = Limits()
                     ) -> tuple[Manifest | None, Report]:
    """Validate a zip or folder without extracting it."""
    try:
        with open_source(path_or_file, limits) as source:
            return validate_source(source)
    except UnsafePackage as exc:
        return None, Report(exc.issues)


def spool_to_tempfile(fileobj: IO[bytes]) -> IO[bytes]:
    """Copy an upload stream to a seekable temporary file (zip reading needs to seek)."""
    tmp = tempfile.TemporaryFile()
    shutil.copyfileobj(fileobj, tmp, 1024 * 1024)
    tmp.seek(0)
    return tmp
