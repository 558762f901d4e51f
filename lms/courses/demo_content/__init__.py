"""The five demo SCORM 1.2 lessons, built from source files into zip packages on demand.

``build_package(key)`` returns the bytes of a valid SCORM 1.2 package (imsmanifest.xml + one SCO):
``player/`` holds the shared HTML, CSS and JavaScript, ``lessons.py`` the original text and questions
in Arabic and French. Nothing binary is committed.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .lessons import LESSONS, UI

PLAYER = Path(__file__).parent / "player"
MASTERY_SCORE = 70
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # reproducible zips: same content, same digest

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="tamkeen-{key}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org-{key}">
    <organization identifier="org-{key}">
      <title>{title}</title>
      <item identifier="item-{key}" identifierref="res-{key}">
        <title>{title}</title>
        <adlcp:masteryscore>{mastery}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-{key}" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="lesson.js"/><file href="lesson.css"/><file href="content.js"/>
    </resource>
  </resources>
</manifest>
"""


def lesson_keys() -> list[str]:
    return list(LESSONS)


def content_js(key: str) -> str:
    data = {code: {**LESSONS[key][code], "ui": UI[code]} for code in ("ar", "fr")}
    data["mastery"] = MASTERY_SCORE
    return "window.LESSON = " + json.dumps(data, ensure_ascii=False, indent=1) + ";\n"


def build_package(key: str) -> bytes:
    if key not in LESSONS:
        raise KeyError(key)
    title = f"{LESSONS[key]['ar']['title']} — {LESSONS[key]['fr']['title']}"
    files = {
        "imsmanifest.xml": MANIFEST.format(key=key, title=escape(title), mastery=MASTERY_SCORE),
        "index.html": (PLAYER / "index.html").read_text(encoding="utf-8"),
        "lesson.js": (PLAYER / "lesson.js").read_text(encoding="utf-8"),
        "lesson.css": (PLAYER / "lesson.css").read_text(encoding="utf-8"),
        "content.js": content_js(key),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
