from lms.core.db import db


def test_home_page_is_arabic_and_right_to_left_by_default(app):
    response = app.test_client().get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_both_backends_are_really_used(app, backend):
    assert db.engine.dialect.name == backend
