"""cmi5 course structures (``cmi5.xml``, cmi5 quartz §13-14) and TinCan ``tincan.xml`` descriptors.

Pure: no Flask, no database. The caller hands over the XML bytes and, for packages in a zip, a callback
telling whether a file is in the package (``file_exists``); without it the structure is a bare XML file
(§14.2) and every AU URL must be absolute. The result is plain data plus a list of
:class:`lms.scorm.manifest.Issue` (errors refuse the import), so the validation report reads like SCORM's.
Every error names the rule it enforces.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from lms.scorm.manifest import ERROR, MESSAGES, WARNING, Issue, N_, secure_parser

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
TINCAN_NS = "http://projecttincan.com/tincan.xsd"
CMI5_FILE = "cmi5.xml"
TINCAN_FILE = "tincan.xml"

MOVE_ON_VALUES = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
RESERVED_LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")

CMI5_MESSAGES: dict[str, str] = {
    "cmi5_xml_syntax": N_("%(file)s is not well-formed XML: %(detail)s"),
    "cmi5_not_course_structure": N_("The root element is <%(element)s>, not a cmi5 <courseStructure> "
                                    "(cmi5 §14: the course structure must follow CourseStructure.xsd)."),
    "cmi5_namespace": N_("The course structure does not use the cmi5 namespace %(namespace)s; its elements "
                         "were read by name."),
    "cmi5_course_missing": N_("The course structure has no <course> element (cmi5 §13.1.1)."),
    "cmi5_id_missing": N_("A <%(element)s> has no id attribute (cmi5 §13.1: ids are required)."),
    "cmi5_id_not_iri": N_("The id %(id)s of a <%(element)s> is not an absolute IRI (cmi5 §13.1: ids are "
                          "globally unique IRIs)."),
    "cmi5_duplicate_id": N_("The id %(id)s is used more than once (cmi5 §13.1: ids must be unique across the "
                            "course, blocks, AUs and objectives)."),
    "cmi5_title_missing": N_("The <%(element)s> %(id)s has no title (cmi5 §13.1: title is required)."),
    "cmi5_description_missing": N_("The <%(element)s> %(id)s has no description (cmi5 §13.1: description is "
                                   "required)."),
    "cmi5_no_au": N_("The course structure has no AU: there is nothing to launch (cmi5 §13.1.4)."),
    "cmi5_empty_block": N_("The block %(id)s contains no AU and no block (cmi5 §13.1.2: a block consists of "
                           "one or more AUs)."),
    "cmi5_objective_undeclared": N_("The <%(element)s> %(id)s refers to the objective %(idref)s, which the "
                                    "course does not declare (cmi5 §13.1.3)."),
    "cmi5_url_missing": N_("The AU %(id)s has no launch URL (cmi5 §13.1.4 url is required)."),
    "cmi5_url_invalid": N_("The launch URL %(url)s of the AU %(id)s is not a valid URL "
                           "(cmi5 §13.1.4: RFC 1738)."),
    "cmi5_url_relative_without_zip": N_("The AU %(id)s has the relative URL %(url)s, but a course structure "
                                        "without a zip must use fully qualified URLs (cmi5 §14.2)."),
    "cmi5_url_file_missing": N_("The AU %(id)s launches %(url)s, which is not in the zip "
                                "(cmi5 §14.1: a relative "
                                "URL must point into the package)."),
    "cmi5_url_reserved_parameter": N_("The launch URL of the AU %(id)s already has the query parameter "
                                      "%(name)s, which the LMS adds at launch (cmi5 §8.1)."),
    "cmi5_move_on_invalid": N_("The moveOn %(value)s of the AU %(id)s is not one of NotApplicable, Passed, "
                               "Completed, CompletedAndPassed, CompletedOrPassed (cmi5 §13.1.4)."),
    "cmi5_mastery_score_invalid": N_("The masteryScore %(value)s of the AU %(id)s is not a decimal "
                                     "between 0 and "
                                     "1 with at most 4 decimal places (cmi5 §13.1.4)."),
    "cmi5_launch_method_invalid": N_("The launchMethod %(value)s of the AU %(id)s is not AnyWindow or "
                                     "OwnWindow "
                                     "(cmi5 §13.1.4)."),
    "cmi5_activity_type_invalid": N_("The activityType %(value)s of the AU %(id)s is not an absolute IRI "
                                     "(cmi5 §13.1.4)."),
    "cmi5_schema_order": N_("The elements of <%(element)s> %(id)s are not in the order CourseStructure.xsd "
                            "requires (%(expected)s) (cmi5 §14)."),
    "cmi5_unknown_element": N_("Unknown element <%(element)s> inside <%(parent)s> was ignored."),
    "cmi5_missing": N_("The zip has no cmi5.xml at its root (cmi5 §14.1)."),
    "tincan_not_tincan": N_("The root element is <%(element)s>, not a TinCan <tincan> descriptor."),
    "tincan_no_activity": N_("tincan.xml declares no activity."),
    "tincan_no_launch": N_("No activity of tincan.xml has a <launch> file: there is nothing to launch."),
    "tincan_id_not_iri": N_("The activity id %(id)s in tincan.xml is not an absolute IRI."),
    "tincan_launch_missing": N_("The launch file %(url)s of the activity %(id)s is not in the package."),
}
MESSAGES.update(CMI5_MESSAGES)

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_URL_CHARS = re.compile(r"^[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def is_absolute_iri(value: str | None) -> bool:
    return bool(value) and bool(_IRI.match(value))


# --- data ---------------------------------------------------------------------------------------------------

@dataclass
class Objective:
    id: str
    title: dict
    description: dict


@dataclass
class AU:
    id: str
    title: dict
    description: dict
    url: str
    position: int = 0
    objectives: list[str] = field(default_factory=list)
    launch_method: str = "AnyWindow"
    move_on: str = "NotApplicable"
    mastery_score: float | None = None
    activity_type: str | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    parents: list[str] = field(default_factory=list)  # ids of the enclosing blocks, outermost first

    @property
    def is_absolute(self) -> bool:
        return bool(urlsplit(self.url).scheme)


@dataclass
class Block:
    id: str
    title: dict
    description: dict
    position: int = 0
    objectives: list[str] = field(default_factory=list)
    children: list = field(default_factory=list)   # ("au"|"block", id) in document order
    parents: list[str] = field(default_factory=list)


@dataclass
class CourseStructure:
    id: str
    title: dict
    description: dict
    objectives: list[Objective] = field(default_factory=list)
    children: list = field(default_factory=list)   # ("au"|"block", id) at the top level
    aus: list[AU] = field(default_factory=list)     # document order
    blocks: list[Block] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# --- cmi5.xml -----------------------------------------------------------------------------------------------

def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _parse(data: bytes, filename: str, issues: list[Issue]):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return etree.fromstring(data.lstrip(), parser=secure_parser())
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if getattr(exc, "position", None) else (None, None))
        issues.append(Issue(ERROR, "cmi5_xml_syntax", {"file": filename, "detail": exc.msg}, filename, line,
                            column))
        return None


class _Reader:
    def __init__(self, namespace: str, filename: str, issues: list[Issue]):
        self.ns = namespace
        self.filename = filename
        self.issues = issues

    def error(self, code: str, at=None, **params) -> None:
        self.issues.append(Issue(ERROR, code, params, self.filename, getattr(at, "sourceline", None)))

    def warning(self, code: str, at=None, **params) -> None:
        self.issues.append(Issue(WARNING, code, params, self.filename, getattr(at, "sourceline", None)))

    def mine(self, element) -> bool:
        return isinstance(element.tag, str) and etree.QName(element).namespace == self.ns

    def children(self, element, name: str | None = None) -> list:
        return [c for c in element if self.mine(c) and (name is None or _local(c) == name)]

    def child(self, element, name: str):
        found = self.children(element, name)
        return found[0] if found else None

    def text(self, element, name: str) -> str | None:
        child = self.child(element, name)
        if child is None:
            return None
        return (child.text or "").strip()

    def langstrings(self, element, name: str, owner: str, owner_id: str) -> dict:
        container = self.child(element, name)
        values: dict[str, str] = {}
        if container is not None:
            for langstring in self.children(container, "langstring"):
                text = (langstring.text or "").strip()
                if text:
                    values[(langstring.get("lang") or "und").strip()] = text
        if not values:
            self.error(f"cmi5_{name}_missing", element if container is None else container, element=owner,
                       id=owner_id)
        return values

    def objective_refs(self, element) -> list[str]:
        container = self.child(element, "objectives")
        if container is None:
            return []
        return [(o.get("idref") or "").strip() for o in self.children(container, "objective")]


def parse_course_structure(data: bytes, filename: str = CMI5_FILE,
                           file_exists: Callable[[str], bool] | None = None
                           ) -> tuple[CourseStructure | None, list[Issue]]:
    """Parse and check a cmi5 course structure. ``file_exists`` is None for a bare XML file (§14.2)."""
    issues: list[Issue] = []
    root = _parse(data, filename, issues)
    if root is None:
        return None, issues
    if _local(root) != "courseStructure":
        issues.append(Issue(ERROR, "cmi5_not_course_structure", {"element": _local(root) or str(root.tag)},
                            filename, root.sourceline))
        return None, issues
    namespace = etree.QName(root).namespace or ""
    reader = _Reader(namespace, filename, issues)
    if namespace != CMI5_NS:
        reader.warning("cmi5_namespace", root, namespace=CMI5_NS)
    seen_ids: dict[str, str] = {}

    def check_id(element, kind: str) -> str:
        value = (element.get("id") or "").strip()
        if not value:
            reader.error("cmi5_id_missing", element, element=kind)
            return value
        if not is_absolute_iri(value):
            reader.error("cmi5_id_not_iri", element, element=kind, id=value)
        if value in seen_ids:
            reader.error("cmi5_duplicate_id", element, id=value)
        seen_ids.setdefault(value, kind)
        return value

    course_el = reader.child(root, "course")
    if course_el is None:
        reader.error("cmi5_course_missing", root)
        return None, issues
    course_id = check_id(course_el, "course")
    _check_order(reader, course_el, course_id)
    structure = CourseStructure(id=course_id,
                                title=reader.langstrings(course_el, "title", "course", course_id),
                                description=reader.langstrings(course_el, "description", "course", course_id))
    objectives_el = reader.child(root, "objectives")
    if objectives_el is not None:
        for objective_el in reader.children(objectives_el, "objective"):
            objective_id = check_id(objective_el, "objective")
            _check_order(reader, objective_el, objective_id)
            structure.objectives.append(Objective(
                objective_id, reader.langstrings(objective_el, "title", "objective", objective_id),
                reader.langstrings(objective_el, "description", "objective", objective_id)))
    declared = {o.id for o in structure.objectives}

    def check_refs(element, kind: str, owner_id: str, refs: list[str]) -> None:
        for idref in refs:
            if idref not in declared:
                reader.error("cmi5_objective_undeclared", element, element=kind, id=owner_id, idref=idref)

    def read_au(element, parents: list[str]) -> AU:
        au_id = check_id(element, "au")
        _check_order(reader, element, au_id)
        au = AU(id=au_id, title=reader.langstrings(element, "title", "au", au_id),
                description=reader.langstrings(element, "description", "au", au_id),
                url=(reader.text(element, "url") or ""), position=len(structure.aus),
                objectives=reader.objective_refs(element), parents=list(parents))
        check_refs(element, "au", au_id, au.objectives)
        move_on = (element.get("moveOn") or "NotApplicable").strip()
        if move_on not in MOVE_ON_VALUES:
            reader.error("cmi5_move_on_invalid", element, id=au_id, value=move_on)
        au.move_on = move_on
        launch_method = (element.get("launchMethod") or "AnyWindow").strip()
        if launch_method not in LAUNCH_METHODS:
            reader.error("cmi5_launch_method_invalid", element, id=au_id, value=launch_method)
        au.launch_method = launch_method
        mastery = element.get("masteryScore")
        if mastery is not None:
            au.mastery_score = _mastery(mastery.strip())
            if au.mastery_score is None:
                reader.error("cmi5_mastery_score_invalid", element, id=au_id, value=mastery.strip())
        activity_type = element.get("activityType")
        if activity_type is not None:
            au.activity_type = activity_type.strip()
            if not is_absolute_iri(au.activity_type):
                reader.error("cmi5_activity_type_invalid", element, id=au_id, value=au.activity_type)
        parameters = reader.text(element, "launchParameters")
        au.launch_parameters = parameters if parameters else None
        entitlement = reader.text(element, "entitlementKey")
        au.entitlement_key = entitlement if entitlement else None
        _check_url(reader, element, au, file_exists)
        structure.aus.append(au)
        return au

    def read_block(element, parents: list[str]) -> Block:
        block_id = check_id(element, "block")
        block = Block(id=block_id, title=reader.langstrings(element, "title", "block", block_id),
                      description=reader.langstrings(element, "description", "block", block_id),
                      position=len(structure.blocks), objectives=reader.objective_refs(element),
                      parents=list(parents))
        check_refs(element, "block", block_id, block.objectives)
        structure.blocks.append(block)
        block.children = read_children(element, parents + [block_id])
        if not block.children:
            reader.error("cmi5_empty_block", element, id=block_id)
        else:
            _check_order(reader, element, block_id)
        return block

    known = {"courseStructure": {"course", "objectives", "au", "block"},
             "block": {"title", "description", "objectives", "au", "block"}}

    def read_children(element, parents: list[str]) -> list:
        out = []
        for child in element:
            if not reader.mine(child):
                continue  # vendor extensions (§13.1.5) and comments
            name = _local(child)
            if name == "au":
                out.append(("au", read_au(child, parents).id))
            elif name == "block":
                out.append(("block", read_block(child, parents).id))
            elif name not in known[_local(element)]:
                reader.warning("cmi5_unknown_element", child, element=name, parent=_local(element))
        return out

    structure.children = read_children(root, [])
    if not structure.aus:
        reader.error("cmi5_no_au", root)
    elif not any(i.code == "cmi5_course_missing" for i in issues):
        _check_order(reader, root, course_id)
    return structure, issues


# The element sequences of CourseStructure.xsd (cmi5 §14), as regular expressions over child names.
_ORDER = {
    "courseStructure": (r"^course (objectives )?((au|block) )+$", "course, objectives?, (au | block)+"),
    "course": (r"^title description $", "title, description"),
    "block": (r"^title description (objectives )?((au|block) )+$",
              "title, description, objectives?, (au | block)+"),
    "au": (r"^title description (objectives )?url (launchParameters )?(entitlementKey )?$",
           "title, description, objectives?, url, launchParameters?, entitlementKey?"),
    "objective": (r"^(title description |description title )$", "title, description"),
}


def _check_order(reader: "_Reader", element, owner_id: str) -> None:
    name = _local(element)
    pattern, expected = _ORDER[name]
    sequence = "".join(_local(c) + " " for c in element if reader.mine(c))
    if not re.match(pattern, sequence):
        reader.error("cmi5_schema_order", element, element=name, id=owner_id, expected=expected)


def _mastery(value: str) -> float | None:
    if not _DECIMAL.match(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if number < 0 or number > 1:
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        return None
    return float(number)


def _check_url(reader: _Reader, element, au: AU, file_exists: Callable[[str], bool] | None) -> None:
    url = au.url
    if not url:
        reader.error("cmi5_url_missing", element, id=au.id)
        return
    if not _URL_CHARS.match(url):
        reader.error("cmi5_url_invalid", element, id=au.id, url=url)
        return
    try:
        parts = urlsplit(url)
    except ValueError:
        reader.error("cmi5_url_invalid", element, id=au.id, url=url)
        return
    for name, _value in parse_qsl(parts.query, keep_blank_values=True):
        if name in RESERVED_LAUNCH_PARAMETERS:
            reader.error("cmi5_url_reserved_parameter", element, id=au.id, name=name)
    if parts.scheme:
        if parts.scheme.lower() in ("http", "https") and not parts.netloc:
            reader.error("cmi5_url_invalid", element, id=au.id, url=url)
        elif not (parts.netloc or parts.path):
            reader.error("cmi5_url_invalid", element, id=au.id, url=url)
        return
    if parts.netloc or url.startswith("/"):
        reader.error("cmi5_url_invalid", element, id=au.id, url=url)
        return
    if file_exists is None:
        reader.error("cmi5_url_relative_without_zip", element, id=au.id, url=url)
        return
    path = package_path(url)
    if path is None or not file_exists(path):
        reader.error("cmi5_url_file_missing", element, id=au.id, url=url)


def package_path(relative_url: str) -> str | None:
    """The package file a relative URL names (no query, no fragment, percent-decoded), or None if it
    leaves the package."""
    path = unquote(urlsplit(relative_url).path)
    if not path:
        return None
    normal = posixpath.normpath(path)
    if normal.startswith("../") or normal == ".." or normal.startswith("/"):
        return None
    return normal


# --- tincan.xml ---------------------------------------------------------------------------------------------

@dataclass
class TinCanActivity:
    id: str
    type: str | None
    name: dict
    description: dict
    launch: str | None = None


@dataclass
class TinCanPackageInfo:
    activities: list[TinCanActivity]
    launch_activity: TinCanActivity | None

    def to_dict(self) -> dict:
        return {"activities": [asdict(a) for a in self.activities],
                "launch": asdict(self.launch_activity) if self.launch_activity else None}


def parse_tincan(data: bytes, filename: str = TINCAN_FILE, file_exists: Callable[[str], bool] | None = None
                 ) -> tuple[TinCanPackageInfo | None, list[Issue]]:
    issues: list[Issue] = []
    root = _parse(data, filename, issues)
    if root is None:
        return None, issues
    if _local(root) != "tincan":
        issues.append(Issue(ERROR, "tincan_not_tincan", {"element": _local(root) or str(root.tag)}, filename,
                            root.sourceline))
        return None, issues
    reader = _Reader(etree.QName(root).namespace or "", filename, issues)
    activities = []
    container = reader.child(root, "activities")
    for element in (reader.children(container, "activity") if container is not None else []):
        activity_id = (element.get("id") or "").strip()
        if not is_absolute_iri(activity_id):
            reader.error("tincan_id_not_iri", element, id=activity_id)
        names = {(n.get("lang") or "und"): (n.text or "").strip() for n in reader.children(element, "name")
                 if (n.text or "").strip()}
        descriptions = {(n.get("lang") or "und"): (n.text or "").strip()
                        for n in reader.children(element, "description") if (n.text or "").strip()}
        launch = reader.text(element, "launch") or None
        activities.append(TinCanActivity(activity_id, (element.get("type") or "").strip() or None, names,
                                         descriptions, launch))
    if not activities:
        reader.error("tincan_no_activity", root)
        return TinCanPackageInfo([], None), issues
    launchable = [a for a in activities if a.launch]
    if not launchable:
        reader.error("tincan_no_launch", root)
        return TinCanPackageInfo(activities, None), issues
    first = launchable[0]
    if not urlsplit(first.launch).scheme:
        path = package_path(first.launch)
        if file_exists is None or path is None or not file_exists(path):
            reader.error("tincan_launch_missing", root, id=first.id, url=first.launch)
    return TinCanPackageInfo(activities, first), issues
