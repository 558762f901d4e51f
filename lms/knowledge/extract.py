"""Searchable text from attachments: PDF (pypdf), office files (their XML), plain text."""
from __future__ import annotations

import io
import logging
import zipfile

from lxml import etree

log = logging.getLogger(__name__)

MAX_TEXT = 500_000  # characters kept per attachment
_OFFICE_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("word/document.xml",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("ppt/slides/",),
    "application/vnd.oasis.opendocument.text": ("content.xml",),
    "application/vnd.oasis.opendocument.presentation": ("content.xml",),
}
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def extract_text(data: bytes, mimetype: str, filename: str = "") -> str:
    """Best effort: a file we cannot read is still stored, just not searchable by its content."""
    try:
        if mimetype == "application/pdf" or filename.lower().endswith(".pdf"):
            return _pdf_text(data)
        if mimetype in _OFFICE_PARTS:
            return _office_text(data, _OFFICE_PARTS[mimetype])
        if mimetype.startswith("text/"):
            return data.decode("utf-8", errors="replace")[:MAX_TEXT]
    except Exception as error:  # noqa: BLE001 — malformed files must not break an upload
        log.warning("text extraction failed for %s: %s", filename, error)
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(parts)[:MAX_TEXT]


def _office_text(data: bytes, prefixes: tuple[str, ...]) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not any(info.filename.startswith(p) for p in prefixes) or not info.filename.endswith(".xml"):
                continue
            if info.file_size > 50 * 1024 * 1024:
                continue
            root = etree.fromstring(archive.read(info), _SAFE_XML)
            parts.append(" ".join(t.strip() for t in root.itertext() if t.strip()))
    return "\n".join(parts)[:MAX_TEXT]
