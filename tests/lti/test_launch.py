"""LTI 1.3 launches through the emulated platform over real HTTP: learners and instructors land in the
course or the activity; every forged, stale or replayed launch is refused with a reason."""
from __future__ import annotations

import time

from sqlalchemy import select

from lms.courses.models import CourseRole, Enrolment, EnrolmentMethod
from lms.lti.models import LtiContext, LtiLoginState, LtiUserLink

from .conftest import INSTRUCTOR, LEARNER
from .platform import RsaKey, launch, start_login


def test_learner_launch_lands_in_the_course(registered, course_data, browser_session, db):
    platform = registered
    hint = platform.resource_link(sub="learner-1", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid},
                                  email="learner1@platform.test")
    response = launch(browser_session(), platform, hint, method="GET")
    assert response.status_code == 200, response.text[:2000]
    assert course_data.course_title in response.text
    assert course_data.activity_title in response.text
    assert platform.auth_requests[-1]["lti_message_hint"] == hint          # passed back unchanged
    assert platform.auth_requests[-1]["redirect_uri"] == platform.tool_redirect_uris[0]
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == "learner-1"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == link.user_id))
    assert enrolment.course_id == course_data.course_id
    assert enrolment.role == CourseRole.learner and enrolment.method == EnrolmentMethod.lti
    assert link.user.email == "learner1@platform.test"


def test_learner_launch_by_post_lands_in_the_activity_player(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="learner-2", roles=LEARNER,
                                  custom={"tamkeen_activity": course_data.activity_uuid})
    response = launch(browser_session(), platform, hint, method="POST")
    assert response.status_code == 200
    assert "Contenu de la page" in response.text


def test_instructor_launch_enrols_as_instructor_and_links_the_context(registered, course_data, browser_session, db):
    platform = registered
    hint = platform.resource_link(sub="teacher-1", roles=INSTRUCTOR, ctx="ctx-42",
                                  custom={"tamkeen_course": course_data.course_uuid})
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 200 and course_data.course_title in response.text
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == "teacher-1"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == link.user_id))
    assert enrolment.role == CourseRole.instructor
    context = db.session.scalar(select(LtiContext).where(LtiContext.context_id == "ctx-42"))
    assert context.course_id == course_data.course_id and context.memberships_url.endswith("/nrps/ctx-42")


def test_a_second_launch_in_the_same_context_finds_the_course_without_custom_parameters(
        registered, course_data, browser_session):
    platform = registered
    first = platform.resource_link(sub="teacher-2", roles=INSTRUCTOR, ctx="ctx-7", resource_link_id="rl-7",
                                   custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, first).status_code == 200
    again = platform.resource_link(sub="learner-7", roles=LEARNER, ctx="ctx-7", resource_link_id="rl-7")
    response = launch(browser_session(), platform, again)
    assert response.status_code == 200 and course_data.course_title in response.text


def test_audience_list_with_azp_is_accepted(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["aud"] = [platform.client_id, "https://another-audience.example"]
        claims["azp"] = platform.client_id

    platform.tamper = tamper
    hint = platform.resource_link(sub="learner-3", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200


def test_platform_key_rotation_is_followed_through_its_jwks(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="learner-4", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200
    platform.rotate_keys()  # new kid: the tool must refresh the cached key set
    hint = platform.resource_link(sub="learner-4", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200


def test_unlinked_placement_is_refused_with_a_reason(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="learner-5", roles=LEARNER, ctx="ctx-empty", resource_link_id="rl-empty")
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 404
    assert 'data-error-code="lti_no_target"' in response.text
    assert "Deep Linking" in response.text


# -- rejections ----------------------------------------------------------------------------------------------
def _rejected(response, status: int, code: str, words: str):
    assert response.status_code == status, (response.status_code, response.text[:1500])
    assert f'data-error-code="{code}"' in response.text
    assert words in response.text


def test_bad_signature_is_refused(registered, course_data, browser_session):
    platform = registered
    forger = RsaKey.brand_new()

    def tamper(header, claims):
        forger.kid = platform.keys[0].kid  # same kid, other private key
        return forger

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 401, "lti_bad_signature", "signature is not valid")


def test_expired_token_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["iat"] = int(time.time()) - 900
        claims["exp"] = int(time.time()) - 600

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 401, "lti_expired", "has expired")


def test_replayed_nonce_is_refused(registered, course_data, browser_session):
    platform = registered
    browser = browser_session()
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    action, fields = start_login(browser, platform, hint)
    assert browser.post(action, data=fields).status_code == 200
    # The same id_token again, same browser: its state and nonce are spent. (The browser is now signed in
    # as the launched user, whose language the platform said is French.)
    _rejected(browser.post(action, data=fields), 401, "lti_replayed", "déjà été utilisé")
    # The same id_token (same nonce) with a fresh login's state: the nonce belongs to another login.
    _action, fresh = start_login(browser, platform, hint)
    _rejected(browser.post(action, data={"id_token": fields["id_token"], "state": fresh["state"]}), 401,
              "lti_bad_nonce", "nonce n&#39;appartient pas")


def test_replayed_id_token_from_another_browser_is_refused(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    victim, attacker = browser_session(), browser_session()
    action, fields = start_login(victim, platform, hint)
    # Intercepted before use: the attacker's browser lacks the login cookie.
    _rejected(attacker.post(action, data=fields), 401, "lti_other_browser", "another browser")
    assert victim.post(action, data=fields).status_code == 200
    # Replayed after use.
    _rejected(attacker.post(action, data=fields), 401, "lti_replayed", "already been used")


def test_wrong_audience_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["aud"] = "some-other-tool"
        claims.pop("azp")

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 401, "lti_wrong_audience", "wrong audience")


def test_audience_list_without_azp_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["aud"] = [platform.client_id, "some-other-tool"]
        claims.pop("azp")

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 401, "lti_bad_azp", "authorised party")


def test_unknown_deployment_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "deployment-unknown"

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 403, "lti_unknown_deployment", "deployment")


