"""Display modes, hidden LMS UI and accessibility of the player."""
from __future__ import annotations

import pytest

from lms.core.db import db
from tests.scorm.browser.test_player_browser import _tmp, sco, track, wait_for
from tests.scorm.player_fixtures import setup_activity
from tests.scorm.player_packages import multi_12, single_12

pytestmark = pytest.mark.browser


def test_new_window_mode_finds_the_api_through_the_opener(page, live_server, browser_login):
    _course, learner, activity = setup_activity(single_12(_tmp()), settings={"scorm_display": "window"})
    db.session.commit()
    browser_login(learner.username)
    with page.expect_popup() as popup_info:
        page.goto(f"{live_server.url}/activities/{activity.id}/play")
    popup = popup_info.value
    popup.wait_for_function("() => document.body && document.body.dataset.ready === '1'")
    assert "ready true entry=ab-initio" in popup.inner_text("#status")
    popup.evaluate("() => [sco.set('cmi.core.lesson_location', 'from-window'), sco.commit()]")
    wait_for(lambda: (t := track(activity, "SCO-1")) and t.location == "from-window", message="window commit")
    assert page.locator("#scorm-frame").is_hidden()


def test_player_chrome_is_accessible_and_right_to_left(page, live_server, browser_login, axe_check):
    _course, learner, activity = setup_activity(multi_12(_tmp()), language="ar")
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")
    sco(page, "one/index.html")
    assert page.get_attribute("html", "dir") == "rtl"
    # the TOC is on the start side: in Arabic, to the right of the content
    toc = page.locator("#scorm-toc").bounding_box()
    stage = page.locator("#scorm-stage").bounding_box()
    assert toc["x"] > stage["x"]
    assert page.locator("#scorm-previous").is_disabled() and page.locator("#scorm-continue").is_enabled()
    axe_check(page, context={"exclude": [["#scorm-frame"]]})


def test_hide_lms_ui_hides_the_buttons_the_package_asks(page, live_server, browser_login):
    from tests.scorm.packages import scorm2004_package

    _course, learner, activity = setup_activity(scorm2004_package(_tmp()))
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")
    page.wait_for_function("() => TamkeenPlayer.state().item === 'ITEM-1'")
    assert page.locator("#scorm-continue").is_hidden() and page.locator("#scorm-previous").is_hidden()
    assert page.locator("#scorm-exit").is_visible()


def test_instructor_report_is_accessible(page, live_server, browser_login, axe_check):
    from lms.scorm import attempts as service
    from lms.scorm.runtime.models import ScoTrack
    from tests.factories import enrol, make_user

    _course, learner, activity = setup_activity(single_12(_tmp()))
    attempt = service._create_attempt(activity, learner)
    db.session.add(ScoTrack(attempt=attempt, item_identifier="SCO-1", cmi={}, score_raw=70, lesson_status="passed"))
    db.session.flush()
    service._grade(attempt)
    teacher = make_user(role="instructor", language="fr")
    enrol(teacher, activity.course, role="instructor")
    db.session.commit()
    browser_login(teacher.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/scorm/report")
    assert page.locator("table.scorm-report-table").first.is_visible()
    assert "Amina Benali" in page.inner_text("main")
    axe_check(page)
    page.click(f"a[href='/scorm/attempts/{attempt.id}/report']")
    page.wait_for_selector("h1")
    assert "SCO-1" in page.inner_text("main") or "Only lesson" in page.inner_text("main")
    axe_check(page)


def test_time_limit_with_exit_ends_the_session_and_keeps_the_data(page, live_server, browser_login):
    _course, learner, activity = setup_activity(single_12(_tmp(), max_time="00:00:03"))
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")
    frame = sco(page, "sco1.html")
    assert frame.evaluate("() => [sco.get('cmi.student_data.max_time_allowed'), "
                          "sco.get('cmi.student_data.time_limit_action')]") == ["00:00:03", "exit,message"]
    frame.evaluate("() => sco.set('cmi.core.lesson_location', 'when-time-ran-out')")
    page.wait_for_selector("#scorm-player[data-ended='exitAll']", timeout=20000)
    assert page.locator("#scorm-message").inner_text() != ""
    wait_for(lambda: (t := track(activity, "SCO-1")) and t.location == "when-time-ran-out", message="saved")


def test_save_and_leave_suspends_even_when_the_sco_finishes_on_unload(page, live_server, browser_login):
    from lms.scorm.runtime.models import ScormAttempt
    from tests.scorm.player_packages import single_12_finishing_on_unload

    _course, learner, activity = setup_activity(single_12_finishing_on_unload(_tmp()))
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")
    frame = sco(page, "sco1.html")
    frame.evaluate("() => [sco.set('cmi.core.lesson_status', 'incomplete'), sco.set('cmi.suspend_data', 'mid')]")
    page.click("#scorm-suspend")
    page.wait_for_selector("#scorm-player[data-ended='suspendAll']")
    t = wait_for(lambda: (t := track(activity, "SCO-1")) and t.launch_state == "terminated" and t, message="finish")
    assert t.suspend_data == "mid"
    db.session.rollback()
    attempt = db.session.get(ScormAttempt, t.attempt_id)
    assert attempt.suspended is True and attempt.finished_at is None


def test_full_screen_mode_puts_the_content_stage_full_screen(page, live_server, browser_login):
    _course, learner, activity = setup_activity(single_12(_tmp()), settings={"scorm_display": "fullscreen"})
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")
    sco(page, "sco1.html")
    page.click("#scorm-fullscreen")
    page.wait_for_function("() => (document.fullscreenElement && document.fullscreenElement.id === 'scorm-stage')"
                           " || document.getElementById('scorm-player').classList.contains('is-fullscreen')")
