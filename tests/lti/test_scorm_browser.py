"""In Chromium: the emulated platform's course page frames our launch of a SCORM 1.2 activity; the learner
plays it in the real player inside the platform's iframe (the SCO finds the API through the frame chain),
finishes it, and the platform's gradebook receives the score through AGS (outbox delivered)."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.core.outbox import process_due
from lms.courses.models import Activity, ActivityResult
from lms.lti.models import LtiUserLink
from tests.factories import make_course
from tests.scorm.player_packages import single_12

from .conftest import LEARNER


def _wait(predicate, timeout=20.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def scorm_activity(app, tmp_path):
    from lms.scorm.services import import_package

    course = make_course(title="Sécurité de l'information")
    version = import_package(course, single_12(tmp_path))
    activity = version.package.activity
    activity.graded, activity.grade_max = True, 100.0
    db.session.flush()
    data = SimpleNamespace(id=activity.id, uuid=activity.uuid, course_id=course.id)
    db.session.commit()
    return data


def _ready_sco(page, part="sco1.html"):
    def find():
        for frame in page.frames:
            if part in frame.url:
                try:
                    if frame.evaluate("() => document.body && document.body.dataset.ready === '1'"):
                        return frame
                except Exception:  # noqa: BLE001 — still navigating
                    return None
        return None

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        frame = find()
        if frame is not None:
            return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"the SCO never initialised; frames: {[f.url for f in page.frames]}")


@pytest.mark.browser
def test_learner_plays_a_scorm_12_activity_inside_the_platform_iframe_and_the_platform_gets_the_score(
        registered, scorm_activity, page):
    platform = registered
    hint = platform.resource_link(sub="scorm-learner", name="Youssef Berrada", roles=LEARNER, ctx="ctx-scorm",
                                  resource_link_id="rl-scorm", custom={"tamkeen_activity": scorm_activity.uuid})
    page.goto(f"{platform.url}/course/{hint}")
    tool = page.frame_locator("#tool-frame")
    tool.locator("#scorm-player").wait_for()
    assert tool.locator("body.embedded").count() == 1            # compact layout inside the platform page
    sco = _ready_sco(page)
    assert "entry=ab-initio" in sco.inner_text("#status")
    # The SCO is two frames deep (platform page → our player → the SCO) and found the API in our player.
    assert sco.parent_frame is not None and sco.parent_frame.parent_frame == page.main_frame
    results = sco.evaluate("""() => [
        sco.set('cmi.core.score.raw', '85'), sco.set('cmi.core.lesson_status', 'passed'),
        sco.set('cmi.core.session_time', '00:02:10'), sco.set('cmi.core.exit', ''), sco.finish()]""")
    assert results == ["true"] * 5

    user_id = _wait(lambda: db.session.scalar(select(LtiUserLink.user_id).where(LtiUserLink.sub == "scorm-learner")),
                    message="the launch")
    result = _wait(lambda: db.session.scalar(select(ActivityResult).where(
        ActivityResult.activity_id == scorm_activity.id, ActivityResult.user_id == user_id,
        ActivityResult.passed.is_(True))), message="the SCORM result")
    assert result.score == pytest.approx(0.85) and result.completed

    # The worker's turn: the score goes to the platform's line item (found or created by the tool).
    db.session.rollback()
    assert process_due() >= 1
    scores = [s for s in platform.scores if s["userId"] == "scorm-learner"]
    assert scores, "the platform received no score"
    last = scores[-1]
    assert last["scoreGiven"] == pytest.approx(85.0) and last["scoreMaximum"] == 100.0
    assert last["activityProgress"] == "Completed" and last["gradingProgress"] == "FullyGraded"
    lineitem = next(item for item in platform.lineitems["ctx-scorm"] if item["id"] == last["lineitem"])
    activity = db.session.get(Activity, scorm_activity.id)
    assert lineitem["resourceId"] == activity.uuid and lineitem["scoreMaximum"] == 100.0
