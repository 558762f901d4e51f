"""Atom 1.0 feeds (news, knowledge base): one builder so every feed has the same, valid shape."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _add(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", **attributes)
    if text is not None:
        element.text = text
    return element


def atom_response(*, title: str, feed_id: str, self_url: str, entries: list[dict], language: str | None = None,
                  alternate_url: str | None = None, author: str | None = None) -> Response:
    """``entries``: dicts with title, link, updated (datetime) and optionally published, language,
    category (term, label), summary, content_html, author."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    if language:
        feed.set(XML_LANG, language)
    _add(feed, "title", title)
    _add(feed, "id", feed_id)
    _add(feed, "link", href=self_url, rel="self")
    if alternate_url:
        _add(feed, "link", href=alternate_url, rel="alternate")
    updated = max((entry["updated"] for entry in entries), default=datetime.now(timezone.utc))
    _add(feed, "updated", updated.isoformat())
    if author:
        _add(_add(feed, "author"), "name", author)
    for item in entries:
        entry = _add(feed, "entry")
        entry_title = _add(entry, "title", item["title"])
        if item.get("language"):
            entry_title.set(XML_LANG, item["language"])
        _add(entry, "id", item["link"])
        _add(entry, "link", href=item["link"], rel="alternate")
        if item.get("published"):
            _add(entry, "published", item["published"].isoformat())
        _add(entry, "updated", item["updated"].isoformat())
        if item.get("category"):
            term, label = item["category"]
            _add(entry, "category", term=term, label=label)
        _add(entry, "summary", item.get("summary") or "")
        if item.get("content_html") is not None:
            _add(entry, "content", item["content_html"], type="html")
        if item.get("author"):
            _add(_add(entry, "author"), "name", item["author"])
    return Response(etree.tostring(feed, xml_declaration=True, encoding="utf-8"), mimetype="application/atom+xml")
