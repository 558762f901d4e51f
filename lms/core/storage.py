"""Content-addressed file storage (DESIGN.md §4).

Blobs live at ``<root>/blobs/<2-hex>/<sha256>``; extracted packages at ``<root>/<2-hex>/<sha256>/...``.
What is written under a digest never changes, so a package version is immutable and any number of web
hosts can share the folder (a shared volume) without coordination.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import abort, current_app, send_file

CHUNK = 1024 * 1024


class LocalStorage:
    def __init__(self) -> None:
        self._root: Path | None = None

    def init_app(self, app) -> None:
        root = app.config.get("CONTENT_PACKAGES_DIR")
        app.config["CONTENT_PACKAGES_DIR"] = str(Path(root) if root else Path(app.root_path).parent / "content_packages")
        Path(app.config["CONTENT_PACKAGES_DIR"]).mkdir(parents=True, exist_ok=True)

    @property
    def root(self) -> Path:
        return Path(current_app.config["CONTENT_PACKAGES_DIR"])

    # -- blobs -------------------------------------------------------------------------------------------
    def blob_path(self, digest: str) -> Path:
        self._check_digest(digest)
        return self.root / "blobs" / digest[:2] / digest

    def put_blob(self, data: bytes | BinaryIO) -> str:
        """Store bytes or a file object; returns its sha256 hex digest."""
        stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        hasher = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=tmp_dir, delete=False) as tmp:
            while chunk := stream.read(CHUNK):
                hasher.update(chunk)
                tmp.write(chunk)
        digest = hasher.hexdigest()
        target = self.blob_path(digest)
        if target.exists():
            os.unlink(tmp.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp.name, target)
        return digest

    def open_blob(self, digest: str) -> BinaryIO:
        return open(self.blob_path(digest), "rb")

    def has_blob(self, digest: str) -> bool:
        return self.blob_path(digest).exists()

    # -- extracted packages ------------------------------------------------------------------------------
    def package_dir(self, digest: str) -> Path:
        self._check_digest(digest)
        return self.root / digest[:2] / digest

    def has_package(self, digest: str) -> bool:
        return (self.package_dir(digest) / ".complete").exists()

    def write_package(self, digest: str, fill) -> Path:
        """Call ``fill(staging_dir)`` to write the files, then publish the folder atomically, once."""
        target = self.package_dir(digest)
        if self.has_package(digest):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
        try:
            fill(staging)
            (staging / ".complete").write_text(digest)
            try:
                os.rename(staging, target)
            except OSError:
                if not self.has_package(digest):  # a half-written folder from a crash: replace it
                    shutil.rmtree(target, ignore_errors=True)
                    os.rename(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def package_file(self, digest: str, relpath: str) -> Path:
        """Safe join: refuses anything that would leave the package folder."""
        base = self.package_dir(digest).resolve()
        parts = PurePosixPath(relpath.replace("\\", "/"))
        if parts.is_absolute() or ".." in parts.parts:
            abort(404)
        candidate = (base / parts).resolve()
        if base != candidate and base not in candidate.parents:
            abort(404)
        return candidate

    def send_package_file(self, digest: str, relpath: str, max_age: int = 3600):
        path = self.package_file(digest, relpath)
        if not path.is_file() or path.name == ".complete":
            abort(404)
        # conditional=True answers Range requests (video, large media) and If-Modified-Since.
        response = send_file(path, conditional=True, max_age=max_age)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def send_blob(self, digest: str, download_name: str | None = None, mimetype: str | None = None,
                  as_attachment: bool = False):
        path = self.blob_path(digest)
        if not path.is_file():
            abort(404)
        return send_file(path, conditional=True, download_name=download_name, mimetype=mimetype,
                         as_attachment=as_attachment)

    @staticmethod
    def _check_digest(digest: str) -> None:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")


storage = LocalStorage()
