"""Accessibility and RTL sweep: the main pages of every area, in Arabic, in real Chromium, with the demo data.

For an anonymous visitor, a learner of the demo (fatima.zahra) and the demo administrator, every page must
answer 200, carry ``<html dir="rtl" lang="ar">``, not scroll sideways (the document is no wider than the
window, at 1280 px and on a 390 px phone) and have no WCAG 2.1 A/AA violation according to axe-core.
Failures are collected and reported together, one test per role (the demo data is loaded once per test).

Run: ``.venv/bin/pytest tests/browser/test_sweep.py -q`` (about three minutes on a busy 2-core machine).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from lms.core.cli import demo_modules
from lms.core.db import db

pytestmark = pytest.mark.browser

DEMO_LEARNER = ("fatima.zahra", "demo-learner")
PHONE = {"width": 390, "height": 844}

# Listing pages and the pattern of the detail links they lead to: the sweep follows the first such link,
# so it needs no knowledge of the demo data's identifiers.
DETAIL_LINKS = {
    "course": ("/courses/", r"^/courses/\d+$"),
    "event": ("/training/", r"^/training/events/\d+$"),
    "edition": ("/idarathon/", r"^/idarathon/\d+/$"),
    "resource": ("/knowledge/", r"^/knowledge/\d+$"),
    "post": ("/news/", r"^/news/(?!feed|timeline|covers)[^/?#]+$"),
    "about": ("/about/", r"^/about/[^/?#]+$"),
}

PUBLIC_PAGES = ["/", "/courses/", "{course}", "/training/", "{event}", "/idarathon/", "{edition}",
                "/knowledge/", "/knowledge/search?q=%D8%AA%D9%83%D9%88%D9%8A%D9%86", "{resource}", "/news/",
                "{post}", "/about/", "{about}", "/certificates/verify"]
PAGES = {
    "anonymous": PUBLIC_PAGES + ["/contact", "/account/login", "/account/password/reset"],
    "learner": PUBLIC_PAGES + ["/dashboard", "/training/my", "/knowledge/library", "/certificates/",
                               "/newsletter", "/account/profile", "/account/password"],
    "administrator": ["/", "/dashboard", "{course}", "{course}/edit", "{course}/participants",
                      "{course}/gradebook", "{course}/report", "{course}/sections/new", "{course}/activities/new",
                      "/courses/new", "/courses/categories", "/courses/reports", "/courses/import",
                      "/account/users", "/account/users/new", "/account/profile",
                      "/training/events/new", "/training/approvals", "/training/reports", "{event}/manage",
                      "{event}/edit", "/idarathon/editions/new", "{edition}manage", "{edition}reports",
                      "{edition}teams", "/knowledge/new", "/knowledge/moderation", "{resource}/edit",
                      "{resource}/history", "/portal/admin/", "/portal/admin/posts/new", "/portal/admin/pages/new",
                      "/portal/admin/campaigns/new", "/portal/admin/newsletter", "/admin/lrs/statements",
                      "/admin/lrs/credentials", "/lti/admin"],
}

PAGE_STATE = """() => ({
    dir: document.documentElement.getAttribute('dir'),
    lang: document.documentElement.getAttribute('lang'),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    wide: document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1 ? [] : Array.from(document.querySelectorAll('body *')).filter(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > document.documentElement.clientWidth + 1 || r.left < -1);
    }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')),
})"""


def load_demo_data(monkeypatch) -> None:
    """What ``lms demo load`` does: every area's ``load_demo()`` in DEMO_ORDER, committed after each."""
    from lms.accounts import services

    # argon2 is slow on purpose; the demo hashes the same password for every person: hash it once.
    monkeypatch.setattr(services, "hash_password", functools.lru_cache(maxsize=8)(services.hash_password))
    for _area, module in demo_modules():
        module.load_demo()
        db.session.commit()


def first_link(page, pattern: str) -> str | None:
    """The first link in <main> matching ``pattern``, else the page itself if it matches (a listing that
    redirects to its first item, like /about/)."""
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    here = "/" + page.url.split("/", 3)[3]
    candidates = [href.split("#")[0] for href in hrefs] + [here]
    return next((href for href in candidates if re.match(pattern, href)), None)


