"""SCORM ``imsmanifest.xml`` parser (SCORM 1.2 and 2004 2nd/3rd/4th edition).

Pure: no Flask, no database, no file system. The caller hands over the manifest bytes and, optionally,
two callbacks that look into the package (``file_exists(path)`` and ``read_file(path)``) so that launch
files, listed files and external metadata can be checked. The result is a :class:`Manifest` (plain data,
JSON-serialisable with :meth:`Manifest.to_dict`) and a list of :class:`Issue` (errors refuse the import,
warnings do not).

Paths inside the package are POSIX, relative to the package root, without percent-escapes.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlsplit

from lxml import etree

# Message texts: English source strings marked for extraction with ``N_`` (a no-op here, so this module
# stays free of Flask); :mod:`lms.scorm.package` translates them when a report is shown.


def N_(text: str) -> str:  # noqa: N802 - the conventional name babel extracts
    return text


ERROR = "error"
WARNING = "warning"

MESSAGES: dict[str, str] = {
    "xml_syntax": N_("The manifest is not well-formed XML: %(detail)s"),
    "xml_entities": N_("The manifest declares a document type with entities; they were not expanded."),
    "not_a_manifest": N_("The root element is <%(element)s>, not an IMS content packaging <manifest>."),
    "manifest_missing": N_("The package has no imsmanifest.xml at its root."),
    "manifest_in_subfolder": N_("imsmanifest.xml was found in the folder %(folder)s; that folder is used as "
                                "the package root."),
    "no_organization": N_("The manifest has no organization: there is nothing to launch."),
    "empty_organization": N_("The organization %(organization)s has no item."),
    "default_org_unknown": N_("The default organization %(organization)s does not exist; the first "
                              "organization (%(first)s) is used instead."),
    "item_missing_resource": N_("The item %(item)s refers to the resource %(resource)s, which does not "
                                "exist."),
    "resource_no_href": N_("The item %(item)s launches the resource %(resource)s, which has no href."),
    "launch_file_missing": N_("The launch file %(path)s of the resource %(resource)s is not in the "
                              "package."),
    "file_missing": N_("The file %(path)s listed by the resource %(resource)s is not in the package."),
    "dependency_missing": N_("The resource %(resource)s depends on %(dependency)s, which does not exist."),
    "metadata_missing": N_("The metadata file %(path)s is not in the package."),
    "metadata_invalid": N_("The metadata file %(path)s is not well-formed XML: %(detail)s"),
    "duplicate_identifier": N_("The identifier %(identifier)s is used more than once."),
    "duplicate_item": N_("The organization %(organization)s has more than one item %(identifier)s."),
    "item_no_identifier": N_("An item of the organization %(organization)s has no identifier."),
    "unknown_element": N_("Unknown element <%(element)s> inside <%(parent)s> was ignored."),
    "schemaversion_missing": N_("The manifest does not declare its schemaversion; SCORM %(version)s was "
                                "deduced from its namespaces."),
    "schemaversion_unknown": N_("The schemaversion %(value)s is not a SCORM version; SCORM %(version)s was "
                                "deduced from its namespaces."),
    "schemaversion_mismatch": N_("The schemaversion says SCORM %(declared)s but the namespaces are those of "
                                 "SCORM %(detected)s; SCORM %(declared)s is used."),
    "no_scorm_namespace": N_("The manifest uses no SCORM namespace; it is treated as SCORM %(version)s."),
    "invalid_value": N_("The value %(value)s of <%(element)s> is not valid and was ignored."),
    "unknown_scorm_type": N_("The resource %(resource)s has the scormType %(value)s; it is treated as an "
                             "asset."),
    "item_without_resource": N_("The organization %(organization)s has no item that launches a resource."),
    "xml_base_absolute": N_("The xml:base %(value)s points outside the package; it was ignored."),
    "sequencing_invalid": N_("The sequencing information cannot be read (%(detail)s); the items will be "
                             "played in order."),
    "external_launch": N_("The resource %(resource)s is launched from the external address %(url)s."),
}


@dataclass
class Issue:
    """One line of a validation report."""

    severity: str  # ERROR or WARNING
    code: str  # key of MESSAGES (or of another package kind's messages)
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, translate: Callable[[str], str] | None = None, messages: dict[str, str] | None = None
                ) -> str:
        template = (messages or MESSAGES).get(self.code, self.code)
        if translate is not None:
            template = translate(template)
        try:
            return template % self.params if self.params else template
        except (KeyError, TypeError, ValueError):
            return template

    def location(self) -> str:
        """``file:line:column`` with the parts that are known."""
        if not self.file:
            return ""
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Issue":
        return cls(**{k: data.get(k) for k in ("severity", "code", "params", "file", "line", "column")})


# --- namespaces -----------------------------------------------------------------------------------------

NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_CP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_CP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
NS_ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
NS_LOM_2004 = "http://ltsc.ieee.org/xsd/LOM"
NS_MD_12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

CP_NAMESPACES = {NS_CP_12, NS_CP_2004, ""}
ADLCP_NAMESPACES = {NS_ADLCP_12, NS_ADLCP_2004}
SCORM_NAMESPACES = CP_NAMESPACES | ADLCP_NAMESPACES | {NS_ADLSEQ, NS_ADLNAV, NS_IMSSS}

SCORM_12 = "1.2"
SCORM_2004_2 = "2004-2"
SCORM_2004_3 = "2004-3"
SCORM_2004_4 = "2004-4"
VERSION_LABELS = {SCORM_12: "1.2", SCORM_2004_2: "2004 2nd Edition", SCORM_2004_3: "2004 3rd Edition",
                  SCORM_2004_4: "2004 4th Edition"}

HIDE_LMS_UI_VALUES = {"previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll"}
TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}

# Children each content-packaging element may have (by local name), to warn about the others.
_KNOWN_CHILDREN: dict[str, set[str]] = {
    "manifest": {"metadata", "organizations", "resources", "manifest", "sequencingCollection"},
    "organizations": {"organization"},
    "organization": {"title", "item", "metadata", "sequencing", "completionThreshold"},
    "item": {"title", "item", "metadata", "sequencing", "presentation", "completionThreshold",
             "timeLimitAction", "dataFromLMS", "data", "prerequisites", "maxtimeallowed", "timelimitaction",
             "datafromlms", "masteryscore"},
    "resources": {"resource"},
    "resource": {"metadata", "file", "dependency"},
    "file": {"metadata"},
}
_IMSSS_ELEMENTS = {
    "sequencing", "controlMode", "sequencingRules", "preConditionRule", "exitConditionRule",
    "postConditionRule", "ruleConditions", "ruleCondition", "ruleAction", "limitConditions",
    "auxiliaryResources", "auxiliaryResource", "rollupRules", "rollupRule", "rollupConditions",
    "rollupCondition", "rollupAction", "objectives", "primaryObjective", "objective",
    "minNormalizedMeasure", "mapInfo", "randomizationControls", "deliveryControls", "sequencingCollection",
}
_ADLSEQ_ELEMENTS = {"constrainedChoiceConsiderations", "rollupConsiderations", "objectives", "objective",
                    "mapInfo"}
_ADLNAV_ELEMENTS = {"presentation", "navigationInterface", "hideLMSUI"}
_ADLCP_ELEMENTS = {"location", "completionThreshold", "timeLimitAction", "dataFromLMS", "data", "map",
                   "prerequisites", "maxtimeallowed", "timelimitaction", "datafromlms", "masteryscore"}


# --- the parsed model -----------------------------------------------------------------------------------

@dataclass
class CompletionThreshold:
    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass
class SharedDataMap:
    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = False  # the CAM default


@dataclass
class Resource:
    identifier: str
    type: str | None = None
    scorm_type: str = "asset"  # "sco" or "asset"
    href: str | None = None  # as written (with its query string)
    base: str = ""  # the resolved xml:base chain (manifest → resources → resource), "" or ending with "/"
    launch_path: str | None = None  # package-relative file path to launch (unescaped), None if external
    launch_url: str | None = None  # base + href, still URL-encoded, or an absolute external URL
    files: list[str] = field(default_factory=list)  # package-relative paths (unescaped)
    dependencies: list[str] = field(default_factory=list)
    title: dict[str, str] | None = None  # from metadata, {language: text}
    line: int | None = None
    element: Any = field(default=None, repr=False, compare=False)


@dataclass
class Item:
    identifier: str
    title: str = ""
    identifierref: str | None = None
    parameters: str | None = None
    is_visible: bool = True
    children: list["Item"] = field(default_factory=list)
    scorm_type: str | None = None  # "sco" / "asset" when the item launches a resource, None for a cluster
    launch_url: str | None = None  # resource launch URL with the parameters applied
    launch_path: str | None = None  # the package file behind launch_url (None when external)
    mastery_score: float | None = None  # 1.2 adlcp:masteryscore (0..100)
    scaled_passing_score: float | None = None  # 2004 primary objective minNormalizedMeasure when by measure
    max_time_allowed: str | None = None  # 1.2 adlcp:maxtimeallowed / 2004 attemptAbsoluteDurationLimit
    time_limit_action: str | None = None
    data_from_lms: str | None = None
    prerequisites: str | None = None  # 1.2 adlcp:prerequisites (script)
    completion_threshold: CompletionThreshold | None = None
    hide_lms_ui: list[str] = field(default_factory=list)
    shared_data: list[SharedDataMap] = field(default_factory=list)
    sequencing_xml: str | None = None  # the <imsss:sequencing> element, serialised
    metadata_title: dict[str, str] | None = None
    line: int | None = None
    element: Any = field(default=None, repr=False, compare=False)

    def walk(self) -> Iterator["Item"]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass
class Organization:
    identifier: str
    title: str = ""
    items: list[Item] = field(default_factory=list)
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True
    sequencing_xml: str | None = None
    completion_threshold: CompletionThreshold | None = None
    metadata_title: dict[str, str] | None = None
    line: int | None = None
    element: Any = field(default=None, repr=False, compare=False)

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    def launchable_items(self) -> list[Item]:
        """Items that launch a resource, in tree (pre-)order."""
        return [item for item in self.walk() if item.launch_url]


@dataclass
class Manifest:
    identifier: str
    version: str  # SCORM_12, SCORM_2004_2, SCORM_2004_3 or SCORM_2004_4
    schemaversion: str | None = None  # as declared
    manifest_version: str | None = None  # the manifest's own version attribute
    base: str = ""
    default_organization: str | None = None  # the identifier actually used (after the fallback)
    organizations: list[Organization] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    sequencing_collection: dict[str, str] = field(default_factory=dict)  # ID → serialised <sequencing>
    metadata_title: dict[str, str] | None = None
    element: Any = field(default=None, repr=False, compare=False)

    @property
    def is_scorm_2004(self) -> bool:
        return self.version != SCORM_12

    @property
    def version_label(self) -> str:
        return VERSION_LABELS.get(self.version, self.version)

    def organization(self, identifier: str | None = None) -> Organization | None:
        identifier = (identifier or "").strip() or self.default_organization
        for org in self.organizations:
            if org.identifier == identifier:
                return org
        return self.organizations[0] if self.organizations and identifier is None else None

    @property
    def title(self) -> str:
        org = self.organization()
        if org and org.title:
            return org.title
        if self.metadata_title:
            return next(iter(self.metadata_title.values()))
        return self.identifier

    def referenced_files(self) -> set[str]:
        files: set[str] = set()
        for res in self.resources.values():
            files.update(res.files)
            if res.launch_path:
                files.add(res.launch_path)
        return files

    def to_dict(self) -> dict[str, Any]:
        return _to_plain(self)


def _to_plain(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        return {name: _to_plain(getattr(obj, name)) for name in obj.__dataclass_fields__ if name != "element"}
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_plain(v) for v in obj]
    return obj


def manifest_from_dict(data: dict[str, Any]) -> Manifest:
    """Rebuild a :class:`Manifest` from :meth:`Manifest.to_dict` output (as stored in the database)."""
    def threshold(d):
        return CompletionThreshold(**d) if d else None

    def item(d):
        d = dict(d)
        d["children"] = [item(c) for c in d.get("children", [])]
        d["completion_threshold"] = threshold(d.get("completion_threshold"))
        d["shared_data"] = [SharedDataMap(**m) for m in d.get("shared_data", [])]
        return Item(**d)

    def org(d):
        d = dict(d)
        d["items"] = [item(c) for c in d.get("items", [])]
        d["completion_threshold"] = threshold(d.get("completion_threshold"))
        return Organization(**d)

    data = dict(data)
    data["organizations"] = [org(o) for o in data.get("organizations", [])]
    data["resources"] = {k: Resource(**v) for k, v in data.get("resources", {}).items()}
    return Manifest(**data)


# --- parsing --------------------------------------------------------------------------------------------

def secure_parser() -> etree.XMLParser:
    """An lxml parser that never touches the network nor expands entities (XXE, billion laughs)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_pis=True, collect_ids=False)


