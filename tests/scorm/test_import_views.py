"""Upload pages and the validation report (HTTP; SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.courses.models import Activity
from lms.scorm.models import ScormPackage, ScormPackageVersion
from lms.scorm.services import import_package
from tests.factories import enrol, make_course, make_user
from tests.scorm.packages import scorm12_package, scorm12_single_files, scorm2004_package, write_zip

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


@pytest.fixture
def instructor_course(db, auth):
    user = make_user("teacher", role="instructor", language="fr")
    course = make_course("DIGI-1")
    enrol(user, course, role="instructor")
    db.session.commit()
    auth.login(user)
    return user, course


def _upload(client, url, path, headers=None, **data):
    with open(path, "rb") as fh:
        return client.post(url, data={"package": (fh, path.name), **data}, headers=headers or {},
                           content_type="multipart/form-data")


def test_upload_page_has_a_progress_bar_served_locally(client, instructor_course):
    _user, course = instructor_course
    response = client.get(f"/courses/{course.id}/scorm/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "<progress" in html
    assert "/scorm/static/scorm/upload.js" in html and "http" not in html.split("upload.js")[0][-60:]
    script = client.get("/scorm/static/scorm/upload.js")
    assert script.status_code == 200 and b"upload.addEventListener(\"progress\"" in script.data


def test_xhr_upload_imports_and_answers_where_to_go(client, db, instructor_course, tmp_path):
    user, course = instructor_course
    response = _upload(client, f"/courses/{course.id}/scorm/new", scorm12_package(tmp_path), XHR, title="Module A")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["status"] == "imported"
    version = db.session.scalar(select(ScormPackageVersion))
    assert data["redirect"] == f"/scorm/versions/{version.id}"
    assert version.created_by_id == user.id
    assert db.session.get(Activity, data["activity_id"]).display_title == "Module A"


def test_plain_form_upload_redirects_to_the_report(client, db, instructor_course, tmp_path):
    _user, course = instructor_course
    response = _upload(client, f"/courses/{course.id}/scorm/new", scorm12_package(tmp_path))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Aucun problème" in page.get_data(as_text=True) or "No problem" in page.get_data(as_text=True)


def test_refused_package_shows_the_report_and_stores_nothing(client, db, instructor_course, tmp_path):
    _user, course = instructor_course
    files = dict(scorm12_single_files())
    del files["index.html"]
    path = write_zip(tmp_path / "broken.zip", files)
    response = _upload(client, f"/courses/{course.id}/scorm/new", path, XHR)
    assert response.status_code == 422
    data = response.get_json()
    assert data["status"] == "refused" and "index.html" in data["html"] and "scorm-issue-error" in data["html"]
    response = _upload(client, f"/courses/{course.id}/scorm/new", path)
    assert response.status_code == 422 and "scorm-issue-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(Activity)) is None


def test_report_is_shown_in_the_instructors_language(client, db, instructor_course, tmp_path):
    _user, course = instructor_course
    files = dict(scorm12_single_files())
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace('default="ORG-1"', 'default="NOPE"')
    version = import_package(course, write_zip(tmp_path / "w.zip", files))
    db.session.commit()
    html = client.get(f"/scorm/versions/{version.id}").get_data(as_text=True)
    assert "imsmanifest.xml:4" in html
    assert "L’organisation par défaut NOPE n’existe pas" in html  # the French catalogue


def test_new_version_upload_keeps_the_old_one(client, db, instructor_course, tmp_path):
    _user, course = instructor_course
    v1 = import_package(course, scorm12_package(tmp_path))
    db.session.commit()
    activity_id = v1.package.activity_id
    response = _upload(client, f"/activities/{activity_id}/scorm/versions/new", scorm2004_package(tmp_path), XHR)
    assert response.status_code == 200, response.get_data(as_text=True)
    package = ScormPackage.for_activity(activity_id)
    db.session.refresh(package)
    assert [v.number for v in package.versions] == [1, 2]
    assert package.latest_version.scorm_version == "2004-4"


def test_organization_can_be_chosen(client, db, instructor_course, tmp_path):
    _user, course = instructor_course
    version = import_package(course, scorm2004_package(tmp_path))
    db.session.commit()
    response = client.post(f"/scorm/versions/{version.id}", data={"organization": "ORG-2"})
    assert response.status_code == 302
    db.session.refresh(version)
    assert version.organization == "ORG-2"
    assert version.activity_tree["organization_id"] == "ORG-2"
    assert client.post(f"/scorm/versions/{version.id}", data={"organization": "EVIL"}).status_code == 200
    db.session.refresh(version)
    assert version.organization == "ORG-2"


@pytest.mark.parametrize("url", ["/courses/{course}/scorm/new", "/scorm/versions/{version}",
                                 "/activities/{activity}/scorm/versions/new", "/activities/{activity}/scorm"])
def test_pages_need_course_edit_rights(client, db, auth, tmp_path, url):
    course = make_course()
    version = import_package(course, scorm12_package(tmp_path))
    learner = make_user("learner1")
    enrol(learner, course)
    db.session.commit()
    target = url.format(course=course.id, version=version.id, activity=version.package.activity_id)
    assert client.get(target).status_code in (302, 401)
    auth.login(learner)
    assert client.get(target).status_code == 403


def test_launch_url_of_the_activity_type(app, db, tmp_path):
    version = import_package(make_course(), scorm12_package(tmp_path))
    activity = version.package.activity
    with app.test_request_context():
        url = activity.type.launch_url(activity)
    assert url in (f"/activities/{activity.id}/scorm", f"/scorm/play/{activity.id}") or str(activity.id) in url
