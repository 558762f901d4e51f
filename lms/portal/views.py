"""Thin handlers of the portal."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree
from sqlalchemy import select

from lms.accounts.models import Administration
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.feeds import atom_response
from lms.core.i18n import _, current_locale, localized
from lms.core.permissions import require
from lms.core.storage import storage
from lms.core.views import PLATFORM_AREAS, safe_next

from . import services
from .forms import AboutPageForm, CampaignForm, ContactForm, NewsletterForm, PostForm
from .models import AboutPage, Campaign, CampaignAudience, ContactMessage, Newsletter, NewsPost, PostCategory

LANGS = ("ar", "fr", "en")
LOCAL_ZONE = ZoneInfo("Africa/Casablanca")
PER_PAGE = 10


def _to_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=LOCAL_ZONE).astimezone(timezone.utc) if value else None


def _to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None) if value else None


def _safe_link(url: str | None) -> str | None:
    """A call to action points inside the site or to an https address, nothing else (no javascript:)."""
    url = (url or "").strip()
    if url.startswith("https://") or safe_next(url, None):
        return url
    return None


def _translations_from(form, prefix: str) -> dict:
    return {lang: getattr(form, f"{prefix}_{lang}").data for lang in LANGS}


def _fill_translations(form, prefix: str, values: dict | None) -> None:
    for lang in LANGS:
        getattr(form, f"{prefix}_{lang}").data = (values or {}).get(lang, "")


# -- about ------------------------------------------------------------------------------------------------

def about_index():
    pages = services.published_about_pages()
    if pages:
        return redirect(url_for("portal.about_page", slug=pages[0].slug))
    return render_template("portal/about.html", page=None, pages=[])


def about_page(slug: str):
    page = db.session.scalar(select(AboutPage).where(AboutPage.slug == slug))
    if page is None or (not page.published and not _can_manage()):
        abort(404)
    administrations = []
    if page.widget == "administrations":
        administrations = db.session.scalars(select(Administration).where(Administration.parent_id.is_(None))
                                             .order_by(Administration.code)).all()
    return render_template("portal/about.html", page=page, pages=services.published_about_pages(),
                           administrations=administrations, areas=PLATFORM_AREAS,
                           meta_description=localized(page.summary) or None,
                           alternates=[lang for lang in LANGS if (page.title or {}).get(lang)])


# -- news -------------------------------------------------------------------------------------------------

def news_list():
    category = None
    if request.args.get("category"):
        try:
            category = PostCategory(request.args["category"])
        except ValueError:
            abort(404)
    page = max(1, request.args.get("page", 1, type=int))
    posts = db.paginate(services.visible_posts_query(category), page=page, per_page=PER_PAGE, error_out=False)
    return render_template("portal/news_list.html", posts=posts, category=category, categories=list(PostCategory))


def news_timeline():
    posts = db.session.scalars(services.visible_posts_query().limit(500)).all()
    by_year: dict[int, list[NewsPost]] = {}
    for post in posts:
        by_year.setdefault(_to_local(post.published_at).year, []).append(post)
    return render_template("portal/timeline.html", by_year=sorted(by_year.items(), reverse=True))


def news_post(slug: str):
    post = services.get_visible_post(slug)
    if post is None:
        draft = db.session.scalar(select(NewsPost).where(NewsPost.slug == slug))
        if draft is None or not _can_manage():
            abort(404)
        post = draft  # administrators preview drafts and scheduled posts
    return render_template("portal/news_post.html", post=post, related=services.related_link(post),
                           meta_description=localized(post.summary) or None, alternates=post.languages())


def news_feed():
    """Atom 1.0 feed of the latest posts, in the requested language (?lang=)."""
    language = current_locale()
    posts = db.session.scalars(services.visible_posts_query().limit(30)).all()
    entries = [{
        "title": localized(post.title, language), "link": url_for("portal.news_post", slug=post.slug, _external=True),
        "published": post.published_at, "updated": post.updated_at or post.published_at,
        "category": (post.category.value, str(post.category.title)), "summary": localized(post.summary, language),
        "content_html": localized(post.body, language)} for post in posts]
    return atom_response(title=_("Tamkeen — programme news"), feed_id=url_for("portal.news_list", _external=True),
                         self_url=url_for("portal.news_feed", _external=True), entries=entries, language=language,
                         alternate_url=url_for("portal.news_list", _external=True), author=_("e-TAMKEEN programme"))


def sitemap():
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    xhtml = "http://www.w3.org/1999/xhtml"
    urlset = etree.Element(f"{{{ns}}}urlset", nsmap={None: ns, "xhtml": xhtml})

    def add(location: str, languages: list[str], lastmod: datetime | None = None):
        for lang in languages or ["ar"]:
            url = etree.SubElement(urlset, f"{{{ns}}}url")
            etree.SubElement(url, f"{{{ns}}}loc").text = f"{location}?lang={lang}"
            if lastmod:
                etree.SubElement(url, f"{{{ns}}}lastmod").text = lastmod.date().isoformat()
            for other in languages:
                etree.SubElement(url, f"{{{xhtml}}}link", rel="alternate", hreflang=other, href=f"{location}?lang={other}")

    add(url_for("core.home", _external=True), list(LANGS))
    add(url_for("portal.news_list", _external=True), list(LANGS))
    for page in services.published_about_pages():
        add(url_for("portal.about_page", slug=page.slug, _external=True),
            [lang for lang in LANGS if (page.title or {}).get(lang)], page.updated_at)
    for post in db.session.scalars(services.visible_posts_query().limit(5000)):
        add(url_for("portal.news_post", slug=post.slug, _external=True), post.languages(), post.updated_at)
    return Response(etree.tostring(urlset, xml_declaration=True, encoding="utf-8"), mimetype="application/xml")


def robots():
    return Response(f"User-agent: *\nDisallow: /account/\nDisallow: /portal/admin/\n"
                    f"Sitemap: {url_for('portal.sitemap', _external=True)}\n", mimetype="text/plain")


# -- campaigns and newsletter ------------------------------------------------------------------------------

def dismiss_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    services.dismiss_campaign(campaign, current_user)
    return redirect(safe_next(request.form.get("next"), url_for("core.home")))


@login_required
def newsletter_preferences():
    if request.method == "POST":
        subscribed = request.form.get("subscribed") == "1"
        services.set_subscription(current_user, subscribed)
        flash(_("You are subscribed to the newsletter.") if subscribed
              else _("You are unsubscribed from the newsletter."), "success")
        return redirect(url_for("portal.newsletter_preferences"))
    subscription = services.subscription_of(current_user)
    return render_template("portal/newsletter.html", subscribed=bool(subscription and subscription.subscribed))


def unsubscribe(token: str):
    services.unsubscribe_with_token(token)
    return render_template("portal/unsubscribed.html")


# -- contact ----------------------------------------------------------------------------------------------

def _shown_at_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="contact-form-shown-at")


def contact():
    form = ContactForm()
    status = 200
    if request.method == "GET":
        form.shown_at.data = _shown_at_serializer().dumps(time.time())
        return render_template("portal/contact.html", form=form)
    if form.validate_on_submit():
        spam = bool(form.website.data)
        try:
            shown_at = float(_shown_at_serializer().loads(form.shown_at.data or ""))
        except (BadSignature, TypeError, ValueError):
            shown_at = None
        if spam or shown_at is None or time.time() - shown_at < services.CONTACT_MIN_SECONDS:
            raise DomainError(_("Your message looks automated and was not accepted. Please fill in the form again."),
                              code="spam_suspected", status=400)
        services.record_contact(name=form.name.data, email=form.email.data, subject=form.subject.data,
                                body=form.body.data, remote_addr=request.remote_addr, language=current_locale())
        flash(_("Thank you: your message has been sent to the platform team."), "success")
        return redirect(url_for("portal.contact"))
    status = 400
    form.shown_at.data = _shown_at_serializer().dumps(time.time())
    return render_template("portal/contact.html", form=form), status


# -- administration -----------------------------------------------------------------------------------------

def _can_manage() -> bool:
    from lms.core.permissions import can

    return can(current_user, "portal.manage")


@login_required
def admin_index():
    require("portal.manage")
    posts = db.session.scalars(select(NewsPost).order_by(NewsPost.published_at.desc()).limit(200)).all()
    pages = db.session.scalars(select(AboutPage).order_by(AboutPage.position)).all()
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.starts_at.desc()).limit(100)).all()
    newsletters = db.session.scalars(select(Newsletter).order_by(Newsletter.id.desc()).limit(50)).all()
    messages = db.session.scalars(select(ContactMessage).order_by(ContactMessage.created_at.desc()).limit(100)).all()
    return render_template("portal/admin.html", posts=posts, pages=pages, campaigns=campaigns,
                           newsletters=newsletters, messages=messages)


@login_required
def edit_post(post_id: int | None = None):
    require("portal.manage")
    post = db.get_or_404(NewsPost, post_id) if post_id else None
    form = PostForm()
    if request.method == "GET" and post is not None:
        for prefix in ("title", "summary", "body"):
            _fill_translations(form, prefix, getattr(post, prefix))
        form.category.data = post.category.value
        form.published_at.data = _to_local(post.published_at)
        form.is_published.data = post.is_published
        form.related_kind.data = post.related_kind or ""
        form.related_id.data = post.related_id
        form.related_url.data = post.related_url
    if form.validate_on_submit():
        cover_digest = storage.put_blob(form.cover.data.stream) if form.cover.data else None
        try:
            post = services.save_post(
                post, title=_translations_from(form, "title"), summary=_translations_from(form, "summary"),
                body=_translations_from(form, "body"), category=PostCategory(form.category.data),
                published_at=_to_utc(form.published_at.data), is_published=form.is_published.data,
                related_kind=form.related_kind.data or None, related_id=form.related_id.data,
                related_url=form.related_url.data, author=current_user, cover_digest=cover_digest)
        except DomainError as error:
            getattr(form, error.field or "title_ar").errors = [error.message]
        else:
            flash(_("The post is saved."), "success")
            return redirect(url_for("portal.admin_index"))
    return render_template("portal/post_form.html", form=form, post=post), (400 if request.method == "POST" else 200)


@login_required
def edit_page(page_id: int | None = None):
    require("portal.manage")
    page = db.get_or_404(AboutPage, page_id) if page_id else None
    form = AboutPageForm(obj=page) if request.method == "GET" and page else AboutPageForm()
    if request.method == "GET" and page is not None:
        _fill_translations(form, "title", page.title)
        _fill_translations(form, "body", page.body)
        form.widget.data = page.widget or ""
    if form.validate_on_submit():
        title = services.clean_translations(_translations_from(form, "title"))
        if not title:
            form.title_ar.errors = [_("Give the page a title in at least one language.")]
        else:
            slug = services.slugify(form.slug.data)
            clash = db.session.scalar(select(AboutPage).where(AboutPage.slug == slug))
            if clash is not None and clash is not page:
                form.slug.errors = [_("Another page already uses this address.")]
            else:
                if page is None:
                    page = AboutPage(slug=slug)
                    db.session.add(page)
                page.slug = slug
                page.title = title
                page.body = services.clean_translations(_translations_from(form, "body"), html=True)
                page.position = form.position.data or 0
                page.widget = form.widget.data or None
                page.published = form.published.data
                db.session.flush()
                flash(_("The page is saved."), "success")
                return redirect(url_for("portal.admin_index"))
    return render_template("portal/page_form.html", form=form, page=page), (400 if request.method == "POST" else 200)


@login_required
def edit_campaign(campaign_id: int | None = None):
    require("portal.manage")
    campaign = db.get_or_404(Campaign, campaign_id) if campaign_id else None
    form = CampaignForm()
    administrations = db.session.scalars(select(Administration).order_by(Administration.code)).all()
    form.administration_id.choices = [("", _("None"))] + [(a.id, localized(a.name)) for a in administrations]
    if request.method == "GET" and campaign is not None:
        for prefix in ("title", "text", "link_label"):
            _fill_translations(form, prefix, getattr(campaign, prefix))
        form.link_url.data = campaign.link_url
        form.audience.data = campaign.audience.value
        form.administration_id.data = campaign.administration_id
        form.course_id.data = campaign.course_id
        form.starts_at.data = _to_local(campaign.starts_at)
        form.ends_at.data = _to_local(campaign.ends_at)
        form.active.data = campaign.active
    if form.validate_on_submit():
        audience = CampaignAudience(form.audience.data)
        title = services.clean_translations(_translations_from(form, "title"))
        errors = False
        if not title:
            form.title_ar.errors, errors = [_("Give the campaign a title in at least one language.")], True
        if audience == CampaignAudience.administration and not form.administration_id.data:
            form.administration_id.errors, errors = [_("Choose the administration this campaign is for.")], True
        if audience == CampaignAudience.course and not form.course_id.data:
            form.course_id.errors, errors = [_("Give the number of the course this campaign is for.")], True
        starts, ends = _to_utc(form.starts_at.data), _to_utc(form.ends_at.data)
        if starts and ends and ends <= starts:
            form.ends_at.errors, errors = [_("The end must come after the start.")], True
        if not errors:
            if campaign is None:
                campaign = Campaign()
                db.session.add(campaign)
            campaign.title = title
            campaign.text = services.clean_translations(_translations_from(form, "text"))
            campaign.link_label = services.clean_translations(_translations_from(form, "link_label")) or None
            campaign.link_url = _safe_link(form.link_url.data)
            campaign.audience = audience
            campaign.administration_id = form.administration_id.data if audience == CampaignAudience.administration else None
            campaign.course_id = form.course_id.data if audience == CampaignAudience.course else None
            campaign.starts_at = starts or datetime.now(timezone.utc)
            campaign.ends_at = ends
            campaign.active = form.active.data
            db.session.flush()
            flash(_("The campaign is saved."), "success")
            return redirect(url_for("portal.admin_index"))
    return render_template("portal/campaign_form.html", form=form, campaign=campaign), \
        (400 if request.method == "POST" else 200)


@login_required
def compose_newsletter():
    require("portal.manage")
    form = NewsletterForm()
    if form.validate_on_submit():
        subject = services.clean_translations(_translations_from(form, "subject"))
        body = services.clean_translations(_translations_from(form, "body"))
        if not subject or not body:
            form.subject_ar.errors = [_("Write a subject and a message in at least one language.")]
        else:
            newsletter = Newsletter(subject=subject, body=body)
            db.session.add(newsletter)
            db.session.flush()
            count = services.send_newsletter(newsletter, current_user)
            flash(_("The newsletter is being sent to %(n)d subscribers.", n=count), "success")
            return redirect(url_for("portal.admin_index"))
    return render_template("portal/newsletter_form.html", form=form), (400 if request.method == "POST" else 200)


def cover_image(post_id: int):
    post = db.get_or_404(NewsPost, post_id)
    if not post.cover_digest:
        abort(404)
    return storage.send_blob(post.cover_digest)