def parse_xml(data: bytes, filename: str, issues: list[Issue]) -> etree._Element | None:
    """Parse ``data``; on failure add an error with line and column and return None."""
    line_offset = 0
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stripped = data.lstrip()
    if stripped[:5] == b"<?xml" and stripped is not data and len(stripped) != len(data):
        # Whitespace before the XML declaration is a fatal error for libxml2; authoring tools produce it.
        line_offset = data[: len(data) - len(stripped)].count(b"\n")
        data = stripped
    try:
        root = etree.fromstring(data, parser=secure_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        detail = exc.msg or str(exc)
        detail = re.sub(r",? line \d+, column \d+\s*$", "", detail)
        issues.append(Issue(ERROR, "xml_syntax", {"detail": detail}, filename,
                            (line + line_offset) if line else None, column))
        return None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and any(True for _ in docinfo.internalDTD.iterentities()):
        issues.append(Issue(WARNING, "xml_entities", {}, filename, None, None))
    return root


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _ns(el: etree._Element) -> str:
    return etree.QName(el).namespace or "" if isinstance(el.tag, str) else ""


def _children(el: etree._Element, name: str, namespaces: set[str] | None = None) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name
            and (namespaces is None or _ns(c) in namespaces)]


def _child(el: etree._Element, name: str, namespaces: set[str] | None = None) -> etree._Element | None:
    found = _children(el, name, namespaces)
    return found[0] if found else None


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None


