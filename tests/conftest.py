"""Shared fixtures.

Every test that uses ``app`` (or ``db``, ``client``, ``auth``, ``live_server``...) runs twice: on SQLite
and on PostgreSQL. The PostgreSQL database is created for this test run (so parallel runs never share
one) from ``LMS_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``, used only to
create and drop it). The schema is built once per engine; after each test every table is emptied.
Browser tests drive Debian's Chromium through Playwright; when it is missing they fail, never skip.
"""
from __future__ import annotations

import contextvars
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from lms import PROJECT_ROOT, create_app
from lms.core.db import db as _db
from lms.core.db import sqlite_begin_mode

BACKENDS = ["sqlite", "postgresql"]
CHROMIUM = os.environ.get("LMS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage"]


def pytest_configure(config):
    from lms.cli import compile_catalogues

    compile_catalogues(quiet=True)  # tests read the translations; .mo files are build products


@pytest.fixture(scope="session")
def postgres_url():
    base = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin_url = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"lms_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:  # a required part is missing: fail loudly
        pytest.fail(f"PostgreSQL is required for the tests and is not reachable at {base}: {error}")
    url = sa.engine.make_url(admin_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    engine.dispose()


def _test_config(tmp: Path, backend: str, request) -> dict:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SITE_URL": "http://lms.test",
        "CONTENT_PACKAGES_DIR": str(tmp / "content_packages"),
        "WTF_CSRF_ENABLED": False,  # enabled again by the CSRF tests and the browser tests
        "SERVER_NAME": None,
    }


class IsolatedClient(FlaskClient):
    """Each request runs as on a real server: its own app context, session and transaction.

    What the test body created is committed first (so the request sees it, as it would in production),
    and the test's objects are expired afterwards (so the test reads what the request stored).
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.expire_all()
        return response


@pytest.fixture(scope="session", params=BACKENDS)
def _session_app(request, tmp_path_factory):
    backend = request.param
    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    app = create_app(_test_config(tmp, backend, request))
    app.config["LMS_BACKEND"] = backend
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables(app) -> None:
    """A browser may still have a request in flight (a beacon sent when the page closed): if the cleanup
    deadlocks with it, PostgreSQL aborts one side; wait a moment and empty the tables again."""
    import time

    with app.app_context():
        _db.session.remove()
        for attempt in range(5):
            try:
                with _db.engine.begin() as conn:
                    for table in reversed(_db.metadata.sorted_tables):
                        conn.execute(table.delete())
                return
            except sa.exc.OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.5)


@pytest.fixture
def app(_session_app):
    """The application on one backend, inside an app context; every table is emptied after the test."""
    app = _session_app
    saved_config = dict(app.config)
    begin_mode = sqlite_begin_mode.set("DEFERRED")  # the test body reads; requests still take the lock
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        _db.session.rollback()
        ctx.pop()
        sqlite_begin_mode.reset(begin_mode)
        app.config.clear()
        app.config.update(saved_config)
        _empty_all_tables(app)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def backend(app) -> str:
    return app.config["LMS_BACKEND"]


@pytest.fixture
def client(app):
    """A test client that reads English unless a test asks for another language (Accept-Language)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_username, password: str = "pw"):
        username = getattr(user_or_username, "username", user_or_username)
        return self._client.post("/account/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/account/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def _live_servers():
    servers: dict[int, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def live_server(app, _live_servers):
    """The app over real HTTP (one server per backend, reused); CSRF is on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = _live_servers.get(id(app))
    if server is None:
        server = _live_servers[id(app)] = LiveServer(app)
    app.config["SITE_URL"] = server.url
    # Test data created in the test thread must be visible to the server thread: commit it.
    yield server
    _db.session.rollback()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is required for the browser tests and was not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ar-MA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def browser_login(page, live_server):
    """Sign in through the real login form."""

    def login(username: str, password: str = "pw"):
        page.goto(f"{live_server.url}/account/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state()

    return login


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_check():
    """Assert the page has no WCAG 2.1 A/AA violation according to axe-core."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, context=None):
        results = axe.run(page, context=context, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        return results

    return check
