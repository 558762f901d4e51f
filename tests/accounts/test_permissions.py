"""The permission matrix of the accounts area, and the central mechanism itself."""
import pytest

from lms.accounts.models import SiteRole
from lms.core.db import db
from lms.core.permissions import can, declared_permissions
from tests.factories import make_administration, make_user


@pytest.fixture
def people(app):
    ministry = make_administration("ministry")
    agency = make_administration("agency")
    return {
        "admin": make_user("admin", role=SiteRole.administrator),
        "manager": make_user("manager", role=SiteRole.manager, administration=ministry),
        "instructor": make_user("instructor", role=SiteRole.instructor, administration=ministry),
        "learner": make_user("learner", administration=ministry),
        "outsider": make_user("outsider", administration=agency),
    }


MATRIX = [
    # actor, permission, target, allowed
    ("admin", "accounts.manage_users", None, True),
    ("manager", "accounts.manage_users", None, True),
    ("instructor", "accounts.manage_users", None, False),
    ("learner", "accounts.manage_users", None, False),
    ("manager", "accounts.edit_user", "learner", True),
    ("manager", "accounts.edit_user", "outsider", False),
    ("manager", "accounts.edit_user", "admin", False),
    ("learner", "accounts.edit_user", "learner", True),
    ("learner", "accounts.edit_user", "outsider", False),
    ("admin", "accounts.edit_user", "outsider", True),
    ("manager", "site.admin", None, False),
    ("admin", "site.admin", None, True),
]


@pytest.mark.parametrize("actor,permission,target,allowed", MATRIX)
def test_permission_matrix(people, actor, permission, target, allowed):
    assert can(people[actor], permission, people.get(target)) is allowed


def test_anonymous_and_inactive_users_get_nothing(people):
    from flask_login import AnonymousUserMixin

    people["manager"].active = False
    assert can(AnonymousUserMixin(), "accounts.manage_users") is False
    assert can(people["manager"], "accounts.manage_users") is False


def test_every_declared_permission_is_named_by_area(app):
    assert all("." in name for name in declared_permissions())


@pytest.mark.parametrize("url", ["/account/profile", "/account/password", "/account/users", "/account/users/new"])
def test_pages_that_need_an_account_send_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_user_list_is_forbidden_to_learners_with_403(client, auth, people):
    db.session.commit()
    auth.login("learner")
    response = client.get("/account/users")
    assert response.status_code == 403
    assert "permission" in response.get_data(as_text=True)


def test_manager_sees_only_users_of_their_administration(client, auth, people):
    db.session.commit()
    auth.login("manager")
    html = client.get("/account/users").get_data(as_text=True)
    assert "learner" in html and "outsider" not in html


def test_manager_can_create_learners_but_not_administrators(client, auth, people):
    db.session.commit()
    auth.login("manager")
    response = client.post("/account/users/new", data={"username": "newbie", "password": "long-enough",
                                                      "role": "administrator", "administration_id": ""})
    assert response.status_code == 400  # not a valid choice for a manager
    response = client.post("/account/users/new", data={"username": "newbie", "password": "long-enough",
                                                      "role": "learner", "administration_id": ""})
    assert response.status_code == 302
