"""The upload page in Chromium: the progress bar follows the real upload, the report is accessible."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from lms.scorm.models import ScormPackageVersion
from tests.factories import enrol, make_course, make_user
from tests.scorm.packages import scorm12_single_files, write_zip

pytestmark = pytest.mark.browser


@pytest.fixture
def teacher_course(db):
    user = make_user("prof", role="instructor", language="ar")
    course = make_course("UP-1")
    enrol(user, course, role="instructor")
    db.session.commit()
    return user, course


def test_upload_shows_real_progress_then_the_report(page, live_server, browser_login, axe_check, db,
                                                    teacher_course, tmp_path):
    _user, course = teacher_course
    files = dict(scorm12_single_files())
    files["media/clip.bin"] = os.urandom(3 * 1024 * 1024)  # incompressible: the upload takes a while
    path = write_zip(tmp_path / "big.zip", files)

    browser_login("prof")
    page.goto(f"{live_server.url}/courses/{course.id}/scorm/new")
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page)

    seen: list[float] = []
    page.expose_function("recordProgress", lambda value: seen.append(float(value)))
    page.evaluate("""() => {
        const bar = document.querySelector('progress');
        new MutationObserver(() => window.recordProgress(bar.value)).observe(bar, {attributes: true});
    }""")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 1024 * 1024})
    page.set_input_files("input[name=package]", str(path))
    page.click("form[data-scorm-upload] button[type=submit]")
    page.wait_for_url("**/scorm/versions/*", timeout=30000)

    intermediate = [v for v in seen if 0 < v < 100]
    assert intermediate, f"no intermediate progress value was shown: {seen}"
    assert seen == sorted(seen) and seen[-1] == 100
    db.session.rollback()
    version = db.session.scalar(select(ScormPackageVersion))
    assert version is not None and page.url.endswith(f"/scorm/versions/{version.id}")
    assert page.locator("h2#scorm-report-title").inner_text() == "تقرير التحقق"
    axe_check(page)


def test_refused_upload_shows_the_translated_report_in_place(page, live_server, browser_login, axe_check, db,
                                                             teacher_course, tmp_path):
    _user, course = teacher_course
    files = dict(scorm12_single_files())
    del files["index.html"]
    path = write_zip(tmp_path / "broken.zip", files)
    browser_login("prof")
    page.goto(f"{live_server.url}/courses/{course.id}/scorm/new")
    page.set_input_files("input[name=package]", str(path))
    page.click("form[data-scorm-upload] button[type=submit]")
    issue = page.locator(".scorm-issue-error").first
    issue.wait_for()
    assert "index.html" in issue.inner_text() and "ملف التشغيل" in issue.inner_text()
    assert page.url.endswith(f"/courses/{course.id}/scorm/new")
    axe_check(page)
