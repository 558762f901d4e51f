"""The manifest parser, case by case (pure: no app, no database)."""
from __future__ import annotations

import json

import pytest

from lms.scorm.manifest import (SCORM_12, SCORM_2004_2, SCORM_2004_3, SCORM_2004_4, apply_parameters,
                                manifest_from_dict, parse_manifest)
from tests.scorm.packages import (NS_2004, manifest_12, manifest_2004, scorm12_multi_files, scorm12_single_files,
                                  scorm2004_files)


def parse(files: dict, check_files: bool = True):
    data = files["imsmanifest.xml"]
    data = data.encode() if isinstance(data, str) else data
    names = set(files)

    def read(path):
        content = files.get(path)
        return content.encode() if isinstance(content, str) else content

    if check_files:
        return parse_manifest(data, file_exists=names.__contains__, read_file=read)
    return parse_manifest(data)


def codes(issues, severity=None):
    return [i.code for i in issues if severity is None or i.severity == severity]


ONE_ITEM_12 = '<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">' \
              '<title>I</title></item></organization>'
ONE_RES_12 = '<resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="a.html"/>'
ONE_ITEM_2004 = ONE_ITEM_12
ONE_RES_2004 = '<resource identifier="R" type="webcontent" adlcp:scormType="sco" href="a.html"/>'


# --- version detection ----------------------------------------------------------------------------------

def test_scorm12_single_sco_is_parsed_with_its_run_time_values():
    manifest, issues = parse(scorm12_single_files())
    assert issues == []
    assert manifest.version == SCORM_12
    org = manifest.organization()
    assert org.title == "Safety basics"
    [item] = org.items
    assert item.scorm_type == "sco"
    assert item.launch_url == "index.html?lang=ar"
    assert item.launch_path == "index.html"
    assert item.mastery_score == 80.0
    assert item.max_time_allowed == "00:30:00"
    assert item.time_limit_action == "exit,message"
    assert item.data_from_lms == "mode=exam"
    assert item.prerequisites == "ITEM-0"


@pytest.mark.parametrize("schemaversion,expected", [
    ("1.2", SCORM_12), ("CAM 1.3", SCORM_2004_2), ("2004 3rd Edition", SCORM_2004_3),
    ("2004 4th Edition", SCORM_2004_4),
])
def test_version_comes_from_schemaversion(schemaversion, expected):
    if expected == SCORM_12:
        xml = manifest_12(ONE_ITEM_12, ONE_RES_12, schemaversion=schemaversion)
    else:
        xml = manifest_2004(ONE_ITEM_2004, ONE_RES_2004, schemaversion=schemaversion)
    manifest, issues = parse_manifest(xml.encode())
    assert manifest.version == expected
    assert codes(issues) == []


def test_missing_schemaversion_on_12_namespaces_is_12_with_a_warning():
    manifest, issues = parse_manifest(manifest_12(ONE_ITEM_12, ONE_RES_12, schemaversion=None).encode())
    assert manifest.version == SCORM_12
    assert codes(issues) == ["schemaversion_missing"]
    assert issues[0].params["version"] == "1.2"


def test_missing_schemaversion_on_2004_namespaces_is_never_silently_12():
    manifest, issues = parse_manifest(manifest_2004(ONE_ITEM_2004, ONE_RES_2004, schemaversion=None).encode())
    assert manifest.version == SCORM_2004_3
    assert codes(issues) == ["schemaversion_missing"]


def test_missing_schemaversion_with_4th_edition_features_is_4th_edition():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">'
           '<title>I</title><adlcp:completionThreshold completedByMeasure="true"/></item></organization>')
    manifest, issues = parse_manifest(manifest_2004(org, ONE_RES_2004, schemaversion=None).encode())
    assert manifest.version == SCORM_2004_4
    assert "schemaversion_missing" in codes(issues, "warning")


def test_unknown_schemaversion_falls_back_to_namespaces_with_a_warning():
    manifest, issues = parse_manifest(manifest_2004(ONE_ITEM_2004, ONE_RES_2004, schemaversion="9.9").encode())
    assert manifest.version == SCORM_2004_3
    assert codes(issues) == ["schemaversion_unknown"]


