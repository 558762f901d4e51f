"""The player in Chromium: real SCOs find the API, set values, the page closes mid-attempt, the learner
comes back and resumes, the network drops and nothing is lost; the stored values and the xAPI statements
are checked in the database."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.courses.results import get_result
from lms.scorm.runtime.models import ScoTrack, ScormAttempt
from tests.scorm.player_fixtures import setup_activity
from tests.scorm.player_packages import multi_12, package_2004, single_12

pytestmark = pytest.mark.browser


def wait_for(predicate, timeout=15.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def track(activity, item):
    return db.session.scalar(select(ScoTrack).join(ScormAttempt).where(
        ScormAttempt.activity_id == activity.id, ScoTrack.item_identifier == item).order_by(ScormAttempt.id.desc()))


def sco(page, path_part, timeout=15000):
    """The SCO's frame once it has initialized (its API search succeeded)."""
    page.wait_for_function("""(part) => {
        const f = document.getElementById('scorm-frame');
        const w = f && f.contentWindow;
        return w && w.location.href.includes(part) && w.document.body && w.document.body.dataset.ready === '1';
    }""", arg=path_part, timeout=timeout)
    return next(f for f in page.frames if path_part in f.url)


def open_player(page, live_server, activity):
    page.goto(f"{live_server.url}/activities/{activity.id}/play")


def test_12_single_sco_played_closed_resumed_and_finished(page, live_server, browser_login):
    from lms.lrs.store import query_statements

    _course, learner, activity = setup_activity(single_12(_tmp()))
    db.session.commit()
    browser_login(learner.username)
    open_player(page, live_server, activity)
    frame = sco(page, "sco1.html")
    assert "entry=ab-initio" in frame.inner_text("#status")
    results = frame.evaluate("""() => [
        sco.set('cmi.core.lesson_location', 'page-3'), sco.set('cmi.suspend_data', 'chapter=2;answers=ab'),
        sco.set('cmi.core.score.raw', '72'), sco.set('cmi.core.lesson_status', 'incomplete'),
        sco.set('cmi.interactions.0.id', 'q1'), sco.set('cmi.interactions.0.type', 'choice'),
        sco.set('cmi.interactions.0.student_response', 'b'), sco.set('cmi.interactions.0.result', 'correct'),
        sco.set('cmi.core.exit', 'suspend'), sco.set('cmi.core.session_time', '00:00:40'),
        sco.set('cmi.core.score.raw', '101'), sco.error(), sco.commit()]""")
    assert results == ["true"] * 10 + ["false", "405", "true"]
    wait_for(lambda: (t := track(activity, "SCO-1")) and t.suspend_data == "chapter=2;answers=ab", message="commit")
    # more values, never committed by the SCO: the page is closed mid-attempt
    frame.evaluate("() => sco.set('cmi.suspend_data', 'chapter=3;answers=abc')")
    context = page.context
    page.close()
    wait_for(lambda: track(activity, "SCO-1").suspend_data == "chapter=3;answers=abc", message="beacon on close")
    page2 = context.new_page()
    open_player(page2, live_server, activity)
    frame = sco(page2, "sco1.html")
    assert "entry=resume" in frame.inner_text("#status")
    assert frame.evaluate("() => [sco.get('cmi.suspend_data'), sco.get('cmi.core.lesson_location'), "
                          "sco.get('cmi.core.total_time')]") == ["chapter=3;answers=abc", "page-3", "0000:00:40.00"]
    finished = frame.evaluate("""() => [sco.set('cmi.core.score.raw', '90'), sco.set('cmi.core.lesson_status', 'passed'),
        sco.set('cmi.core.exit', ''), sco.set('cmi.core.session_time', '00:00:20'), sco.finish(),
        sco.get('cmi.core.lesson_status'), sco.error(), sco.set('cmi.core.lesson_location', 'x'), sco.error(),
        sco.finish(), sco.error()]""")
    # after LMSFinish the API refuses every call with 301
    assert finished == ["true"] * 5 + ["", "301", "false", "301", "false", "301"]
    page2.wait_for_selector("#scorm-player[data-ended='exitAll']")
    t = wait_for(lambda: (t := track(activity, "SCO-1")) and t.launch_state == "terminated" and t.lesson_status
                 == "passed" and t, message="finish")
    assert (t.score_raw, t.location, t.total_seconds) == (90, "page-3", 60)
    assert [(i.identifier, i.learner_response, i.result) for i in t.interactions] == [("q1", "b", "correct")]
    result = get_result(activity, learner)
    assert result.passed and result.completed and result.score == pytest.approx(0.9)
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in query_statements(agent=learner)}
    assert {"initialized", "suspended", "resumed", "responded", "scored", "passed", "completed", "terminated"} <= verbs
    page2.close()


