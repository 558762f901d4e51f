"""Deep Linking 2.0: an instructor picks Tamkeen content; the platform verifies our signed response."""
from __future__ import annotations

import re

from .conftest import INSTRUCTOR, LEARNER
from .platform import launch, parse_form

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def test_instructor_picks_content_and_the_platform_verifies_the_signed_response(registered, course_data,
                                                                                 browser_session):
    platform = registered
    browser = browser_session()
    hint = platform.deep_linking(sub="teacher-dl", roles=INSTRUCTOR)
    picker = launch(browser, platform, hint)
    assert picker.status_code == 200
    assert course_data.activity_title in picker.text and course_data.course_title in picker.text
    action = re.search(r'<form id="lti-deep-link-form" method="post" action="([^"]+)"', picker.text).group(1)
    back = browser.post(picker.url.split("/lti/")[0] + action if action.startswith("/") else action,
                        data={"item": [f"activity:{course_data.activity_uuid}", f"course:{course_data.course_uuid}"]})
    assert back.status_code == 200
    return_url, fields = parse_form(back.text, "lti-deep-link-return")
    assert return_url == platform.url + "/deep_link_return"
    received = browser.post(return_url, data=fields)  # what the auto-submitting form does
    assert received.status_code == 200, received.text
    assert "Received 2 items" in received.text
    claims = platform.deep_link_responses[-1]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    items = claims[DL + "content_items"]
    activity_item = next(i for i in items if "tamkeen_activity" in i["custom"])
    course_item = next(i for i in items if "tamkeen_course" in i["custom"])
    assert activity_item["type"] == "ltiResourceLink"
    assert activity_item["url"] == platform.tool_redirect_uris[0]
    assert activity_item["lineItem"]["scoreMaximum"] == 100.0
    assert activity_item["lineItem"]["resourceId"] == course_data.activity_uuid
    assert "lineItem" not in course_item

    # The platform now launches the placement it created: the learner lands in the activity.
    learner = platform.resource_link(sub="learner-dl", roles=LEARNER, resource_link_id="rl-from-dl",
                                     custom=activity_item["custom"])
    response = launch(browser_session(), platform, learner)
    assert response.status_code == 200 and "Contenu de la page" in response.text


def test_deep_linking_response_cannot_be_posted_twice(registered, course_data, browser_session):
    platform = registered
    browser = browser_session()
    picker = launch(browser, platform, platform.deep_linking(sub="teacher-dl2", roles=INSTRUCTOR))
    action = re.search(r'<form id="lti-deep-link-form" method="post" action="([^"]+)"', picker.text).group(1)
    url = picker.url.split("/lti/")[0] + action
    assert browser.post(url, data={"item": f"course:{course_data.course_uuid}"}).status_code == 200
    assert browser.post(url, data={"item": f"course:{course_data.course_uuid}"}).status_code == 404


def test_learners_cannot_deep_link(registered, course_data, browser_session):
    platform = registered
    browser = browser_session()
    response = launch(browser, platform, platform.deep_linking(sub="learner-dl3", roles=LEARNER))
    assert response.status_code == 403
    assert 'data-error-code="lti_deep_link_forbidden"' in response.text
    # A refused launch signs nobody in (the account it created was rolled back).
    assert browser.get(platform.tool_url + "/account/profile", allow_redirects=False).status_code in (302, 401)
