"""Durable side effects and content-addressed files."""
import hashlib
import io

import pytest

from lms.core import outbox
from lms.core.db import db, utcnow
from lms.core.storage import storage

calls: list[dict] = []
failures = {"left": 0}


@outbox.outbox_handler("test_probe")
def _probe(payload):
    if failures["left"] > 0:
        failures["left"] -= 1
        raise ConnectionError("remote down")
    calls.append(payload)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    failures["left"] = 0


def _make_due():
    db.session.execute(db.update(outbox.OutboxMessage).values(due_at=utcnow()))
    db.session.commit()


def test_message_is_delivered_once(app):
    outbox.enqueue("test_probe", {"n": 1})
    db.session.commit()
    assert outbox.process_due() == 1
    assert outbox.process_due() == 0
    assert calls == [{"n": 1}]


def test_remote_down_then_up_delivers_everything_once(app):
    for n in range(3):
        outbox.enqueue("test_probe", {"n": n})
    db.session.commit()
    failures["left"] = 3
    assert outbox.process_due() == 0
    pending = db.session.scalars(db.select(outbox.OutboxMessage)).all()
    assert all(m.attempts == 1 and m.delivered_at is None and m.due_at > utcnow() for m in pending)
    _make_due()
    assert outbox.process_due() == 3
    assert sorted(c["n"] for c in calls) == [0, 1, 2]


def test_messages_not_due_wait_for_their_time(app):
    from datetime import timedelta

    outbox.enqueue("test_probe", {"n": 1}, delay=timedelta(hours=1))
    db.session.commit()
    assert outbox.process_due() == 0


def test_dedupe_key_stores_the_same_message_once(app):
    first = outbox.enqueue("test_probe", {"n": 1}, dedupe_key="k1")
    second = outbox.enqueue("test_probe", {"n": 2}, dedupe_key="k1")
    assert first.id == second.id


def test_a_rolled_back_transaction_sends_nothing(app):
    outbox.enqueue("test_probe", {"n": 1})
    db.session.rollback()
    assert outbox.process_due() == 0 and calls == []


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(5)
    assert outbox.backoff(40) == outbox.MAX_BACKOFF


def test_blobs_are_content_addressed_and_deduplicated(app):
    data = b"hello tamkeen"
    digest = storage.put_blob(io.BytesIO(data))
    assert digest == hashlib.sha256(data).hexdigest()
    assert storage.put_blob(data) == digest
    assert storage.blob_path(digest).parent.name == digest[:2]
    with storage.open_blob(digest) as handle:
        assert handle.read() == data


def test_package_folder_is_written_once_and_paths_cannot_escape(app):
    from werkzeug.exceptions import NotFound

    digest = hashlib.sha256(b"pkg").hexdigest()

    def fill(folder):
        (folder / "index.html").write_text("<p>hi</p>")

    storage.write_package(digest, fill)
    assert storage.has_package(digest)
    storage.write_package(digest, lambda folder: (folder / "other.html").write_text("x"))
    assert not (storage.package_dir(digest) / "other.html").exists()  # immutable once written
    with pytest.raises(NotFound):
        storage.package_file(digest, "../../secret_key")
    with pytest.raises(ValueError):
        storage.package_dir("../etc")


def test_package_files_are_served_with_range_support(app):
    digest = hashlib.sha256(b"video").hexdigest()
    storage.write_package(digest, lambda folder: (folder / "clip.bin").write_bytes(bytes(range(100))))
    with app.test_request_context(headers={"Range": "bytes=10-19"}):
        response = storage.send_package_file(digest, "clip.bin")
        response.direct_passthrough = False
        assert response.status_code == 206
        assert response.get_data() == bytes(range(10, 20))
