"""Catalogue, course pages, activity types and authoring (sections, activities, order, preview, copy,
export/import)."""
import io
import json
import zipfile

from lms.core.storage import storage
from lms.courses import archive, services
from lms.courses.models import Activity, Course, FileResource, PageContent, Section, UrlResource
from tests.courses.factories import make_category, make_page
from tests.factories import make_course, make_user


def test_catalogue_lists_visible_courses_with_links(db, client):
    shown = make_course(title="Communication digitale")
    hidden = make_course(title="Brouillon", visible=False)
    db.session.commit()
    html = client.get("/courses/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f'href="/courses/{shown.id}"' in html and "Communication digitale" in html
    assert f'href="/courses/{hidden.id}"' not in html


def test_catalogue_search_in_arabic_and_category_filter(db, client):
    category = make_category()
    cyber = services.create_course(shortname="CYB", title={"ar": "الأمن السيبراني", "fr": "Cybersécurité"},
                                   visible=True, category_id=category.id)
    other = services.create_course(shortname="COM", title={"ar": "التواصل الرقمي", "fr": "Communication"},
                                   visible=True)
    db.session.commit()
    html = client.get("/courses/?q=السيبراني").get_data(as_text=True)
    assert f"/courses/{cyber.id}\"" in html and f"/courses/{other.id}\"" not in html
    html = client.get("/courses/?q=cybersécurité").get_data(as_text=True)
    assert f"/courses/{cyber.id}\"" in html
    html = client.get(f"/courses/?category={category.id}").get_data(as_text=True)
    assert f"/courses/{cyber.id}\"" in html and f"/courses/{other.id}\"" not in html


def test_course_page_is_right_to_left_in_arabic(db, client):
    course = make_course()
    db.session.commit()
    html = client.get(f"/courses/{course.id}", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html and course.title["ar"] in html


def test_page_activity_is_sanitised(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="P1", title={"fr": "Cours"}, created_by=teacher)
    db.session.commit()
    auth.login(teacher)
    response = client.post(f"/courses/{course.id}/activities/new?type=page", data={
        "type_key": "page", "title_fr": "Leçon", "section_id": course.sections[0].id, "visible": "y",
        "completion_rule": "viewed", "body_fr": '<p onclick="x()">Salut<script>alert(1)</script></p><a href="javascript:x">l</a>'})
    assert response.status_code == 302
    activity = db.session.query(Activity).filter_by(course_id=course.id).one()
    body = db.session.get(PageContent, activity.id).body["fr"]
    assert "script" not in body and "onclick" not in body and "javascript" not in body and "Salut" in body


def test_file_activity_upload_and_download(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="F1", title={"fr": "Cours"}, created_by=teacher)
    learner = make_user()
    services.enrol_user(course, learner, "learner")
    db.session.commit()
    auth.login(teacher)
    response = client.post(f"/courses/{course.id}/activities/new?type=file", data={
        "type_key": "file", "title_fr": "Guide", "section_id": course.sections[0].id, "visible": "y",
        "completion_rule": "viewed", "upload": (io.BytesIO(b"%PDF-1.4 guide"), "guide.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    activity = db.session.query(Activity).filter_by(course_id=course.id).one()
    assert db.session.get(FileResource, activity.id).filename == "guide.pdf"
    auth.logout()
    auth.login(learner)
    assert client.get(f"/courses/activity/{activity.id}/file").data == b"%PDF-1.4 guide"


def test_url_activity_refuses_javascript_links(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="U1", title={"fr": "Cours"}, created_by=teacher)
    db.session.commit()
    auth.login(teacher)
    base = {"type_key": "url", "title_fr": "Lien", "section_id": course.sections[0].id, "visible": "y",
            "completion_rule": "viewed"}
    assert client.post(f"/courses/{course.id}/activities/new?type=url", data={**base, "url": "javascript:alert(1)"}
                       ).status_code == 400
    assert client.post(f"/courses/{course.id}/activities/new?type=url", data={**base, "url": "https://www.mmsp.gov.ma/"}
                       ).status_code == 302
    assert db.session.query(UrlResource).one().url == "https://www.mmsp.gov.ma/"


def test_instructor_creates_a_course_with_a_section(db, client, auth):
    teacher = make_user(role="instructor")
    db.session.commit()
    auth.login(teacher)
    response = client.post("/courses/new", data={"shortname": "NEW-1", "title_fr": "Nouveau", "title_ar": "جديد",
                                                 "self_enrolment": "open", "completion_mode": "all",
                                                 "grade_aggregation": "weighted_mean", "grade_display": "percent",
                                                 "grade_pass": "50", "visible": "y", "languages": ["ar", "fr"]})
    assert response.status_code == 302
    course = db.session.query(Course).filter_by(shortname="NEW-1").one()
    assert course.self_enrolment == "open" and course.languages == ["ar", "fr"]
    assert client.post(f"/courses/{course.id}/sections/new", data={"title_fr": "Module 2", "visible": "y"}
                       ).status_code == 302
    db.session.expire_all()
    assert [s.title.get("fr") for s in course.sections][-1] == "Module 2"


def test_reorder_by_layout_and_by_buttons(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="O1", title={"fr": "Cours"}, created_by=teacher)
    second = services.add_section(course, {"fr": "Deux"})
    a, b, c = (make_page(course, title=t) for t in "abc")
    db.session.commit()
    auth.login(teacher)
    first = course.sections[0]
    layout = [{"section": second.id, "activities": [c.id]}, {"section": first.id, "activities": [b.id, a.id]}]
    assert client.post(f"/courses/{course.id}/reorder", json={"layout": layout}).status_code == 200
    db.session.expire_all()
    assert [s.id for s in course.sections] == [second.id, first.id]
    assert [x.id for x in db.session.get(Section, first.id).activities] == [b.id, a.id]
    assert client.post(f"/courses/activity/{a.id}/move", data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [x.id for x in db.session.get(Section, first.id).activities] == [a.id, b.id]
    # moving the first activity of a section up takes it to the end of the previous section
    client.post(f"/courses/activity/{a.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [x.id for x in db.session.get(Section, second.id).activities] == [c.id, a.id]
    bad = [{"section": first.id, "activities": [a.id]}]
    assert client.post(f"/courses/{course.id}/reorder", json={"layout": bad}).status_code == 400


def test_preview_as_learner_hides_the_editing_tools(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="PV", title={"fr": "Cours"}, created_by=teacher)
    db.session.commit()
    auth.login(teacher)
    assert "reorder.js" in client.get(f"/courses/{course.id}").get_data(as_text=True)
    client.post(f"/courses/{course.id}/preview", data={"on": "1"})
    assert "reorder.js" not in client.get(f"/courses/{course.id}").get_data(as_text=True)


def test_duplicate_copies_structure_and_type_rows(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="D1", title={"fr": "Cours"}, created_by=teacher)
    page = make_page(course, body={"fr": "<p>Contenu</p>"})
    db.session.commit()
    auth.login(teacher)
    assert client.post(f"/courses/{course.id}/duplicate").status_code == 302
    copy = db.session.query(Course).filter_by(shortname="D1-copy").one()
    assert not copy.visible
    copied = copy.activities[0]
    assert copied.id != page.id and db.session.get(PageContent, copied.id).body == {"fr": "<p>Contenu</p>"}


def test_export_import_round_trip_with_files(db, client, auth):
    teacher = make_user(role="instructor")
    course = services.create_course(shortname="E1", title={"ar": "دورة", "fr": "Cours"}, created_by=teacher)
    services.add_section(course, {"fr": "Deux"})
    make_page(course, body={"ar": "<p>نص</p>"})
    file_activity = services.add_activity(course.sections[0], "file", {"fr": "Doc"})
    digest = storage.put_blob(b"file-content")
    db.session.add(FileResource(activity_id=file_activity.id, digest=digest, filename="a.txt", mimetype="text/plain",
                                size=12))
    db.session.commit()
    auth.login(teacher)
    data = client.get(f"/courses/{course.id}/export").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        structure = json.loads(zf.read("course.json"))
        assert f"blobs/{digest}" in zf.namelist()
    assert structure["course"]["title"] == {"ar": "دورة", "fr": "Cours"}
    assert len(structure["sections"]) == 2
    response = client.post("/courses/import", data={"archive": (io.BytesIO(data), "course.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    imported = db.session.query(Course).filter_by(shortname="E1-2").one()
    assert [a.type_key for a in imported.activities] == ["page", "file"]
    assert db.session.get(FileResource, imported.activities[1].id).digest == digest


def test_import_refuses_a_tampered_archive(db):
    teacher = make_user(role="instructor")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("course.json", json.dumps({"format": "tamkeen-course", "version": 1, "course": {}, "sections": []}))
        zf.writestr("blobs/" + "0" * 64, b"not matching")
    import pytest

    from lms.core.errors import DomainError

    with pytest.raises(DomainError):
        archive.import_course(io.BytesIO(buffer.getvalue()), by=teacher)


def test_dashboard_shows_progress_continue_and_deadlines(db, client, auth):
    from datetime import timedelta

    from lms.core.db import utcnow
    from lms.courses.results import report_result

    course = make_course(title="Innovation publique")
    first = make_page(course, title="Intro")
    second = make_page(course, title="Atelier", due_at=utcnow() + timedelta(days=3))
    learner = make_user(language="fr")
    services.enrol_user(course, learner, "learner")
    report_result(first, learner, viewed=True)
    db.session.commit()
    auth.login(learner)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Innovation publique" in html
    assert 'aria-valuenow="50"' in html
    assert f"/courses/activity/{second.id}" in html  # continue where I left off + the upcoming deadline


def test_catalogue_filters_by_teaching_language_and_open_enrolment(db, client):
    french = services.create_course(shortname="FR-1", title={"fr": "Cours français"}, visible=True,
                                    languages=["fr"], self_enrolment="open")
    arabic = services.create_course(shortname="AR-1", title={"ar": "دورة عربية"}, visible=True, languages=["ar"])
    db.session.commit()
    html = client.get("/courses/?language=fr").get_data(as_text=True)
    assert f'href="/courses/{french.id}"' in html and f'href="/courses/{arabic.id}"' not in html
    html = client.get("/courses/?availability=open").get_data(as_text=True)
    assert f'href="/courses/{french.id}"' in html and f'href="/courses/{arabic.id}"' not in html
