"""Knowledge-base search latency over N generated resources, on SQLite (FTS5) and PostgreSQL (tsvector/GIN).

    .venv/bin/python bench/knowledge_search_bench.py [--resources 100000] [--runs 30] [--backends sqlite,postgresql]

Prints, per backend, the time to load the data and the median / 95th percentile latency of the search
service (ranked results + total + facets) for Arabic and French queries, with and without filters.
PostgreSQL: uses a throw-away database created next to LMS_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

AR_WORDS = ("إدارة رقمنة خدمة مرتفق شباك تبسيط مسطرة جودة استقبال تكوين موظف جماعة جهة ابتكار تحول رقمي منصة "
            "معطيات حماية أمن تواصل وحيد خدمات مشروع تقييم أداء شفافية حكامة ميزانية صفقة وثيقة أرشيف بوابة تطبيق").split()
FR_WORDS = ("administration numérique service usager guichet simplification procédure qualité accueil formation "
            "agent commune région innovation unique transformation plateforme données protection sécurité communication "
            "projet évaluation performance transparence gouvernance budget marché document archive portail").split()
QUERIES = [("ar", "الشباك الوحيد", None), ("ar", "رقمنة الخدمات", None), ("ar", "أمن المعطيات", "good_practice"),
           ("fr", "guichet unique", None), ("fr", "simplification procedures", None), ("fr", "securite", "guide"),
           ("fr", "", "success_story")]
KINDS = ["good_practice", "success_story", "lesson_learned", "guide", "video", "toolkit", "link"]


def _text(words, rng, n):
    return " ".join(rng.choice(words) + (rng.choice(["", "ات", "ية"]) if words is AR_WORDS else "") for _ in range(n))


def load(app, count: int) -> float:
    from lms.core.db import db
    from lms.knowledge.models import KnowledgeResource, SearchDocument
    from lms.knowledge.text import index_text

    rng = random.Random(42)
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    with app.app_context():
        db.create_all()
        resources, documents = KnowledgeResource.__table__, SearchDocument.__table__
        batch = 5000
        for start in range(0, count, batch):
            rows, docs = [], []
            for i in range(start, min(count, start + batch)):
                language = "ar" if i % 2 else "fr"
                words = AR_WORDS if language == "ar" else FR_WORDS
                title, summary, body = _text(words, rng, 6), _text(words, rng, 25), _text(words, rng, 120)
                rows.append({"id": i + 1, "uuid": str(uuid.uuid4()), "translation_group": str(uuid.uuid4()),
                             "language": language, "kind": KINDS[i % len(KINDS)], "status": "published",
                             "title": title, "summary": summary, "body": f"<p>{body}</p>", "authors": "",
                             "year": 2015 + i % 10, "published_at": now - timedelta(minutes=i), "created_at": now,
                             "updated_at": now, "view_count": i % 97, "rating_count": 0, "revision_number": 1})
                docs.append({"resource_id": i + 1, "normalized": index_text(title, title, summary, body)})
            db.session.execute(resources.insert(), rows)
            db.session.execute(documents.insert(), docs)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("UPDATE knowledge_search_document SET document = to_tsvector('simple', normalized)"))
            db.session.commit()
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
    return time.perf_counter() - started


def measure(app, runs: int) -> list[tuple[str, float, float, int]]:
    from lms.core.db import db
    from lms.knowledge.search import SearchFilters, search

    figures = []
    with app.app_context():
        for language, query, kind in QUERIES:
            timings, total = [], 0
            for _ in range(runs):
                started = time.perf_counter()
                result = search(query, SearchFilters(kind=kind), per_page=20)
                timings.append((time.perf_counter() - started) * 1000)
                total = result.total
                db.session.rollback()
            timings.sort()
            label = f"{language} {query!r}" + (f" kind={kind}" if kind else "")
            figures.append((label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], total))
    return figures


def run_backend(backend: str, count: int, runs: int) -> None:
    from lms import create_app

    tmp = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    admin_engine = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        base = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
        admin_engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                                        isolation_level="AUTOCOMMIT")
        name = f"kb_bench_{uuid.uuid4().hex[:8]}"
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = admin_engine.url.set(database=name).render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "bench",
                      "CONTENT_PACKAGES_DIR": str(tmp / "content")})
    try:
        seconds = load(app, count)
        print(f"\n[{backend}] loaded {count:,} resources in {seconds:.1f} s")
        print(f"{'query':45} {'median ms':>10} {'p95 ms':>8} {'matches':>9}")
        for label, median, p95, total in measure(app, runs):
            print(f"{label:45} {median:10.1f} {p95:8.1f} {total:9,}")
    finally:
        with app.app_context():
            from lms.core.db import db

            db.engine.dispose()
        if admin_engine is not None:
            with admin_engine.connect() as conn:
                conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run_backend(backend.strip(), args.resources, args.runs)


if __name__ == "__main__":
    main()
