"""Campaign audiences, dismissal, the newsletter with unsubscribe, the contact form's limits."""
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from lms.core.db import db, utcnow
from lms.core.outbox import OutboxMessage
from lms.portal import services
from lms.portal.models import Campaign, CampaignAudience, ContactMessage
from tests.factories import enrol, make_administration, make_course, make_user


def campaign(title, audience=CampaignAudience.everyone, **fields):
    item = Campaign(title={"en": title, "fr": title}, text={"en": "text"}, audience=audience,
                    starts_at=fields.pop("starts_at", utcnow() - timedelta(hours=1)), **fields)
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def audience(app):
    ministry, agency = make_administration("ministry"), make_administration("agency")
    course = make_course()
    insider = make_user("insider", administration=ministry)
    outsider = make_user("outsider", administration=agency)
    enrol(insider, course)
    return {"ministry": ministry, "course": course, "insider": insider, "outsider": outsider}


def titles(user):
    return {localized["en"] for localized in (c.title for c in services.campaigns_for(user))}


def test_campaigns_reach_exactly_their_audience(audience):
    campaign("all")
    campaign("ministry staff", CampaignAudience.administration, administration_id=audience["ministry"].id)
    campaign("course learners", CampaignAudience.course, course_id=audience["course"].id)
    assert titles(audience["insider"]) == {"all", "ministry staff", "course learners"}
    assert titles(audience["outsider"]) == {"all"}
    assert titles(None) == {"all"}


def test_campaigns_run_only_during_their_period(audience):
    campaign("past", ends_at=utcnow() - timedelta(minutes=1), starts_at=utcnow() - timedelta(days=2))
    campaign("future", starts_at=utcnow() + timedelta(days=1))
    campaign("inactive", active=False)
    campaign("now")
    assert titles(audience["insider"]) == {"now"}


def test_banner_is_shown_and_dismissed_for_good(client, auth, audience):
    item = campaign("Cyber week")
    auth.login("insider")
    assert "Cyber week" in client.get("/").get_data(as_text=True)
    assert client.post(f"/campaigns/{item.id}/dismiss", data={"next": "/"}).status_code == 302
    assert "Cyber week" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("insider")
    assert "Cyber week" not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_can_dismiss_a_banner_for_their_session(client):
    item = campaign("Cyber week")
    assert "Cyber week" in client.get("/").get_data(as_text=True)
    client.post(f"/campaigns/{item.id}/dismiss")
    assert "Cyber week" not in client.get("/").get_data(as_text=True)


def test_newsletter_goes_to_subscribers_in_their_language_and_unsubscribe_works(client, auth):
    from lms.portal.models import Newsletter

    reader = make_user("reader", language="fr", email="reader@example.ma")
    make_user("silent", email="silent@example.ma")
    services.set_subscription(reader, True)
    letter = Newsletter(subject={"ar": "نشرة", "fr": "Lettre"}, body={"ar": "مرحبا", "fr": "Bonjour"})
    db.session.add(letter)
    db.session.flush()
    assert services.send_newsletter(letter, None) == 1
    mail = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    assert mail.payload["to"] == "reader@example.ma" and mail.payload["subject"] == "Lettre"
    assert mail.payload["body"].startswith("Bonjour")
    link = re.search(r"https?://\S+/newsletter/unsubscribe/\S+", mail.payload["body"]).group(0)
    db.session.commit()
    assert client.get(urlsplit(link).path).status_code == 200
    assert services.subscription_of(reader).subscribed is False
    assert client.get("/newsletter/unsubscribe/forged-token").status_code == 400


def test_a_newsletter_is_sent_once(app):
    from lms.core.errors import DomainError
    from lms.portal.models import Newsletter

    letter = Newsletter(subject={"fr": "Lettre"}, body={"fr": "Bonjour"})
    db.session.add(letter)
    db.session.flush()
    services.send_newsletter(letter, None)
    with pytest.raises(DomainError):
        services.send_newsletter(letter, None)


def test_learner_subscribes_from_their_account(client, auth):
    make_user("reader")
    auth.login("reader")
    assert client.post("/newsletter", data={"subscribed": "1"}).status_code == 302
    assert "You are subscribed." in client.get("/newsletter").get_data(as_text=True)


def _contact_form(client):
    html = client.get("/contact").get_data(as_text=True)
    return re.search(r'name="shown_at" type="hidden" value="([^"]+)"', html).group(1)


def _message(shown_at, **overrides):
    data = {"name": "Nadia", "email": "nadia@example.ma", "subject": "Question",
            "body": "Comment m'inscrire à une formation ?", "website": "", "shown_at": shown_at}
    data.update(overrides)
    return data


def test_contact_message_is_stored_and_mailed_to_administrators(client, monkeypatch):
    make_user("boss", role="administrator", email="boss@example.ma")
    shown_at = _contact_form(client)
    monkeypatch.setattr(services, "CONTACT_MIN_SECONDS", 0)
    response = client.post("/contact", data=_message(shown_at))
    assert response.status_code == 302
    assert db.session.scalar(db.select(ContactMessage.subject)) == "Question"
    mail = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    assert mail.payload["to"] == "boss@example.ma" and "Nadia" in mail.payload["body"]


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "valid e-mail"),
    ("body", "short", "Between 10"),
    ("name", "", "required"),
])
def test_contact_form_validation(client, monkeypatch, field, value, message):
    monkeypatch.setattr(services, "CONTACT_MIN_SECONDS", 0)
    response = client.post("/contact", data=_message(_contact_form(client), **{field: value}))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ContactMessage.id))) == 0


def test_contact_honeypot_and_too_fast_submissions_are_refused(client, monkeypatch):
    shown_at = _contact_form(client)
    assert client.post("/contact", data=_message(shown_at)).status_code == 400  # in less than 3 seconds
    monkeypatch.setattr(services, "CONTACT_MIN_SECONDS", 0)
    assert client.post("/contact", data=_message(shown_at, website="http://spam")).status_code == 400
    assert client.post("/contact", data=_message("forged")).status_code == 400
    assert db.session.scalar(db.select(db.func.count(ContactMessage.id))) == 0


def test_contact_form_is_rate_limited_per_sender(client, monkeypatch):
    monkeypatch.setattr(services, "CONTACT_MIN_SECONDS", 0)
    shown_at = _contact_form(client)
    for _ in range(services.CONTACT_LIMIT_PER_HOUR):
        assert client.post("/contact", data=_message(shown_at)).status_code == 302
    response = client.post("/contact", data=_message(shown_at))
    assert response.status_code == 429
    assert "last hour" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ContactMessage.id))) == services.CONTACT_LIMIT_PER_HOUR