def test_plain_content_package_without_scorm_namespace_warns():
    xml = ('<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
           '<organizations default="ORG-1">' + ONE_ITEM_12 + '</organizations>'
           '<resources><resource identifier="R" type="webcontent" href="a.html"/></resources></manifest>')
    manifest, issues = parse_manifest(xml.encode())
    assert manifest.version == SCORM_2004_4
    assert set(codes(issues)) == {"no_scorm_namespace", "schemaversion_missing"}
    # No scormType: an asset.
    assert manifest.organization().items[0].scorm_type == "asset"


def test_utf8_bom_and_leading_blank_lines_are_accepted():
    xml = manifest_12(ONE_ITEM_12, ONE_RES_12).encode()
    manifest, issues = parse_manifest(b"\xef\xbb\xbf" + xml)
    assert manifest is not None and issues == []
    manifest, issues = parse_manifest(b"\xef\xbb\xbf\n\n  " + xml)
    assert manifest is not None and issues == []


# --- XML safety and syntax ------------------------------------------------------------------------------

def test_malformed_xml_is_an_error_with_line_and_column():
    xml = b'<?xml version="1.0"?>\n<manifest identifier="M">\n  <organizations>\n    <oops>\n</manifest>\n'
    manifest, issues = parse_manifest(xml)
    assert manifest is None
    [issue] = issues
    assert issue.severity == "error" and issue.code == "xml_syntax"
    assert issue.file == "imsmanifest.xml"
    assert issue.line == 5 and issue.column is not None and issue.column > 0
    assert issue.location() == f"imsmanifest.xml:5:{issue.column}"


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (f'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f'<manifest identifier="M" {NS_2004}><organizations default="ORG-1"><organization identifier="ORG-1">'
           '<title>&xxe;</title><item identifier="I" identifierref="R"><title>I</title></item></organization>'
           '</organizations><resources>' + ONE_RES_2004 + '</resources></manifest>')
    manifest, issues = parse_manifest(xml.encode())
    assert "TOP-SECRET" not in json.dumps(manifest.to_dict())
    assert "xml_entities" in codes(issues, "warning")


def test_billion_laughs_does_not_expand():
    lol = '<!ENTITY a "lollollollollollollollol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    xml = (f'<?xml version="1.0"?><!DOCTYPE manifest [{lol}]><manifest identifier="M" {NS_2004}>'
           '<organizations default="ORG-1"><organization identifier="ORG-1"><title>&i;</title>'
           '<item identifier="I" identifierref="R"><title>I</title></item></organization></organizations>'
           '<resources>' + ONE_RES_2004 + '</resources></manifest>')
    manifest, issues = parse_manifest(xml.encode())
    # Either libxml2 refuses the amplification outright (an error in the report) or nothing is expanded.
    if manifest is None:
        assert codes(issues, "error") == ["xml_syntax"]
    else:
        assert len(manifest.organization().title) < 100


def test_root_that_is_not_a_manifest_is_an_error():
    manifest, issues = parse_manifest(b"<html><body/></html>")
    assert manifest is None and codes(issues) == ["not_a_manifest"]


# --- structure ------------------------------------------------------------------------------------------

def test_scorm2004_full_example():
    manifest, issues = parse(scorm2004_files())
    assert codes(issues) == []
    assert manifest.version == SCORM_2004_4
    assert [o.identifier for o in manifest.organizations] == ["ORG-1", "ORG-2"]
    org = manifest.organization()
    assert org.identifier == "ORG-1" and org.objectives_global_to_system is False
    assert org.sequencing_xml and "controlMode" in org.sequencing_xml
    item1, item2 = org.items
    # xml:base chain: manifest "content/" + resources "res/" + resource "p1/" + href (query kept),
    # then the item's parameters ("&page=2#start") appended.
    assert item1.identifier == "ITEM-1" and item1.identifierref == "RES-1"
    assert item1.launch_path == "content/res/p1/part1.html"
    assert item1.launch_url == "content/res/p1/part1.html?x=1&page=2#start"
    assert item1.time_limit_action == "continue,message"
    assert item1.data_from_lms == "launch data"
    assert item1.completion_threshold.completed_by_measure is True
    assert item1.completion_threshold.min_progress_measure == 0.75
    assert item1.completion_threshold.progress_weight == 0.5
    assert item1.hide_lms_ui == ["continue", "previous"]
    assert item1.max_time_allowed == "PT1H"
    assert item1.scaled_passing_score == 0.6
    assert [(m.target_id, m.read_shared_data, m.write_shared_data) for m in item1.shared_data] == [
        ("notes", True, True)]
    assert item1.sequencing_xml.startswith("<imsss:sequencing")
    assert item2.launch_url == "content/res/part2.html"
    res1 = manifest.resources["RES-1"]
    assert res1.title == {"en": "Part one"}  # external metadata (adlcp:location)
    assert res1.dependencies == ["SHARED"]  # trimmed
    assert manifest.resources["RES-2"].title == {"fr": "Partie 2", "ar": "الجزء 2"}  # inline LOM
    assert manifest.resources["SHARED"].files == ["content/res/shared/api.js"]
    assert manifest.organization("ORG-2").items[0].identifier == "ITEM-R"


