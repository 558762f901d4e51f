"""Thin handlers of the knowledge base."""
from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import Administration
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.feeds import atom_response
from lms.core.i18n import _, current_locale, localized
from lms.core.permissions import can, require
from lms.core.storage import storage
from lms.core.urls import external_url

from . import services
from .forms import ResourceForm
from .models import (KnowledgeAttachment, KnowledgeBookmark, KnowledgeComment, CommentStatus, KnowledgeResource, ResourceKind, ResourceStatus,
                     KnowledgeRevision, KnowledgeTransition, Workstream)
from .search import SearchFilters, search
from .text import highlight, html_to_text

PER_PAGE = 20


def load_resource(resource_id: int, permission: str = "knowledge.view") -> KnowledgeResource:
    resource = db.get_or_404(KnowledgeResource, resource_id)
    if not can(current_user, permission, resource):
        # A draft's existence is not revealed to those who may not see it.
        abort(404 if permission == "knowledge.view" else (401 if not current_user.is_authenticated else 403))
    return resource


def _filters_from_request() -> SearchFilters:
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in ResourceKind}:
        raise DomainError(_("Unknown kind of resource."), code="invalid_filter")
    language = request.args.get("language") or None
    if language and language not in services.LANGS:
        raise DomainError(_("Unknown language."), code="invalid_filter")
    return SearchFilters(kind=kind, language=language, workstream=request.args.get("workstream", type=int),
                         administration=request.args.get("administration", type=int),
                         year=request.args.get("year", type=int))


def index():
    workstreams = db.session.scalars(select(Workstream).order_by(Workstream.position)).all()
    return render_template("knowledge/index.html", recent=services.recent(), popular=services.most_viewed(),
                           workstreams=workstreams, kinds=list(ResourceKind))


