"""``lms content validate`` and ``lms content import`` accept cmi5 (zip, folder, bare cmi5.xml) and TinCan
packages with the same output and exit codes as SCORM (SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import select

from lms.cmi5.models import Cmi5Course, TinCanPackage
from lms.courses.models import Activity
from tests.cmi5.helpers import sign_in
from tests.cmi5.packages import AU_PAGE, au_xml, cmi5_xml, cmi5_zip, tincan_xml, write_zip
from tests.factories import make_course


def test_validate_cmi5_zip_exits_0(runner, tmp_path):
    result = runner.invoke(args=["content", "validate", str(cmi5_zip(tmp_path / "c.zip"))])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "cmi5 1.0: 0 error(s), 0 warning(s): importable"


def test_validate_bare_cmi5_xml(runner, tmp_path):
    good = tmp_path / "course.xml"
    good.write_text(cmi5_xml([au_xml(url="https://content.example.test/au.html")]))
    result = runner.invoke(args=["content", "validate", str(good)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "cmi5.xml"
    bad.write_text(cmi5_xml([au_xml(url="au.html")]))
    result = runner.invoke(args=["content", "validate", str(bad)])
    assert result.exit_code == 1
    assert "error: cmi5.xml:" in result.output and "fully qualified" in result.output
    assert result.output.strip().splitlines()[-1] == "cmi5 1.0: 1 error(s), 0 warning(s): not importable"


def test_validate_invalid_cmi5_names_the_rule(runner, tmp_path):
    path = cmi5_zip(tmp_path / "bad.zip", cmi5_xml([au_xml(url="au1/index.html?endpoint=x",
                                                           attrs={"moveOn": "Sometimes"})]))
    result = runner.invoke(args=["content", "validate", str(path)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("endpoint" in line and "§8.1" in line for line in errors)
    assert any("Sometimes" in line and "moveOn" in line for line in errors)


def test_validate_tincan(runner, tmp_path):
    good = write_zip(tmp_path / "t.zip", {"tincan.xml": tincan_xml(), "index.html": AU_PAGE})
    result = runner.invoke(args=["content", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "tincan: 0 error(s), 0 warning(s): importable"
    bad = write_zip(tmp_path / "b.zip", {"tincan.xml": tincan_xml(launch="missing.html")})
    assert runner.invoke(args=["content", "validate", str(bad)]).exit_code == 1


def test_import_cmi5_prints_the_activity_id_last(runner, db, tmp_path):
    make_course("GEO-1")
    db.session.commit()
    result = runner.invoke(args=["content", "import", str(cmi5_zip(tmp_path / "c.zip")), "--course", "GEO-1",
                                 "--title", "Géologie"])
    assert result.exit_code == 0, result.output
    activity = db.session.get(Activity, int(result.output.strip().splitlines()[-1]))
    assert activity.type_key == "cmi5" and "Géologie" in activity.title.values()
    assert Cmi5Course.for_activity(activity.id).aus[0].url == "au1/index.html"


def test_import_bare_xml_and_tincan(runner, db, tmp_path):
    make_course("GEO-2")
    db.session.commit()
    bare = tmp_path / "cmi5.xml"
    bare.write_text(cmi5_xml([au_xml(url="https://content.example.test/au.html")]))
    result = runner.invoke(args=["content", "import", str(bare), "--course", "GEO-2"])
    assert result.exit_code == 0, result.output
    assert Cmi5Course.for_activity(int(result.output.strip().splitlines()[-1])).digest is None
    tincan = write_zip(tmp_path / "t.zip", {"tincan.xml": tincan_xml(), "index.html": AU_PAGE})
    result = runner.invoke(args=["content", "import", str(tincan), "--course", "GEO-2"])
    assert result.exit_code == 0, result.output
    package = db.session.scalar(select(TinCanPackage))
    assert package.activity_id == int(result.output.strip().splitlines()[-1])
    assert package.activity_iri == "https://example.test/tincan/course" and package.launch == "index.html"


def test_import_invalid_exits_1_and_imports_nothing(runner, db, tmp_path):
    make_course("GEO-3")
    db.session.commit()
    path = cmi5_zip(tmp_path / "bad.zip", cmi5_xml([au_xml(url="nowhere.html")]))
    result = runner.invoke(args=["content", "import", str(path), "--course", "GEO-3"])
    assert result.exit_code == 1
    assert "not imported" in result.output
    assert db.session.scalar(select(Cmi5Course)) is None


def test_abandon_idle_command(runner, db, client, auth, tmp_path):
    from lms.cmi5.services import VERBS
    from lms.lrs.store import query_statements
    from tests.cmi5.helpers import launch, setup_course

    row, user = setup_course(tmp_path)
    sign_in(client, user)
    launch(client, row).start().initialized()
    result = runner.invoke(args=["cmi5", "abandon-idle", "--minutes", "0"])
    assert result.exit_code == 0 and "1 session(s) abandoned" in result.output
    assert len(query_statements(verb=VERBS["abandoned"])) == 1
