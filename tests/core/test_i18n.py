"""Locale choice (preference → switcher → Accept-Language → Arabic), direction and content fallback."""
import pytest

from lms.core.db import db
from lms.core.i18n import localized
from tests.factories import make_user


@pytest.mark.parametrize("header,lang,direction", [(None, "ar", "rtl"), ("fr-FR,fr;q=0.9", "fr", "ltr"),
                                                     ("en-US", "en", "ltr"), ("de-DE", "ar", "rtl")])
def test_accept_language_picks_the_page_language(app, header, lang, direction):
    headers = {"Accept-Language": header} if header else {}
    html = app.test_client().get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_language_switcher_beats_accept_language(client):
    response = client.get("/lang/en?next=/account/login", headers={"Accept-Language": "fr"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    html = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html


def test_users_preference_beats_the_switcher(client, auth):
    make_user("karim", language="fr")
    db.session.commit()
    client.get("/lang/en")
    auth.login("karim")
    assert '<html lang="fr" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_switching_language_while_signed_in_saves_the_preference(client, auth):
    from lms.accounts.models import User

    make_user("karim", language="fr")
    db.session.commit()
    auth.login("karim")
    client.get("/lang/ar")
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(User.preferred_language).where(User.username == "karim")) == "ar"


def test_switcher_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.get("/lang/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_interface_is_translated_in_french_and_arabic(client):
    assert "Se connecter" in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "تسجيل الدخول" in client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)


def test_localized_content_falls_back_to_arabic_then_french(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert localized({"ar": "دورة", "fr": "Cours", "en": "Course"}) == "Course"
        assert localized({"ar": "دورة", "fr": "Cours"}) == "دورة"
        assert localized({"fr": "Cours"}) == "Cours"
        assert localized({"en": ""}, default="-") == "-"
        assert localized(None) == ""


def test_dates_are_formatted_for_morocco(app):
    from datetime import datetime, timezone

    from lms.core.i18n import format_date

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_date(datetime(2026, 3, 5, tzinfo=timezone.utc), "long") == "5 mars 2026"


def test_times_are_shown_in_casablanca_time_with_current_rules(app):
    """Morocco's offset changes (UTC+1, UTC+0 during Ramadan); pytz lacks the rules after 2026."""
    from datetime import datetime, timezone

    from lms.core.i18n import format_datetime, format_time

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        summer_2027 = datetime(2027, 6, 1, 17, 0, tzinfo=timezone.utc)
        assert format_time(summer_2027, "HH:mm") == "18:00"
        assert "18:00" in format_datetime(summer_2027, "short")