def search_page():
    query = (request.args.get("q") or "").strip()[:200]
    filters = _filters_from_request()
    page = max(1, request.args.get("page", 1, type=int))
    result = search(query, filters, page=page, per_page=PER_PAGE)
    snippets = {r.id: highlight(r.summary or html_to_text(r.body), query) for r in result.resources}
    titles = {r.id: highlight(r.title, query, length=300) for r in result.resources}
    pages = max(1, -(-result.total // PER_PAGE))
    filter_args = {name: value for name, value in asdict(filters).items() if value}
    return render_template("knowledge/search.html", result=result, filters=filters, filter_args=filter_args,
                           snippets=snippets, titles=titles, page=page, pages=pages, query=query)


def search_api():
    query = (request.args.get("q") or "").strip()[:200]
    filters = _filters_from_request()
    page = max(1, request.args.get("page", 1, type=int))
    per_page = min(100, max(1, request.args.get("per_page", PER_PAGE, type=int)))
    result = search(query, filters, page=page, per_page=per_page)
    return jsonify({
        "query": query, "total": result.total, "page": page, "per_page": per_page,
        "results": [{
            "id": r.id, "url": external_url("knowledge.resource", resource_id=r.id), "title": r.title,
            "language": r.language, "kind": r.kind.value, "summary": r.summary,
            "highlight": str(highlight(r.summary or html_to_text(r.body), query)),
            "year": r.year, "published_at": r.published_at.isoformat() if r.published_at else None,
            "workstreams": [w.code for w in r.workstreams]} for r in result.resources],
        "facets": {name: [{"value": value, "label": str(label), "count": count} for value, label, count in values]
                   for name, values in result.facets.items()},
    })


def resource(resource_id: int):
    item = load_resource(resource_id)
    if item.status == ResourceStatus.published:
        services.count_view(item)
    user = current_user if current_user.is_authenticated else None
    comments = db.session.scalars(select(KnowledgeComment).where(KnowledgeComment.resource_id == item.id,
                                                        KnowledgeComment.status == CommentStatus.approved)
                                  .order_by(KnowledgeComment.created_at)).all()
    bookmarked = user is not None and db.session.scalar(select(KnowledgeBookmark.id).where(
        KnowledgeBookmark.resource_id == item.id, KnowledgeBookmark.user_id == user.id)) is not None
    transitions = [(to, perm) for (frm, to), perm in services.TRANSITIONS.items()
                   if frm == item.status and user is not None and can(user, perm, item)]
    return render_template("knowledge/resource.html", resource=item, comments=comments, bookmarked=bookmarked,
                           versions=services.language_versions(item, published_only=not can(current_user, "knowledge.edit", item)),
                           transitions=transitions, can_edit=user is not None and can(user, "knowledge.edit", item))


def _prepare_form(form: ResourceForm) -> None:
    from lms.courses.models import Category

    form.workstreams.choices = [(w.id, w.display_name) for w in
                                db.session.scalars(select(Workstream).order_by(Workstream.position))]
    form.topics.choices = [(c.id, c.display_name) for c in db.session.scalars(select(Category).order_by(Category.position))]
    form.administrations.choices = sorted(((a.id, a.display_name) for a in db.session.scalars(select(Administration))),
                                          key=lambda item: item[1])


@login_required
def new_resource():
    require("knowledge.contribute")
    translation_of = None
    if request.args.get("translation_of", type=int):
        translation_of = load_resource(request.args.get("translation_of", type=int), "knowledge.edit")
    form = ResourceForm()
    _prepare_form(form)
    if request.method == "GET" and translation_of is not None:
        form.kind.data = translation_of.kind.value
        form.year.data = translation_of.year
        form.workstreams.data = [w.id for w in translation_of.workstreams]
        form.administrations.data = [a.id for a in translation_of.administrations]
    if form.validate_on_submit():
        try:
            item = services.create_resource(form.data_dict(), current_user, translation_of=translation_of)
            if form.attachment.data:
                services.add_attachment(item, form.attachment.data.stream, form.attachment.data.filename,
                                        form.attachment.data.mimetype)
        except DomainError as error:
            getattr(form, error.field or "title").errors = [error.message]
            db.session.rollback()
        else:
            flash(_("The resource is saved as a draft."), "success")
            return redirect(url_for("knowledge.resource", resource_id=item.id))
    return render_template("knowledge/form.html", form=form, resource=None, translation_of=translation_of), \
        (400 if request.method == "POST" else 200)


@login_required
def edit_resource(resource_id: int):
    item = load_resource(resource_id, "knowledge.edit")
    form = ResourceForm(obj=item) if request.method == "GET" else ResourceForm()
    _prepare_form(form)
    if request.method == "GET":
        form.kind.data = item.kind.value
        form.workstreams.data = [w.id for w in item.workstreams]
        form.topics.data = [c.id for c in item.topics]
        form.administrations.data = [a.id for a in item.administrations]
        form.tags.data = ", ".join(t.name for t in item.tags)
    if form.validate_on_submit():
        try:
            services.update_resource(item, form.data_dict(), current_user)
            if form.attachment.data:
                services.add_attachment(item, form.attachment.data.stream, form.attachment.data.filename,
                                        form.attachment.data.mimetype)
        except DomainError as error:
            getattr(form, error.field or "title").errors = [error.message]
        else:
            flash(_("The resource is saved."), "success")
            return redirect(url_for("knowledge.resource", resource_id=item.id))
    return render_template("knowledge/form.html", form=form, resource=item, translation_of=None), \
        (400 if request.method == "POST" else 200)


@login_required
def change_status(resource_id: int):
    item = load_resource(resource_id)
    try:
        to_status = ResourceStatus(request.form.get("to"))
    except ValueError:
        raise DomainError(_("Unknown status."), code="invalid_status")
    services.transition(item, to_status, current_user, request.form.get("comment", ""))
    flash(_("The resource is now: %(status)s.", status=to_status.title), "success")
    return redirect(url_for("knowledge.resource", resource_id=item.id))


@login_required
def history(resource_id: int):
    item = load_resource(resource_id, "knowledge.edit")
    revisions = db.session.scalars(select(KnowledgeRevision).where(KnowledgeRevision.resource_id == item.id)
                                   .order_by(KnowledgeRevision.number.desc())).all()
    transitions = db.session.scalars(select(KnowledgeTransition).where(KnowledgeTransition.resource_id == item.id)
                                     .order_by(KnowledgeTransition.created_at.desc())).all()
    return render_template("knowledge/history.html", resource=item, revisions=revisions, transitions=transitions)


@login_required
def restore(resource_id: int, number: int):
    item = load_resource(resource_id, "knowledge.edit")
    services.restore_revision(item, number, current_user)
    flash(_("Version %(n)d is restored.", n=number), "success")
    return redirect(url_for("knowledge.resource", resource_id=item.id))


@login_required
def rate(resource_id: int):
    item = load_resource(resource_id, "knowledge.engage")
    services.rate(item, current_user, request.form.get("stars", type=int) or 0)
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("knowledge.resource", resource_id=item.id))


@login_required
def comment(resource_id: int):
    item = load_resource(resource_id, "knowledge.engage")
    services.add_comment(item, current_user, request.form.get("body", ""))
    flash(_("Your comment will appear once a moderator has approved it."), "info")
    return redirect(url_for("knowledge.resource", resource_id=item.id))


@login_required
def bookmark(resource_id: int):
    item = load_resource(resource_id, "knowledge.engage")
    added = services.toggle_bookmark(item, current_user)
    flash(_("Added to my library.") if added else _("Removed from my library."), "success")
    return redirect(url_for("knowledge.resource", resource_id=item.id))


@login_required
def library():
    bookmarks = db.session.scalars(select(KnowledgeBookmark).join(KnowledgeResource)
                                   .where(KnowledgeBookmark.user_id == current_user.id,
                                          KnowledgeResource.status == ResourceStatus.published)
                                   .order_by(KnowledgeBookmark.created_at.desc())).all()
    drafts = []
    if can(current_user, "knowledge.contribute"):
        drafts = db.session.scalars(select(KnowledgeResource).where(
            KnowledgeResource.created_by_id == current_user.id,
            KnowledgeResource.status != ResourceStatus.published).order_by(KnowledgeResource.updated_at.desc())).all()
    review = []
    if can(current_user, "knowledge.review"):
        review = db.session.scalars(select(KnowledgeResource).where(
            KnowledgeResource.status == ResourceStatus.in_review).order_by(KnowledgeResource.updated_at)).all()
    return render_template("knowledge/library.html", bookmarks=bookmarks, drafts=drafts, review=review)


@login_required
def moderation():
    require("knowledge.review")
    if request.method == "POST":
        item = db.get_or_404(KnowledgeComment, request.form.get("comment_id", type=int))
        services.moderate(item, current_user, request.form.get("decision") == "approve")
        flash(_("The comment is moderated."), "success")
        return redirect(url_for("knowledge.moderation"))
    pending = db.session.scalars(select(KnowledgeComment).where(KnowledgeComment.status == CommentStatus.pending)
                                 .order_by(KnowledgeComment.created_at)).all()
    return render_template("knowledge/moderation.html", pending=pending)


def attachment(attachment_id: int):
    item = db.get_or_404(KnowledgeAttachment, attachment_id)
    load_resource(item.resource_id)
    inline = item.mimetype.startswith(("video/", "audio/", "image/")) or item.mimetype == "application/pdf"
    # Range requests are answered (video seeking) by the storage layer.
    return storage.send_blob(item.digest, download_name=item.filename, mimetype=item.mimetype,
                             as_attachment=not inline)


def feed():
    entries = [{
        "title": item.title, "language": item.language, "link": external_url("knowledge.resource", resource_id=item.id),
        "updated": item.updated_at or item.published_at, "category": (item.kind.value, str(item.kind.title)),
        "summary": item.summary, "author": item.authors or _("e-TAMKEEN programme")}
        for item in services.recent(limit=30)]
    return atom_response(title=_("Tamkeen — new in the knowledge base"), feed_id=external_url("knowledge.index"),
                         self_url=external_url("knowledge.feed"), entries=entries)
