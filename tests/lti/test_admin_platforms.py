"""Editing and deactivating a platform registration from /lti/admin: deployments and role map edited, a
deactivated platform's logins and launches refused with a 4xx that says why, reactivation restores them."""
from __future__ import annotations

from sqlalchemy import select

from lms.lti.models import LtiPlatform
from tests.factories import make_user

from .conftest import LEARNER, sign_in
from .platform import launch, start_login


def _edit_data(platform, **overrides):
    data = {"name": "Moodle ENSA", "auth_url": platform.auth_url, "token_url": platform.token_url,
            "jwks_url": platform.jwks_url, "audience": "", "deployment_ids": platform.deployment_id,
            "role_map": "", "default_course": 0}
    data.update(overrides)
    return data


def test_admin_edits_deployments_and_role_map(registered, client, auth, db, browser_session):
    platform = registered
    sign_in(client, make_user("lti-edit-admin", role="administrator"))
    platform_id = db.session.scalar(select(LtiPlatform.id).where(LtiPlatform.client_id == platform.client_id))
    page = client.get(f"/lti/admin/platforms/{platform_id}")
    assert page.status_code == 200 and platform.deployment_id in page.get_data(as_text=True)

    bad = client.post(f"/lti/admin/platforms/{platform_id}", data=_edit_data(platform, role_map="Mentor = dean"))
    assert bad.status_code == 400 and b"Each role must map to one of" in bad.data
    saved = client.post(f"/lti/admin/platforms/{platform_id}", data=_edit_data(
        platform, deployment_ids="deployment-2\ndeployment-3", role_map="Mentor = instructor\nLearner=tutor"))
    assert saved.status_code == 302
    stored = db.session.get(LtiPlatform, platform_id)
    assert stored.name == "Moodle ENSA" and stored.issuer == platform.issuer  # the key is not editable
    assert sorted(d.deployment_id for d in stored.deployments) == ["deployment-2", "deployment-3"]
    assert stored.role_map == {"Mentor": "instructor", "Learner": "tutor"}
    db.session.rollback()

    # The removed deployment's launches are refused from now on.
    hint = platform.resource_link(sub="edit-learner", roles=LEARNER, custom={"tamkeen_course": "nothing"})
    response = browser_session().get(platform.tool_login_url, params=platform.login_params(hint), timeout=20)
    assert response.status_code == 403 and "lti_unknown_deployment" in response.text


def test_deactivated_platform_launches_are_refused_until_reactivated(registered, course_data, client, auth, db,
                                                                     browser_session):
    platform = registered
    sign_in(client, make_user("lti-deact-admin", role="administrator"))
    platform_id = db.session.scalar(select(LtiPlatform.id).where(LtiPlatform.client_id == platform.client_id))
    hint = platform.resource_link(sub="deact-learner", roles=LEARNER,
                                  custom={"tamkeen_course": course_data.course_uuid})
    # A login started before the deactivation...
    browser = browser_session()
    action, fields = start_login(browser, platform, hint)

    assert client.post(f"/lti/admin/platforms/{platform_id}/active", data={"active": "0"}).status_code == 302
    assert db.session.get(LtiPlatform, platform_id).active is False
    assert "Deactivated" in client.get("/lti/admin").get_data(as_text=True)
    db.session.rollback()

    # ...cannot finish, and a new one cannot start; both say why.
    finished = browser.post(action, data=fields, timeout=20)
    assert finished.status_code == 403
    assert "lti_platform_inactive" in finished.text and "deactivated" in finished.text
    started = browser_session().get(platform.tool_login_url, params=platform.login_params(hint), timeout=20)
    assert started.status_code == 403 and "lti_platform_inactive" in started.text
    as_json = browser_session().get(platform.tool_login_url, params=platform.login_params(hint), timeout=20,
                                    headers={"Accept": "application/json"})
    assert as_json.json()["error"]["code"] == "lti_platform_inactive"

    # Reactivated: launches work again.
    assert client.post(f"/lti/admin/platforms/{platform_id}/active", data={"active": "1"}).status_code == 302
    db.session.rollback()
    hint = platform.resource_link(sub="deact-learner", roles=LEARNER,
                                  custom={"tamkeen_course": course_data.course_uuid})
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 200 and course_data.course_title in response.text


def test_cli_deactivates_and_activates_a_platform(registered, runner, db):
    platform = registered
    args = ["--issuer", platform.issuer, "--client-id", platform.client_id]
    assert runner.invoke(args=["lti", "deactivate-platform", *args]).exit_code == 0
    assert db.session.scalar(select(LtiPlatform.active)) is False
    db.session.rollback()
    assert runner.invoke(args=["lti", "activate-platform", *args]).exit_code == 0
    assert db.session.scalar(select(LtiPlatform.active)) is True


def test_platform_admin_is_for_administrators_only(client, auth, db):
    from lms.lti.platforms import register_platform

    platform = register_platform(issuer="https://m.test", client_id="c", auth_login_url="https://m.test/a",
                                 auth_token_url="https://m.test/t", jwks_url="https://m.test/j")
    platform_id = platform.id
    make_user("lti-not-admin")
    db.session.commit()
    auth.login("lti-not-admin")
    assert client.get(f"/lti/admin/platforms/{platform_id}").status_code == 403
    assert client.post(f"/lti/admin/platforms/{platform_id}/active", data={"active": "0"}).status_code == 403
    assert db.session.get(LtiPlatform, platform_id).active is True
