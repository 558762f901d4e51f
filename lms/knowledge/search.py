"""One search interface over two engines: SQLite FTS5 (embedded default) and PostgreSQL full text.

Both index the same normalised text (see text.py), so they find the same things; ranking is BM25 on
SQLite and ts_rank on PostgreSQL. Only published resources are indexed: a draft can never leak through
search.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import DDL, Integer, event, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import REGCONFIG

from lms.core.db import db

from .models import (KnowledgeResource, ResourceKind, ResourceStatus, SearchDocument, resource_administrations,
                     resource_workstreams)
from .text import html_to_text, index_text, tokens

# SQLite: an FTS5 table kept in step with knowledge_search_document by triggers (so any delete, even a
# cascade, removes the entry). Also used by the Alembic migration.
SQLITE_FTS_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(normalized, tokenize = 'unicode61')",
    "CREATE TRIGGER IF NOT EXISTS knowledge_fts_ai AFTER INSERT ON knowledge_search_document BEGIN "
    "INSERT INTO knowledge_fts(rowid, normalized) VALUES (new.resource_id, new.normalized); END",
    "CREATE TRIGGER IF NOT EXISTS knowledge_fts_ad AFTER DELETE ON knowledge_search_document BEGIN "
    "DELETE FROM knowledge_fts WHERE rowid = old.resource_id; END",
    "CREATE TRIGGER IF NOT EXISTS knowledge_fts_au AFTER UPDATE ON knowledge_search_document BEGIN "
    "DELETE FROM knowledge_fts WHERE rowid = old.resource_id; "
    "INSERT INTO knowledge_fts(rowid, normalized) VALUES (new.resource_id, new.normalized); END",
]
SQLITE_FTS_DROP = ["DROP TRIGGER IF EXISTS knowledge_fts_au", "DROP TRIGGER IF EXISTS knowledge_fts_ad",
                   "DROP TRIGGER IF EXISTS knowledge_fts_ai", "DROP TABLE IF EXISTS knowledge_fts"]

for _statement in SQLITE_FTS_DDL:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_FTS_DROP:
    event.listen(SearchDocument.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))

FACETS = ("kind", "workstream", "administration", "language", "year")


@dataclass
class SearchFilters:
    kind: str | None = None
    workstream: int | None = None
    administration: int | None = None
    language: str | None = None
    year: int | None = None


@dataclass
class SearchResult:
    total: int
    resources: list[KnowledgeResource]
    facets: dict[str, list[tuple]] = field(default_factory=dict)
    query: str = ""


def document_text(resource: KnowledgeResource) -> str:
    attachments = " ".join(a.extracted_text or "" for a in resource.attachments)
    return index_text(resource.title, resource.title, resource.summary, html_to_text(resource.body),
                      resource.authors, " ".join(t.name for t in resource.tags), attachments)


def reindex(resource: KnowledgeResource) -> None:
    """Index a published resource, forget any other (flush only)."""
    existing = db.session.get(SearchDocument, resource.id)
    if resource.status != ResourceStatus.published:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return
    normalized = document_text(resource)
    if existing is None:
        existing = SearchDocument(resource_id=resource.id)
        db.session.add(existing)
    existing.normalized = normalized
    if db.engine.dialect.name == "postgresql":
        existing.document = func.to_tsvector(literal_column("'simple'", REGCONFIG), normalized)
    db.session.flush()


def _matching_ids(query_tokens: list[str], ranked: bool = True):
    """A CTE of (resource_id, rank) for the query; lower rank = better on both engines.

    Materialised, so the full-text index is read once per statement and not once per joined row (SQLite
    would otherwise re-run the MATCH for every resource row)."""
    if db.engine.dialect.name == "postgresql":
        tsquery = " & ".join(f"'{t}':*" for t in query_tokens)
        ts = func.to_tsquery(literal_column("'simple'", REGCONFIG), tsquery)
        rank = (-func.ts_rank(SearchDocument.document, ts)) if ranked else literal_column("0")
        return (select(SearchDocument.resource_id.label("resource_id"), rank.label("rank"))
                .where(SearchDocument.document.op("@@")(ts)).cte("matches").prefix_with("MATERIALIZED"))
    match = " ".join(f'"{t}"*' for t in query_tokens)
    # bm25() costs time per match: only the query that orders the page asks for it.
    return (select(literal_column("rowid", Integer).label("resource_id"),
                   literal_column("bm25(knowledge_fts)" if ranked else "0").label("rank"))
            .select_from(text("knowledge_fts"))
            .where(text("knowledge_fts MATCH :match").bindparams(match=match))
            .cte("matches").prefix_with("MATERIALIZED"))


def _apply_filters(query, filters: SearchFilters):
    R = KnowledgeResource
    if filters.kind:
        query = query.where(R.kind == ResourceKind(filters.kind))
    if filters.language:
        query = query.where(R.language == filters.language)
    if filters.year:
        query = query.where(R.year == filters.year)
    if filters.workstream:
        query = query.where(R.id.in_(select(resource_workstreams.c.resource_id)
                                     .where(resource_workstreams.c.workstream_id == filters.workstream)))
    if filters.administration:
        query = query.where(R.id.in_(select(resource_administrations.c.resource_id)
                                     .where(resource_administrations.c.administration_id == filters.administration)))
    return query


def search(query: str = "", filters: SearchFilters | None = None, page: int = 1, per_page: int = 20,
           with_facets: bool = True) -> SearchResult:
    filters = filters or SearchFilters()
    R = KnowledgeResource
    query_tokens = tokens(query)[:12]

    def matching(ranked: bool):
        base = select(R.id).where(R.status == ResourceStatus.published)
        matches = None
        if query_tokens:
            matches = _matching_ids(query_tokens, ranked=ranked)
            base = base.join(matches, matches.c.resource_id == R.id)
        return _apply_filters(base, filters), matches

    ranked_query, ranked = matching(ranked=True)
    order = [ranked.c.rank, R.id.desc()] if ranked is not None else [R.published_at.desc(), R.id.desc()]
    page_ids = list(db.session.scalars(ranked_query.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    unranked_query, _ = matching(ranked=False)
    total = db.session.scalar(unranked_query.with_only_columns(func.count(R.id)))
    by_id = {r.id: r for r in db.session.scalars(select(R).where(R.id.in_(page_ids)))} if page_ids else {}
    result = SearchResult(total=total or 0, resources=[by_id[i] for i in page_ids if i in by_id], query=query)
    if with_facets:
        result.facets = _facets(unranked_query)
    return result


def _facets(matched) -> dict[str, list[tuple]]:
    """Counts per facet value over the matching set: each one GROUP BY on the same joins and filters (no
    IN-subquery, which SQLite would re-evaluate per row)."""
    from lms.accounts.models import Administration

    from .models import Workstream

    R = KnowledgeResource

    def grouped(*columns, joins=(), where=(), order=None, limit=None):
        query = matched
        for target, on in joins:
            query = query.join(target, on)
        query = query.with_only_columns(*columns, func.count(R.id)).group_by(*columns)
        for clause in where:
            query = query.where(clause)
        if order is not None:
            query = query.order_by(order)
        if limit:
            query = query.limit(limit)
        return db.session.execute(query).all()

    facets = {
        "kind": [(ResourceKind(k).value, ResourceKind(k).title, n)
                 for k, n in grouped(R.kind, order=func.count(R.id).desc())],
        "language": [(lang, lang, n) for lang, n in grouped(R.language, order=R.language)],
        "year": [(y, str(y), n) for y, n in grouped(R.year, where=[R.year.is_not(None)], order=R.year.desc())],
    }
    workstream_counts = grouped(resource_workstreams.c.workstream_id,
                                joins=[(resource_workstreams, resource_workstreams.c.resource_id == R.id)])
    workstreams = {w.id: w for w in db.session.scalars(select(Workstream).where(
        Workstream.id.in_([wid for wid, _ in workstream_counts])))}
    facets["workstream"] = sorted(((wid, workstreams[wid].display_name, n) for wid, n in workstream_counts
                                   if wid in workstreams), key=lambda item: workstreams[item[0]].position)
    administration_counts = grouped(resource_administrations.c.administration_id,
                                    joins=[(resource_administrations, resource_administrations.c.resource_id == R.id)],
                                    order=func.count(R.id).desc(), limit=20)
    administrations = {a.id: a for a in db.session.scalars(select(Administration).where(
        Administration.id.in_([aid for aid, _ in administration_counts])))}
    facets["administration"] = [(aid, administrations[aid].display_name, n) for aid, n in administration_counts
                                if aid in administrations]
    return facets
