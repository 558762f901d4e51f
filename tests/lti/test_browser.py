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
    # The compact layout: no site header inside the platform page.
    assert frame.locator("body.embedded").count() == 1 or frame.locator(".site-header").count() == 0


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
