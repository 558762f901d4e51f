"""Concurrent joins never push a team beyond its size limit (row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
import threading

from sqlalchemy import func, select

from lms.core.errors import DomainError
from lms.idarathon import services
from lms.idarathon.models import Edition, Team, TeamMember
from lms.accounts.models import User

from .factories import make_edition, make_participant, make_team

JOINERS = 8


def test_concurrent_joins_never_exceed_the_size_limit(app, db):
    with app.test_request_context("/"):
        edition = make_edition(team_min_size=1, team_max_size=3)
        team = make_team(edition)  # the captain: one seat taken, two left
        joiner_ids = [make_participant(edition).id for _i in range(JOINERS)]
        edition_id, code = edition.id, team.invite_code
        db.session.commit()  # the threads read committed data only

    barrier = threading.Barrier(JOINERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def join(user_id: int) -> None:
        with app.app_context(), app.test_request_context("/"):
            try:
                barrier.wait(timeout=10)
                user = db.session.get(User, user_id)
                services.join_by_code(db.session.get(Edition, edition_id), user, code)
                db.session.commit()
                outcome = "joined"
            except DomainError as error:
                db.session.rollback()
                outcome = error.code
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=join, args=(user_id,)) for user_id in joiner_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.rollback()
    members = db.session.scalar(select(func.count(TeamMember.id)).where(TeamMember.team_id == team.id))
    assert members == 3
    assert sorted(outcomes) == sorted(["joined"] * 2 + ["team_full"] * (JOINERS - 2))


def test_concurrent_team_creation_by_one_person_keeps_one_team(app, db):
    with app.test_request_context("/"):
        edition = make_edition()
        person = make_participant(edition)
        edition_id, person_id = edition.id, person.id
        db.session.commit()
    barrier = threading.Barrier(4)
    outcomes = []

    def create(n: int) -> None:
        with app.app_context(), app.test_request_context("/"):
            try:
                barrier.wait(timeout=10)
                services.create_team(db.session.get(Edition, edition_id), db.session.get(User, person_id), f"T{n}")
                db.session.commit()
                outcomes.append("created")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    assert outcomes.count("created") == 1
    assert db.session.scalar(select(func.count(TeamMember.id)).where(TeamMember.user_id == person_id)) == 1
    assert db.session.scalar(select(func.count(Team.id)).where(Team.edition_id == edition_id)) == 1