def test_manifest_round_trips_through_json():
    manifest, _ = parse(scorm2004_files())
    data = json.loads(json.dumps(manifest.to_dict()))
    again = manifest_from_dict(data)
    assert again.to_dict() == manifest.to_dict()
    assert again.organization().items[0].completion_threshold.min_progress_measure == 0.75


def test_nested_items_and_assets():
    manifest, issues = parse(scorm12_multi_files())
    assert issues == []
    org = manifest.organization()
    module, glossary = org.items
    assert module.scorm_type is None and module.launch_url is None
    assert [c.identifier for c in module.children] == ["ITEM-1", "ITEM-2"]
    assert glossary.scorm_type == "asset"
    assert [i.identifier for i in org.launchable_items()] == ["ITEM-1", "ITEM-2", "ITEM-3"]


def test_identifiers_are_trimmed_before_matching():
    org = ('<organization identifier="  ORG-1  "><title>T</title><item identifier=" I " identifierref="  R  ">'
           '<title>I</title></item></organization>')
    res = '<resource identifier="   R " type="webcontent" adlcp:scormType="sco" href="a.html"/>'
    manifest, issues = parse_manifest(manifest_2004(org, res, default=" ORG-1 ").encode())
    assert issues == []
    assert manifest.default_organization == "ORG-1"
    assert manifest.organization().items[0].launch_url == "a.html"


def test_unknown_default_organization_falls_back_to_the_first_with_a_warning():
    manifest, issues = parse_manifest(manifest_2004(ONE_ITEM_2004, ONE_RES_2004, default="NOPE").encode())
    assert manifest.default_organization == "ORG-1"
    assert codes(issues) == ["default_org_unknown"]
    assert issues[0].severity == "warning"
    assert issues[0].params == {"organization": "NOPE", "first": "ORG-1"}


def test_item_referring_to_a_missing_resource_is_an_error():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="GONE">'
           '<title>I</title></item></organization>')
    manifest, issues = parse_manifest(manifest_2004(org, ONE_RES_2004).encode())
    assert "item_missing_resource" in codes(issues, "error")
    [issue] = [i for i in issues if i.code == "item_missing_resource"]
    assert issue.line == 4 and issue.params == {"item": "I", "resource": "GONE"}


def test_missing_launch_file_is_an_error_and_missing_listed_file_a_warning():
    files = dict(scorm12_single_files())
    del files["sco.js"]
    _, issues = parse(files)
    assert codes(issues) == ["file_missing"] and issues[0].severity == "warning"
    del files["index.html"]
    _, issues = parse(files)
    assert "launch_file_missing" in codes(issues, "error")


def test_external_metadata_file_missing_is_a_warning():
    files = dict(scorm2004_files())
    del files["content/res/p1/meta/part1.xml"]
    manifest, issues = parse(files)
    assert codes(issues) == ["metadata_missing"]
    assert manifest.resources["RES-1"].title is None


def test_unknown_elements_are_warnings():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">'
           '<title>I</title><adlcp:frobnicate/><imsss:sequencing><imsss:teleport/></imsss:sequencing>'
           '</item><colour>blue</colour></organization>')
    manifest, issues = parse_manifest(manifest_2004(org, ONE_RES_2004).encode())
    assert manifest is not None
    warned = {i.params["element"] for i in issues if i.code == "unknown_element"}
    assert warned == {"adlcp:frobnicate", "imsss:teleport", "colour"}
    assert all(i.severity == "warning" for i in issues)


def test_no_organization_is_an_error():
    manifest, issues = parse_manifest(manifest_2004("", ONE_RES_2004, default=None).encode())
    assert codes(issues, "error") == ["no_organization"]


