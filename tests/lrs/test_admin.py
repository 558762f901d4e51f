"""Operator pages: statements list with filters, detail, credentials (administrators only)."""
from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.lrs.models import Credential
from lms.lrs.store import store_internal_statement
from tests.factories import make_user
from tests.lrs.helpers import make_statement


def test_operator_pages_need_an_administrator(client, auth):
    learner = make_user()
    db.session.commit()
    assert client.get("/admin/lrs/statements").status_code in (302, 401)
    auth.login(learner)
    assert client.get("/admin/lrs/statements").status_code == 403
    assert client.get("/admin/lrs/credentials").status_code == 403


def test_administrators_reach_the_learning_records_from_their_profile(client, auth):
    admin, learner = make_user(role="administrator", language="ar"), make_user()
    db.session.commit()
    auth.login(learner)
    assert "/admin/lrs/statements" not in client.get("/account/profile").get_data(as_text=True)
    auth.login(admin)
    html = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/admin/lrs/statements"' in html and "سجلات التعلم" in html


def test_statement_list_filters_and_detail(client, auth):
    admin = make_user(role="administrator")
    first = store_internal_statement(make_statement("alice", activity="http://example.test/one"))
    store_internal_statement(make_statement("bob", verb="passed", activity="http://example.test/two"))
    db.session.commit()
    auth.login(admin)
    page = client.get("/admin/lrs/statements", query_string={"lang": "ar"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "alice" in html and "bob" in html
    assert 'dir="rtl"' in html  # Arabic pages read right-to-left; IRIs stay left-to-right islands
    assert 'class="lrs-iri"' in html
    filtered = client.get("/admin/lrs/statements", query_string={"actor": "alice@example.test"}).get_data(as_text=True)
    assert "alice" in filtered and "http://example.test/two" not in filtered
    by_verb = client.get("/admin/lrs/statements",
                         query_string={"verb": "http://adlnet.gov/expapi/verbs/passed"}).get_data(as_text=True)
    assert "http://example.test/two" in by_verb and "http://example.test/one" not in by_verb
    by_date = client.get("/admin/lrs/statements", query_string={"until": "2000-01-01"}).get_data(as_text=True)
    assert "http://example.test/one" not in by_date
    detail = client.get(f"/admin/lrs/statements/{first}")
    assert detail.status_code == 200 and first in detail.get_data(as_text=True)
    assert client.get("/admin/lrs/statements/00000000-0000-4000-8000-000000000000").status_code == 404


def test_credentials_page_creates_and_revokes(client, auth):
    admin = make_user(role="administrator")
    db.session.commit()
    auth.login(admin)
    response = client.post("/admin/lrs/credentials", data={"name": "reporting", "scopes": ["statements/read"]})
    assert response.status_code == 200
    credential = db.session.scalar(select(Credential).where(Credential.name == "reporting"))
    assert credential.scopes == ["statements/read"]
    assert credential.key in response.get_data(as_text=True)
    revoke = client.post(f"/admin/lrs/credentials/{credential.key}/revoke")
    assert revoke.status_code == 302
    db.session.refresh(credential)
    assert credential.revoked_at is not None
