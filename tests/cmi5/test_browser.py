"""In Chromium: a learner launches a cmi5 AU written for the test (plain JavaScript: fetch, LMS.LaunchData,
learner preferences, statements against our /xapi), completes and passes it, returns, and the course shows
the AU and the course satisfied."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.cmi5.models import Cmi5Session
from lms.cmi5.services import VERBS, import_cmi5
from lms.core.db import db
from lms.courses.results import get_result
from lms.lrs.emitter import activity_iri
from lms.lrs.store import query_statements
from tests.cmi5.packages import au_xml, cmi5_xml, write_zip
from tests.factories import enrol, make_course, make_user

pytestmark = pytest.mark.browser
AU_DIR = Path(__file__).parent / "au"


def _package(tmp_path) -> Path:
    xml = cmi5_xml([au_xml(url="au/index.html", title="Rocks quiz",
                           attrs={"moveOn": "CompletedAndPassed", "masteryScore": "0.8"})])
    files = {"cmi5.xml": xml}
    files.update({f"au/{p.name}": p.read_text() for p in AU_DIR.iterdir()})
    return write_zip(tmp_path / "rocks.zip", files)


def test_learner_completes_and_passes_an_au_and_the_course_is_satisfied(page, live_server, browser_login, tmp_path,
                                                                        axe_check):
    course = make_course()
    learner = make_user(language="ar")  # the pages in Arabic, right to left
    enrol(learner, course)
    row = import_cmi5(course, _package(tmp_path))
    db.session.commit()
    activity_id = row.activity_id
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity_id}/cmi5")
    assert page.locator("#cmi5-course-status .cmi5-satisfied").count() == 0
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page)
    page.click("form.cmi5-launch button[value=Normal]")
    frame = page.frame_locator("#cmi5-frame")
    frame.locator("#status").filter(has_text="ready Normal").wait_for()
    assert frame.locator("#prefs").inner_text() == "ar,fr,en"
    axe_check(page, context="main")
    frame.locator("#finish").click()
    page.wait_for_url(f"{live_server.url}/activities/{activity_id}/cmi5", timeout=15000)
    page.locator("#cmi5-course-status .cmi5-satisfied").wait_for()
    assert page.locator(".cmi5-au .cmi5-satisfied").count() == 1

    db.session.rollback()
    statements = query_statements(ascending=True)
    course_iri = activity_iri(course, kind="course")  # the LMS course the cmi5 activity sits in
    verbs = [s["verb"]["id"] for s in statements if s["object"]["id"] != course_iri]
    assert verbs == [VERBS["launched"], VERBS["initialized"], VERBS["completed"],
                                                 VERBS["passed"], VERBS["satisfied"], VERBS["terminated"]]
    # its only activity is done, so the LMS records the course's completion as well
    assert [s["verb"]["id"] for s in statements if s["object"]["id"] == course_iri] == [VERBS["completed"]]
    session = db.session.query(Cmi5Session).one()
    assert session.terminated_at is not None and session.abandoned_at is None
    result = get_result(row.activity, learner)
    assert result.completed and result.passed and result.score == pytest.approx(0.9) and result.is_complete
    page.goto(f"{live_server.url}/courses/{course.id}")
    assert page.locator(".badge-success").count() >= 1
