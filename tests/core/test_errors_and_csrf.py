"""One error renderer: JSON for API clients, HTML for people, the right status, the user's language."""
from lms.core.db import db
from tests.factories import make_user


def test_unknown_url_is_a_404_page_for_people(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "does not exist" in response.get_data(as_text=True)


def test_unknown_url_is_a_404_page_in_arabic_by_default(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "ar"})
    assert "الصفحة التي تبحث عنها غير موجودة" in response.get_data(as_text=True)


def test_unknown_api_url_is_json_with_a_code(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "status": 404,
                                             "message": "The page you are looking for does not exist."}}


def test_json_clients_get_json_errors_anywhere(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_form_without_csrf_token_is_refused_with_400(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user("amina")
    db.session.commit()
    response = client.post("/account/login", data={"username": "amina", "password": "pw"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


def test_form_with_csrf_token_is_accepted(app, client):
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    make_user("amina")
    db.session.commit()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/login", data={"username": "amina", "password": "pw", "csrf_token": token})
    assert response.status_code == 302


def test_wrong_method_is_405(client):
    response = client.get("/account/logout")
    assert response.status_code == 405


def test_a_failed_request_rolls_back_its_changes(app):
    """One transaction per request: a refusal leaves no trace of what the handler had flushed."""
    from flask import Blueprint

    from lms import create_app
    from lms.accounts.models import User
    from lms.core.errors import DomainError

    probe_app = create_app(dict(app.config))
    bp = Blueprint("rollback_probe", __name__)

    @bp.route("/__probe")
    def probe():
        make_user("ghost")
        raise DomainError("refused", code="refused", status=409)

    probe_app.register_blueprint(bp)
    response = probe_app.test_client().get("/__probe", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "refused"
    assert db.session.scalar(db.select(User).where(User.username == "ghost")) is None
