"""cmi5 and TinCan packages written for the tests: a course structure builder and zip helpers."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
BASE = "https://example.test/cmi5"


def _text(tag: str, value: str) -> str:
    return f'<{tag}><langstring lang="en-US">{escape(value)}</langstring></{tag}>'


def au_xml(au_id: str = f"{BASE}/au/1", url: str = "au1/index.html", *, title: str = "Unit one", attrs: dict | None = None,
           objectives: list[str] | None = None, launch_parameters: str | None = None,
           entitlement_key: str | None = None, description: str | None = "About unit one") -> str:
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in (attrs or {}).items())
    parts = [_text("title", title)]
    if description is not None:
        parts.append(_text("description", description))
    if objectives:
        parts.append("<objectives>" + "".join(f"<objective idref={quoteattr(o)}/>" for o in objectives)
                     + "</objectives>")
    parts.append(f"<url>{escape(url)}</url>")
    if launch_parameters is not None:
        parts.append(f"<launchParameters>{escape(launch_parameters)}</launchParameters>")
    if entitlement_key is not None:
        parts.append(f"<entitlementKey>{escape(entitlement_key)}</entitlementKey>")
    return f'<au id={quoteattr(au_id)}{attributes}>{"".join(parts)}</au>'


def block_xml(block_id: str, children: list[str], *, title: str = "Block", objectives: list[str] | None = None) -> str:
    refs = ("<objectives>" + "".join(f"<objective idref={quoteattr(o)}/>" for o in objectives) + "</objectives>"
            if objectives else "")
    return (f'<block id={quoteattr(block_id)}>{_text("title", title)}{_text("description", title + " text")}'
            f'{refs}{"".join(children)}</block>')


def objective_xml(objective_id: str, title: str = "Objective") -> str:
    return f'<objective id={quoteattr(objective_id)}>{_text("title", title)}{_text("description", title)}</objective>'


def cmi5_xml(children: list[str] | None = None, *, course_id: str = f"{BASE}/course", objectives: list[str] | None = None,
             title: str = "Geology") -> str:
    children = [au_xml()] if children is None else children
    objs = f"<objectives>{''.join(objectives)}</objectives>" if objectives else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<courseStructure xmlns="{NS}">\n'
            f'<course id={quoteattr(course_id)}>{_text("title", title)}{_text("description", "A course")}</course>\n'
            f'{objs}\n' + "\n".join(children) + "\n</courseStructure>\n")


AU_PAGE = "<!doctype html><html lang='en'><head><title>AU</title></head><body><p>AU</p></body></html>"


def write_zip(path: Path, files: dict[str, str | bytes], *, force_zip64: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=force_zip64) as out:
                out.write(data)
    return path


def cmi5_zip(path: Path, xml: str | None = None, files: dict[str, str] | None = None, **kw) -> Path:
    content = {"cmi5.xml": xml if xml is not None else cmi5_xml()}
    content.update(files if files is not None else {"au1/index.html": AU_PAGE})
    return write_zip(path, content, **kw)


def tincan_xml(activity_id: str = "https://example.test/tincan/course", launch: str | None = "index.html") -> str:
    launch_el = f'<launch lang="en-us">{escape(launch)}</launch>' if launch else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><tincan xmlns="http://projecttincan.com/tincan.xsd">'
            f'<activities><activity id={quoteattr(activity_id)} type="http://adlnet.gov/expapi/activities/course">'
            f'<name>Safety course</name><description lang="en-US">A TinCan course</description>{launch_el}'
            f'</activity><activity id={quoteattr(activity_id + "/q1")} type="http://adlnet.gov/expapi/activities/cmi.interaction">'
            f'<name>Question 1</name></activity></activities></tincan>')
