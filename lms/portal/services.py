"""Portal operations (flush only)."""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

from flask import current_app, request, session, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, force_locale, localized
from lms.core.mail import send_mail
from lms.core.urls import external_url
from lms.courses.types import sanitize_html

from .models import (AboutPage, Campaign, CampaignAudience, CampaignDismissal, ContactMessage, NewsletterSubscription,
                     NewsPost, PostCategory)

LANGS = ("ar", "fr", "en")
CONTACT_LIMIT_PER_HOUR = 3
CONTACT_MIN_SECONDS = 3  # a human takes longer than this to fill the form

# Where a post may point, resolved through endpoints that exist only once the area is installed.
RELATED_ENDPOINTS = {
    "training_event": ("sessions.event", "event_id"),
    "idarathon_edition": ("idarathon.edition", "edition_id"),
    "knowledge_resource": ("knowledge.resource", "resource_id"),
}


def slugify(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", normalized).strip("-").lower()
    return slug[:120] or "post"


def clean_translations(values: dict[str, str | None], html: bool = False) -> dict[str, str]:
    cleaned = {}
    for lang in LANGS:
        value = (values.get(lang) or "").strip()
        if value:
            cleaned[lang] = sanitize_html(value) if html else value
    return cleaned


# -- news -------------------------------------------------------------------------------------------------

def visible_posts_query(category: PostCategory | None = None):
    """Published posts whose publication date has come, newest first."""
    query = (select(NewsPost).where(NewsPost.is_published.is_(True), NewsPost.published_at <= utcnow())
             .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()))
    if category is not None:
        query = query.where(NewsPost.category == category)
    return query


def get_visible_post(slug: str) -> NewsPost | None:
    return db.session.scalar(visible_posts_query().where(NewsPost.slug == slug))


def save_post(post: NewsPost | None, *, title: dict, summary: dict, body: dict, category: PostCategory,
              published_at, is_published: bool, slug: str | None = None, related_kind: str | None = None,
              related_id: int | None = None, related_url: str | None = None, author=None,
              cover_digest: str | None = None) -> NewsPost:
    title = clean_translations(title)
    if not title:
        raise DomainError(_("Give the post a title in at least one language."), code="title_required", field="title_ar")
    if related_kind and related_kind not in RELATED_ENDPOINTS:
        raise DomainError(_("Unknown kind of related item."), code="invalid_related", field="related_kind")
    if post is None:
        base = slugify(slug or title.get("fr") or title.get("en") or next(iter(title.values())))
        candidate, n = base, 2
        while db.session.scalar(select(NewsPost.id).where(NewsPost.slug == candidate)) is not None:
            candidate, n = f"{base}-{n}", n + 1
        post = NewsPost(slug=candidate, author_id=getattr(author, "id", None))
        db.session.add(post)
    post.title = title
    post.summary = clean_translations(summary)
    post.body = clean_translations(body, html=True)
    post.category = category
    post.published_at = published_at or utcnow()
    post.is_published = is_published
    post.related_kind = related_kind or None
    post.related_id = related_id if related_kind else None
    post.related_url = related_url or None
    if cover_digest:
        post.cover_digest = cover_digest
    db.session.flush()
    return post


def related_link(post: NewsPost) -> str | None:
    if post.related_kind and post.related_id:
        endpoint, argument = RELATED_ENDPOINTS[post.related_kind]
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **{argument: post.related_id})
    return post.related_url


def home_news_context() -> dict:
    return {"posts": db.session.scalars(visible_posts_query().limit(3)).all()}


# -- campaigns --------------------------------------------------------------------------------------------

def campaigns_for(user) -> list[Campaign]:
    """Active campaigns whose period covers now and whose audience includes ``user``."""
    now = utcnow()
    audience = [Campaign.audience == CampaignAudience.everyone]
    if user is not None and getattr(user, "is_authenticated", False):
        if user.administration_id:
            audience.append(and_(Campaign.audience == CampaignAudience.administration,
                                 Campaign.administration_id == user.administration_id))
        from lms.courses.models import Enrolment, EnrolmentStatus

        enrolled = select(Enrolment.course_id).where(Enrolment.user_id == user.id,
                                                     Enrolment.status == EnrolmentStatus.active)
        audience.append(and_(Campaign.audience == CampaignAudience.course, Campaign.course_id.in_(enrolled)))
    query = (select(Campaign).where(Campaign.active.is_(True), Campaign.starts_at <= now,
                                    or_(Campaign.ends_at.is_(None), Campaign.ends_at > now), or_(*audience))
             .order_by(Campaign.starts_at.desc()))
    if user is not None and getattr(user, "is_authenticated", False):
        dismissed = select(CampaignDismissal.campaign_id).where(CampaignDismissal.user_id == user.id)
        query = query.where(Campaign.id.not_in(dismissed))
    return list(db.session.scalars(query))