def _attr(el: etree._Element, name: str, namespaces: set[str] | None = None) -> str | None:
    """An attribute by local name, in any of ``namespaces`` (None: no namespace)."""
    if namespaces is None:
        return el.get(name)
    for ns in namespaces:
        value = el.get(f"{{{ns}}}{name}" if ns else name)
        if value is not None:
            return value
    return None


def _ident(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def _float(value: str | None) -> float | None:
    try:
        return float(value.strip()) if value is not None else None
    except ValueError:
        return None


class _Context:
    def __init__(self, filename: str, file_exists: Callable[[str], bool] | None,
                 read_file: Callable[[str], bytes | None] | None):
        self.filename = filename
        self.file_exists = file_exists
        self.read_file = read_file
        self.issues: list[Issue] = []

    def add(self, severity: str, code: str, el: etree._Element | None = None, file: str | None = None,
            **params: Any) -> None:
        line = el.sourceline if el is not None else None
        self.issues.append(Issue(severity, code, params, file or self.filename, line, None))


def parse_manifest(data: bytes, *, filename: str = "imsmanifest.xml",
                   file_exists: Callable[[str], bool] | None = None,
                   read_file: Callable[[str], bytes | None] | None = None
                   ) -> tuple[Manifest | None, list[Issue]]:
    """Parse a manifest. Returns ``(manifest or None, issues)``; the manifest is None only when the XML
    cannot be read at all. When ``file_exists`` is given, launch files and listed files are checked."""
    ctx = _Context(filename, file_exists, read_file)
    root = parse_xml(data, filename, ctx.issues)
    if root is None:
        return None, ctx.issues
    if _local(root) != "manifest":
        ctx.add(ERROR, "not_a_manifest", root, element=_local(root) or str(root.tag))
        return None, ctx.issues

    version = _detect_version(root, ctx)
    base = _join_base("", root.get(f"{{{NS_XML}}}base"), root, ctx)
    manifest = Manifest(identifier=_ident(root.get("identifier")) or "", version=version,
                        schemaversion=_schemaversion(root), manifest_version=root.get("version"), base=base,
                        element=root)
    _check_unknown(root, ctx)
    manifest.metadata_title = _metadata_title(_child(root, "metadata", CP_NAMESPACES), ctx, base)

    resources_el = _child(root, "resources", CP_NAMESPACES)
    resources_base = base
    if resources_el is not None:
        resources_base = _join_base(base, resources_el.get(f"{{{NS_XML}}}base"), resources_el, ctx)
        seen: set[str] = set()
        for res_el in _children(resources_el, "resource", CP_NAMESPACES):
            res = _parse_resource(res_el, resources_base, version, ctx)
            if res is None:
                continue
            if res.identifier in seen:
                ctx.add(WARNING, "duplicate_identifier", res_el, identifier=res.identifier)
                continue
            seen.add(res.identifier)
            manifest.resources[res.identifier] = res
        for res in manifest.resources.values():
            for dep in res.dependencies:
                if dep not in manifest.resources:
                    ctx.add(WARNING, "dependency_missing", res.element, resource=res.identifier,
                            dependency=dep)

    collection = _child(root, "sequencingCollection", {NS_IMSSS})
    if collection is not None:
        for seq in _children(collection, "sequencing", {NS_IMSSS}):
            seq_id = _ident(seq.get("ID"))
            if seq_id:
                manifest.sequencing_collection[seq_id] = _serialise(seq)

    orgs_el = _child(root, "organizations", CP_NAMESPACES)
    if orgs_el is not None:
        for org_el in _children(orgs_el, "organization", CP_NAMESPACES):
            manifest.organizations.append(_parse_organization(org_el, manifest, ctx))
    if not manifest.organizations:
        ctx.add(ERROR, "no_organization", orgs_el if orgs_el is not None else root)
    else:
        default = _ident(orgs_el.get("default")) if orgs_el is not None else None
        ids = [o.identifier for o in manifest.organizations]
        if default and default not in ids:
            ctx.add(WARNING, "default_org_unknown", orgs_el, organization=default, first=ids[0])
            default = None
        manifest.default_organization = default or ids[0]
        for org in manifest.organizations:
            if not org.items:
                ctx.add(ERROR if org.identifier == manifest.default_organization else WARNING,
                        "empty_organization", org.element, organization=org.identifier)
            elif not org.launchable_items():
                ctx.add(ERROR if org.identifier == manifest.default_organization else WARNING,
                        "item_without_resource", org.element, organization=org.identifier)

    if file_exists is not None:
        _check_files(manifest, ctx)
    return manifest, ctx.issues


def _schemaversion(root: etree._Element) -> str | None:
    metadata = _child(root, "metadata", CP_NAMESPACES)
    if metadata is None:
        return None
    return _text(_child(metadata, "schemaversion", CP_NAMESPACES))


def _detect_version(root: etree._Element, ctx: _Context) -> str:
    namespaces: set[str] = set()
    for el in root.iter():
        if isinstance(el.tag, str):
            namespaces.update(ns for ns in el.nsmap.values() if ns)
            namespaces.add(_ns(el))
            namespaces.update(etree.QName(a).namespace or "" for a in el.attrib)
    detected = _version_from_namespaces(root, namespaces)
    declared_raw = _schemaversion(root)
    declared = _version_from_schemaversion(declared_raw) if declared_raw else None
    if detected is None:
        detected = SCORM_12 if NS_CP_12 in namespaces else SCORM_2004_4
        if declared is None:
            ctx.add(WARNING, "no_scorm_namespace", root, version=VERSION_LABELS[detected])
    if declared_raw is None:
        ctx.add(WARNING, "schemaversion_missing", root, version=VERSION_LABELS[detected])
        return detected
    if declared is None:
        ctx.add(WARNING, "schemaversion_unknown", root, value=declared_raw, version=VERSION_LABELS[detected])
        return detected
    if (declared == SCORM_12) != (detected == SCORM_12):
        ctx.add(WARNING, "schemaversion_mismatch", root, declared=VERSION_LABELS[declared],
                detected=VERSION_LABELS[detected])
    return declared


def _version_from_schemaversion(value: str) -> str | None:
    v = " ".join(value.split()).lower()
    if v in ("1.2", "scorm 1.2"):
        return SCORM_12
    if v in ("cam 1.3", "1.3", "2004 2nd edition", "scorm 2004 2nd edition", "2004"):
        return SCORM_2004_2
    if "2004" in v and ("3rd" in v or "third" in v):
        return SCORM_2004_3
    if "2004" in v and ("4th" in v or "fourth" in v):
        return SCORM_2004_4
    if "2004" in v and ("2nd" in v or "second" in v):
        return SCORM_2004_2
    return None


def _version_from_namespaces(root: etree._Element, namespaces: set[str]) -> str | None:
    if NS_ADLCP_12 in namespaces and NS_ADLCP_2004 not in namespaces:
        return SCORM_12
    if NS_ADLCP_2004 in namespaces or NS_IMSSS in namespaces or NS_ADLSEQ in namespaces:
        # Features that appeared in the 4th edition; without them the 3rd edition is the safe reading
        # (its data model is the one 2nd edition content expects too).
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            ns, name = _ns(el), _local(el)
            if ns == NS_ADLCP_2004 and name in ("data", "map"):
                return SCORM_2004_4
            if ns == NS_ADLCP_2004 and name == "completionThreshold" and (
                    el.get("completedByMeasure") is not None or el.get("minProgressMeasure") is not None
                    or el.get("progressWeight") is not None):
                return SCORM_2004_4
            if ns == NS_ADLSEQ and name == "objectives":
                return SCORM_2004_4
            if el.get(f"{{{NS_ADLCP_2004}}}sharedDataGlobalToSystem") is not None:
                return SCORM_2004_4
            if name == "hideLMSUI" and _text(el) in ("exitAll", "abandonAll", "suspendAll"):
                return SCORM_2004_3
        return SCORM_2004_3
    return None


def _join_base(parent: str, value: str | None, el: etree._Element, ctx: _Context) -> str:
    if value is None:
        return parent
    value = value.strip().replace("\\", "/")
    if not value:
        return parent
    if urlsplit(value).scheme or value.startswith("/"):
        ctx.add(WARNING, "xml_base_absolute", el, value=value)
        return parent
    if not value.endswith("/"):
        value += "/"  # authors write xml:base="resources" meaning the folder
    joined = posixpath.normpath(posixpath.join(parent, value))
    if joined == "." or joined.startswith(".."):
        if joined.startswith(".."):
            ctx.add(WARNING, "xml_base_absolute", el, value=value)
        return ""
    return joined + "/"


def _package_path(base: str, href: str) -> str | None:
    """The package file an href names (query and fragment removed, unescaped), None if outside."""
    parts = urlsplit(href.replace("\\", "/"))
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(base, path.lstrip("/") if path.startswith("/") else path))
    if joined.startswith("../") or joined == "..":
        return None
    return unicodedata.normalize("NFC", joined)


