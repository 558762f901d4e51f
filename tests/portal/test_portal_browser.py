"""An anonymous visitor reads the programme's about page and a news post, in Arabic and in French."""
import pytest

from lms.core.db import db
from lms.portal.demo import load_demo as load_portal_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def portal_demo(app):
    from lms.accounts.demo import load_demo as load_accounts_demo

    load_accounts_demo()
    load_portal_demo()
    db.session.commit()


def test_visitor_reads_the_about_page_and_a_post_in_arabic_then_french(page, live_server, portal_demo, axe_check):
    page.goto("/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.click("footer >> text=عن البرنامج")
    assert page.inner_text("h1") == "برنامج e-TAMKEEN"
    assert "تعزيز قدرات" in page.inner_text("article")
    axe_check(page)
    page.click("nav.portal-side >> text=الشركاء والإدارات المستفيدة")
    assert "وزارة الانتقال الرقمي وإصلاح الإدارة" in page.inner_text("article")
    page.goto("/news/")
    page.click("text=إطلاق منصة تمكين للتعلم والرسملة")
    assert page.inner_text("h1") == "إطلاق منصة تمكين للتعلم والرسملة"
    assert page.evaluate("getComputedStyle(document.querySelector('article')).direction") == "rtl"
    axe_check(page)
    # The same post in French, through the language switcher.
    page.click("nav.lang-switch a[lang=fr]")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("h1") == "Lancement de la plateforme Tamkeen"
    axe_check(page)
    page.click("footer >> text=À propos du programme")
    assert page.inner_text("h1") == "Le programme e-TAMKEEN"


def test_campaign_banner_shows_and_can_be_dismissed(page, live_server, portal_demo):
    page.goto("/")
    banner = page.locator(".banner")
    assert "أسبوع الأمن السيبراني" in banner.inner_text()
    banner.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".banner").count() == 0
