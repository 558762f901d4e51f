"""In Chromium: search the knowledge base in Arabic, open a resource, add it to a course as an instructor."""
import pytest

from lms.core.db import db
from lms.knowledge.models import ResourceActivity
from tests.factories import enrol, make_course

pytestmark = pytest.mark.browser


def test_search_in_arabic_open_and_add_to_a_course(page, live_server, browser_login, publish, people, axe_check):
    resource = publish("الشباك الوحيد للرخص", language="ar", summary="تبسيط المساطر الإدارية عبر شباك واحد",
                       body="<p>قلّص الشباك الوحيد آجال معالجة الطلبات.</p>")
    publish("Le guichet unique", summary="Simplifier les procédures")
    course = make_course(title="Simplification", created_by=people["author"])
    enrol(people["author"], course, role="instructor")
    db.session.commit()

    page.goto("/knowledge/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#kb-q", "الشبّاك")  # with a shadda: still found
    page.click("form.kb-search button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".kb-result-list li").count() == 1
    assert page.locator(".kb-result-list mark").count() >= 1
    axe_check(page)
    page.click(".kb-result-list a")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "الشباك الوحيد للرخص"
    assert page.evaluate("getComputedStyle(document.querySelector('article')).direction") == "rtl"
    axe_check(page)

    browser_login("author")
    page.goto(f"/courses/{course.id}/activities/new?type=knowledge_resource&section={course.sections[0].id}")
    page.fill("input[name=title_ar]", "قراءة: الشباك الوحيد")
    page.select_option("select[name=translation_group]", resource.translation_group)
    page.click("#activity-form button[type=submit]")
    page.wait_for_load_state()
    assert "قراءة: الشباك الوحيد" in page.inner_text("main")
    db.session.rollback()  # end the test's read snapshot to see what the server stored
    link = db.session.scalar(db.select(ResourceActivity))
    assert link is not None and link.translation_group == resource.translation_group
