"""Every course-structure rule of cmi5 §13-14, on valid and invalid packages built for the test
(through the import service: SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.cmi5.models import Cmi5AU, Cmi5Block, Cmi5Course, Cmi5Objective
from lms.cmi5.services import import_cmi5
from lms.scorm.services import PackageRejected
from tests.cmi5.packages import (AU_PAGE, BASE, au_xml, block_xml, cmi5_xml, cmi5_zip, objective_xml)
from tests.factories import make_course


def _codes(exc) -> list[str]:
    return [issue.code for issue in exc.value.report.errors]


def _reject(db, tmp_path, xml, files=None, name="p.zip"):
    course = make_course()
    with pytest.raises(PackageRejected) as exc:
        import_cmi5(course, cmi5_zip(tmp_path / name, xml, files))
    return exc


def test_valid_zip_imports_course_blocks_aus_objectives(db, tmp_path):
    course = make_course()
    xml = cmi5_xml([
        block_xml(f"{BASE}/block/1", [au_xml(f"{BASE}/au/1", "au1/index.html", objectives=[f"{BASE}/obj/1"],
                                             attrs={"moveOn": "Passed", "masteryScore": "0.8",
                                                    "launchMethod": "OwnWindow"},
                                             launch_parameters="Start=1", entitlement_key="xyz-1")],
                  objectives=[f"{BASE}/obj/1"]),
        au_xml(f"{BASE}/au/2", "au2/start.html?lang=ar", title="Unit two",
               attrs={"activityType": "http://adlnet.gov/expapi/activities/media"})],
        objectives=[objective_xml(f"{BASE}/obj/1")])
    row = import_cmi5(course, cmi5_zip(tmp_path / "ok.zip", xml, {"au1/index.html": AU_PAGE, "au2/start.html": AU_PAGE}))
    assert row.publisher_id == f"{BASE}/course" and row.activity.type_key == "cmi5"
    assert row.lms_iri != row.publisher_id and row.digest
    [block] = row.blocks
    assert block.publisher_id == f"{BASE}/block/1" and block.objective_ids == [f"{BASE}/obj/1"]
    first, second = row.aus
    assert (first.move_on, first.mastery_score, first.launch_method) == ("Passed", 0.8, "OwnWindow")
    assert first.parent_ids == [f"{BASE}/block/1"] and first.launch_parameters == "Start=1"
    assert first.entitlement_key == "xyz-1" and first.lms_iri != first.publisher_id
    assert (second.move_on, second.launch_method, second.parent_ids) == ("NotApplicable", "AnyWindow", [])
    assert second.activity_type == "http://adlnet.gov/expapi/activities/media"
    assert [o.publisher_id for o in row.objectives] == [f"{BASE}/obj/1"]
    assert row.report["kind"] == "cmi5" and not [i for i in row.report["issues"] if i["severity"] == "error"]


def test_leading_and_trailing_whitespace_is_removed(db, tmp_path):
    xml = cmi5_xml([au_xml(f"  {BASE}/au/1 ", "  au1/index.html  ", attrs={"moveOn": " Completed "})])
    row = import_cmi5(make_course(), cmi5_zip(tmp_path / "ws.zip", xml))
    assert (row.aus[0].publisher_id, row.aus[0].url, row.aus[0].move_on) == (f"{BASE}/au/1", "au1/index.html",
                                                                            "Completed")


def test_bare_xml_with_absolute_urls_imports(db, tmp_path):
    path = tmp_path / "cmi5.xml"
    path.write_text(cmi5_xml([au_xml(url="https://content.example.test/au1/index.html?x=1")]))
    row = import_cmi5(make_course(), path)
    assert row.digest is None and row.aus[0].url == "https://content.example.test/au1/index.html?x=1"


def test_bare_xml_with_relative_url_is_refused(db, tmp_path):
    path = tmp_path / "cmi5.xml"
    path.write_text(cmi5_xml([au_xml(url="au1/index.html")]))
    with pytest.raises(PackageRejected) as exc:
        import_cmi5(make_course(), path)
    assert _codes(exc) == ["cmi5_url_relative_without_zip"]
    assert "§14.2" in exc.value.report.errors[0].message()


def test_relative_url_must_be_in_the_zip(db, tmp_path):
    exc = _reject(db, tmp_path, cmi5_xml([au_xml(url="missing/index.html")]))
    assert _codes(exc) == ["cmi5_url_file_missing"]


def test_zip_without_cmi5_xml_is_refused(db, tmp_path):
    from tests.cmi5.packages import write_zip

    with pytest.raises(PackageRejected) as exc:
        import_cmi5(make_course(), write_zip(tmp_path / "x.zip", {"index.html": AU_PAGE}))
    assert _codes(exc) == ["cmi5_missing"]


@pytest.mark.parametrize("where", ["course", "block", "au", "objective", "activityType"])
def test_ids_must_be_absolute_iris(db, tmp_path, where):
    bad = "not an iri"
    xml = cmi5_xml(
        [block_xml(bad if where == "block" else f"{BASE}/b",
                   [au_xml(bad if where == "au" else f"{BASE}/au/1",
                           attrs={"activityType": "media"} if where == "activityType" else None)])],
        course_id=bad if where == "course" else f"{BASE}/course",
        objectives=[objective_xml("relative/objective" if where == "objective" else f"{BASE}/o")])
    exc = _reject(db, tmp_path, xml)
    expected = "cmi5_activity_type_invalid" if where == "activityType" else "cmi5_id_not_iri"
    assert _codes(exc) == [expected]


@pytest.mark.parametrize("pair", [("course", "au"), ("block", "au"), ("au", "au"), ("objective", "block"),
                                  ("objective", "course")])
def test_ids_must_be_unique_across_course_blocks_aus_objectives(db, tmp_path, pair):
    same = f"{BASE}/same"
    ids = {kind: same if kind in pair else f"{BASE}/{kind}" for kind in ("course", "block", "au", "objective")}
    aus = [au_xml(ids["au"])]
    if pair == ("au", "au"):
        aus.append(au_xml(same, "au1/index.html"))
    xml = cmi5_xml([block_xml(ids["block"], aus)], course_id=ids["course"], objectives=[objective_xml(ids["objective"])])
    exc = _reject(db, tmp_path, xml)
    assert _codes(exc) == ["cmi5_duplicate_id"]
    assert same in exc.value.report.errors[0].message()


@pytest.mark.parametrize("name", ["endpoint", "fetch", "actor", "registration", "activityId"])
def test_launch_url_must_not_carry_cmi5_parameters(db, tmp_path, name):
    exc = _reject(db, tmp_path, cmi5_xml([au_xml(url=f"au1/index.html?mode=1&{name}=x")]))
    assert _codes(exc) == ["cmi5_url_reserved_parameter"]
    assert name in exc.value.report.errors[0].message()


@pytest.mark.parametrize("url", ["au1/index file.html", "http:///nohost", "//host/path", "/absolute/path",
                                 "au1/<x>.html"])
def test_invalid_launch_urls(db, tmp_path, url):
    exc = _reject(db, tmp_path, cmi5_xml([au_xml(url=url)]))
    assert _codes(exc) == ["cmi5_url_invalid"]


def test_missing_url_title_and_description(db, tmp_path):
    xml = cmi5_xml([au_xml(url="", description=None)]).replace("<url></url>", "")
    exc = _reject(db, tmp_path, xml)
    assert sorted(_codes(exc)) == ["cmi5_description_missing", "cmi5_schema_order", "cmi5_url_missing"]


def test_elements_follow_the_schema_order(db, tmp_path):
    xml = cmi5_xml([au_xml()]).replace("<url>au1/index.html</url>", "")
    xml = xml.replace(f'<au id="{BASE}/au/1">', f'<au id="{BASE}/au/1"><url>au1/index.html</url>')
    exc = _reject(db, tmp_path, xml)
    assert _codes(exc) == ["cmi5_schema_order"]
    assert "title, description, objectives?, url" in exc.value.report.errors[0].message()


@pytest.mark.parametrize("attr,value,code", [
    ("moveOn", "Whenever", "cmi5_move_on_invalid"), ("moveOn", "passed", "cmi5_move_on_invalid"),
    ("masteryScore", "1.5", "cmi5_mastery_score_invalid"), ("masteryScore", "-0.1", "cmi5_mastery_score_invalid"),
    ("masteryScore", "0.12345", "cmi5_mastery_score_invalid"), ("masteryScore", "high", "cmi5_mastery_score_invalid"),
    ("launchMethod", "NewWindow", "cmi5_launch_method_invalid"),
    ("activityType", "", "cmi5_activity_type_invalid")])
def test_attribute_value_spaces(db, tmp_path, attr, value, code):
    exc = _reject(db, tmp_path, cmi5_xml([au_xml(attrs={attr: value})]))
    assert _codes(exc) == [code]


@pytest.mark.parametrize("attr,value", [("moveOn", v) for v in ("Passed", "Completed", "CompletedAndPassed",
                                                                "CompletedOrPassed", "NotApplicable")]
                         + [("masteryScore", "0"), ("masteryScore", "1"), ("masteryScore", "0.8125"),
                            ("launchMethod", "OwnWindow"), ("launchMethod", "AnyWindow")])
def test_valid_attribute_values(db, tmp_path, attr, value):
    row = import_cmi5(make_course(), cmi5_zip(tmp_path / "ok.zip", cmi5_xml([au_xml(attrs={attr: value})])))
    assert row.aus


def test_objective_references_must_be_declared(db, tmp_path):
    exc = _reject(db, tmp_path, cmi5_xml([au_xml(objectives=[f"{BASE}/obj/none"])]))
    assert _codes(exc) == ["cmi5_objective_undeclared"]


def test_structure_without_au_and_empty_block(db, tmp_path):
    exc = _reject(db, tmp_path, cmi5_xml([f'<block id="{BASE}/b"><title><langstring>B</langstring></title>'
                                          f'<description><langstring>B</langstring></description></block>']))
    assert sorted(_codes(exc)) == ["cmi5_empty_block", "cmi5_no_au"]


def test_not_well_formed_and_wrong_root(db, tmp_path):
    exc = _reject(db, tmp_path, "<courseStructure><course>")
    assert _codes(exc) == ["cmi5_xml_syntax"] and exc.value.report.errors[0].line is not None
    exc = _reject(db, tmp_path, "<manifest/>", name="q.zip")
    assert _codes(exc) == ["cmi5_not_course_structure"]


def test_zip64_package_imports(db, tmp_path):
    path = cmi5_zip(tmp_path / "z64.zip", force_zip64=True)
    with open(path, "rb") as fh:
        head = fh.read(30 + len("cmi5.xml") + 4)
    # ZIP64 entries: 0xFFFFFFFF sizes in the local header and a ZIP64 extended information extra field (0x0001)
    assert head[18:26] == b"\xff" * 8 and head[-4:-2] == b"\x01\x00"
    assert import_cmi5(make_course(), path).aus[0].url == "au1/index.html"


def test_a_thousand_aus(db, tmp_path):
    aus = [au_xml(f"{BASE}/au/{n}", "au1/index.html", title=f"AU {n}") for n in range(1200)]
    blocks = [block_xml(f"{BASE}/block/{b}", aus[b * 100:(b + 1) * 100]) for b in range(12)]
    row = import_cmi5(make_course(), cmi5_zip(tmp_path / "big.zip", cmi5_xml(blocks)))
    assert db.session.scalar(select(func.count()).select_from(Cmi5AU).where(Cmi5AU.course_id == row.id)) == 1200
    assert db.session.scalar(select(func.count()).select_from(Cmi5Block).where(Cmi5Block.course_id == row.id)) == 12
    assert len({au.lms_iri for au in row.aus}) == 1200


def test_vendor_extensions_are_ignored(db, tmp_path):
    xml = cmi5_xml([au_xml()]).replace("<url>", '<ext:thing xmlns:ext="https://vendor.example/x">1</ext:thing><url>')
    row = import_cmi5(make_course(), cmi5_zip(tmp_path / "ext.zip", xml))
    assert db.session.get(Cmi5Course, row.id) is not None and not db.session.scalars(select(Cmi5Objective)).all()
