"""Scale-out (DESIGN.md §6): several web processes sharing the database, the SECRET_KEY and the file store
behave like one.

Each test starts TWO application objects (``lms.create_app`` twice, same DATABASE_URL, SECRET_KEY and
CONTENT_PACKAGES_DIR, but each its own instance folder), each served over real HTTP by its own werkzeug
server thread on its own port, and talks to them with ``requests`` like a browser behind a load balancer
that sends consecutive requests to different instances. Runs on SQLite and PostgreSQL.

Limit: both application objects live in one Python process, so they share *module* globals; these tests
prove that everything a request needs lives in the database, the signed cookie or the shared file store
(not in the app object or its instance folder). Module-level state is audited by
:func:`test_module_level_mutable_state_is_reviewed` instead.
"""
from __future__ import annotations

import ast
import re
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from lms import PROJECT_ROOT, create_app
from lms.core import outbox
from lms.core.db import db
from tests.conftest import LiveServer
from tests.factories import make_user

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Instance:
    def __init__(self, app, server: LiveServer):
        self.app = app
        self.server = server
        self.url = server.url

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def _instance_pairs():
    pairs: dict[int, tuple[Instance, Instance]] = {}
    yield pairs
    for pair in pairs.values():
        for instance in pair:
            instance.server.stop()
            with instance.app.app_context():
                db.engine.dispose()


@pytest.fixture
def instances(app, _instance_pairs, tmp_path_factory):
    """Two web instances (A, B) of the application under test, over HTTP on two ports; CSRF on."""
    pair = _instance_pairs.get(id(app))
    if pair is None:
        built = []
        for name in ("a", "b"):
            config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "CONTENT_PACKAGES_DIR",
                                                        "SITE_URL", "TESTING")}
            config.update(INSTANCE_PATH=str(tmp_path_factory.mktemp(f"instance-{name}")), SERVER_NAME=None,
                          WTF_CSRF_ENABLED=True)
            other = create_app(config)
            built.append(Instance(other, LiveServer(other)))
        pair = _instance_pairs[id(app)] = tuple(built)
    a, b = pair
    assert a.app is not b.app and a.app is not app and a.url != b.url
    yield a, b
    db.session.rollback()


def csrf_from(response: requests.Response) -> str:
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF token in {response.url}"
    return match.group(1) or match.group(2)


def sign_in(http: requests.Session, instance: Instance, username: str, password: str = "pw") -> requests.Response:
    form = http.get(instance("/account/login"))
    assert form.status_code == 200
    return http.post(instance("/account/login"), allow_redirects=False,
                     data={"csrf_token": csrf_from(form), "username": username, "password": password})


def browser() -> requests.Session:
    http = requests.Session()
    http.headers["Accept-Language"] = "en"
    return http


def test_the_two_instances_are_separate_servers_on_one_database(instances):
    a, b = instances
    make_user("salma", full_name="Salma Bennani")
    db.session.commit()
    for instance in (a, b):
        response = requests.get(instance("/"), headers={"Accept-Language": "en"})
        assert response.status_code == 200
    # Each app has its own engine and instance folder; what A's database sees, B's sees.
    assert a.app.extensions["sqlalchemy"] is b.app.extensions["sqlalchemy"]  # one Flask-SQLAlchemy object...
    with a.app.app_context():
        engine_a = db.engine
    with b.app.app_context():
        engine_b = db.engine
    assert engine_a is not engine_b  # ...but one engine (connection pool) per app, as in separate processes
    assert a.app.instance_path != b.app.instance_path


def test_signed_in_on_a_the_session_works_on_b(instances):
    a, b = instances
    make_user("salma", full_name="Salma Bennani")
    db.session.commit()
    http = browser()
    assert http.get(b("/account/profile"), allow_redirects=False).status_code == 302  # anonymous on B

    response = sign_in(http, a, "salma")
    assert response.status_code == 302, response.text
    assert "session" in response.headers.get("Set-Cookie", "")

    profile = http.get(b("/account/profile"), allow_redirects=False)
    assert profile.status_code == 200
    assert "Salma Bennani" in profile.text
    # Signing out on B ends the session everywhere (the cookie is the session).
    out = http.post(b("/account/logout"), data={"csrf_token": csrf_from(profile)}, allow_redirects=False)
    assert out.status_code == 302
    assert http.get(a("/account/profile"), allow_redirects=False).status_code == 302