def _is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme and parts.scheme.lower() in ("http", "https")) or href.startswith("//")


def _parse_resource(el: etree._Element, parent_base: str, version: str, ctx: _Context) -> Resource | None:
    identifier = _ident(el.get("identifier"))
    if not identifier:
        return None
    base = _join_base(parent_base, el.get(f"{{{NS_XML}}}base"), el, ctx)
    raw_type = _attr(el, "scormType", {NS_ADLCP_2004}) or _attr(el, "scormtype", {NS_ADLCP_12}) \
        or _attr(el, "scormType", ADLCP_NAMESPACES) or _attr(el, "scormtype", ADLCP_NAMESPACES)
    scorm_type = "asset"
    if raw_type is not None:
        if raw_type.strip().lower() == "sco":
            scorm_type = "sco"
        elif raw_type.strip().lower() != "asset":
            ctx.add(WARNING, "unknown_scorm_type", el, resource=identifier, value=raw_type)
    href = el.get("href")
    href = href.strip() if href else None
    res = Resource(identifier=identifier, type=el.get("type"), scorm_type=scorm_type, href=href or None,
                   base=base, line=el.sourceline, element=el)
    if href:
        if _is_external(href):
            res.launch_url = href
        else:
            res.launch_path = _package_path(base, href)
            res.launch_url = base + href.replace("\\", "/").lstrip("/") if res.launch_path else None
    for file_el in _children(el, "file", CP_NAMESPACES):
        file_href = (file_el.get("href") or "").strip()
        if not file_href or _is_external(file_href):
            continue
        file_base = _join_base(base, file_el.get(f"{{{NS_XML}}}base"), file_el, ctx)
        path = _package_path(file_base, file_href)
        if path and path not in res.files:
            res.files.append(path)
        # metadata of a file does not give a title; it is validated for presence only
        _metadata_title(_child(file_el, "metadata", CP_NAMESPACES), ctx, base)
    for dep_el in _children(el, "dependency", CP_NAMESPACES):
        dep = _ident(dep_el.get("identifierref"))
        if dep:
            res.dependencies.append(dep)
    res.title = _metadata_title(_child(el, "metadata", CP_NAMESPACES), ctx, base)
    return res