def active_banners() -> list[dict]:
    if request.blueprint in ("xapi", "lrs") or request.path.startswith(("/xapi", "/api/")):
        return []
    dismissed_here = set(session.get("dismissed_campaigns", []))
    banners = []
    for campaign in campaigns_for(current_user):
        if campaign.id in dismissed_here:
            continue
        banners.append({"id": campaign.id, "title": localized(campaign.title), "text": localized(campaign.text),
                        "link": campaign.link_url, "link_label": localized(campaign.link_label) or _("Learn more"),
                        "dismiss_url": url_for("portal.dismiss_campaign", campaign_id=campaign.id), "kind": "info"})
    return banners


def dismiss_campaign(campaign: Campaign, user) -> None:
    """Signed-in visitors: recorded for good; anonymous ones: remembered in their (signed) session cookie."""
    if user is not None and getattr(user, "is_authenticated", False):
        exists = db.session.scalar(select(CampaignDismissal.id).where(CampaignDismissal.campaign_id == campaign.id,
                                                                      CampaignDismissal.user_id == user.id))
        if exists is None:
            db.session.add(CampaignDismissal(campaign_id=campaign.id, user_id=user.id))
            db.session.flush()
    else:
        dismissed = set(session.get("dismissed_campaigns", []))
        dismissed.add(campaign.id)
        session["dismissed_campaigns"] = sorted(dismissed)[-50:]


# -- newsletter -------------------------------------------------------------------------------------------

def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-unsubscribe")


def unsubscribe_token(user) -> str:
    return _unsubscribe_serializer().dumps(user.id)


def subscription_of(user) -> NewsletterSubscription | None:
    return db.session.scalar(select(NewsletterSubscription).where(NewsletterSubscription.user_id == user.id))


def set_subscription(user, subscribed: bool) -> NewsletterSubscription:
    subscription = subscription_of(user)
    if subscription is None:
        subscription = NewsletterSubscription(user_id=user.id, subscribed=subscribed)
        db.session.add(subscription)
    subscription.subscribed = subscribed
    db.session.flush()
    return subscription


def unsubscribe_with_token(token: str):
    from lms.accounts.models import User

    try:
        user_id = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise DomainError(_("This unsubscribe link is not valid."), code="token_invalid")
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(_("This unsubscribe link is not valid."), code="token_invalid")
    set_subscription(user, False)
    return user


def send_newsletter(newsletter, sender) -> int:
    """One mail per opted-in subscriber, in their language, each with its own unsubscribe link."""
    if newsletter.sent_at is not None:
        raise DomainError(_("This newsletter has already been sent."), code="already_sent", status=409)
    subscriptions = db.session.scalars(select(NewsletterSubscription)
                                       .where(NewsletterSubscription.subscribed.is_(True))).all()
    for subscription in subscriptions:
        user = subscription.user
        if not user.is_active or not user.email:
            continue
        link = external_url("portal.unsubscribe", token=unsubscribe_token(user))
        with force_locale(user.preferred_language):
            body = localized(newsletter.body, user.preferred_language)
            footer = _("To stop receiving this newsletter, open: %(link)s", link=link)
            send_mail(user, localized(newsletter.subject, user.preferred_language), f"{body}\n\n--\n{footer}",
                      dedupe_key=f"newsletter:{newsletter.id}:{user.id}")
        newsletter.recipients += 1
    newsletter.sent_at = utcnow()
    newsletter.sent_by_id = getattr(sender, "id", None)
    db.session.flush()
    return newsletter.recipients


# -- contact ----------------------------------------------------------------------------------------------

def sender_key(remote_addr: str | None) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (remote_addr or "unknown").encode(), hashlib.sha256).hexdigest()


def record_contact(*, name: str, email: str, subject: str, body: str, remote_addr: str | None,
                   language: str) -> ContactMessage:
    key = sender_key(remote_addr)
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(select(func.count(ContactMessage.id))
                               .where(ContactMessage.sender_key == key, ContactMessage.created_at > since))
    if recent >= CONTACT_LIMIT_PER_HOUR:
        raise DomainError(_("You have sent several messages in the last hour. Please try again later."),
                          code="rate_limited", status=429)
    message = ContactMessage(name=name.strip(), email=email.strip(), subject=subject.strip(), body=body.strip(),
                             sender_key=key, language=language)
    db.session.add(message)
    db.session.flush()
    from lms.accounts.models import SiteRole, User

    administrators = db.session.scalars(select(User).where(User.role == SiteRole.administrator,
                                                           User.active.is_(True), User.email.is_not(None))).all()
    for admin in administrators:
        with force_locale(admin.preferred_language):
            send_mail(admin, _("Contact form: %(subject)s", subject=message.subject),
                      _("From: %(name)s <%(email)s>\n\n%(body)s", name=message.name, email=message.email,
                        body=message.body), dedupe_key=f"contact:{message.id}:{admin.id}")
    return message


def published_about_pages() -> list[AboutPage]:
    return list(db.session.scalars(select(AboutPage).where(AboutPage.published.is_(True))
                                   .order_by(AboutPage.position, AboutPage.id)))