def test_csrf_token_issued_by_a_is_accepted_by_b_and_a_forged_one_is_not(instances):
    a, b = instances
    make_user("salma")
    db.session.commit()
    http = browser()
    token = csrf_from(http.get(a("/account/login")))

    forged = http.post(b("/account/login"), data={"csrf_token": token[:-4] + "AAAA", "username": "salma",
                                                  "password": "pw"}, allow_redirects=False)
    assert forged.status_code == 400
    assert "expired" in forged.text

    accepted = http.post(b("/account/login"), data={"csrf_token": token, "username": "salma", "password": "pw"},
                         allow_redirects=False)
    assert accepted.status_code == 302, accepted.text
    assert http.get(a("/account/profile"), allow_redirects=False).status_code == 200


def test_login_lockout_counter_is_shared_by_the_instances(instances, app):
    a, b = instances
    user = make_user("salma")
    db.session.commit()
    limit = int(a.app.config["LOGIN_MAX_FAILURES"])
    assert limit == int(b.app.config["LOGIN_MAX_FAILURES"]) and limit >= 2
    http = browser()
    # The failures alternate between the instances: no instance alone sees ``limit`` of them.
    for attempt in range(limit):
        instance = (a, b)[attempt % 2]
        response = sign_in(http, instance, "salma", "wrong password")
        assert response.status_code == 401, (attempt, response.status_code)
    db.session.rollback()
    assert db.session.get(type(user), user.id).locked_until is not None

    for instance in (a, b):  # now the right password is refused on both
        response = sign_in(browser(), instance, "salma", "pw")
        assert response.status_code == 403
        assert "locked" in response.text


def test_password_change_on_a_signs_out_other_sessions_on_b(instances):
    a, b = instances
    make_user("salma")
    db.session.commit()
    laptop, phone = browser(), browser()
    assert sign_in(laptop, a, "salma").status_code == 302
    assert sign_in(phone, b, "salma").status_code == 302
    assert phone.get(b("/account/profile"), allow_redirects=False).status_code == 200

    form = laptop.get(a("/account/password"))
    changed = laptop.post(a("/account/password"), allow_redirects=False,
                          data={"csrf_token": csrf_from(form), "current_password": "pw",
                                "new_password": "a-new-long-pass", "confirm": "a-new-long-pass"})
    assert changed.status_code == 302, changed.text
    assert laptop.get(b("/account/profile"), allow_redirects=False).status_code == 200  # carries the new generation
    assert phone.get(b("/account/profile"), allow_redirects=False).status_code == 302   # signed out on B too
    assert phone.get(a("/account/profile"), allow_redirects=False).status_code == 302


def test_file_uploaded_through_a_is_served_by_b(instances):
    from lms.knowledge.models import KnowledgeAttachment

    a, b = instances
    make_user("admin", role="administrator")
    db.session.commit()
    http = browser()
    assert sign_in(http, a, "admin").status_code == 302
    form = http.get(a("/knowledge/new"))
    assert form.status_code == 200
    body = b"%PDF-1.4\n% scale-out test " + bytes(range(256)) * 64
    created = http.post(a("/knowledge/new"), allow_redirects=False,
                        data={"csrf_token": csrf_from(form), "language": "ar", "kind": "guide",
                              "title": "دليل التوسع", "summary": "", "body": "", "authors": "", "tags": ""},
                        files={"attachment": ("guide.pdf", body, "application/pdf")})
    assert created.status_code == 302, created.text[:2000]
    db.session.rollback()
    attachment = db.session.scalar(select(KnowledgeAttachment).where(KnowledgeAttachment.filename == "guide.pdf"))
    assert attachment is not None

    served = http.get(b(f"/knowledge/attachments/{attachment.id}"))
    assert served.status_code == 200
    assert served.content == body
    # Range requests are answered by B from the shared store too.
    partial = http.get(b(f"/knowledge/attachments/{attachment.id}"), headers={"Range": "bytes=10-19"})
    assert partial.status_code == 206
    assert partial.content == body[10:20]


