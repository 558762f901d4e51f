"""The ``scorm`` activity type through the course joint (database: SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.core.errors import DomainError
from lms.courses.activities import get_activity_type
from lms.courses.forms import activity_form
from lms.courses.services import add_activity
from lms.scorm.models import ScormPackage, ScormPackageVersion
from lms.scorm.services import PackageRejected
from tests.factories import make_activity, make_course
from tests.scorm.packages import scorm12_package, scorm12_single_files, scorm2004_package, write_zip


def _form(app, path=None, **data):
    """The course's activity form for the scorm type, as a real multipart POST would fill it."""
    payload = {"title_fr": "Module", **data}
    if path is not None:
        payload["package"] = (open(path, "rb"), path.name)
    ctx = app.test_request_context(method="POST", data=payload, content_type="multipart/form-data")
    ctx.push()
    form = activity_form(get_activity_type("scorm"), meta={"csrf": False})
    return ctx, form


def test_scorm_is_a_registered_graded_type(app):
    scorm = get_activity_type("scorm")
    assert scorm.graded and "passed" in scorm.completion_rules
    assert hasattr(scorm.form_class, "package") and hasattr(scorm.form_class, "keep_version_for_attempts")


def test_create_through_the_course_joint_stores_version_1(app, db, tmp_path):
    course = make_course()
    ctx, form = _form(app, scorm12_package(tmp_path), keep_version_for_attempts="")
    try:
        activity = add_activity(course.sections[0], "scorm", {"fr": "Module"}, form=form)
    finally:
        ctx.pop()
    package = ScormPackage.for_activity(activity.id)
    assert package.latest_version.number == 1
    assert package.keep_version_for_attempts is False
    assert package.latest_version.original_filename == "scorm12.zip"


def test_create_without_a_file_is_refused(app, db):
    course = make_course()
    ctx, form = _form(app)
    try:
        with pytest.raises(DomainError) as excinfo:
            add_activity(course.sections[0], "scorm", {"fr": "Module"}, form=form)
        assert excinfo.value.field == "package" and form.package.errors
    finally:
        ctx.pop()


def test_refused_package_puts_the_report_under_the_file_field(app, db, tmp_path):
    files = dict(scorm12_single_files())
    del files["index.html"]
    course = make_course()
    ctx, form = _form(app, write_zip(tmp_path / "broken.zip", files))
    try:
        with pytest.raises(PackageRejected):
            add_activity(course.sections[0], "scorm", {"fr": "Module"}, form=form)
        assert any("index.html" in error for error in form.package.errors)
    finally:
        ctx.pop()


def test_update_with_a_file_adds_a_version(app, db, tmp_path):
    activity = make_activity(make_course(), "scorm")
    scorm = get_activity_type("scorm")
    for path in (scorm12_package(tmp_path), scorm2004_package(tmp_path)):
        ctx, form = _form(app, path, keep_version_for_attempts="y")
        try:
            (scorm.update if ScormPackage.for_activity(activity.id) else scorm.create)(activity, form)
        finally:
            ctx.pop()
    package = ScormPackage.for_activity(activity.id)
    assert [v.scorm_version for v in package.versions] == ["1.2", "2004-4"]
    # An edit without a file only changes the settings.
    ctx, form = _form(app)
    try:
        scorm.update(activity, form)
    finally:
        ctx.pop()
    assert len(package.versions) == 2 and package.keep_version_for_attempts is False


def test_export_and_import_recreate_the_package(app, db, tmp_path):
    course = make_course()
    source = make_activity(course, "scorm")
    scorm = get_activity_type("scorm")
    ctx, form = _form(app, scorm2004_package(tmp_path), keep_version_for_attempts="y")
    try:
        scorm.create(source, form)
    finally:
        ctx.pop()
    data = scorm.export_data(source)
    assert scorm.export_files(source) == [data["digest"]]
    target = make_activity(make_course(), "scorm")
    scorm.import_data(target, data)
    copied = ScormPackage.for_activity(target.id).latest_version
    assert copied.digest == data["digest"] and copied.organization == "ORG-1"
    assert [i.identifier for i in copied.items] == [i.identifier for i in
                                                    ScormPackage.for_activity(source.id).latest_version.items]
    assert db.session.scalar(select(ScormPackageVersion).where(ScormPackageVersion.package_id ==
                                                               copied.package_id)).number == 1
