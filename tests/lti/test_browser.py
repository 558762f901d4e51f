"""In Chromium: the platform's page frames our launch and the learner views an activity inside the iframe.

The activity is a simple inline page (``lti_test_page``); the SCORM player lands through the same
``launch_url`` of its activity type.
"""
from __future__ import annotations

import pytest

from .conftest import LEARNER


@pytest.mark.browser
def test_learner_views_an_activity_inside_the_platform_iframe(registered, course_data, page):
    platform = registered
    hint = platform.resource_link(sub="browser-learner", roles=LEARNER,
                                  custom={"tamkeen_activity": course_data.activity_uuid})
    page.goto(f"{platform.url}/course/{hint}")
    frame = page.frame_locator("#tool-frame")
    body = frame.locator("#page-body")
    body.wait_for()
    assert body.inner_text() == "Contenu de la page"
    assert frame.locator("h1").first.inner_text() == course_data.activity_title
    # The compact layout inside the platform page...
    assert frame.locator("body.embedded").count() == 1
    assert not frame.locator(".site-header").is_visible()
    # ...and the full one when the same session opens Tamkeen in a tab of its own.
    activity_url = page.frames[1].url
    page.goto(activity_url)
    assert page.locator("#page-body").inner_text() == "Contenu de la page"
    assert page.locator("body.embedded").count() == 0 and page.locator(".site-header").is_visible()


@pytest.mark.browser
def test_launch_through_platform_storage_inside_the_iframe(registered, course_data, page):
    platform = registered
    hint = platform.resource_link(sub="browser-storage", roles=LEARNER,
                                  custom={"tamkeen_activity": course_data.activity_uuid})
    page.goto(f"{platform.url}/course/{hint}?storage=1")
    frame = page.frame_locator("#tool-frame")
    frame.locator("#page-body").wait_for()
    stored = page.evaluate("Object.keys(window.ltiStore || {})")
    assert any(key.startswith("tamkeen-state-") for key in stored)


@pytest.mark.browser
def test_admin_registration_screen_in_the_browser(page, live_server, browser_login, axe_check, db):
    from tests.factories import make_user

    make_user("lti-browser-admin", role="administrator")
    db.session.commit()
    browser_login("lti-browser-admin")
    page.goto(f"{live_server.url}/lti/admin")
    assert f"{live_server.url}/lti/launch" in page.inner_text("main")
    axe_check(page)
    page.click("form[action$='/lti/admin/invite'] button")
    page.wait_for_load_state()
    invite = page.inner_text("#invite-url")
    assert invite.startswith(f"{live_server.url}/lti/dynamic-registration/")
    page.fill("#p-issuer", "https://moodle.example.ma")
    page.fill("#p-client_id", "client-from-ui")
    page.fill("#p-deployment_ids", "7")
    page.fill("#p-auth_url", "https://moodle.example.ma/mod/lti/auth.php")
    page.fill("#p-token_url", "https://moodle.example.ma/mod/lti/token.php")
    page.fill("#p-jwks_url", "https://moodle.example.ma/mod/lti/certs.php")
    page.click("form[action$='/lti/admin/platforms'] button[type=submit]")
    page.wait_for_load_state()
    assert "client-from-ui" in page.inner_text("main")


@pytest.mark.browser
def test_instructor_deep_links_an_activity_from_inside_the_platform(registered, course_data, page, axe_check):
    from .conftest import INSTRUCTOR

    platform = registered
    hint = platform.deep_linking(sub="browser-teacher", roles=INSTRUCTOR)
    page.goto(f"{platform.url}/course/{hint}")
    frame = page.frame_locator("#tool-frame")
    frame.locator("#lti-deep-link-form").wait_for()
    picker_url = page.frames[1].url
    assert picker_url.startswith(platform.tool_url + "/lti/deep-link/")
    # The picker is accessible (opened in a tab of the same session, before the choice is made).
    tab = page.context.new_page()
    tab.goto(picker_url)
    axe_check(tab)
    tab.close()
    frame.get_by_label(course_data.activity_title).check()
    frame.locator("#lti-deep-link-form button[type=submit]").click()
    # Our page posts the signed response back to the platform by itself (autosubmit.js).
    frame.locator("#received").wait_for()
    assert frame.locator("#received").inner_text() == "Received 1 items"
    item = platform.deep_link_responses[-1]["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"] == {"tamkeen_activity": course_data.activity_uuid} and "lineItem" in item
    # The choice is made: the picker is spent.
    spent = page.context.new_page()
    assert spent.goto(picker_url).status == 404


@pytest.mark.browser
def test_admin_edits_links_and_deactivates_in_the_browser(page, live_server, browser_login, axe_check, db):
    """The new admin forms with CSRF on, as in production, and accessible."""
    from sqlalchemy import select

    from lms.lti.models import LtiContext, LtiPlatform
    from lms.lti.platforms import register_platform
    from tests.factories import make_course, make_user

    platform = register_platform(issuer="https://moodle.example.ma", client_id="ui-client", deployment_ids=["1"],
                                 auth_login_url="https://moodle.example.ma/mod/lti/auth.php",
                                 auth_token_url="https://moodle.example.ma/mod/lti/token.php",
                                 jwks_url="https://moodle.example.ma/mod/lti/certs.php", name="Moodle UI")
    course = make_course("ui-course", title="Cours UI", sections=2)
    platform_id, course_id, section_id = platform.id, course.id, course.sections[1].id
    make_user("lti-ui-admin", role="administrator")
    db.session.commit()
    browser_login("lti-ui-admin")

    page.goto(f"{live_server.url}/lti/admin/platforms/{platform_id}")
    axe_check(page)
    page.fill("#deployment_ids", "1\n2")
    page.fill("#role_map", "Mentor = instructor")
    page.click("#platform-edit-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/lti/admin")

    page.select_option("#x-platform", str(platform_id))
    page.fill("#x-context_id", "moodle-77")
    page.select_option("#x-course", str(course_id))
    page.select_option("#x-section", str(section_id))
    page.fill("#x-cohort", "Promo UI")
    page.click("#context-link-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/lti/admin")
    page.click(f"tr[data-platform-id='{platform_id}'] form button[type=submit]")  # Deactivate
    page.wait_for_url(f"{live_server.url}/lti/admin")
    assert "Deactivated" in page.inner_text(f"tr[data-platform-id='{platform_id}']") or \
        "معطّلة" in page.inner_text(f"tr[data-platform-id='{platform_id}']")
    page.click("tr[data-context-id] a")
    page.locator("#context-edit-form").wait_for()
    axe_check(page)

    db.session.rollback()
    stored = db.session.get(LtiPlatform, platform_id)
    assert stored.active is False and stored.role_map == {"Mentor": "instructor"}
    assert sorted(d.deployment_id for d in stored.deployments) == ["1", "2"]
    context = db.session.scalar(select(LtiContext).where(LtiContext.context_id == "moodle-77"))
    assert (context.course_id, context.section_id, context.cohort) == (course_id, section_id, "Promo UI")
