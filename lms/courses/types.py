"""The built-in activity types: page (sanitised rich text), file and URL. Each is registered once."""
from __future__ import annotations

import mimetypes
from urllib.parse import urlsplit

import nh3
from flask import render_template
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import BooleanField, TextAreaField, URLField
from wtforms.validators import Length, Optional, ValidationError

from lms.core.db import db
from lms.core.i18n import _l, localized
from lms.core.storage import storage

from .activities import XAPI_ACTIVITY_TYPES, ActivityType, register_activity_type
from .models import Activity, FileResource, PageContent, UrlResource

LANGS = ("ar", "fr", "en")

# Rich text: what authors need for lessons, nothing that runs (no script, style or event attributes).
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
                "blockquote", "pre", "code", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "caption",
                "figure", "figcaption", "hr", "span", "div"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "lang", "dir"}, "img": {"src", "alt", "width", "height"},
                      "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"},
                      "*": {"lang", "dir"}}


def sanitize_html(html: str | None) -> str:
    attributes = {tag: set(attrs) | ALLOWED_ATTRIBUTES["*"] for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag != "*"}
    for tag in ALLOWED_TAGS:
        attributes.setdefault(tag, set(ALLOWED_ATTRIBUTES["*"]))
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=attributes, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


# -- page ------------------------------------------------------------------------------------------------

class PageFields(FlaskForm):
    body_ar = TextAreaField(_l("Content (Arabic)"), render_kw={"lang": "ar", "dir": "rtl", "rows": 10},
                            description=_l("HTML is allowed: paragraphs, headings, lists, links, images, tables."))
    body_fr = TextAreaField(_l("Content (French)"), render_kw={"lang": "fr", "dir": "ltr", "rows": 10})
    body_en = TextAreaField(_l("Content (English)"), render_kw={"lang": "en", "dir": "ltr", "rows": 10})


@register_activity_type
class PageType(ActivityType):
    key = "page"
    title = _l("Page")
    description = _l("A page of formatted text written in the course.")
    icon = "📄"
    form_class = PageFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "lesson"
    completion_rules = ("viewed",)

    def _row(self, activity: Activity) -> PageContent:
        row = db.session.get(PageContent, activity.id)
        if row is None:
            row = PageContent(activity_id=activity.id, body={})
            db.session.add(row)
        return row

    def create(self, activity, form) -> None:
        self.update(activity, form)

    def update(self, activity, form) -> None:
        row = self._row(activity)
        row.body = {code: sanitize_html(getattr(form, f"body_{code}").data)
                    for code in LANGS if (getattr(form, f"body_{code}").data or "").strip()}
        db.session.flush()

    def fill_form(self, activity, form) -> None:
        row = db.session.get(PageContent, activity.id)
        for code in LANGS:
            getattr(form, f"body_{code}").data = (row.body or {}).get(code, "") if row else ""

    def view(self, activity):
        row = db.session.get(PageContent, activity.id)
        body = Markup(sanitize_html(localized(row.body if row else None)))  # sanitised again: defence in depth
        return render_template("courses/activity_page.html", activity=activity, body=body)

    def export_data(self, activity) -> dict:
        row = db.session.get(PageContent, activity.id)
        return {"body": dict(row.body or {}) if row else {}}

    def import_data(self, activity, data) -> None:
        row = self._row(activity)
        row.body = {code: sanitize_html(html) for code, html in (data.get("body") or {}).items() if code in LANGS}
        db.session.flush()


# -- file ------------------------------------------------------------------------------------------------

class FileFields(FlaskForm):
    upload = FileField(_l("File"), description=_l("Documents, slides, audio or video. Replaces the current file."))


@register_activity_type
class FileType(ActivityType):
    key = "file"
    title = _l("File")
    description = _l("A document learners open or download.")
    icon = "📎"
    form_class = FileFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "file"
    completion_rules = ("viewed",)

    def _row(self, activity) -> FileResource:
        row = db.session.get(FileResource, activity.id)
        if row is None:
            row = FileResource(activity_id=activity.id)
            db.session.add(row)
        return row

    def create(self, activity, form) -> None:
        self.update(activity, form)

    def update(self, activity, form) -> None:
        row = self._row(activity)
        upload = form.upload.data
        if upload and getattr(upload, "filename", ""):
            row.digest = storage.put_blob(upload.stream)
            row.filename = upload.filename.rsplit("/", 1)[-1][:255]
            row.mimetype = upload.mimetype or mimetypes.guess_type(row.filename)[0] or "application/octet-stream"
            row.size = storage.blob_path(row.digest).stat().st_size
        db.session.flush()

    def view(self, activity):
        row = db.session.get(FileResource, activity.id)
        return render_template("courses/activity_file.html", activity=activity, file=row)

    def export_data(self, activity) -> dict:
        row = db.session.get(FileResource, activity.id)
        if row is None:
            return {}
        return {"digest": row.digest, "filename": row.filename, "mimetype": row.mimetype, "size": row.size}

    def import_data(self, activity, data) -> None:
        row = self._row(activity)
        row.digest = data.get("digest")
        row.filename = data.get("filename") or ""
        row.mimetype = data.get("mimetype") or "application/octet-stream"
        row.size = int(data.get("size") or 0)
        db.session.flush()

    def export_files(self, activity) -> list[str]:
        row = db.session.get(FileResource, activity.id)
        return [row.digest] if row is not None and row.digest else []


# -- url -------------------------------------------------------------------------------------------------

def _check_web_url(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Enter a web address starting with http:// or https://."))


class UrlFields(FlaskForm):
    url = URLField(_l("Web address"), validators=[Optional(), Length(max=2000), _check_web_url])
    open_in_new_window = BooleanField(_l("Open in a new window"), default=True)

    def validate_url(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("This field is required."))


@register_activity_type
class UrlType(ActivityType):
    key = "url"
    title = _l("Web link")
    description = _l("A link to a page on another site.")
    icon = "🔗"
    form_class = UrlFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "link"
    completion_rules = ("viewed",)

    def _row(self, activity) -> UrlResource:
        row = db.session.get(UrlResource, activity.id)
        if row is None:
            row = UrlResource(activity_id=activity.id, url="")
            db.session.add(row)
        return row

    def create(self, activity, form) -> None:
        self.update(activity, form)

    def update(self, activity, form) -> None:
        row = self._row(activity)
        row.url = form.url.data.strip()
        row.open_in_new_window = bool(form.open_in_new_window.data)
        db.session.flush()

    def fill_form(self, activity, form) -> None:
        row = db.session.get(UrlResource, activity.id)
        if row:
            form.url.data = row.url
            form.open_in_new_window.data = row.open_in_new_window

    def view(self, activity):
        row = db.session.get(UrlResource, activity.id)
        return render_template("courses/activity_url.html", activity=activity, link=row)

    def export_data(self, activity) -> dict:
        row = db.session.get(UrlResource, activity.id)
        return {"url": row.url, "open_in_new_window": row.open_in_new_window} if row else {}

    def import_data(self, activity, data) -> None:
        url = (data.get("url") or "").strip()
        if url and urlsplit(url).scheme not in ("http", "https"):
            url = ""  # never import javascript: or data: links
        row = self._row(activity)
        row.url = url
        row.open_in_new_window = bool(data.get("open_in_new_window", True))
        db.session.flush()
