"""Builders for the SCORM packages the tests import: written into a temporary folder by each test, so the
repository holds no binary fixtures. Hostile archives (path traversal, symlinks, bombs...) included."""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path

SCO_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><script src="{api_js}"></script></body></html>"""

NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
NS_2004 = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
           'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
           'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
           'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
           'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')


def manifest_12(organizations: str, resources: str, *, schemaversion: str | None = "1.2",
                default: str | None = "ORG-1", extra: str = "") -> str:
    meta = f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>" \
        if schemaversion else ""
    default_attr = f' default="{default}"' if default is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest identifier="MANIFEST-12" version="1" {NS_12}>\n'
            f"{meta}\n<organizations{default_attr}>{organizations}</organizations>\n"
            f"<resources>{resources}</resources>{extra}\n</manifest>\n")


def manifest_2004(organizations: str, resources: str, *, schemaversion: str | None = "2004 4th Edition",
                  default: str | None = "ORG-1", base: str | None = None, resources_base: str | None = None,
                  extra: str = "") -> str:
    meta = f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>" \
        if schemaversion else ""
    default_attr = f' default="{default}"' if default is not None else ""
    base_attr = f' xml:base="{base}"' if base is not None else ""
    res_base_attr = f' xml:base="{resources_base}"' if resources_base is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest identifier="MANIFEST-2004" version="1" {NS_2004}'
            f"{base_attr}>\n{meta}\n<organizations{default_attr}>{organizations}</organizations>\n"
            f"<resources{res_base_attr}>{resources}</resources>{extra}\n</manifest>\n")


def sco_html(title: str) -> str:
    return SCO_HTML.format(title=title, api_js="sco.js")


def write_zip(path: Path, files: dict[str, str | bytes], *, zip64: bool = False,
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression, allowZip64=True) as zf:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=zip64) as out:
                out.write(data)
    return path


def write_folder(path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --- well-formed packages ------------------------------------------------------------------------------

def scorm12_single_files(title: str = "Safety basics") -> dict[str, str | bytes]:
    manifest = manifest_12(
        f"""<organization identifier="ORG-1"><title>{title}</title>
              <item identifier="ITEM-1" identifierref="RES-1" isvisible="true" parameters="?lang=ar">
                <title>Lesson 1</title>
                <adlcp:masteryscore>80</adlcp:masteryscore>
                <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
                <adlcp:timelimitaction>exit,message</adlcp:timelimitaction>
                <adlcp:datafromlms>mode=exam</adlcp:datafromlms>
                <adlcp:prerequisites type="aicc_script">ITEM-0</adlcp:prerequisites>
              </item></organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
              <file href="index.html"/><file href="sco.js"/></resource>""")
    return {"imsmanifest.xml": manifest, "index.html": sco_html("Lesson 1"), "sco.js": "/* sco */"}


def scorm12_multi_files() -> dict[str, str | bytes]:
    manifest = manifest_12(
        """<organization identifier="ORG-1"><title>Multi</title>
              <item identifier="MOD-1"><title>Module 1</title>
                <item identifier="ITEM-1" identifierref="RES-1"><title>Lesson 1</title></item>
                <item identifier="ITEM-2" identifierref="RES-2"><title>Lesson 2</title></item>
              </item>
              <item identifier="ITEM-3" identifierref="RES-3"><title>Glossary</title></item>
            </organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="l1/index.html">
              <file href="l1/index.html"/></resource>
           <resource identifier="RES-2" type="webcontent" adlcp:scormtype="sco" href="l2/index.html">
              <file href="l2/index.html"/></resource>
           <resource identifier="RES-3" type="webcontent" adlcp:scormtype="asset" href="glossary.html">
              <file href="glossary.html"/></resource>""")
    return {"imsmanifest.xml": manifest, "l1/index.html": sco_html("Lesson 1"),
            "l2/index.html": sco_html("Lesson 2"), "glossary.html": "<p>Glossary</p>"}


def scorm2004_files(edition: str = "2004 4th Edition") -> dict[str, str | bytes]:
    """Two organisations, xml:base on manifest/resources/resource, whitespace around identifiers,
    sequencing, presentation, completion threshold, shared data and external metadata."""
    manifest = manifest_2004(
        """<organization identifier="  ORG-1 " adlseq:objectivesGlobalToSystem="false">
              <title>Course 2004</title>
              <item identifier=" ITEM-1" identifierref=" RES-1  " parameters="&amp;page=2#start">
                <title>Part 1</title>
                <adlcp:timeLimitAction>continue,message</adlcp:timeLimitAction>
                <adlcp:dataFromLMS>launch data</adlcp:dataFromLMS>
                <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"
                                           progressWeight="0.5"/>
                <imsss:sequencing>
                  <imsss:limitConditions attemptAbsoluteDurationLimit="PT1H"/>
                  <imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">
                    <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>
                  </imsss:objectives>
                </imsss:sequencing>
                <adlnav:presentation><adlnav:navigationInterface>
                  <adlnav:hideLMSUI>continue</adlnav:hideLMSUI><adlnav:hideLMSUI>previous</adlnav:hideLMSUI>
                </adlnav:navigationInterface></adlnav:presentation>
                <adlcp:data><adlcp:map targetID="notes" readSharedData="true" writeSharedData="true"/></adlcp:data>
              </item>
              <item identifier="ITEM-2" identifierref="RES-2"><title>Part 2</title></item>
              <imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
            </organization>
            <organization identifier="ORG-2"><title>Review only</title>
              <item identifier="ITEM-R" identifierref="RES-2"><title>Review</title></item>
            </organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormType="sco" href="part1.html?x=1"
                     xml:base="p1/">
              <metadata><adlcp:location>meta/part1.xml</adlcp:location></metadata>
              <file href="part1.html"/><dependency identifierref=" SHARED "/></resource>
           <resource identifier="RES-2" type="webcontent" adlcp:scormType="sco" href="part2.html">
              <metadata><lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title>
                <string language="fr">Partie 2</string><string language="ar">الجزء 2</string>
              </title></general></lom></metadata>
              <file href="part2.html"/></resource>
           <resource identifier="SHARED" type="webcontent" adlcp:scormType="asset">
              <file href="shared/api.js"/></resource>""",
        schemaversion=edition, base="content/", resources_base="res/")
    meta = ('<?xml version="1.0"?><lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title>'
            '<string language="en">Part one</string></title></general></lom>')
    return {"imsmanifest.xml": manifest,
            "content/res/p1/part1.html": sco_html("Part 1"),
            "content/res/p1/meta/part1.xml": meta,
            "content/res/part2.html": sco_html("Part 2"),
            "content/res/shared/api.js": "/* shared */"}


def scorm12_package(tmp_path: Path, name: str = "scorm12.zip", **kw) -> Path:
    return write_zip(tmp_path / name, scorm12_single_files(**kw))


def scorm12_multi_package(tmp_path: Path, name: str = "scorm12-multi.zip") -> Path:
    return write_zip(tmp_path / name, scorm12_multi_files())


def scorm2004_package(tmp_path: Path, name: str = "scorm2004.zip", **kw) -> Path:
    return write_zip(tmp_path / name, scorm2004_files(**kw))


# --- hostile archives -----------------------------------------------------------------------------------

def zip_with_raw_names(path: Path, names: list[str], base: dict[str, str | bytes] | None = None) -> Path:
    """A valid package plus entries whose names are written verbatim (zipfile would not sanitise them
    when writing, only when extracting)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in (base or scorm12_single_files()).items():
            zf.writestr(name, content)
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, b"owned")
    return path


