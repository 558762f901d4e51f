"""Sign-in, sign-out, lockout, password change and reset."""
import re
from urllib.parse import urlsplit

import pytest

from lms.accounts import services
from lms.accounts.models import User
from lms.core.db import db
from lms.core.outbox import OutboxMessage
from tests.factories import make_user


def test_login_with_right_password_signs_in(client, auth):
    make_user("amina", password="s3cret-pass")
    db.session.commit()
    response = auth.login("amina", "s3cret-pass")
    assert response.status_code == 302
    assert "amina" in client.get("/account/profile").get_data(as_text=True)


def test_login_accepts_email_case_insensitively(client, auth):
    make_user("amina", password="s3cret-pass", email="Amina@Example.test")
    db.session.commit()
    assert auth.login("amina@example.TEST", "s3cret-pass").status_code == 302


@pytest.mark.parametrize("username,password", [("amina", "wrong-password"), ("nobody", "whatever1")])
def test_wrong_password_and_unknown_user_get_the_same_401(client, auth, username, password):
    make_user("amina", password="s3cret-pass")
    db.session.commit()
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_error_message_is_in_the_users_language(client):
    make_user("amina", password="s3cret-pass")
    db.session.commit()
    response = client.post("/account/login", data={"username": "amina", "password": "nope"},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures_and_the_lock_survives_the_failed_request(app, client, auth):
    app.config["LOGIN_MAX_FAILURES"] = 3
    make_user("amina", password="s3cret-pass")
    db.session.commit()
    for _ in range(3):
        assert auth.login("amina", "bad").status_code == 401
    response = auth.login("amina", "s3cret-pass")
    assert response.status_code == 403
    assert "locked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(User).where(User.username == "amina")).locked_until is not None


def test_disabled_account_cannot_sign_in(client, auth):
    make_user("amina", password="s3cret-pass", active=False)
    db.session.commit()
    assert auth.login("amina", "s3cret-pass").status_code == 403


def test_logout_signs_out(client, auth):
    make_user("amina")
    db.session.commit()
    auth.login("amina")
    assert auth.logout().status_code == 302
    assert client.get("/account/profile").status_code == 302  # back to the login page


def test_login_redirect_never_leaves_the_site(client):
    make_user("amina")
    db.session.commit()
    response = client.post("/account/login?next=https://evil.example/", data={"username": "amina", "password": "pw"})
    assert response.headers["Location"] == "/"


def test_password_change_requires_the_current_password_and_signs_out_other_sessions(app, client, auth):
    user = make_user("amina", password="old-password")
    db.session.commit()
    other = app.test_client()
    other.post("/account/login", data={"username": "amina", "password": "old-password"})
    auth.login("amina", "old-password")
    bad = client.post("/account/password", data={"current_password": "nope", "new_password": "new-password-1",
                                                 "confirm": "new-password-1"})
    assert bad.status_code == 400
    good = client.post("/account/password", data={"current_password": "old-password",
                                                  "new_password": "new-password-1", "confirm": "new-password-1"})
    assert good.status_code == 302
    assert client.get("/account/profile").status_code == 200          # this session stays signed in
    assert other.get("/account/profile").status_code == 302           # the other one is signed out
    db.session.expire_all()
    assert services.authenticate("amina", "new-password-1").id == user.id


def test_password_reset_mails_a_single_use_link(app, client):
    make_user("amina", password="old-password", email="amina@example.test")
    db.session.commit()
    response = client.post("/account/password/reset", data={"login": "amina"})
    assert response.status_code == 302
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    assert message.payload["to"] == "amina@example.test"
    link = re.search(r"http://\S+", message.payload["body"]).group(0)
    path = urlsplit(link).path
    assert client.post(path, data={"new_password": "brand-new-pass", "confirm": "brand-new-pass"}).status_code == 302
    reused = client.post(path, data={"new_password": "another-pass-1", "confirm": "another-pass-1"})
    assert reused.status_code == 400
    assert services.authenticate("amina", "brand-new-pass")


def test_password_reset_answers_the_same_for_unknown_accounts(client):
    response = client.post("/account/password/reset", data={"login": "ghost"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_profile_saves_language_and_gender(client, auth):
    make_user("amina", language="ar")
    db.session.commit()
    auth.login("amina")
    response = client.post("/account/profile", data={"full_name": "Amina B", "email": "amina@tamkeen.ma",
                                                    "preferred_language": "fr", "gender": "female",
                                                    "administration_id": ""})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "amina"))
    db.session.refresh(user)
    assert user.preferred_language == "fr" and user.gender.value == "female"
    assert '<html lang="fr" dir="ltr">' in client.get("/").get_data(as_text=True)
