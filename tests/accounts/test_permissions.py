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


def test_administrator_manages_the_administration_tree_with_a_logo(client, auth, people):
    import io

    from lms.accounts.models import Administration

    auth.login("admin")
    ministry = db.session.scalar(db.select(Administration).where(Administration.code == "ministry"))
    response = client.post("/account/administrations/new", data={
        "code": "regional-office", "name_ar": "مديرية جهوية", "name_fr": "Direction régionale", "acronym": "DR",
        "parent_id": str(ministry.id), "level": "local",
        "logo": (io.BytesIO(b"\x89PNG\r\n\x1a\n fake"), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    office = db.session.scalar(db.select(Administration).where(Administration.code == "regional-office"))
    assert office.parent_id == ministry.id and office.level.value == "local" and office.logo_digest
    assert client.get(f"/account/administrations/{office.id}/logo").status_code == 200
    assert "مديرية جهوية" in client.get("/account/administrations").get_data(as_text=True)  # no English name: Arabic
    # No cycles: the ministry cannot be moved under its own body.
    cycle = client.post(f"/account/administrations/{ministry.id}", data={
        "code": "ministry", "name_fr": "Ministère", "parent_id": str(office.id), "level": "central"})
    assert cycle.status_code == 400 and "under itself" in cycle.get_data(as_text=True)


def test_administration_codes_are_unique_and_validated(client, auth, people):
    auth.login("admin")
    duplicate = client.post("/account/administrations/new", data={"code": "agency", "name_fr": "X", "level": "central"})
    assert duplicate.status_code == 400 and "already uses this code" in duplicate.get_data(as_text=True)
    invalid = client.post("/account/administrations/new", data={"code": "Bad Code!", "name_fr": "X", "level": "central"})
    assert invalid.status_code == 400


def test_only_administrators_manage_administrations(client, auth, people):
    auth.login("manager")
    assert client.get("/account/administrations").status_code == 403
