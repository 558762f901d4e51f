"""The ``cmi5`` and ``tincan`` activity types through the course joint (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from lms.cmi5.models import Cmi5Course, TinCanPackage
from lms.core.errors import DomainError
from lms.courses.activities import get_activity_type
from lms.courses.forms import activity_form
from lms.courses.services import add_activity
from lms.scorm.services import PackageRejected
from tests.cmi5.packages import AU_PAGE, au_xml, cmi5_xml, cmi5_zip, tincan_xml, write_zip
from tests.factories import make_course


def _form(app, key, path=None):
    payload = {"title_fr": "Module"}
    if path is not None:
        payload["package"] = (open(path, "rb"), path.name)
    ctx = app.test_request_context(method="POST", data=payload, content_type="multipart/form-data")
    ctx.push()
    return ctx, activity_form(get_activity_type(key), meta={"csrf": False})


def test_types_are_registered_and_graded(app):
    for key in ("cmi5", "tincan"):
        kind = get_activity_type(key)
        assert kind.graded and "passed" in kind.completion_rules and hasattr(kind.form_class, "package")


def test_create_cmi5_from_an_upload_and_export_it(app, db, tmp_path):
    course = make_course()
    ctx, form = _form(app, "cmi5", cmi5_zip(tmp_path / "c.zip"))
    try:
        activity = add_activity(course.sections[0], "cmi5", {"fr": "Module"}, form=form)
    finally:
        ctx.pop()
    row = Cmi5Course.for_activity(activity.id)
    assert row.aus[0].url == "au1/index.html"
    data = get_activity_type("cmi5").export_data(activity)
    assert data["digest"] == row.digest and get_activity_type("cmi5").export_files(activity) == [row.digest]
    copy = add_activity(course.sections[0], "cmi5", {"fr": "Copie"})
    get_activity_type("cmi5").import_data(copy, data)
    assert Cmi5Course.for_activity(copy.id).aus[0].lms_iri != row.aus[0].lms_iri


def test_create_cmi5_from_a_bare_xml_upload(app, db, tmp_path):
    path = tmp_path / "cmi5.xml"
    path.write_text(cmi5_xml([au_xml(url="https://content.example.test/au.html")]))
    course = make_course()
    ctx, form = _form(app, "cmi5", path)
    try:
        activity = add_activity(course.sections[0], "cmi5", {"fr": "Module"}, form=form)
    finally:
        ctx.pop()
    assert Cmi5Course.for_activity(activity.id).digest is None


def test_refused_package_puts_the_errors_under_the_file_field(app, db, tmp_path):
    course = make_course()
    ctx, form = _form(app, "cmi5", cmi5_zip(tmp_path / "b.zip", cmi5_xml([au_xml(url="gone.html")])))
    try:
        with pytest.raises(PackageRejected):
            add_activity(course.sections[0], "cmi5", {"fr": "Module"}, form=form)
        assert any("gone.html" in error for error in form.package.errors)
    finally:
        ctx.pop()


def test_create_without_a_file_is_refused(app, db):
    ctx, form = _form(app, "tincan")
    try:
        with pytest.raises(DomainError):
            add_activity(make_course().sections[0], "tincan", {"fr": "Module"}, form=form)
    finally:
        ctx.pop()


def test_create_tincan_from_an_upload(app, db, tmp_path):
    path = write_zip(tmp_path / "t.zip", {"tincan.xml": tincan_xml(), "index.html": AU_PAGE})
    ctx, form = _form(app, "tincan", path)
    try:
        activity = add_activity(make_course().sections[0], "tincan", {"fr": "Module"}, form=form)
    finally:
        ctx.pop()
    assert TinCanPackage.for_activity(activity.id).launch == "index.html"
