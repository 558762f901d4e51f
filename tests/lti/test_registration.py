"""Registration: CLI, our JWKS and key rotation, the admin screen, Dynamic Registration, role mapping."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from lms.core.db import utcnow
from lms.lti import keys
from lms.lti.models import LtiDeployment, LtiPlatform, LtiToolKey
from lms.lti.roles import course_role_for
from lms.lti.registration import create_invite
from tests.factories import make_user

from .conftest import LEARNER
from .platform import launch


def test_cli_registers_a_platform_keyed_by_issuer_and_client_id(runner, db):
    args = ["lti", "add-platform", "--issuer", "https://canvas.instructure.com", "--client-id", "1000001",
            "--deployment-id", "d1", "--auth-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "--token-url", "https://sso.canvaslms.com/login/oauth2/token",
            "--jwks-url", "https://sso.canvaslms.com/api/lti/security/jwks"]
    assert runner.invoke(args=args).exit_code == 0
    # Canvas: the same issuer for another tenant, another client id.
    other = list(args)
    other[other.index("1000001")] = "1000002"
    assert runner.invoke(args=other).exit_code == 0
    assert runner.invoke(args=args + ["--deployment-id", "d2"]).exit_code == 0  # idempotent, adds d2
    platforms = db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.client_id)).all()
    assert [p.client_id for p in platforms] == ["1000001", "1000002"]
    assert sorted(d.deployment_id for d in platforms[0].deployments) == ["d1", "d2"]


def test_jwks_publishes_alg_and_use(client):
    body = client.get("/lti/jwks").get_json()
    assert body["keys"] and all(k["alg"] == "RS256" and k["use"] == "sig" and k["kty"] == "RSA" and k["kid"]
                                for k in body["keys"])


def test_rotation_keeps_the_old_key_until_it_is_unused(app, db):
    old = keys.current_key()
    old_kid = old.kid
    new = keys.rotate()
    kids = [k["kid"] for k in keys.jwks()["keys"]]
    assert kids[0] == new.kid and old_kid in kids  # still published for platforms verifying recent tokens
    assert keys.current_key().kid == new.kid
    # After the grace period without use, the retired key goes.
    retired = db.session.scalar(select(LtiToolKey).where(LtiToolKey.kid == old_kid))
    retired.retired_at = retired.last_used_at = utcnow() - timedelta(hours=100)
    assert keys.prune() == 1
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid]


def test_admin_screen_shows_the_urls_to_paste(client, auth, app):
    admin = make_user("lti-admin", role="administrator")
    assert admin
    auth.login("lti-admin")
    page = client.get("/lti/admin")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    site = app.config["SITE_URL"]
    for path in ("/lti/login", "/lti/launch", "/lti/jwks", "/lti/1.1/launch"):
        assert f"{site}{path}" in text


def test_admin_screen_is_for_administrators_only(client, auth):
    make_user("lti-learner")
    assert client.get("/lti/admin").status_code in (302, 401)
    auth.login("lti-learner")
    assert client.get("/lti/admin").status_code == 403


def test_admin_registers_a_platform_through_the_form(client, auth, db):
    make_user("lti-admin2", role="administrator")
    auth.login("lti-admin2")
    response = client.post("/lti/admin/platforms", data={
        "p-name": "Moodle ENSA", "p-issuer": "https://moodle.ensa.ma", "p-client_id": "abc123",
        "p-deployment_ids": "1, 2", "p-auth_url": "https://moodle.ensa.ma/mod/lti/auth.php",
        "p-token_url": "https://moodle.ensa.ma/mod/lti/token.php",
        "p-jwks_url": "https://moodle.ensa.ma/mod/lti/certs.php"})
    assert response.status_code == 302
    platform = db.session.scalar(select(LtiPlatform).where(LtiPlatform.client_id == "abc123"))
    assert platform.name == "Moodle ENSA"
    assert sorted(d.deployment_id for d in platform.deployments) == ["1", "2"]


def test_dynamic_registration_then_launch(platform, live_server, course_data, browser_session, db):
    url = create_invite()
    db.session.commit()
    browser = browser_session()
    response = browser.get(url, params={
        "openid_configuration": platform.url + "/.well-known/openid-configuration",
        "registration_token": platform.registration_token})
    assert response.status_code == 200, response.text[:1500]
    assert "org.imsglobal.lti.close" in requests.get(live_server.url + "/lti/static/lti/registration_close.js").text
    sent = platform.registrations[-1]
    assert sent["initiate_login_uri"] == live_server.url + "/lti/login"
    assert sent["redirect_uris"] == [live_server.url + "/lti/launch"]
    assert sent["jwks_uri"] == live_server.url + "/lti/jwks"
    registered = db.session.scalar(select(LtiPlatform).where(LtiPlatform.client_id == platform.client_id))
    assert registered.issuer == platform.issuer and registered.auth_login_url == platform.auth_url
    assert db.session.scalar(select(LtiDeployment.deployment_id).where(
        LtiDeployment.platform_id == registered.id)) == platform.deployment_id
    db.session.rollback()
    # The invitation is single use.
    again = browser.get(url, params={"openid_configuration": platform.url + "/.well-known/openid-configuration"})
    assert again.status_code == 403
    # And the registered platform launches at once.
    hint = platform.resource_link(sub="dyn-learner", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200


@pytest.mark.parametrize("roles, expected", [
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "learner"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], "tutor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"], "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], "tutor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"], "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin"], "instructor"),
    # Context roles decide over institution roles.
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
      "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "learner"),
    ("Instructor,urn:lti:instrole:ims/lis/Student", "instructor"),
    ("urn:lti:role:ims/lis/TeachingAssistant", "tutor"),
    ([], "learner"),
])
def test_lis_roles_map_to_course_roles(app, roles, expected):
    assert course_role_for(roles) == expected


def test_role_mapping_is_configurable(app):
    app.config["LTI_ROLE_MAP"] = {"Mentor": "instructor"}
    assert course_role_for(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]) == "instructor"
    assert course_role_for(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
                           {"http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor": "learner"}) == "learner"


def test_prune_removes_expired_launch_records(app, db, runner):
    from lms.lti.models import LtiUsedToken

    db.session.add(LtiUsedToken(token_key="a" * 64, expires_at=utcnow() - timedelta(days=1)))
    db.session.add(LtiUsedToken(token_key="b" * 64, expires_at=utcnow() + timedelta(hours=1)))
    db.session.commit()
    result = runner.invoke(args=["lti", "prune"])
    assert result.exit_code == 0 and "1 expired launch records" in result.output
    assert [t.token_key[0] for t in db.session.scalars(select(LtiUsedToken))] == ["b"]


def test_cli_sets_a_platform_role_map_and_default_course(runner, db):
    from tests.factories import make_course

    make_course("default-course")
    db.session.commit()
    base = ["lti", "add-platform", "--issuer", "https://lms.partner.ma", "--client-id", "c1",
            "--auth-url", "https://lms.partner.ma/auth", "--token-url", "https://lms.partner.ma/token",
            "--jwks-url", "https://lms.partner.ma/jwks"]
    result = runner.invoke(args=base + ["--role-map", '{"Mentor": "instructor"}', "--default-course",
                                        "default-course"])
    assert result.exit_code == 0, result.output
    platform = db.session.scalar(select(LtiPlatform).where(LtiPlatform.client_id == "c1"))
    assert platform.role_map == {"Mentor": "instructor"} and platform.default_course_id is not None
    assert course_role_for(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
                           platform.role_map) == "instructor"
    bad = runner.invoke(args=base + ["--role-map", '{"Mentor": "dean"}'])
    assert bad.exit_code != 0 and "must be one of" in bad.output
