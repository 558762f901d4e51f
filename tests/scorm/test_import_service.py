"""Importing packages into courses (database: runs on SQLite and PostgreSQL)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.core.storage import storage
from lms.courses.models import Activity, Section
from lms.scorm.models import ScormItem, ScormPackage, ScormPackageVersion
from lms.scorm.services import PackageRejected, find_course, import_package
from tests.factories import make_course, make_user
from tests.scorm.packages import (bomb_zip, scorm12_multi_package, scorm12_package, scorm12_single_files,
                                  scorm2004_package, symlink_zip, write_folder, write_zip, zip_with_raw_names)


def test_import_creates_an_activity_in_the_first_section(db, tmp_path):
    course = make_course(sections=2)
    version = import_package(course, scorm12_package(tmp_path))
    db.session.commit()
    activity = version.package.activity
    assert activity.type_key == "scorm"
    assert activity.section_id == course.sections[0].id
    assert activity.display_title == "Safety basics"
    assert version.number == 1 and version.scorm_version == "1.2"
    assert version.package.latest_version is version
    assert version.organization == "ORG-1"
    [item] = version.items
    assert (item.identifier, item.scorm_type, item.launch_url, item.mastery_score) == (
        "ITEM-1", "sco", "index.html?lang=ar", 80.0)
    assert item.max_time_allowed == "00:30:00" and item.data_from_lms == "mode=exam"


def test_files_are_stored_content_addressed_and_immutable(db, tmp_path):
    course = make_course()
    path = scorm12_package(tmp_path)
    version = import_package(course, path)
    assert version.digest == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    folder = storage.package_dir(version.digest)
    assert (folder / "index.html").read_text().startswith("<!doctype html>")
    assert storage.has_blob(version.digest)
    assert version.file_count == 3 and version.size_bytes > 0
    # The same zip imported again elsewhere shares the folder (written once).
    again = import_package(course, path)
    assert again.digest == version.digest and again.package_id != version.package_id


def test_course_without_section_gets_one(db, tmp_path):
    course = make_course(sections=0)
    version = import_package(course, scorm12_package(tmp_path), title="Premiers secours")
    section = db.session.get(Section, version.package.activity.section_id)
    assert section.course_id == course.id
    assert version.package.activity.title == {"ar": "Premiers secours", "fr": "Premiers secours"}


def test_activities_are_appended_after_the_existing_ones(db, tmp_path):
    course = make_course()
    first = import_package(course, scorm12_package(tmp_path)).package.activity
    second = import_package(course, scorm12_multi_package(tmp_path)).package.activity
    assert second.section_id == first.section_id and second.position > first.position


def test_new_version_keeps_the_old_one(db, tmp_path):
    course = make_course()
    v1 = import_package(course, scorm12_package(tmp_path))
    activity = v1.package.activity
    v2 = import_package(course, scorm2004_package(tmp_path), activity=activity)
    db.session.commit()
    package = ScormPackage.for_activity(activity.id)
    assert [v.number for v in package.versions] == [1, 2]
    assert package.version_number == 2 and package.latest_version.id == v2.id
    assert package.version(1).scorm_version == "1.2" and package.version(2).scorm_version == "2004-4"
    assert storage.package_dir(v1.digest).is_dir() and storage.package_dir(v2.digest).is_dir()
    assert db.session.scalar(select(Activity).where(Activity.course_id == course.id)) is not None
    assert len(db.session.scalars(select(Activity).where(Activity.course_id == course.id)).all()) == 1


def test_scorm2004_items_keep_run_time_values_for_every_organization(db, tmp_path):
    version = import_package(make_course(), scorm2004_package(tmp_path))
    assert version.organization == "ORG-1"
    assert version.organizations == [("ORG-1", "Course 2004"), ("ORG-2", "Review only")]
    items = version.organization_items()
    assert [i.identifier for i in items] == ["ITEM-1", "ITEM-2"]
    first = version.item("ITEM-1")
    assert first.launch_url == "content/res/p1/part1.html?x=1&page=2#start"
    assert first.launch_path == "content/res/p1/part1.html"
    assert first.completion_threshold == {"completed_by_measure": True, "min_progress_measure": 0.75,
                                          "progress_weight": 0.5}
    assert first.hide_lms_ui == ["continue", "previous"]
    assert first.scaled_passing_score == 0.6 and first.time_limit_action == "continue,message"
    assert first.shared_data == [{"target_id": "notes", "read_shared_data": True, "write_shared_data": True}]
    assert [i.identifier for i in version.organization_items("ORG-2")] == ["ITEM-R"]
    assert (storage.package_dir(version.digest) / first.launch_path).is_file()


def test_sequencing_tree_is_built_and_stored(db, tmp_path):
    version = import_package(make_course(), scorm2004_package(tmp_path))
    tree = version.activity_tree
    assert tree is not None and tree["organization_id"] == "ORG-1"
    assert [c["id"] for c in tree["root"]["children"]] == ["ITEM-1", "ITEM-2"]
    assert "<imsss:sequencing" in version.manifest_xml


def test_chosen_organization(db, tmp_path):
    version = import_package(make_course(), scorm2004_package(tmp_path), organization="ORG-2")
    assert version.organization == "ORG-2"
    assert [i.identifier for i in version.launchable_items()] == ["ITEM-R"]


def test_nested_items_keep_their_tree(db, tmp_path):
    version = import_package(make_course(), scorm12_multi_package(tmp_path))
    rows = [(i.identifier, i.parent_identifier, i.depth, i.scorm_type) for i in version.items]
    assert rows == [("MOD-1", None, 0, None), ("ITEM-1", "MOD-1", 1, "sco"), ("ITEM-2", "MOD-1", 1, "sco"),
                    ("ITEM-3", None, 0, "asset")]


def test_report_with_warnings_is_stored_with_the_version(db, tmp_path):
    files = dict(scorm12_single_files())
    del files["sco.js"]
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace('default="ORG-1"', 'default="MISSING"')
    version = import_package(make_course(), write_zip(tmp_path / "warn.zip", files))
    report = version.parsed_report()
    assert report.ok
    assert sorted(i.code for i in report.warnings) == ["default_org_unknown", "file_missing"]


@pytest.mark.parametrize("builder,code", [
    (lambda p: zip_with_raw_names(p / "evil.zip", ["../../evil.html"]), "unsafe_path"),
    (lambda p: symlink_zip(p / "link.zip"), "symlink"),
])
def test_hostile_archives_are_refused_and_nothing_is_stored(db, tmp_path, builder, code):
    course = make_course()
    with pytest.raises(PackageRejected) as excinfo:
        import_package(course, builder(tmp_path))
    assert [i.code for i in excinfo.value.report.errors] == [code]
    assert excinfo.value.status == 422
    assert db.session.scalar(select(ScormPackageVersion)) is None
    assert db.session.scalar(select(Activity)) is None


def test_limits_come_from_the_app_config(app, db, tmp_path):
    course = make_course()
    app.config["SCORM_MAX_RATIO"] = 50
    with pytest.raises(PackageRejected) as excinfo:
        import_package(course, bomb_zip(tmp_path / "bomb.zip"))
    assert [i.code for i in excinfo.value.report.errors] == ["ratio_exceeded"]
    app.config["SCORM_MAX_RATIO"] = 100_000
    app.config["SCORM_MAX_FILES"] = 2
    with pytest.raises(PackageRejected) as excinfo:
        import_package(course, bomb_zip(tmp_path / "bomb.zip"))
    assert [i.code for i in excinfo.value.report.errors] == ["too_many_files"]
    app.config["SCORM_MAX_FILES"] = 100
    app.config["SCORM_MAX_TOTAL_BYTES"] = 1000
    with pytest.raises(PackageRejected) as excinfo:
        import_package(course, bomb_zip(tmp_path / "bomb.zip"))
    assert [i.code for i in excinfo.value.report.errors] == ["too_large"]


def test_invalid_manifest_is_refused_with_line_and_column(db, tmp_path):
    files = dict(scorm12_single_files())
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace("</organization>", "")
    with pytest.raises(PackageRejected) as excinfo:
        import_package(make_course(), write_zip(tmp_path / "bad.zip", files))
    [issue] = excinfo.value.report.errors
    assert issue.code == "xml_syntax" and issue.line and issue.column


def test_folder_and_file_object_import(db, tmp_path):
    course = make_course()
    folder = write_folder(tmp_path / "pkg", scorm12_single_files())
    v1 = import_package(course, folder)
    v2 = import_package(course, io.BytesIO(scorm12_package(tmp_path).read_bytes()))
    assert v1.items[0].launch_url == v2.items[0].launch_url == "index.html?lang=ar"


def test_uploader_is_recorded(db, tmp_path):
    user = make_user(role="instructor")
    version = import_package(make_course(), scorm12_package(tmp_path), user=user)
    assert version.created_by_id == user.id
    assert version.original_filename == "scorm12.zip"


def test_find_course_by_id_or_shortname(db):
    course = make_course("DIGI-101")
    assert find_course(str(course.id)) is course
    assert find_course("DIGI-101") is course
    assert find_course("nope") is None


def test_items_are_deleted_with_the_activity(db, tmp_path):
    version = import_package(make_course(), scorm12_multi_package(tmp_path))
    db.session.commit()
    db.session.delete(version.package.activity)
    db.session.commit()
    assert db.session.scalar(select(ScormItem)) is None


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1", "utf-8-sig"])
def test_manifest_in_another_encoding_is_stored_as_reparseable_text(db, tmp_path, encoding):
    files = dict(scorm12_single_files(title="Sécurité à l’école"[:10] if encoding == "iso-8859-1" else "Sécurité"))
    xml = files["imsmanifest.xml"].replace('encoding="UTF-8"', f'encoding="{encoding.replace("-sig", "")}"')
    # utf-8-sig: a byte order mark, then blank lines before the declaration.
    files["imsmanifest.xml"] = (("\n\n" + xml) if encoding == "utf-8-sig" else xml).encode(encoding)
    version = import_package(make_course(), write_zip(tmp_path / "enc.zip", files))
    assert version.title.startswith("Sécurité")
    from lxml import etree

    root = etree.fromstring(version.manifest_xml.encode("utf-8"))
    assert root.find(".//{*}organization/{*}title").text.startswith("Sécurité")
    assert version.activity_tree is not None


def test_title_falls_back_to_the_file_name(db, tmp_path):
    files = dict(scorm12_single_files(title=""))
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace('identifier="MANIFEST-12"', 'identifier=""')
    version = import_package(make_course(), write_zip(tmp_path / "Premiers-secours.zip", files))
    assert version.title == "Premiers-secours"
