"""``lms content validate`` and ``lms content import`` (database: SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import select

from lms.courses.models import Activity
from lms.scorm.kinds import (register_package_kind, register_source_opener, unregister_package_kind,
                              unregister_source_opener)
from lms.scorm.models import ScormPackage
from lms.scorm.package import Report
from tests.factories import make_course
from tests.scorm.packages import (scorm12_package, scorm12_single_files, scorm2004_package, symlink_zip, write_folder,
                                  write_zip)


def test_validate_good_zip_exits_0(runner, tmp_path):
    result = runner.invoke(args=["content", "validate", str(scorm2004_package(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "scorm 2004-4: 0 error(s), 0 warning(s): importable"


def test_validate_folder_with_warnings_exits_0_and_prints_them(runner, tmp_path):
    files = dict(scorm12_single_files())
    del files["sco.js"]
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace('default="ORG-1"', 'default="NOPE"')
    result = runner.invoke(args=["content", "validate", str(write_folder(tmp_path / "pkg", files))])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "scorm 1.2: 0 error(s), 2 warning(s): importable"
    assert any(line.startswith("warning: imsmanifest.xml:4: The default organization NOPE does not exist")
               for line in lines), lines
    assert any("sco.js" in line and line.startswith("warning: imsmanifest.xml:") for line in lines)


def test_validate_broken_manifest_exits_1_with_line_and_column(runner, tmp_path):
    files = dict(scorm12_single_files())
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace("</item>", "")
    result = runner.invoke(args=["content", "validate", str(write_zip(tmp_path / "bad.zip", files))])
    assert result.exit_code == 1
    [error] = [line for line in result.output.splitlines() if line.startswith("error:")]
    file, line, column = error.split(": ", 2)[1].split(":")
    assert file == "imsmanifest.xml" and int(line) > 1 and int(column) > 0


def test_validate_hostile_zip_exits_1(runner, tmp_path):
    result = runner.invoke(args=["content", "validate", str(symlink_zip(tmp_path / "s.zip"))])
    assert result.exit_code == 1
    assert "symbolic link" in result.output


def test_validate_missing_path_and_unknown_kind_exit_1(runner, tmp_path):
    assert runner.invoke(args=["content", "validate", str(tmp_path / "none.zip")]).exit_code == 1
    result = runner.invoke(args=["content", "validate", str(write_zip(tmp_path / "x.zip", {"a.txt": "a"}))])
    assert result.exit_code == 1 and "not a package this site can import" in result.output


def test_import_prints_the_activity_id_last(runner, db, tmp_path):
    course = make_course("DIGI-101")
    db.session.commit()
    result = runner.invoke(args=["content", "import", str(scorm12_package(tmp_path)), "--course", "DIGI-101",
                                 "--title", "Sécurité"])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.stderr  # the progress bar (on stderr, so stdout ends with the id)
    activity_id = int(result.stdout.strip().splitlines()[-1])
    db.session.expire_all()
    activity = db.session.get(Activity, activity_id)
    assert activity.course_id == course.id and activity.type_key == "scorm"
    assert activity.display_title == "Sécurité"
    assert ScormPackage.for_activity(activity_id).latest_version.number == 1


def test_import_by_course_id_from_a_folder(runner, db, tmp_path):
    course = make_course()
    db.session.commit()
    folder = write_folder(tmp_path / "pkg", scorm12_single_files())
    result = runner.invoke(args=["content", "import", str(folder), "--course", str(course.id)])
    assert result.exit_code == 0, result.output
    activity = db.session.get(Activity, int(result.stdout.strip().splitlines()[-1]))
    assert activity.display_title == "Safety basics"


def test_import_refused_package_exits_1_and_stores_nothing(runner, db, tmp_path):
    make_course("C1")
    db.session.commit()
    files = dict(scorm12_single_files())
    del files["index.html"]
    result = runner.invoke(args=["content", "import", str(write_zip(tmp_path / "b.zip", files)), "--course", "C1"])
    assert result.exit_code == 1
    assert "launch file index.html" in result.output
    assert db.session.scalar(select(Activity)) is None


def test_import_unknown_course_exits_1(runner, db, tmp_path):
    result = runner.invoke(args=["content", "import", str(scorm12_package(tmp_path)), "--course", "nope"])
    assert result.exit_code == 1


def test_another_package_kind_plugs_in_without_editing_scorm(runner, db, tmp_path):
    seen = {}

    def detect(source):
        return source.exists("example-kind.xml")

    def validate(source):
        seen["validated"] = source.read("example-kind.xml")
        return Report()

    def import_(course, path, *, title=None, progress=None, user=None):
        from lms.scorm.services import add_scorm_activity

        activity = add_scorm_activity(course, title or "example")
        activity.type_key = "page"
        return activity

    register_package_kind("example-kind", detect, validate, import_, priority=1)
    try:
        path = write_zip(tmp_path / "c.zip", {"example-kind.xml": "<kind/>", "index.html": "x"})
        result = runner.invoke(args=["content", "validate", str(path)])
        assert result.exit_code == 0 and "example-kind" in result.output
        assert seen["validated"] == b"<kind/>"
        make_course("C2")
        db.session.commit()
        result = runner.invoke(args=["content", "import", str(path), "--course", "C2"])
        assert result.exit_code == 0, result.output
        assert db.session.get(Activity, int(result.stdout.strip().splitlines()[-1])).type_key == "page"
    finally:
        unregister_package_kind("example-kind")


def test_a_kind_can_open_files_that_are_not_archives(runner, tmp_path):
    from lms.scorm.package import PackageSource

    class OneFile(PackageSource):
        def __init__(self, path):
            self.path = path

        def names(self):
            return ["course.structure"]

        def read(self, name):
            return self.path.read_bytes() if name == "course.structure" else None

    def opener(path, limits):
        return OneFile(path) if path.suffix == ".structure" else None

    register_source_opener(opener)
    register_package_kind("one-file", lambda source: source.exists("course.structure"), lambda source: Report(),
                          lambda *a, **k: None, priority=1)
    try:
        path = tmp_path / "bare.structure"
        path.write_text("<structure/>")
        result = runner.invoke(args=["content", "validate", str(path)])
        assert result.exit_code == 0 and result.output.strip().endswith("one-file: 0 error(s), 0 warning(s): importable")
    finally:
        unregister_source_opener(opener)
        unregister_package_kind("one-file")
