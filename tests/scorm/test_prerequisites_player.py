"""SCORM 1.2 prerequisites through the player's endpoints (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from lms.core.db import db
from tests.scorm.packages import manifest_12, write_zip
from tests.scorm.player_fixtures import setup_activity, sign_in
from tests.scorm.player_packages import sco_page
from tests.scorm.test_player import Player, sets


def prerequisites_12(tmp_path):
    manifest = manifest_12(
        """<organization identifier="ORG-1"><title>Prerequisites</title>
              <item identifier="SCO-1" identifierref="RES-1"><title>Lesson</title></item>
              <item identifier="SCO-2" identifierref="RES-2"><title>Quiz</title>
                <adlcp:prerequisites type="aicc_script">SCO-1</adlcp:prerequisites></item>
              <item identifier="SCO-3" identifierref="RES-3"><title>Certificate</title>
                <adlcp:prerequisites type="aicc_script">SCO-1 &amp; SCO-2=passed</adlcp:prerequisites></item>
            </organization>""",
        "".join(f"""<resource identifier="RES-{i}" type="webcontent" adlcp:scormtype="sco" href="s{i}.html">
                      <file href="s{i}.html"/></resource>""" for i in (1, 2, 3)))
    pages = {f"s{i}.html": sco_page(f"Part {i}", "1.2") for i in (1, 2, 3)}
    return write_zip(tmp_path / "prereq12.zip", {"imsmanifest.xml": manifest, **pages})


@pytest.fixture
def player(app, tmp_path, client):
    _course, learner, activity = setup_activity(prerequisites_12(tmp_path))
    db.session.commit()
    sign_in(client, learner)
    return Player(client, activity)


def _enabled(nav):
    return {row["id"]: row["enabled"] for row in nav["toc"]}


def test_unmet_prerequisites_disable_and_refuse_until_met(player):
    html = player.open().get_data(as_text=True)
    assert 'data-target="SCO-2" disabled' in html and 'data-target="SCO-1">' in html
    start = player.nav("start")
    assert start["delivered"] == "SCO-1"
    assert _enabled(start["nav"]) == {"SCO-1": True, "SCO-2": False, "SCO-3": False}
    refused = player.nav("choice", "SCO-2")
    assert refused["valid"] is False and refused["exception"] == "prerequisites"
    assert refused["message"] == "This part is not available yet: first finish the parts it depends on."
    launch = player.post("launch", {"item": "SCO-3"})
    assert launch.status_code == 409
    assert launch.json["error"]["message"] == refused["message"]

    player.launch("SCO-1")
    player.commit("SCO-1", [["init"]] + sets(("cmi.core.lesson_status", "completed")) + [["term"]])
    chosen = player.nav("choice", "SCO-2")
    assert chosen["delivered"] == "SCO-2"
    assert _enabled(chosen["nav"]) == {"SCO-1": True, "SCO-2": True, "SCO-3": False}
    player.launch("SCO-2")
    player.commit("SCO-2", [["init"]] + sets(("cmi.core.score.raw", "40"),
                                             ("cmi.core.lesson_status", "failed")) + [["term"]])
    assert player.nav("choice", "SCO-3")["exception"] == "prerequisites"
    player.nav("choice", "SCO-2")
    player.launch("SCO-2")
    player.commit("SCO-2", [["init"]] + sets(("cmi.core.score.raw", "90"),
                                             ("cmi.core.lesson_status", "passed")) + [["term"]])
    done = player.nav("continue")
    assert done["delivered"] == "SCO-3" and all(_enabled(done["nav"]).values())


def test_the_refusal_is_translated(app, tmp_path, client):
    _course, learner, activity = setup_activity(prerequisites_12(tmp_path), language="ar")
    db.session.commit()
    sign_in(client, learner)
    player = Player(client, activity)
    player.open()
    player.nav("start")
    message = player.nav("choice", "SCO-2")["message"]
    assert message and "This part" not in message