def symlink_zip(path: Path, target: str = "/etc/passwd") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in scorm12_single_files().items():
            zf.writestr(name, content)
        info = zipfile.ZipInfo("link.html", date_time=(2024, 1, 1, 0, 0, 0))
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
    return path


def bomb_zip(path: Path, size: int = 8 * 1024 * 1024) -> Path:
    """One entry of zeros: compresses about 1000 times."""
    files = dict(scorm12_single_files())
    files["media/zeros.bin"] = b"\0" * size
    return write_zip(path, files)


def many_files_zip(path: Path, count: int) -> Path:
    files = dict(scorm12_single_files())
    for i in range(count):
        files[f"assets/f{i}.txt"] = str(i)
    return write_zip(path, files)


def lying_size_zip(path: Path) -> Path:
    """An entry whose central directory claims fewer bytes than it really holds."""
    files = dict(scorm12_single_files())
    files["big.txt"] = b"A" * 50_000
    write_zip(path, files, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    # Patch the uncompressed size in the local header and in the central directory entry of big.txt.
    name = b"big.txt"
    offset = 0
    while True:
        local = data.find(b"PK\x03\x04", offset)
        if local < 0:
            break
        name_len = int.from_bytes(data[local + 26:local + 28], "little")
        if bytes(data[local + 30:local + 30 + name_len]) == name:
            data[local + 22:local + 26] = (100).to_bytes(4, "little")
            data[local + 18:local + 22] = (100).to_bytes(4, "little")
        offset = local + 4
    offset = 0
    while True:
        central = data.find(b"PK\x01\x02", offset)
        if central < 0:
            break
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if bytes(data[central + 46:central + 46 + name_len]) == name:
            data[central + 24:central + 28] = (100).to_bytes(4, "little")
            data[central + 20:central + 24] = (100).to_bytes(4, "little")
        offset = central + 4
    path.write_bytes(bytes(data))
    return path
