"""In Chromium, in Arabic (RTL): a participant registers, forms a team and submits; a juror scores; the
organiser publishes the results; every page passes axe (WCAG 2.1 AA)."""
from datetime import timedelta

import pytest

from lms.core.db import utcnow
from lms.idarathon import services
from lms.idarathon.models import Edition, StaffRole

from .factories import calendar, make_challenge, make_edition, make_staff, rubric

pytestmark = pytest.mark.browser


def _assert_rtl(page):
    page.wait_for_load_state()  # after a click the stylesheet may still be loading: the nav is not laid out yet
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    items = page.locator(".idr-subnav li")
    if items.count() >= 2:  # the first section sits to the right of the next one
        first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
        assert first["x"] > second["x"]


def test_register_team_submit_score_publish_in_arabic(app, db, page, live_server, browser_login, axe_check, tmp_path):
    with app.test_request_context("/"):
        organiser = make_staff(make_edition(), StaffRole.organiser, username="organiser1", language="ar")
        edition = make_edition("registration", organiser=organiser)
        dates = calendar("hacking")
        for name, value in dates.items():  # registration still open, hacking under way
            setattr(edition, name, value)
        rubric(edition)
        challenge = make_challenge(edition, title="Guichet unique")
        juror = make_staff(edition, StaffRole.jury, username="juror1", language="ar")
        services.assign_jury(challenge, juror)
        from tests.factories import make_administration, make_user

        participant = make_user("participant1", administration=make_administration(), gender="female", language="ar")
        edition_id = edition.id
        db.session.commit()

    # 1. The participant registers and forms a team.
    browser_login("participant1")
    page.goto(f"{live_server.url}/idarathon/")
    _assert_rtl(page)
    axe_check(page)
    page.click(f"a[href='/idarathon/{edition_id}/']")
    _assert_rtl(page)
    axe_check(page)
    page.click(f"a[href='/idarathon/{edition_id}/register']")
    page.fill("#job_role", "رئيسة مصلحة")
    page.fill("#skills", "تحليل البيانات, التصميم")
    axe_check(page)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1
    page.goto(f"{live_server.url}/idarathon/{edition_id}/teams")
    axe_check(page)
    page.fill("#create-name", "فريق الأمل")
    page.select_option("#create-challenge_id", str(challenge.id))
    page.click("form[action$='/teams/new'] button[type=submit]")
    page.wait_for_load_state()
    assert "فريق الأمل" in page.locator("h1").inner_text()
    _assert_rtl(page)
    axe_check(page)
    code = page.locator(".idr-code").inner_text().strip()
    assert len(code) == 8

    # 2. The team submits its pitch deck.
    deck = tmp_path / "pitch.pdf"
    deck.write_bytes(b"%PDF-1.4 demo pitch")
    page.click("a[href$='/submit']")
    axe_check(page)
    page.fill("#summary", "منصة موحدة للوثائق الإدارية")
    page.fill("#link_url", "https://example.org/prototype")
    page.set_input_files("#pitch_deck", str(deck))
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".idr-submission").count() == 1
    assert "pitch.pdf" in page.locator(".idr-submission").inner_text()

    # 3. Submissions close; the juror scores the team.
    with app.app_context():
        stored = db.session.get(Edition, edition_id)
        stored.submission_deadline = utcnow() - timedelta(minutes=1)
        stored.kickoff_at = utcnow() - timedelta(days=1)
        stored.registration_closes_at = utcnow() - timedelta(days=2)
        stored.registration_opens_at = utcnow() - timedelta(days=3)
        db.session.commit()
    page.context.clear_cookies()
    browser_login("juror1")
    page.goto(f"{live_server.url}/idarathon/{edition_id}/jury")
    _assert_rtl(page)
    axe_check(page)
    page.click("a[href$='/score']")
    axe_check(page)
    inputs = page.locator("input[type=number]")
    assert inputs.count() == 2
    inputs.nth(0).fill("9")
    inputs.nth(1).fill("7")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert page.locator(".badge-success").count() == 1

    # 4. The organiser publishes now; the participant then sees the rank.
    page.context.clear_cookies()
    browser_login("organiser1")
    page.goto(f"{live_server.url}/idarathon/{edition_id}/manage")
    _assert_rtl(page)
    axe_check(page)
    assert "85" in page.locator("table").first.inner_text()  # (0.9*3 + 0.7)/4
    for path in (f"/idarathon/challenges/{challenge.id}", f"/idarathon/{edition_id}/announcements",
                 f"/idarathon/{edition_id}/reports"):
        page.goto(f"{live_server.url}{path}")
        _assert_rtl(page)
        axe_check(page)
    page.goto(f"{live_server.url}/idarathon/{edition_id}/manage")
    page.select_option("#when", "now")
    page.click("button[value=publish]")
    page.wait_for_load_state()
    page.context.clear_cookies()
    browser_login("participant1")
    page.goto(f"{live_server.url}/idarathon/{edition_id}/results")
    _assert_rtl(page)
    axe_check(page)
    row = page.locator("table.idr-leaderboard tbody tr").first
    assert "فريق الأمل" in row.inner_text() and "85.00" in row.inner_text()
    assert "الجائزة الأولى" in row.inner_text()


def test_results_page_is_refused_before_publication_and_french_reads_left_to_right(app, db, page, live_server,
                                                                                    browser_login, axe_check):
    with app.test_request_context("/"):
        edition = make_edition("jury")
        from tests.factories import make_user

        make_user("curious1", language="fr")
        edition_id = edition.id
        db.session.commit()
    browser_login("curious1")
    response = page.goto(f"{live_server.url}/idarathon/{edition_id}/results")
    assert response.status == 403
    assert page.locator("table.idr-leaderboard").count() == 0
    # The same stylesheet lays French out left to right.
    page.goto(f"{live_server.url}/idarathon/{edition_id}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    items = page.locator(".idr-subnav li")
    assert items.nth(0).bounding_box()["x"] < items.nth(1).bounding_box()["x"]
    assert "Résultats" not in page.locator(".idr-subnav").inner_text()
    axe_check(page)
