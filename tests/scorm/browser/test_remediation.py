"""Issue #5's remediation test in Chromium: a SCORM 2004 4th Edition package with forced order (choice off,
forwardOnly), a lesson and a post-test; the post-test fails on the first try, the sequencing rules send the
learner back to the lesson, the retaken test passes, and the course records passed and completed."""
from __future__ import annotations

import time

import pytest

from lms.core.db import db
from lms.courses.results import get_result
from tests.scorm.player_fixtures import setup_activity
from tests.scorm.remediation_package import remediation_2004

pytestmark = pytest.mark.browser


def sco(page, path_part, timeout=15000):
    """The SCO's frame once it has initialized (its API search succeeded)."""
    page.wait_for_function("""(part) => {
        const f = document.getElementById('scorm-frame');
        const w = f && f.contentWindow;
        return w && w.location.href.includes(part) && w.document.body
            && w.document.body.dataset.ready === '1';
    }""", arg=path_part, timeout=timeout)
    return next(f for f in page.frames if path_part in f.url)


def finish_lesson(page):
    frame = sco(page, "lesson.html")
    # forced order: the learner cannot go back, nor choose
    assert frame.evaluate("() => [sco.get('adl.nav.request_valid.previous'), "
                          "sco.get('adl.nav.request_valid.continue')]") == ["false", "true"]
    assert frame.evaluate("""() => [sco.set('cmi.completion_status', 'completed'),
        sco.set('cmi.session_time', 'PT20S'), sco.set('adl.nav.request', 'continue'), sco.finish()]""") == \
        ["true"] * 4


def take_test(page, scaled, status):
    frame = sco(page, "posttest.html")
    assert frame.evaluate("""([scaled, status]) => [sco.set('cmi.score.scaled', scaled),
        sco.set('cmi.completion_status', 'completed'), sco.set('cmi.success_status', status),
        sco.set('adl.nav.request', 'continue'), sco.finish()]""", [scaled, status]) == ["true"] * 5


def test_failed_post_test_sends_the_learner_back_to_the_lesson_then_lets_them_pass(page, live_server,
                                                                                    browser_login, tmp_path):
    _course, learner, activity = setup_activity(remediation_2004(tmp_path))
    db.session.commit()
    browser_login(learner.username)
    page.goto(f"{live_server.url}/activities/{activity.id}/play")

    finish_lesson(page)
    take_test(page, "0.4", "failed")
    # remediation: the module is retried, the lesson comes back
    frame = sco(page, "lesson.html")
    assert "entry=ab-initio" in frame.inner_text("#status")
    db.session.rollback()
    result = get_result(activity, learner)
    assert result is None or not result.passed

    finish_lesson(page)
    take_test(page, "0.9", "passed")
    page.wait_for_selector("#scorm-message:not([hidden])", timeout=15000)

    deadline = time.monotonic() + 15
    while True:
        db.session.rollback()
        result = get_result(activity, learner)
        if (result and result.passed) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert result.completed is True and result.passed is True
    assert result.score == pytest.approx(0.9)