def _parse_organization(el: etree._Element, manifest: Manifest, ctx: _Context) -> Organization:
    title = _text(_child(el, "title", CP_NAMESPACES)) or ""
    org = Organization(identifier=_ident(el.get("identifier")) or "", title=title, line=el.sourceline, element=el)
    org.objectives_global_to_system = _bool(_attr(el, "objectivesGlobalToSystem", {NS_ADLSEQ}), True)
    org.shared_data_global_to_system = _bool(_attr(el, "sharedDataGlobalToSystem", {NS_ADLCP_2004}), True)
    seq = _child(el, "sequencing", {NS_IMSSS})
    org.sequencing_xml = _serialise(seq) if seq is not None else None
    org.completion_threshold = _completion_threshold(_child(el, "completionThreshold", {NS_ADLCP_2004}), ctx)
    org.metadata_title = _metadata_title(_child(el, "metadata", CP_NAMESPACES), ctx, manifest.base)
    item_ids: set[str] = set()
    for item_el in _children(el, "item", CP_NAMESPACES):
        org.items.append(_parse_item(item_el, manifest, item_ids, ctx))
    # Items are what the run-time and sequencing key learner data by: they must be unique and named.
    for item_el in el.iter():
        if isinstance(item_el.tag, str) and _local(item_el) == "item" and _ns(item_el) in CP_NAMESPACES \
                and not _ident(item_el.get("identifier")):
            ctx.add(ERROR, "item_no_identifier", item_el, organization=org.identifier)
    return org