def check_page(page, axe_check, url: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state()
    status = response.status if response else None
    if status != 200:
        return [f"HTTP {status} (at {page.url})"]
    return inspect(page, axe_check)


def inspect(page, axe_check) -> list[str]:
    """What is wrong with the page as loaded: direction/language, sideways scrolling, axe violations."""
    problems = []
    state = page.evaluate(PAGE_STATE)
    if state["dir"] != "rtl" or state["lang"] != "ar":
        problems.append(f'<html dir="{state["dir"]}" lang="{state["lang"]}">')
    if state["scrollWidth"] > state["clientWidth"] + 1:
        problems.append(f"horizontal overflow: scrollWidth {state['scrollWidth']} > clientWidth "
                        f"{state['clientWidth']} (widest: {', '.join(state['wide'])})")
    # The same page on a phone (tables must scroll inside their .table-wrap, not widen the page).
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    narrow = page.evaluate(PAGE_STATE)
    page.set_viewport_size(size)
    if narrow["scrollWidth"] > narrow["clientWidth"] + 1:
        problems.append(f"horizontal overflow on a {PHONE['width']} px phone: scrollWidth {narrow['scrollWidth']} "
                        f"(widest: {', '.join(narrow['wide'])})")
    try:
        axe_check(page)
    except AssertionError as error:
        problems.append(f"axe: {error}")
    return problems


# Templates and CSS do not depend on the database engine (every area's own tests run on both): the sweep runs
# on SQLite only, to stay within about three minutes.
@pytest.mark.parametrize("_session_app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ["anonymous", "learner", "administrator"])
def test_main_pages_are_arabic_rtl_accessible_and_fit_the_window(role, app, page, live_server, browser_login,
                                                                  axe_check, monkeypatch):
    load_demo_data(monkeypatch)
    if role == "learner":
        browser_login(*DEMO_LEARNER)
    elif role == "administrator":
        password = (Path(app.instance_path) / "demo-admin-password").read_text().strip()
        browser_login("admin", password)
    if role != "anonymous":
        assert page.locator(".user-link").count() == 1, f"{role} could not sign in"

    failures: dict[str, list[str]] = {}
    links: dict[str, str] = {}

    def harvest(requested: str) -> None:
        for name, (listing, pattern) in DETAIL_LINKS.items():
            if name not in links and requested == listing:
                link = first_link(page, pattern)
                if link:
                    links[name] = link

    def resolve(template: str) -> str | None:
        for name in re.findall(r"\{(\w+)\}", template):
            if name not in links:  # the listing is not in this role's pages: visit it for its links only
                page.goto(DETAIL_LINKS[name][0])
                harvest(DETAIL_LINKS[name][0])
            if name not in links:
                failures[template] = [f"no {name} link on {DETAIL_LINKS[name][0]} (demo data missing?)"]
                return None
        return template.format(**links)

    visited = 0
    for template in PAGES[role]:
        url = resolve(template)
        if url is None:
            continue
        problems = check_page(page, axe_check, url)
        harvest(url)
        visited += 1
        if problems:
            failures[url] = problems
    assert visited == len(PAGES[role]) or failures
    assert not failures, f"{len(failures)} page(s) fail for the {role}:\n\n" + "\n\n".join(
        f"== {url}\n" + "\n".join(problems) for url, problems in failures.items())


@pytest.mark.parametrize("_session_app", ["sqlite"], indirect=True)
def test_the_sweep_sees_overflow_missing_direction_and_axe_violations(app, page, live_server, axe_check):
    """The checks above catch what they claim to (an image without text, a too-wide block, lang/dir)."""
    page.goto("/")
    assert inspect(page, axe_check) == []
    page.evaluate("""() => {
        document.documentElement.setAttribute('dir', 'ltr');
        const img = document.createElement('img');
        img.src = '/favicon.ico';
        document.querySelector('main').append(img);
        const wide = document.createElement('div');
        wide.className = 'too-wide';
        wide.style.width = '3000px';
        wide.style.height = '10px';
        document.querySelector('main').append(wide);
    }""")
    problems = inspect(page, axe_check)
    assert problems[0] == '<html dir="ltr" lang="ar">'
    assert problems[1].startswith("horizontal overflow") and "div.too-wide" in problems[1]
    assert problems[2].startswith("horizontal overflow on a 390 px phone")
    assert problems[3].startswith("axe:") and "image-alt" in problems[3]
