"""News: publication dates, language fallback, feed, sitemap, hreflang."""
import re
from datetime import timedelta

import feedparser
import pytest

from lms.core.db import db, utcnow
from lms.portal import services
from lms.portal.models import NewsPost, PostCategory
from tests.factories import make_user


def post(slug, *, days=1, published=True, title=None, category=PostCategory.event, body=None):
    return services.save_post(None, slug=slug, title=title or {"ar": f"خبر {slug}", "fr": f"Nouvelle {slug}"},
                              summary={"fr": "Résumé"}, body=body or {"fr": "<p>Corps</p>"}, category=category,
                              published_at=utcnow() - timedelta(days=days), is_published=published)


def test_published_post_is_listed_and_readable(client):
    post("visible")
    assert "Nouvelle visible" in client.get("/news/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert client.get("/news/visible").status_code == 200


def test_a_future_post_is_invisible_until_its_date(client):
    post("future", days=-2)
    assert "future" not in client.get("/news/").get_data(as_text=True)
    assert client.get("/news/future").status_code == 404
    assert "future" not in client.get("/news/feed.atom").get_data(as_text=True)
    assert "future" not in client.get("/sitemap.xml").get_data(as_text=True)
    db.session.execute(db.update(NewsPost).values(published_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/news/future").status_code == 200


def test_a_draft_is_invisible_to_visitors_but_previewable_by_administrators(client, auth):
    post("draft", published=False)
    assert client.get("/news/draft").status_code == 404
    make_user("boss", role="administrator")
    auth.login("boss")
    response = client.get("/news/draft")
    assert response.status_code == 200 and "not visible to visitors" in response.get_data(as_text=True)


def test_language_falls_back_to_arabic_then_french(client):
    post("bilingual", title={"ar": "خبر بالعربية", "fr": "Nouvelle en français"})
    post("french-only", title={"fr": "Seulement en français"})
    english = client.get("/news/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "خبر بالعربية" in english                # no English version: Arabic first
    assert "Seulement en français" in english        # no Arabic either: French
    french = client.get("/news/bilingual?lang=fr").get_data(as_text=True)
    assert "Nouvelle en français" in french and '<html lang="fr"' in french


def test_post_pages_carry_hreflang_alternates(client):
    post("bilingual", title={"ar": "خبر", "fr": "Nouvelle"})
    html = client.get("/news/bilingual").get_data(as_text=True)
    alternates = re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]+)"', html)
    assert dict(alternates) == {"ar": "http://lms.test/news/bilingual?lang=ar",
                                "fr": "http://lms.test/news/bilingual?lang=fr",
                                "x-default": "http://lms.test/news/bilingual"}


def test_categories_filter_the_list(client):
    post("a-training", category=PostCategory.training, title={"fr": "Formation X"})
    post("a-milestone", category=PostCategory.milestone, title={"fr": "Jalon Y"})
    html = client.get("/news/?category=training", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Formation X" in html and "Jalon Y" not in html
    assert client.get("/news/?category=nonsense").status_code == 404


def test_atom_feed_parses_with_a_feed_library(client):
    post("older", days=5, title={"fr": "Ancienne"})
    post("newer", days=1, title={"fr": "Récente"})
    feed = feedparser.parse(client.get("/news/feed.atom?lang=fr").get_data())
    assert feed.bozo == 0, feed.bozo_exception
    assert feed.feed.title
    assert [entry.title for entry in feed.entries] == ["Récente", "Ancienne"]
    assert feed.entries[0].link.endswith("/news/newer")


def test_post_body_is_sanitised(client):
    post("xss", body={"fr": '<p onclick="steal()">ok</p><script>alert(1)</script><a href="javascript:x">l</a>'})
    html = client.get("/news/xss?lang=fr").get_data(as_text=True)
    assert "<script>alert" not in html and "onclick" not in html and "javascript:x" not in html


def test_sitemap_lists_each_language_version(client):
    post("bilingual", title={"ar": "خبر", "fr": "Nouvelle"})
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/news/bilingual?lang=ar" in xml and "/news/bilingual?lang=fr" in xml


def test_latest_posts_appear_on_the_home_page(client):
    post("home-news", title={"fr": "À la une"})
    assert "À la une" in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_administrator_creates_a_post_through_the_form(client, auth):
    make_user("boss", role="administrator")
    auth.login("boss")
    response = client.post("/portal/admin/posts/new", data={
        "title_ar": "خبر جديد", "title_fr": "Nouvelle fraîche", "summary_fr": "R", "body_fr": "<p>B</p>",
        "category": "milestone", "is_published": "y", "related_kind": ""})
    assert response.status_code == 302
    created = db.session.scalar(db.select(NewsPost).where(NewsPost.slug == "nouvelle-fraiche"))
    assert created.title == {"ar": "خبر جديد", "fr": "Nouvelle fraîche"}


def test_a_post_without_any_title_is_refused(client, auth):
    make_user("boss", role="administrator")
    auth.login("boss")
    response = client.post("/portal/admin/posts/new", data={"category": "event", "related_kind": ""})
    assert response.status_code == 400
    assert "title in at least one language" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/portal/admin/", "/portal/admin/posts/new", "/portal/admin/newsletter"])
def test_portal_administration_is_for_administrators_only(client, auth, url):
    make_user("lea", role="manager")
    assert client.get(url).status_code == 302  # visitors sign in first
    auth.login("lea")
    assert client.get(url).status_code == 403