def _parse_item(el: etree._Element, manifest: Manifest, item_ids: set[str], ctx: _Context) -> Item:
    identifier = _ident(el.get("identifier")) or ""
    if identifier and identifier in item_ids:
        ctx.add(ERROR, "duplicate_item", el, identifier=identifier, organization=_organization_of(el))
    item_ids.add(identifier)
    item = Item(identifier=identifier, title=_text(_child(el, "title", CP_NAMESPACES)) or "",
                identifierref=_ident(el.get("identifierref")), parameters=el.get("parameters"),
                is_visible=_bool(el.get("isvisible"), True), line=el.sourceline, element=el)
    adlcp = ADLCP_NAMESPACES

    if manifest.version == SCORM_12:
        item.prerequisites = _text(_child(el, "prerequisites", adlcp))
        item.max_time_allowed = _text(_child(el, "maxtimeallowed", adlcp))
        item.time_limit_action = _time_limit_action(_child(el, "timelimitaction", adlcp), ctx)
        item.data_from_lms = _text(_child(el, "datafromlms", adlcp))
        mastery_el = _child(el, "masteryscore", adlcp)
        if mastery_el is not None:
            value = _float(_text(mastery_el))
            if value is None or not 0 <= value <= 100:
                ctx.add(WARNING, "invalid_value", mastery_el, value=_text(mastery_el) or "",
                        element="adlcp:masteryscore")
            else:
                item.mastery_score = value
    else:
        item.time_limit_action = _time_limit_action(_child(el, "timeLimitAction", adlcp), ctx)
        data_el = _child(el, "dataFromLMS", adlcp)
        item.data_from_lms = data_el.text if data_el is not None and data_el.text else None
        item.completion_threshold = _completion_threshold(_child(el, "completionThreshold", adlcp), ctx)
        presentation = _child(el, "presentation", {NS_ADLNAV})
        if presentation is not None:
            for nav in _children(presentation, "navigationInterface", {NS_ADLNAV}):
                for hide in _children(nav, "hideLMSUI", {NS_ADLNAV}):
                    value = _text(hide) or ""
                    if value in HIDE_LMS_UI_VALUES:
                        if value not in item.hide_lms_ui:
                            item.hide_lms_ui.append(value)
                    else:
                        ctx.add(WARNING, "invalid_value", hide, value=value, element="adlnav:hideLMSUI")
        data = _child(el, "data", {NS_ADLCP_2004})
        if data is not None:
            for map_el in _children(data, "map", {NS_ADLCP_2004}):
                target = _ident(map_el.get("targetID"))
                if target:
                    item.shared_data.append(SharedDataMap(target, _bool(map_el.get("readSharedData"), True),
                                                          _bool(map_el.get("writeSharedData"), False)))
        seq = _child(el, "sequencing", {NS_IMSSS})
        if seq is not None:
            item.sequencing_xml = _serialise(seq)
            item.max_time_allowed = _duration_limit(seq, manifest)
            item.scaled_passing_score = _scaled_passing_score(seq, manifest)
    item.metadata_title = _metadata_title(_child(el, "metadata", CP_NAMESPACES), ctx, manifest.base)

    for child_el in _children(el, "item", CP_NAMESPACES):
        item.children.append(_parse_item(child_el, manifest, item_ids, ctx))

    if item.identifierref:
        res = manifest.resources.get(item.identifierref)
        if res is None:
            ctx.add(ERROR, "item_missing_resource", el, item=identifier, resource=item.identifierref)
        elif not res.launch_url:
            if not res.href:
                ctx.add(ERROR, "resource_no_href", el, item=identifier, resource=res.identifier)
            else:
                ctx.add(ERROR, "launch_file_missing", res.element, path=res.href, resource=res.identifier)
        else:
            item.scorm_type = res.scorm_type
            item.launch_path = res.launch_path
            item.launch_url = apply_parameters(res.launch_url, item.parameters)
    return item