def test_completion_threshold_as_text_in_3rd_edition():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">'
           '<title>I</title><adlcp:completionThreshold>0.4</adlcp:completionThreshold></item></organization>')
    manifest, issues = parse_manifest(manifest_2004(org, ONE_RES_2004, schemaversion="2004 3rd Edition").encode())
    threshold = manifest.organization().items[0].completion_threshold
    assert (threshold.completed_by_measure, threshold.min_progress_measure) == (True, 0.4)


def test_invalid_values_are_ignored_with_a_warning():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">'
           '<title>I</title><adlcp:masteryscore>120</adlcp:masteryscore>'
           '<adlcp:timelimitaction>explode</adlcp:timelimitaction></item></organization>')
    manifest, issues = parse_manifest(manifest_12(org, ONE_RES_12).encode())
    item = manifest.organization().items[0]
    assert item.mastery_score is None and item.time_limit_action is None
    assert codes(issues) == ["invalid_value", "invalid_value"]


def test_sequencing_collection_is_kept_and_referenced_limits_are_read():
    org = ('<organization identifier="ORG-1"><title>T</title><item identifier="I" identifierref="R">'
           '<title>I</title><imsss:sequencing IDRef="common"/></item></organization>')
    collection = ('<imsss:sequencingCollection><imsss:sequencing ID=" common ">'
                  '<imsss:limitConditions attemptAbsoluteDurationLimit="PT5M"/></imsss:sequencing>'
                  '</imsss:sequencingCollection>')
    manifest, issues = parse_manifest(manifest_2004(org, ONE_RES_2004, extra=collection).encode())
    assert issues == []
    assert "common" in manifest.sequencing_collection
    assert manifest.organization().items[0].max_time_allowed == "PT5M"


def test_external_launch_url_is_kept_with_a_warning():
    res = '<resource identifier="R" type="webcontent" adlcp:scormType="asset" href="https://example.org/x"/>'
    manifest, issues = parse_manifest(manifest_2004(ONE_ITEM_2004, res).encode(), file_exists=lambda p: False)
    assert manifest.organization().items[0].launch_url == "https://example.org/x"
    assert codes(issues) == ["external_launch"]


def test_href_with_escapes_names_the_unescaped_file():
    res = '<resource identifier="R" type="webcontent" adlcp:scormType="sco" href="my%20lesson/index.html"/>'
    manifest, issues = parse_manifest(manifest_2004(ONE_ITEM_2004, res).encode(),
                                      file_exists={"my lesson/index.html"}.__contains__)
    item = manifest.organization().items[0]
    assert issues == []
    assert item.launch_path == "my lesson/index.html" and item.launch_url == "my%20lesson/index.html"


@pytest.mark.parametrize("url,params,expected", [
    ("a.html", "?x=1", "a.html?x=1"),
    ("a.html", "x=1", "a.html?x=1"),
    ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
    ("a.html?y=2", "&x=1", "a.html?y=2&x=1"),
    ("a.html", "#frag", "a.html#frag"),
    ("a.html#one", "#two", "a.html#one"),
    ("a.html#one", "x=1", "a.html?x=1#one"),
    ("a.html", "", "a.html"),
    ("a.html", None, "a.html"),
])
def test_parameters_are_applied_as_the_cam_says(url, params, expected):
    assert apply_parameters(url, params) == expected


def test_all_versions_report_items_title_for_the_package_title():
    manifest, _ = parse(scorm12_single_files(title="Premiers secours"))
    assert manifest.title == "Premiers secours"


def test_duplicate_item_in_an_organization_is_an_error_but_not_across_organizations():
    item = '<item identifier="I" identifierref="R"><title>I</title></item>'
    org = f'<organization identifier="ORG-1"><title>T</title>{item}<item identifier="G"><title>G</title>{item}</item>' \
          '</organization>'
    _, issues = parse_manifest(manifest_2004(org, ONE_RES_2004).encode())
    assert codes(issues, "error") == ["duplicate_item"]
    assert issues[0].params == {"identifier": "I", "organization": "ORG-1"}
    two_orgs = ONE_ITEM_2004 + ONE_ITEM_2004.replace("ORG-1", "ORG-2")
    manifest, issues = parse_manifest(manifest_2004(two_orgs, ONE_RES_2004).encode())
    assert issues == [] and len(manifest.organizations) == 2


def test_item_without_identifier_is_an_error():
    org = '<organization identifier="ORG-1"><title>T</title><item identifierref="R"><title>I</title></item>' \
          '</organization>'
    _, issues = parse_manifest(manifest_2004(org, ONE_RES_2004).encode())
    assert codes(issues, "error") == ["item_no_identifier"]
