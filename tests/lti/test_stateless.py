"""The web tier is stateless for LTI: two application instances (two ``create_app`` objects sharing only the
database and the secret key, each behind its own HTTP server) take turns — the OIDC login is answered by
one, the launch by the other, and the session then works on either. Nothing of a launch lives in process
memory."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.core.db import db as _db

from .conftest import LEARNER
from .platform import launch


class _Recorder:
    """WSGI middleware noting which paths an instance served."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO", ""))
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def second_instance(app, live_server, tmp_path):
    """Another instance of the application over the same database, served on its own port."""
    config = {key: app.config[key] for key in ("TESTING", "DATABASE_URL", "SECRET_KEY", "CONTENT_PACKAGES_DIR")}
    config.update(INSTANCE_PATH=str(tmp_path / "instance-b"), SERVER_NAME=None, WTF_CSRF_ENABLED=True,
                  LTI_JWKS_MIN_REFRESH_SECONDS=0)
    other = create_app(config)
    server = make_server("127.0.0.1", 0, other, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    other.config["SITE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield other
    server.shutdown()
    thread.join(timeout=5)
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_login_on_one_instance_and_launch_on_the_other(app, live_server, second_instance, registered, course_data,
                                                       browser_session):
    platform = registered
    instance_a, instance_b = app, second_instance
    public_url = instance_b.config["SITE_URL"]
    # Both instances answer for one public URL (a load balancer's): the redirect URI is built from it.
    instance_a.config["SITE_URL"] = public_url
    platform.tool_redirect_uris = [public_url + "/lti/launch"]
    recorder_a, recorder_b = _Recorder(instance_a.wsgi_app), _Recorder(instance_b.wsgi_app)
    instance_a.wsgi_app, instance_b.wsgi_app = recorder_a, recorder_b
    try:
        hint = platform.resource_link(sub="stateless-learner", roles=LEARNER,
                                      custom={"tamkeen_course": course_data.course_uuid})
        browser = browser_session()
        # The platform's login initiation reaches instance A; its form post goes to the public URL (B).
        response = launch(browser, platform, hint)
        assert response.status_code == 200, response.text[:1500]
        assert course_data.course_title in response.text
        assert "/lti/login" in recorder_a.paths and "/lti/launch" not in recorder_a.paths
        assert "/lti/launch" in recorder_b.paths and "/lti/login" not in recorder_b.paths
        assert platform.auth_requests[-1]["redirect_uri"] == public_url + "/lti/launch"
        # The signed-in session is honoured by the other instance too.
        page = browser.get(live_server.url + response.url.split(public_url, 1)[1], timeout=20)
        assert page.status_code == 200 and course_data.course_title in page.text
        assert len(recorder_a.paths) > 1
        # The same id_token replayed to instance A is refused: the nonce was spent in the shared database.
        login_form = platform.auth_requests[-1]
        replay = browser.post(live_server.url + "/lti/launch", timeout=20, data={
            "id_token": platform.id_token(hint, login_form["nonce"]), "state": login_form["state"]})
        assert replay.status_code == 401 and "lti_replayed" in replay.text
    finally:
        instance_a.wsgi_app, instance_b.wsgi_app = recorder_a.wsgi_app, recorder_b.wsgi_app
