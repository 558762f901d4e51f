"""SQLite only: write transactions queue on a flock (QueuedWriterConnection) instead of SQLite's sleeping
busy handler, release it however the transaction ends, and checkpoint the WAL outside the queue.
(PostgreSQL has row locks and no equivalent: nothing to test there.)"""
from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.core import db as core_db
from lms.core.db import QueuedWriterConnection, db


def _connect(path):
    connection = sqlite3.connect(path, factory=QueuedWriterConnection, isolation_level=None,
                                 check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def _begin(connection):
    connection.enter_write_queue()
    connection.execute("BEGIN IMMEDIATE")


def test_second_writer_waits_for_the_first_and_loses_nothing(tmp_path):
    path = str(tmp_path / "queue.sqlite3")
    first, second = _connect(path), _connect(path)
    first.execute("CREATE TABLE t (x INTEGER)")
    _begin(first)
    first.execute("INSERT INTO t VALUES (1)")
    entered = threading.Event()

    def write_second():
        _begin(second)
        entered.set()
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()

    thread = threading.Thread(target=write_second)
    thread.start()
    assert not entered.wait(0.3), "the second writer must wait for the first one's turn"
    first.commit()
    assert entered.wait(5)
    thread.join(5)
    assert sorted(row[0] for row in first.execute("SELECT x FROM t")) == [1, 2]
    assert (tmp_path / "queue.sqlite3-writers").exists()


def test_rollback_and_close_leave_the_queue(tmp_path):
    path = str(tmp_path / "queue.sqlite3")
    first, second = _connect(path), _connect(path)
    _begin(first)
    first.rollback()
    _begin(second)  # would block forever if the rollback had kept the flock
    second.rollback()
    _begin(first)
    first.close()
    _begin(second)
    second.commit()


def test_app_connections_queue_and_checkpoint_outside_it(tmp_path, monkeypatch):
    monkeypatch.setattr(core_db, "CHECKPOINT_INTERVAL", 0.0)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    with app.app_context():
        raw = db.engine.raw_connection()
        assert isinstance(raw.dbapi_connection, QueuedWriterConnection)
        assert raw.dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        raw.close()
        db.session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        for value in range(20):
            db.session.execute(sa.text("INSERT INTO t VALUES (:x)"), {"x": value})
            db.session.commit()
        raw = db.engine.raw_connection()  # outside any transaction, as a checkpoint must be
        busy, frames, checkpointed = raw.dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        # each commit checkpointed the WAL after leaving the queue, so the next writer restarted it from the
        # beginning: it holds the last commit's few pages, not the twenty commits' (SQLite's own checkpoint
        # would only have started at WAL_AUTOCHECKPOINT_PAGES)
        assert busy == 0 and frames == checkpointed and 0 < frames <= 4
        assert raw.dbapi_connection.execute("SELECT count(*) FROM t").fetchone()[0] == 20
        raw.close()
        db.engine.dispose()



def test_a_failed_begin_leaves_the_queue_and_raises_sqlalchemys_error(tmp_path):
    path = tmp_path / "app.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "x"})
    outsider = sqlite3.connect(path, isolation_level=None)  # not queued: holds SQLite's own lock
    outsider.execute("PRAGMA journal_mode=WAL")
    outsider.execute("BEGIN IMMEDIATE")
    with app.app_context():
        raw = db.engine.raw_connection()  # the pool's only connection: give up after 50 ms, not 30 s
        raw.dbapi_connection.execute("PRAGMA busy_timeout=50")
        raw.close()
        with db.engine.connect() as conn:
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                conn.exec_driver_sql("SELECT 1")  # its BEGIN IMMEDIATE times out behind the outsider
            assert not conn.connection.dbapi_connection._queued
        outsider.rollback()
        with db.engine.begin() as conn:  # the queue is free again
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        db.engine.dispose()
