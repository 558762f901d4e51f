"""Behind TLS (directly or through ProxyFix) the launch cookies are ``SameSite=None; Secure``: the platform
frames Tamkeen from another site, and browsers drop Lax cookies on cross-site iframe requests."""
from __future__ import annotations

import requests
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.lti.platforms import register_platform
from tests.factories import make_course

from .conftest import LEARNER
from .platform import PlatformEmulator, parse_form


def _setup(app, db):
    app.config["SITE_URL"] = "https://lms.test"
    platform = PlatformEmulator("https://lms.test")
    register_platform(issuer=platform.issuer, client_id=platform.client_id, auth_login_url=platform.auth_url,
                      auth_token_url=platform.token_url, jwks_url=platform.jwks_url,
                      deployment_ids=[platform.deployment_id])
    course_uuid = make_course(title="TLS course").uuid
    db.session.commit()
    return platform, course_uuid


def _cookie(response, prefix):
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(prefix))


def test_launch_cookies_are_samesite_none_and_secure_over_https(app, client, db):
    platform, course_uuid = _setup(app, db)
    try:
        hint = platform.resource_link(sub="tls-learner", roles=LEARNER, custom={"tamkeen_course": course_uuid})
        login = client.get("/lti/login", query_string=platform.login_params(hint), base_url="https://lms.test")
        assert login.status_code == 302
        state_cookie = _cookie(login, "lti1p3-state-")
        assert "SameSite=None" in state_cookie and "Secure" in state_cookie and "HttpOnly" in state_cookie
        action, fields = parse_form(requests.get(login.headers["Location"], timeout=10).text)
        assert action == "https://lms.test/lti/launch"
        launched = client.post("/lti/launch", data=fields, base_url="https://lms.test")
        assert launched.status_code == 302, launched.get_data(as_text=True)[:500]
        session_cookie = _cookie(launched, app.config.get("SESSION_COOKIE_NAME", "session") + "=")
        assert "SameSite=None" in session_cookie and "Secure" in session_cookie
    finally:
        platform.stop()


def test_proxy_fix_turns_forwarded_https_into_secure_cookies(app, client, db):
    platform, _course_uuid = _setup(app, db)
    original = app.wsgi_app
    app.wsgi_app = ProxyFix(original, x_for=1, x_proto=1, x_host=1)  # what PROXY_FIX_HOPS=1 installs
    try:
        hint = platform.resource_link(sub="proxy-learner", roles=LEARNER)
        login = client.get("/lti/login", query_string=platform.login_params(hint),
                           headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lms.test"})
        assert login.status_code == 302
        assert "SameSite=None" in _cookie(login, "lti1p3-state-")
        # Without TLS (development over plain HTTP) browsers refuse SameSite=None: Lax is used instead.
        plain = client.get("/lti/login", query_string=platform.login_params(hint))
        assert "SameSite=Lax" in _cookie(plain, "lti1p3-state-")
    finally:
        app.wsgi_app = original
        platform.stop()