def test_unknown_deployment_at_login_is_refused(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="x", roles=LEARNER)
    response = browser_session().get(platform.tool_login_url,
                                     params=platform.login_params(hint, lti_deployment_id="nope"))
    _rejected(response, 403, "lti_unknown_deployment", "deployment")


def test_unknown_issuer_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["iss"] = "https://evil.example"

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 403, "lti_unknown_issuer", "not registered")


def test_unknown_issuer_at_login_is_refused(registered, browser_session):
    platform = registered
    hint = platform.resource_link(sub="x", roles=LEARNER)
    response = browser_session().post(platform.tool_login_url,
                                      data=platform.login_params(hint, iss="https://evil.example"))
    _rejected(response, 403, "lti_unknown_platform", "not registered")


def test_unsigned_token_alg_none_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        header["alg"] = "none"

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 401, "lti_unsigned", "alg: none")


def test_wrong_version_is_refused(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        claims["https://purl.imsglobal.org/spec/lti/claim/version"] = "1.2.0"

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    _rejected(launch(browser_session(), platform, hint), 400, "lti_bad_version", "1.3.0")


def test_rejection_message_is_translated(registered, course_data, browser_session):
    platform = registered

    def tamper(header, claims):
        header["alg"] = "none"

    platform.tamper = tamper
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    browser = browser_session()
    browser.headers["Accept-Language"] = "fr"
    response = launch(browser, platform, hint)
    assert response.status_code == 401 and "alg: none" in response.text
    assert "refusés" in response.text


def test_login_state_is_single_use_in_the_database(registered, course_data, browser_session, db):
    platform = registered
    hint = platform.resource_link(sub="x", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    browser = browser_session()
    action, fields = start_login(browser, platform, hint)
    assert browser.post(action, data=fields).status_code == 200
    state = db.session.scalar(select(LtiLoginState).where(LtiLoginState.state == fields["state"]))
    assert state.used_at is not None


def test_platform_storage_replaces_the_cookie_when_cookies_are_blocked(registered, course_data, browser_session):
    platform = registered
    hint = platform.resource_link(sub="learner-9", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    browser = browser_session()
    page = browser.get(platform.tool_login_url, params=platform.login_params(hint, lti_storage_target="_parent"),
                       allow_redirects=False)
    assert page.status_code == 200 and 'data-mode="put"' in page.text
    import re
    secret = re.search(r'data-value="([^"]+)"', page.text).group(1)
    auth_url = re.search(r'data-auth-url="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    browser.cookies.clear()  # third-party cookies blocked: the cookie never comes back
    from .platform import parse_form
    action, fields = parse_form(browser.get(auth_url).text)
    step = browser.post(action, data=fields)
    assert step.status_code == 200 and 'data-mode="get"' in step.text  # asks the platform's storage
    final = browser.post(action, data={**fields, "lti_storage_secret": secret, "lti_storage_checked": "1"})
    # No cookie survives in this iframe: the learner continues in a new window, once.
    assert final.status_code == 200 and 'id="lti-continue"' in final.text
    continue_url = re.search(r'id="lti-continue" href="([^"]+)"', final.text).group(1)
    opened = browser.get(platform.tool_url + continue_url)
    assert opened.status_code == 200 and course_data.course_title in opened.text
    assert browser_session().get(platform.tool_url + continue_url).status_code == 404


def test_the_same_launch_posted_twice_at_once_is_accepted_once(registered, course_data, browser_session):
    """A double submit (or a replay racing the real launch): the state is spent atomically."""
    import threading

    platform = registered
    hint = platform.resource_link(sub="racer", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    browser = browser_session()
    action, fields = start_login(browser, platform, hint)
    twin = browser_session()
    twin.cookies.update(browser.cookies)  # the same browser's cookies, another connection
    statuses = []
    barrier = threading.Barrier(2)

    def post(session):
        barrier.wait()
        statuses.append(session.post(action, data=fields, allow_redirects=False).status_code)

    threads = [threading.Thread(target=post, args=(s,)) for s in (browser, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 401]


def test_moodle_json_message_hint_is_passed_back_unchanged(registered, course_data, browser_session):
    platform = registered
    moodle_hint = '{"cmid":12,"launchid":"ltilaunch1_+/= é"}'
    hint = platform.resource_link(sub="learner-hint", roles=LEARNER, hint=moodle_hint,
                                  custom={"tamkeen_course": course_data.course_uuid})
    assert hint == moodle_hint
    response = launch(browser_session(), platform, hint, method="POST")
    assert response.status_code == 200
    assert platform.auth_requests[-1]["lti_message_hint"] == moodle_hint
