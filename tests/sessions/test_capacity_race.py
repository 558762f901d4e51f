"""Seats are counted under a lock: concurrent registrations never overbook a session (both engines)."""
import threading

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.db import db
from lms.sessions import services
from lms.sessions.models import Registration, RegistrationState as S
from tests.factories import make_user
from tests.sessions.factories import make_event, make_session


def test_twenty_concurrent_registrations_for_ten_seats(app):
    session = make_session(make_event(), capacity=10)
    user_ids = [make_user().id for _ in range(20)]
    session_id = session.id
    db.session.commit()  # the threads read the data through their own connections

    barrier = threading.Barrier(len(user_ids))
    errors = []

    def register(user_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.commit()  # end the read (SQLite: BEGIN IMMEDIATE) before the start line
                barrier.wait(timeout=30)
                services.register(session_id, user)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 — reported below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    db.session.expire_all()
    counts = dict(db.session.execute(select(Registration.state, func.count()).where(
        Registration.session_id == session_id).group_by(Registration.state)).all())
    assert counts == {S.confirmed: 10, S.waitlisted: 10}
