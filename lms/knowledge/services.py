"""Knowledge-base operations (flush only)."""
from __future__ import annotations

import mimetypes

from sqlalchemy import func, select, update

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.storage import storage
from lms.courses.types import sanitize_html

from . import search
from .extract import extract_text
from .models import (KnowledgeAttachment, KnowledgeBookmark, KnowledgeComment, CommentStatus, KnowledgeResource, KnowledgeRating, ResourceKind,
                     ResourceStatus, KnowledgeRevision, KnowledgeTag, KnowledgeTransition, Workstream)

LANGS = ("ar", "fr", "en")
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
ALLOWED_EXTENSIONS = {"pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "odt", "odp", "ods", "txt", "csv",
                      "png", "jpg", "jpeg", "mp4", "webm", "mp3", "zip"}

# (from, to) → permission needed
TRANSITIONS = {
    (ResourceStatus.draft, ResourceStatus.in_review): "knowledge.edit",
    (ResourceStatus.in_review, ResourceStatus.draft): "knowledge.edit",
    (ResourceStatus.in_review, ResourceStatus.published): "knowledge.review",
    (ResourceStatus.published, ResourceStatus.archived): "knowledge.review",
    (ResourceStatus.published, ResourceStatus.draft): "knowledge.review",
    (ResourceStatus.archived, ResourceStatus.published): "knowledge.review",
}

SNAPSHOT_FIELDS = ("title", "summary", "body", "authors", "year", "external_url", "video_url", "kind", "language")


def _snapshot(resource: KnowledgeResource) -> dict:
    data = {name: getattr(resource, name) for name in SNAPSHOT_FIELDS}
    data["kind"] = resource.kind.value
    data["workstreams"] = [w.id for w in resource.workstreams]
    data["tags"] = [t.name for t in resource.tags]
    data["administrations"] = [a.id for a in resource.administrations]
    data["topics"] = [c.id for c in resource.topics]
    return data


def _record_revision(resource: KnowledgeResource, author, note: str) -> KnowledgeRevision:
    resource.revision_number = (resource.revision_number or 0) + 1
    revision = KnowledgeRevision(resource_id=resource.id, number=resource.revision_number, snapshot=_snapshot(resource),
                        author_id=getattr(author, "id", None), note=note[:300])
    db.session.add(revision)
    db.session.flush()
    return revision


def _tags(names: list[str]) -> list[KnowledgeTag]:
    result = []
    for name in {n.strip().lower()[:80] for n in names if n and n.strip()}:
        tag = db.session.scalar(select(KnowledgeTag).where(KnowledgeTag.name == name))
        if tag is None:
            tag = KnowledgeTag(name=name)
            db.session.add(tag)
        result.append(tag)
    return sorted(result, key=lambda t: t.name)


def _apply(resource: KnowledgeResource, data: dict) -> None:
    from lms.accounts.models import Administration
    from lms.courses.models import Category

    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError(_("A title is required."), code="title_required", field="title")
    language = data.get("language") or "ar"
    if language not in LANGS:
        raise DomainError(_("Unknown language."), code="invalid_language", field="language")
    resource.title = title[:300]
    resource.language = language
    resource.kind = ResourceKind(data.get("kind") or resource.kind or ResourceKind.good_practice)
    resource.summary = (data.get("summary") or "").strip()
    resource.body = sanitize_html(data.get("body") or "")
    resource.authors = (data.get("authors") or "").strip()[:500]
    resource.year = data.get("year") or None
    resource.external_url = (data.get("external_url") or "").strip() or None
    resource.video_url = (data.get("video_url") or "").strip() or None
    for url in (resource.external_url, resource.video_url):
        if url and not url.startswith(("https://", "http://")):
            raise DomainError(_("Web addresses must start with https:// or http://."), code="invalid_url",
                              field="external_url")
    if "workstreams" in data:
        resource.workstreams = list(db.session.scalars(select(Workstream).where(Workstream.id.in_(data["workstreams"]))))
    if "tags" in data:
        resource.tags = _tags(data["tags"])
    if "administrations" in data:
        resource.administrations = list(db.session.scalars(
            select(Administration).where(Administration.id.in_(data["administrations"]))))
    if "topics" in data:
        resource.topics = list(db.session.scalars(select(Category).where(Category.id.in_(data["topics"]))))


def create_resource(data: dict, author, translation_of: KnowledgeResource | None = None) -> KnowledgeResource:
    resource = KnowledgeResource(created_by_id=getattr(author, "id", None), status=ResourceStatus.draft,
                                 kind=ResourceKind(data.get("kind") or "good_practice"))
    if translation_of is not None:
        resource.translation_group = translation_of.translation_group
        if db.session.scalar(select(KnowledgeResource.id).where(
                KnowledgeResource.translation_group == translation_of.translation_group,
                KnowledgeResource.language == data.get("language"))) is not None:
            raise DomainError(_("This resource already has a version in that language."), code="duplicate_language",
                              status=409, field="language")
    _apply(resource, data)
    db.session.add(resource)
    db.session.flush()
    _record_revision(resource, author, _("Created"))
    return resource


def update_resource(resource: KnowledgeResource, data: dict, author, note: str = "") -> KnowledgeResource:
    _apply(resource, data)
    db.session.flush()
    _record_revision(resource, author, note or _("Edited"))
    search.reindex(resource)
    return resource