def test_network_drop_mid_attempt_loses_nothing(page, live_server, browser_login):
    _course, learner, activity = setup_activity(package_2004(_tmp(), scos=1))
    db.session.commit()
    browser_login(learner.username)
    open_player(page, live_server, activity)
    frame = sco(page, "part1.html")
    frame.evaluate("() => [sco.set('cmi.location', 'before'), sco.commit()]")
    wait_for(lambda: (t := track(activity, "SCO-1")) and t.location == "before", message="first commit")
    page.context.set_offline(True)
    answers = frame.evaluate("""() => {
        const out = [];
        for (let i = 0; i < 5; i++) {
          out.push(sco.set('cmi.interactions.' + i + '.id', 'q' + i));
          out.push(sco.set('cmi.interactions.' + i + '.type', 'numeric'));
          out.push(sco.set('cmi.interactions.' + i + '.learner_response', String(i)));
          out.push(sco.commit());
        }
        out.push(sco.set('cmi.suspend_data', 'offline-work'), sco.set('cmi.location', 'after'), sco.commit());
        return out;
    }""")
    assert set(answers) == {"true"}
    page.wait_for_function("() => TamkeenPlayer.queue().length > 0")
    time.sleep(1.0)
    db.session.rollback()
    assert track(activity, "SCO-1").location == "before"  # nothing reached the server while offline
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    t = wait_for(lambda: (t := track(activity, "SCO-1")) and t.location == "after" and t, message="resend")
    assert t.suspend_data == "offline-work"
    assert [i.learner_response for i in t.interactions] == ["0", "1", "2", "3", "4"]
    page.wait_for_function("() => TamkeenPlayer.queue().length === 0")
    attempt = db.session.get(ScormAttempt, t.attempt_id)
    assert attempt.last_seq >= 7


def test_12_multi_sco_continue_close_resume_and_suspend(page, live_server, browser_login):
    from lms.lrs.store import query_statements

    _course, learner, activity = setup_activity(multi_12(_tmp()))
    db.session.commit()
    browser_login(learner.username)
    open_player(page, live_server, activity)
    frame = sco(page, "one/index.html")
    assert page.locator("#scorm-toc-list li").count() == 2
    frame.evaluate("() => [sco.set('cmi.core.lesson_status', 'completed'), sco.set('cmi.core.score.raw', '80'), "
                   "sco.set('cmi.interactions.0.id', 'm1'), sco.set('cmi.interactions.0.type', 'true-false'), "
                   "sco.set('cmi.interactions.0.student_response', 't'), "
                   "sco.set('cmi.interactions.0.result', 'correct'), sco.finish()]")
    frame = sco(page, "two/index.html")  # LMSFinish without suspend: the flow continues
    page.wait_for_selector("#scorm-toc-list li[data-id='SCO-1'] .scorm-toc-status[data-status='completed']")
    frame.evaluate("() => [sco.set('cmi.suspend_data', 'two-half'), sco.set('cmi.core.lesson_location', 'p2'), "
                   "sco.set('cmi.core.exit', 'suspend')]")
    context = page.context
    page.close()  # closed mid-SCO, nothing committed by the SCO
    wait_for(lambda: (t := track(activity, "SCO-2")) and t.suspend_data == "two-half", message="beacon")
    page = context.new_page()
    open_player(page, live_server, activity)
    frame = sco(page, "two/index.html")  # resumes on the SCO that was open
    assert "entry=resume" in frame.inner_text("#status")
    assert frame.evaluate("() => [sco.get('cmi.suspend_data'), sco.get('cmi.core.lesson_location')]") == \
        ["two-half", "p2"]
    frame.evaluate("() => sco.set('cmi.core.exit', 'suspend')")
    page.click("#scorm-suspend")
    page.wait_for_selector("#scorm-player[data-ended='suspendAll']")
    db.session.rollback()
    attempt = db.session.scalar(select(ScormAttempt).where(ScormAttempt.activity_id == activity.id))
    assert attempt.suspended and attempt.finished_at is None
    open_player(page, live_server, activity)
    sco(page, "two/index.html")
    page.click("#scorm-toc-list button[data-target='SCO-1']")
    frame = sco(page, "one/index.html")
    assert frame.evaluate("() => sco.get('cmi.core.lesson_status')") == "completed"
    t1 = track(activity, "SCO-1")
    assert (t1.score_raw, [(i.identifier, i.result) for i in t1.interactions]) == (80, [("m1", "correct")])
    sco_iris = {s["object"]["id"] for s in query_statements(agent=learner)
                if s["verb"]["id"].endswith(("initialized", "resumed"))}
    assert any(iri.endswith("/sco/SCO-1") for iri in sco_iris) and any(iri.endswith("/sco/SCO-2") for iri in sco_iris)
    page.close()