def _organization_of(el: etree._Element) -> str:
    for ancestor in el.iterancestors():
        if _local(ancestor) == "organization":
            return _ident(ancestor.get("identifier")) or ""
    return ""


def apply_parameters(url: str, parameters: str | None) -> str:
    """Append an item's ``parameters`` to a launch URL as the SCORM CAM describes."""
    if not parameters:
        return url
    params = parameters.strip()
    if not params:
        return url
    while params and params[0] in "?&":
        params = params[1:]
    if not params:
        return url
    if params.startswith("#"):
        return url if "#" in url else url + params
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{params}{fragment}"


def _time_limit_action(el: etree._Element | None, ctx: _Context) -> str | None:
    value = _text(el)
    if value is None:
        return None
    normalised = ",".join(part.strip() for part in value.split(","))
    if normalised not in TIME_LIMIT_ACTIONS:
        ctx.add(WARNING, "invalid_value", el, value=value, element="timeLimitAction")
        return None
    return normalised


def _completion_threshold(el: etree._Element | None, ctx: _Context) -> CompletionThreshold | None:
    if el is None:
        return None
    threshold = CompletionThreshold()
    text = _text(el)
    if text is not None:  # 2004 3rd edition: the threshold as element text
        value = _float(text)
        if value is None or not 0 <= value <= 1:
            ctx.add(WARNING, "invalid_value", el, value=text, element="adlcp:completionThreshold")
            return None
        return CompletionThreshold(completed_by_measure=True, min_progress_measure=value)
    threshold.completed_by_measure = _bool(el.get("completedByMeasure"), False)
    for attr, name in (("minProgressMeasure", "min_progress_measure"), ("progressWeight", "progress_weight")):
        raw = el.get(attr)
        if raw is None:
            continue
        value = _float(raw)
        if value is None or not 0 <= value <= 1:
            ctx.add(WARNING, "invalid_value", el, value=raw, element=f"adlcp:completionThreshold@{attr}")
            continue
        setattr(threshold, name, value)
    return threshold


def _resolve_sequencing(seq: etree._Element, manifest: Manifest) -> list[etree._Element]:
    """The item's sequencing element and the collection entry it refers to by IDRef (local wins)."""
    found = [seq]
    ref = _ident(seq.get("IDRef"))
    if ref and manifest.element is not None:
        collection = _child(manifest.element, "sequencingCollection", {NS_IMSSS})
        if collection is not None:
            found += [s for s in _children(collection, "sequencing", {NS_IMSSS})
                      if _ident(s.get("ID")) == ref]
    return found


def _duration_limit(seq: etree._Element, manifest: Manifest) -> str | None:
    for s in _resolve_sequencing(seq, manifest):
        limit = _child(s, "limitConditions", {NS_IMSSS})
        if limit is not None and limit.get("attemptAbsoluteDurationLimit"):
            return limit.get("attemptAbsoluteDurationLimit").strip()
    return None


