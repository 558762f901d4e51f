"""LTI settings come from ``current_app.config`` (so from ``LMS_LTI_*`` environment variables), with
defaults; a malformed value falls back to the default instead of breaking launches."""
from __future__ import annotations

from lms import create_app
from lms.lti.roles import course_role_for
from lms.lti.settings import DEFAULTS, setting

MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def test_lti_settings_are_read_from_lms_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_LTI_CLOCK_SKEW_SECONDS", "120")
    monkeypatch.setenv("LMS_LTI_HTTP_TIMEOUT_SECONDS", "4.5")
    monkeypatch.setenv("LMS_LTI11_TIMESTAMP_WINDOW_SECONDS", "90")
    monkeypatch.setenv("LMS_LTI_ROLE_MAP", '{"Mentor": "instructor"}')
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "CONTENT_PACKAGES_DIR": str(tmp_path / "content"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'settings.sqlite3'}"})
    with app.app_context():
        assert setting("LTI_CLOCK_SKEW_SECONDS") == 120
        assert setting("LTI_HTTP_TIMEOUT_SECONDS") == 4.5
        assert setting("LTI11_TIMESTAMP_WINDOW_SECONDS") == 90
        assert course_role_for([MENTOR]) == "instructor"
        # Settings nobody set keep their defaults.
        assert setting("LTI_MAX_TOKEN_AGE_SECONDS") == DEFAULTS["LTI_MAX_TOKEN_AGE_SECONDS"]
        assert app.config["LTI_STATE_TTL_SECONDS"] == 600


def test_malformed_settings_fall_back_to_the_defaults(app):
    app.config["LTI_CLOCK_SKEW_SECONDS"] = "a minute"
    app.config["LTI_ROLE_MAP"] = "Mentor=instructor"   # not JSON
    app.config["LTI_JWKS_MIN_REFRESH_SECONDS"] = -5
    assert setting("LTI_CLOCK_SKEW_SECONDS") == 60
    assert setting("LTI_JWKS_MIN_REFRESH_SECONDS") == 10
    assert course_role_for([MENTOR]) == "tutor"
