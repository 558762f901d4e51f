"""The lms command."""
from lms.accounts.models import Administration, SiteRole, User
from lms.core.db import db


def test_users_create_makes_an_account_that_can_sign_in(runner, auth):
    result = runner.invoke(args=["users", "create", "nadia", "--password", "long-password", "--role", "instructor"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "nadia"))
    assert user.role == SiteRole.instructor
    assert auth.login("nadia", "long-password").status_code == 302


def test_users_create_refuses_duplicates_and_weak_passwords(runner):
    assert runner.invoke(args=["users", "create", "nadia", "--password", "long-password"]).exit_code == 0
    again = runner.invoke(args=["users", "create", "nadia", "--password", "long-password"])
    assert again.exit_code != 0 and "already taken" in again.output
    weak = runner.invoke(args=["users", "create", "omar", "--password", "short"])
    assert weak.exit_code != 0 and "at least 8" in weak.output


def test_demo_load_is_idempotent_and_prints_the_admin_login(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demo administrator login: admin / " in first.output
    counts = (db.session.scalar(db.select(db.func.count(User.id))),
              db.session.scalar(db.select(db.func.count(Administration.id))))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert (db.session.scalar(db.select(db.func.count(User.id))),
            db.session.scalar(db.select(db.func.count(Administration.id)))) == counts
    password = first.output.split("Demo administrator login: admin / ")[1].split()[0]
    assert password in second.output


def test_demo_seeds_the_programme_administrations_as_a_tree(runner):
    runner.invoke(args=["demo", "load"])
    onee = db.session.scalar(db.select(Administration).where(Administration.code == "onee"))
    assert onee.parent.code == "metl"
    dgct = db.session.scalar(db.select(Administration).where(Administration.code == "commune-rabat"))
    assert dgct.level.value == "local"