def _scaled_passing_score(seq: etree._Element, manifest: Manifest) -> float | None:
    for s in _resolve_sequencing(seq, manifest):
        objectives = _child(s, "objectives", {NS_IMSSS})
        primary = _child(objectives, "primaryObjective", {NS_IMSSS}) if objectives is not None else None
        if primary is None:
            continue
        if not _bool(primary.get("satisfiedByMeasure"), False):
            return None
        measure = _float(_text(_child(primary, "minNormalizedMeasure", {NS_IMSSS})))
        return 1.0 if measure is None else measure
    return None


def _serialise(el: etree._Element) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


def _check_unknown(root: etree._Element, ctx: _Context) -> None:
    """Warn about elements a SCORM LMS does not know (extensions are allowed, but the author should know
    they do nothing here). Metadata is free-form and not checked."""
    reported: set[tuple[str, str]] = set()

    def visit(el: etree._Element) -> None:
        parent_name = _local(el)
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name, ns = _local(child), _ns(child)
            if name == "metadata" and ns in CP_NAMESPACES:
                continue
            known = True
            if ns in CP_NAMESPACES:
                known = name in _KNOWN_CHILDREN.get(parent_name, set()) or parent_name not in _KNOWN_CHILDREN
                if parent_name in ("title", "schema", "schemaversion"):
                    known = True
            elif ns in ADLCP_NAMESPACES:
                known = name in _ADLCP_ELEMENTS
            elif ns == NS_IMSSS:
                known = name in _IMSSS_ELEMENTS
            elif ns == NS_ADLSEQ:
                known = name in _ADLSEQ_ELEMENTS
            elif ns == NS_ADLNAV:
                known = name in _ADLNAV_ELEMENTS
            else:
                known = False
            if not known:
                prefix = child.prefix + ":" if child.prefix else ""
                key = (prefix + name, parent_name)
                if key not in reported:
                    reported.add(key)
                    ctx.add(WARNING, "unknown_element", child, element=prefix + name, parent=parent_name)
                continue
            if ns in CP_NAMESPACES or ns == NS_ADLNAV or (ns in ADLCP_NAMESPACES and name == "data"):
                visit(child)
            elif ns == NS_IMSSS or ns == NS_ADLSEQ:
                visit(child)

    visit(root)


def _metadata_title(metadata: etree._Element | None, ctx: _Context, base: str) -> dict[str, str] | None:
    """Title from inline LOM metadata, or from the external file named by ``adlcp:location``."""
    if metadata is None:
        return None
    title = _lom_title(metadata)
    if title:
        return title
    for loc in _children(metadata, "location", ADLCP_NAMESPACES):
        href = _text(loc)
        if not href:
            continue
        path = _package_path(base, href)
        if path is None:
            continue
        if ctx.file_exists is not None and not ctx.file_exists(path):
            ctx.add(WARNING, "metadata_missing", loc, path=path)
            continue
        if ctx.read_file is None:
            continue
        data = ctx.read_file(path)
        if data is None:
            continue
        issues: list[Issue] = []
        root = parse_xml(data, path, issues)
        if root is None:
            for issue in issues:
                ctx.issues.append(Issue(WARNING, "metadata_invalid", {"path": path, **issue.params}, path,
                                        issue.line, issue.column))
            continue
        title = _lom_title(root)
        if title:
            return title
    return None


def _lom_title(el: etree._Element) -> dict[str, str] | None:
    """``lom/general/title`` with its ``string`` (2004) or ``langstring`` (1.2) children by language."""
    for lom in [el] + [c for c in el.iter() if isinstance(c.tag, str) and _local(c) == "lom"]:
        general = _child(lom, "general")
        if general is None:
            continue
        title = _child(general, "title")
        if title is None:
            continue
        result: dict[str, str] = {}
        for s in title:
            if isinstance(s.tag, str) and _local(s) in ("string", "langstring"):
                text = _text(s)
                if text:
                    lang = (s.get("language") or s.get(f"{{{NS_XML}}}lang") or "x-none").split("-")[0].lower()
                    result.setdefault(lang, text)
        if not result and _text(title):
            result["x-none"] = _text(title)
        if result:
            return result
    return None


def _check_files(manifest: Manifest, ctx: _Context) -> None:
    launched = {item.identifierref for org in manifest.organizations for item in org.walk()
                if item.identifierref}
    for res in manifest.resources.values():
        if res.launch_path and not ctx.file_exists(res.launch_path):
            if res.identifier in launched:
                ctx.add(ERROR, "launch_file_missing", res.element, path=res.launch_path,
                        resource=res.identifier)
            else:
                ctx.add(WARNING, "file_missing", res.element, path=res.launch_path, resource=res.identifier)
        for path in res.files:
            if path != res.launch_path and not ctx.file_exists(path):
                ctx.add(WARNING, "file_missing", res.element, path=path, resource=res.identifier)
        if res.launch_url and not res.launch_path and res.identifier in launched:
            ctx.add(WARNING, "external_launch", res.element, resource=res.identifier, url=res.launch_url)