def test_outbox_message_enqueued_through_a_is_delivered_once_by_two_concurrent_workers(instances, monkeypatch):
    a, b = instances
    users = [make_user(f"learner{n}", email=f"learner{n}@example.test") for n in range(6)]
    db.session.commit()
    http = browser()
    for user in users:
        form = http.get(a("/account/password/reset"))
        response = http.post(a("/account/password/reset"), data={"csrf_token": csrf_from(form), "login": user.username},
                             allow_redirects=False)
        assert response.status_code == 302
    db.session.rollback()
    pending = db.session.scalar(select(func.count()).select_from(outbox.OutboxMessage)
                                .where(outbox.OutboxMessage.delivered_at.is_(None)))
    assert pending == len(users)

    deliveries: list[tuple[str, str]] = []
    lock = threading.Lock()
    original = outbox._handlers["email"]

    def counting_delivery(payload: dict) -> None:
        original(payload)
        with lock:
            deliveries.append((threading.current_thread().name, payload["to"]))
        time.sleep(0.05)  # a slow SMTP server: the other worker runs meanwhile

    monkeypatch.setitem(outbox._handlers, "email", counting_delivery)
    barrier = threading.Barrier(2)
    counts: dict[str, int] = {}
    errors: list[BaseException] = []

    def worker(instance: Instance, name: str) -> None:
        try:
            with instance.app.app_context():
                barrier.wait(timeout=10)
                try:
                    counts[name] = outbox.process_due()
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 — reported by the test thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(instance, name), name=name)
               for instance, name in ((a, "worker-a"), (b, "worker-b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    delivered_to = sorted(to for _, to in deliveries)
    assert delivered_to == sorted(u.email for u in users), deliveries  # each message exactly once
    assert sum(counts.values()) == len(users), counts
    db.session.rollback()
    messages = db.session.scalars(select(outbox.OutboxMessage)).all()
    assert all(m.delivered_at is not None and m.attempts == 1 for m in messages)


def test_lti_signing_keys_created_concurrently_are_published_by_both_instances(instances):
    a, b = instances
    first: dict[str, list[str]] = {}

    def fetch(instance: Instance, name: str) -> None:
        response = requests.get(instance("/lti/jwks"))
        first[name] = [key["kid"] for key in response.json()["keys"]] if response.status_code == 200 else []

    threads = [threading.Thread(target=fetch, args=(instance, name)) for instance, name in ((a, "a"), (b, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert first["a"] and first["b"], first  # each instance answered with a key on first use
    published_a = requests.get(a("/lti/jwks")).json()
    published_b = requests.get(b("/lti/jwks")).json()
    assert published_a == published_b
    kids = {key["kid"] for key in published_a["keys"]}
    # Whatever key either instance signs with, a platform fetching the JWKS from any instance can verify it.
    assert set(first["a"]) | set(first["b"]) <= kids


def test_xapi_more_cursor_from_a_is_followed_on_b(instances):
    from lms.lrs.credentials import create_credential

    a, b = instances
    key, secret = create_credential("scale-out test", ["all"])
    db.session.commit()
    http = requests.Session()
    http.auth = (key, secret)
    http.headers["X-Experience-API-Version"] = "1.0.3"
    actor = {"objectType": "Agent", "mbox": "mailto:salma@example.test"}
    ids = []
    for n, instance in enumerate((a, b, a)):
        statement = {"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                     "object": {"id": f"http://lms.test/scale-out/{n}"}}
        response = http.post(instance("/xapi/statements"), json=statement)
        assert response.status_code == 200, response.text
        ids += response.json()
    first = http.get(a("/xapi/statements"), params={"limit": 1})
    assert first.status_code == 200
    page_a = first.json()
    assert len(page_a["statements"]) == 1 and page_a["more"]
    seen = [page_a["statements"][0]["id"]]
    more = page_a["more"]
    for instance in (b, a):  # follow the cursor on the other instance, then back
        page = http.get(instance.url + more)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [statement["id"] for statement in body["statements"]]
        more = body["more"]
        if not more:
            break
    assert sorted(seen) == sorted(ids)


def test_the_same_package_extracted_concurrently_by_both_instances_is_published_once(instances):
    from lms.core.storage import storage

    a, b = instances
    digest = uuid.uuid4().hex * 2  # a fresh 64-hex name: the store outlives the test
    barrier = threading.Barrier(2)
    results: dict[str, Path] = {}
    errors: list[BaseException] = []

    def extract(instance: Instance, name: str) -> None:
        def fill(folder: Path) -> None:
            (folder / "index.html").write_text(f"<p>{name}</p>", encoding="utf-8")
            barrier.wait(timeout=10)  # both have staged their copy before either publishes
            time.sleep(0.05 if name == "a" else 0.1)

        try:
            with instance.app.app_context():
                results[name] = storage.write_package(digest, fill)
        except BaseException as error:  # noqa: BLE001 — reported by the test thread
            errors.append(error)

    threads = [threading.Thread(target=extract, args=pair) for pair in ((a, "a"), (b, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert results["a"] == results["b"]
    folder = results["a"]
    assert (folder / ".complete").read_text() == digest
    assert (folder / "index.html").read_text(encoding="utf-8") in ("<p>a</p>", "<p>b</p>")
    assert not list(folder.parent.glob(".staging-*"))  # the loser's staging copy is cleaned up
    with b.app.app_context():
        assert storage.has_package(digest)


# --- per-process state ----------------------------------------------------------------------------------

# Module-level mutable objects in lms/, each reviewed: registries filled at import time (identical in every
# process), or caches that are either pure (same answer in every process) or bounded and documented.
# A new entry must be reviewed: state written during a request that another process would need breaks
# scale-out (keep it in the database, the signed session or the shared store instead).
REVIEWED_MODULE_STATE = {
    "lms/core/outbox.py:_handlers": "registry: outbox handlers registered at import time",
    "lms/core/permissions.py:_rules": "registry: permission rules declared at import time",
    "lms/core/permissions.py:_anonymous_ok": "registry: filled by @permission_rule at import time",
    "lms/core/views.py:_home_sections": "registry: home page sections registered by init_app",
    "lms/core/views.py:_banner_providers": "registry: banner providers registered by init_app",
    "lms/courses/activities.py:activity_types": "registry: activity types registered at import time",
    "lms/courses/forms.py:_combined_forms": "cache of form classes built from the type registry (pure)",
    "lms/idarathon/challenge_types.py:challenge_types": "registry: challenge types registered at import time",
    "lms/scorm/kinds.py:_kinds": "registry: package kinds registered at import time",
    "lms/scorm/kinds.py:_openers": "registry: package source openers registered at import time",
    "lms/lrs/api.py:launch_statement_checks": "registry: filled by the players' init_app",
    "lms/lrs/api.py:launch_statement_listeners": "registry: filled by the players' init_app",
    "lms/lrs/api.py:launch_document_checks": "registry: filled by the players' init_app",
    "lms/lrs/credentials.py:_cache": "credential lookups cached 5 s per process; revocation reaches other "
                                     "processes within _CACHE_SECONDS (documented in authenticate())",
    "lms/lrs/store.py:key_hash": "lru_cache of a pure hash function",
    "lms/cmi5/blueprint.py:_rules": "constant table of URL rules read at import time",
}
# Names the app factory reads from every area at start-up (lists built once at import time).
FACTORY_CONVENTIONS = {"commands", "bps", "__all__"}

_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter", "WeakValueDictionary",
                  "WeakKeyDictionary", "TTLCache", "LRUCache"}
_CACHE_DECORATORS = {"lru_cache", "cache", "cached"}


def _is_mutable(node: ast.AST | None) -> bool:
    if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        func_node = node.func
        name = func_node.attr if isinstance(func_node, ast.Attribute) else getattr(func_node, "id", None)
        return name in _MUTABLE_CALLS
    return False


def _decorator_name(node: ast.AST) -> str | None:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)


def module_level_state(root: Path) -> dict[str, int]:
    """``path:name`` -> line of every module-level mutable container, cached function and ``global`` rebinding."""
    found: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            targets = []
            if isinstance(node, ast.Assign) and _is_mutable(node.value):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and _is_mutable(node.value):
                targets = [node.target]
            for target in targets:
                if (isinstance(target, ast.Name) and not target.id.isupper()  # UPPER_CASE: constants by convention
                        and target.id not in FACTORY_CONVENTIONS):
                    found[f"{rel}:{target.id}"] = node.lineno
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(_decorator_name(d) in _CACHE_DECORATORS for d in node.decorator_list):
                    found[f"{rel}:{node.name}"] = node.lineno
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Global):
                        for name in inner.names:
                            found[f"{rel}:{name}"] = inner.lineno
    return found


def test_module_level_mutable_state_is_reviewed():
    found = module_level_state(PROJECT_ROOT / "lms")
    unreviewed = {key: line for key, line in found.items() if key not in REVIEWED_MODULE_STATE}
    assert not unreviewed, (
        "module-level mutable state (or a cached function / `global`) not reviewed for scale-out "
        "(DESIGN.md §6): " + ", ".join(f"{k} (line {v})" for k, v in sorted(unreviewed.items()))
        + " — keep request state in the database, the session or the shared store, or add it to "
          "REVIEWED_MODULE_STATE with the reason it is the same in every process.")


def test_the_state_audit_sees_what_it_must(tmp_path):
    package = tmp_path / "lms"
    package.mkdir()
    (package / "sample.py").write_text(
        "import functools\n_seen = {}\nLIMITS = {}\nNAME = 'x'\nclass A:\n    x = []\n"
        "@functools.lru_cache(maxsize=4)\ndef f(x):\n    return x\n"
        "def g():\n    global _count\n    _count = 1\n    local = {}\n", encoding="utf-8")
    assert set(module_level_state(package)) == {"lms/sample.py:_seen", "lms/sample.py:f", "lms/sample.py:_count"}