def test_2004_package_navigates_with_adl_nav_request_and_records_everything(page, live_server, browser_login):
    from lms.lrs.store import query_statements

    _course, learner, activity = setup_activity(package_2004(_tmp()))
    db.session.commit()
    browser_login(learner.username)
    open_player(page, live_server, activity)
    frame = sco(page, "part1.html")
    assert frame.evaluate("() => [sco.get('adl.nav.request_valid.continue'), sco.get('cmi.mode'), "
                          "sco.set('cmi', 'x'), sco.error(), sco.set('cmi.session_time', 'P1DT'), sco.error(), "
                          "sco.get('cmi.interactions.3.id'), sco.error()]") == \
        ["true", "normal", "false", "401", "false", "406", "", "301"]
    frame.evaluate("""() => [
        sco.set('cmi.interactions.0.id', 'capital'), sco.set('cmi.interactions.0.type', 'fill-in'),
        sco.set('cmi.interactions.0.correct_responses.0.pattern', 'Rabat'),
        sco.set('cmi.interactions.0.learner_response', 'Rabat'), sco.set('cmi.interactions.0.result', 'correct'),
        sco.set('cmi.objectives.0.id', 'geo'), sco.set('cmi.objectives.0.success_status', 'passed'),
        sco.set('cmi.score.scaled', '0.8'), sco.set('cmi.completion_status', 'completed'),
        sco.set('cmi.success_status', 'passed'), sco.set('cmi.suspend_data', 'p1-done'),
        sco.set('cmi.session_time', 'PT30S'), sco.set('adl.nav.request', 'continue'), sco.finish()]""")
    frame = sco(page, "part2.html")
    assert frame.evaluate("() => [sco.get('cmi.entry'), sco.get('adl.nav.request_valid.previous')]") == \
        ["ab-initio", "true"]
    frame.evaluate("() => [sco.set('cmi.location', 'p2-s3'), sco.set('cmi.exit', 'suspend'), sco.commit()]")
    wait_for(lambda: (t := track(activity, "SCO-2")) and t.location == "p2-s3", message="part 2 commit")
    context = page.context
    page.close()
    page2 = context.new_page()
    open_player(page2, live_server, activity)
    frame = sco(page2, "part2.html")
    assert frame.evaluate("() => [sco.get('cmi.entry'), sco.get('cmi.location')]") == ["resume", "p2-s3"]
    t1 = track(activity, "SCO-1")
    db.session.refresh(t1)
    assert (t1.completion_status, t1.success_status, t1.score_scaled, t1.suspend_data) == ("completed", "passed",
                                                                                          0.8, "p1-done")
    assert [(i.identifier, i.type, i.correct_responses) for i in t1.interactions] == [("capital", "fill-in",
                                                                                        ["Rabat"])]
    assert [(o.identifier, o.success_status) for o in t1.objectives] == [("geo", "passed")]
    statements = query_statements(agent=learner)
    responded = [s for s in statements if s["verb"]["id"].endswith("responded")]
    assert responded and responded[0]["object"]["definition"]["interactionType"] == "fill-in"
    assert responded[0]["object"]["definition"]["correctResponsesPattern"] == ["Rabat"]
    assert get_result(activity, learner).score == pytest.approx(0.8)
    page2.close()


_TMP = []


def _tmp():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="scorm-browser-"))
    _TMP.append(path)
    return path


def test_large_unsent_work_is_split_and_survives_closing_the_page(page, live_server, browser_login):
    _course, learner, activity = setup_activity(package_2004(_tmp(), scos=1))
    db.session.commit()
    browser_login(learner.username)
    open_player(page, live_server, activity)
    frame = sco(page, "part1.html")
    answers = frame.evaluate("""() => {
        const out = [sco.set('cmi.suspend_data', 'S'.repeat(63000))];
        for (let i = 0; i < 40; i++) {
          out.push(sco.set('cmi.interactions.' + i + '.id', 'item-' + i));
          out.push(sco.set('cmi.interactions.' + i + '.description', 'D'.repeat(240)));
        }
        out.push(sco.set('cmi.location', 'last'));
        return out;
    }""")
    assert set(answers) == {"true"}
    context = page.context
    page.close()  # nothing was committed by the SCO: the player beacons what it holds
    page2 = context.new_page()
    open_player(page2, live_server, activity)  # and resends from localStorage what did not arrive
    t = wait_for(lambda: (t := track(activity, "SCO-1")) and t.location == "last" and t, message="large work")
    assert len(t.suspend_data) == 63000
    assert [i.identifier for i in t.interactions] == [f"item-{i}" for i in range(40)]
    page2.close()
