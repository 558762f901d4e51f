from lms.core.db import db


def test_home_page_is_arabic_and_right_to_left_by_default(app):
    response = app.test_client().get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_both_backends_are_really_used(app, backend):
    assert db.engine.dialect.name == backend


def test_settings_come_from_lms_environment_variables(monkeypatch, tmp_path):
    from lms.core.config import load_settings

    monkeypatch.setenv("LMS_SITE_URL", "https://tamkeen.example.ma")
    monkeypatch.setenv("LMS_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("LMS_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("LMS_LTI_CLOCK_SKEW_SECONDS", "90")
    settings = load_settings(str(tmp_path))
    assert settings["SITE_URL"] == "https://tamkeen.example.ma"
    assert settings["LOGIN_MAX_FAILURES"] == 7 and settings["SESSION_COOKIE_SECURE"] is True
    assert settings["LTI_CLOCK_SKEW_SECONDS"] == 90


def test_secret_key_is_generated_once_and_kept(tmp_path):
    from lms.core.config import instance_secret_key

    first = instance_secret_key(str(tmp_path))
    assert len(first) == 64 and instance_secret_key(str(tmp_path)) == first
