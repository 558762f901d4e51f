"""The remediation package played through the run-time endpoints (what the browser test does in
Chromium, here without a browser): a failed post-test sends the learner back to the lesson, then the
retaken test passes and the course records it (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from lms.core.db import db
from lms.courses.results import get_result
from tests.scorm.player_fixtures import setup_activity, sign_in
from tests.scorm.remediation_package import remediation_2004
from tests.scorm.test_player import Player, sets


@pytest.fixture
def player(app, tmp_path, client):
    _course, learner, activity = setup_activity(remediation_2004(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.learner = learner
    return player


def _lesson(player):
    player.launch("CONTENT")
    return player.commit("CONTENT", [["init"]] + sets(("cmi.completion_status", "completed"),
                                                     ("adl.nav.request", "continue")) + [["term"]])


def _test(player, score, status):
    player.launch("POSTTEST")
    return player.commit("POSTTEST", [["init"]] + sets(
        ("cmi.score.scaled", score), ("cmi.completion_status", "completed"), ("cmi.success_status", status),
        ("adl.nav.request", "continue")) + [["term"]])


def test_failed_post_test_sends_back_to_the_lesson_then_passing_ends_the_course(player):
    player.open()
    start = player.nav("start")
    assert start["delivered"] == "CONTENT"
    # forced order: no choice, no going back
    assert start["nav"]["request_valid"].get("previous") in (False, None)
    _lesson(player)
    assert player.nav("continue")["delivered"] == "POSTTEST"
    _test(player, "0.4", "failed")
    back = player.nav("continue")
    assert back["delivered"] == "CONTENT" and not back["ended"]
    _lesson(player)
    assert player.nav("continue")["delivered"] == "POSTTEST"
    _test(player, "0.9", "passed")
    end = player.nav("continue")
    assert end["ended"] and end["delivered"] is None
    result = get_result(player.activity, player.learner)
    assert result.completed and result.passed
    assert result.score == pytest.approx(0.9)
