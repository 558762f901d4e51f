"""The site shell in real headless Chromium: Arabic RTL first, mirrored layout, sign-in, language switcher,
accessibility."""
import pytest

from lms.core.db import db
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_arabic_home_page_is_right_to_left_and_mirrored(page, live_server, axe_check):
    page.goto("/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.inner_text("h1").startswith("تمكين")
    # Mirrored: the brand sits at the right edge, the sign-in button at the left.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    sign_in = page.locator(".header-tools .button").bounding_box()
    assert brand["x"] + brand["width"] > width * 0.7
    assert sign_in["x"] < width * 0.5
    direction = page.evaluate("getComputedStyle(document.querySelector('main')).direction")
    assert direction == "rtl"
    axe_check(page)


def test_french_home_page_is_left_to_right(page, live_server, axe_check):
    page.goto("/lang/fr")
    assert page.get_attribute("html", "dir") == "ltr"
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] < page.viewport_size["width"] * 0.3
    assert "Se connecter" in page.inner_text("header")
    axe_check(page)


def test_language_switcher_changes_the_page_language(page, live_server):
    page.goto("/")
    page.click("nav.lang-switch a[lang=fr]")
    assert page.get_attribute("html", "lang") == "fr"
    page.click("nav.lang-switch a[lang=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1").startswith("Tamkeen")
    page.click("nav.lang-switch a[lang=ar]")
    assert page.get_attribute("html", "dir") == "rtl"


def test_login_and_logout_in_the_browser(page, live_server, browser_login, axe_check):
    make_user("fatima", full_name="فاطمة الزهراء", language="ar")
    db.session.commit()
    page.goto("/account/login")
    axe_check(page)
    browser_login("fatima")
    assert page.locator(".user-link").inner_text() == "فاطمة الزهراء"
    axe_check(page)
    page.click("text=تسجيل الخروج")
    page.wait_for_load_state()
    assert page.locator(".header-tools .button").inner_text() == "تسجيل الدخول"


def test_wrong_password_shows_an_arabic_message(page, live_server):
    make_user("fatima")
    db.session.commit()
    page.goto("/account/login")
    page.fill("input[name=username]", "fatima")
    page.fill("input[name=password]", "wrong")
    with page.expect_response(lambda r: r.url.endswith("/account/login") and r.request.method == "POST") as info:
        page.click("form.stacked button[type=submit]")
    assert info.value.status == 401
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in page.inner_text(".errors")


def test_unknown_page_is_a_404_page_in_arabic(page, live_server, axe_check):
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert "غير موجودة" in page.inner_text("main")
    axe_check(page)