def restore_revision(resource: KnowledgeResource, number: int, author) -> KnowledgeResource:
    revision = db.session.scalar(select(KnowledgeRevision).where(KnowledgeRevision.resource_id == resource.id, KnowledgeRevision.number == number))
    if revision is None:
        raise DomainError(_("This version does not exist."), code="unknown_revision", status=404)
    data = dict(revision.snapshot)
    return update_resource(resource, data, author, note=_("Restored version %(n)d", n=number))


def transition(resource: KnowledgeResource, to_status: ResourceStatus, user, comment: str = "") -> KnowledgeResource:
    from lms.core.permissions import can

    needed = TRANSITIONS.get((resource.status, to_status))
    if needed is None:
        raise DomainError(_("A resource cannot go from “%(a)s” to “%(b)s”.", a=resource.status.title,
                            b=to_status.title), code="invalid_transition", status=409)
    if not can(user, needed, resource):
        raise DomainError(_("You do not have permission to do this."), code="forbidden", status=403)
    db.session.add(KnowledgeTransition(resource_id=resource.id, from_status=resource.status.value, to_status=to_status.value,
                              by_id=getattr(user, "id", None), comment=comment.strip()))
    resource.status = to_status
    if to_status == ResourceStatus.published:
        resource.published_at = resource.published_at or utcnow()
        resource.reviewer_id = getattr(user, "id", None)
    db.session.flush()
    search.reindex(resource)
    return resource


def add_attachment(resource: KnowledgeResource, stream, filename: str, mimetype: str | None = None) -> KnowledgeAttachment:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(_("This type of file is not accepted (%(ext)s).", ext=extension or "?"),
                          code="file_type", field="attachment")
    data = stream.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The file is too large."), code="too_large", status=413, field="attachment")
    mimetype = mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    digest = storage.put_blob(data)
    attachment = KnowledgeAttachment(resource=resource, digest=digest, filename=filename[:255], mimetype=mimetype,
                            size=len(data), extracted_text=extract_text(data, mimetype, filename))
    db.session.add(attachment)
    db.session.flush()
    search.reindex(resource)
    return attachment


def language_versions(resource: KnowledgeResource, published_only: bool = True) -> list[KnowledgeResource]:
    query = select(KnowledgeResource).where(KnowledgeResource.translation_group == resource.translation_group,
                                            KnowledgeResource.id != resource.id)
    if published_only:
        query = query.where(KnowledgeResource.status == ResourceStatus.published)
    return list(db.session.scalars(query.order_by(KnowledgeResource.language)))


def best_version(translation_group: str, language: str) -> KnowledgeResource | None:
    """The published version in the reader's language, else Arabic, French, English."""
    versions = {r.language: r for r in db.session.scalars(select(KnowledgeResource).where(
        KnowledgeResource.translation_group == translation_group,
        KnowledgeResource.status == ResourceStatus.published))}
    for candidate in (language, "ar", "fr", "en"):
        if candidate in versions:
            return versions[candidate]
    return next(iter(versions.values()), None)


def count_view(resource: KnowledgeResource) -> None:
    # An UPDATE ... SET n = n + 1: concurrent views are never lost.
    db.session.execute(update(KnowledgeResource).where(KnowledgeResource.id == resource.id)
                       .values(view_count=KnowledgeResource.view_count + 1))


def rate(resource: KnowledgeResource, user, stars: int) -> None:
    if not 1 <= int(stars) <= 5:
        raise DomainError(_("Give between 1 and 5 stars."), code="invalid_rating")
    rating = db.session.scalar(select(KnowledgeRating).where(KnowledgeRating.resource_id == resource.id, KnowledgeRating.user_id == user.id))
    if rating is None:
        db.session.add(KnowledgeRating(resource_id=resource.id, user_id=user.id, stars=int(stars)))
    else:
        rating.stars = int(stars)
    db.session.flush()
    count, average = db.session.execute(select(func.count(KnowledgeRating.id), func.avg(KnowledgeRating.stars))
                                        .where(KnowledgeRating.resource_id == resource.id)).one()
    resource.rating_count, resource.rating_average = count, float(average) if average is not None else None
    db.session.flush()


def add_comment(resource: KnowledgeResource, user, body: str) -> KnowledgeComment:
    body = (body or "").strip()
    if not 2 <= len(body) <= 4000:
        raise DomainError(_("A comment has between 2 and 4,000 characters."), code="invalid_comment", field="body")
    comment = KnowledgeComment(resource_id=resource.id, user_id=user.id, body=body, status=CommentStatus.pending)
    db.session.add(comment)
    db.session.flush()
    return comment


def moderate(comment: KnowledgeComment, moderator, approve: bool) -> None:
    comment.status = CommentStatus.approved if approve else CommentStatus.rejected
    comment.moderated_by_id = moderator.id
    db.session.flush()


def toggle_bookmark(resource: KnowledgeResource, user) -> bool:
    bookmark = db.session.scalar(select(KnowledgeBookmark).where(KnowledgeBookmark.resource_id == resource.id, KnowledgeBookmark.user_id == user.id))
    if bookmark is None:
        db.session.add(KnowledgeBookmark(resource_id=resource.id, user_id=user.id))
        db.session.flush()
        return True
    db.session.delete(bookmark)
    db.session.flush()
    return False


def published_query():
    return select(KnowledgeResource).where(KnowledgeResource.status == ResourceStatus.published)


def recent(limit: int = 6) -> list[KnowledgeResource]:
    return list(db.session.scalars(published_query().order_by(KnowledgeResource.published_at.desc()).limit(limit)))


def most_viewed(limit: int = 6) -> list[KnowledgeResource]:
    return list(db.session.scalars(published_query().order_by(KnowledgeResource.view_count.desc(),
                                                              KnowledgeResource.id).limit(limit)))


