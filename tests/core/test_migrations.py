"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import create_app
from lms.core.db import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    base = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = f"lms_migration_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield sa.engine.make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        conn.exec_driver_sql(f'DROP DATABASE "{name}"')
    admin.dispose()


def test_migrations_match_the_models(empty_database_url, tmp_path):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": empty_database_url, "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "x", "CONTENT_PACKAGES_DIR": str(tmp_path / "c")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                # FTS5 tables are created by explicit statements in the revision, not from the models.
                "include_object": lambda obj, name, type_, *_: not (type_ == "table" and name.startswith("knowledge_fts")),
            })
            differences = compare_metadata(context, db.metadata)
            if db.engine.dialect.name == "sqlite":  # the knowledge base's full-text table is there too
                assert conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'knowledge_fts'").scalar() == 1
        db.engine.dispose()
    assert differences == [], "models changed without a migration (make migration m=...):\n" + "\n".join(
        map(str, differences))


def test_lrs_filter_index_migration_keeps_the_keys(empty_database_url, tmp_path):
    """7c2e41d9a5b3 rebuilds lrs_statement_key around its lookup key (WITHOUT ROWID on SQLite) and makes the
    StatementRef index partial: rows written under the earlier schema survive, and a downgrade restores it."""
    from flask_migrate import downgrade, upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": empty_database_url, "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "x", "CONTENT_PACKAGES_DIR": str(tmp_path / "c")})
    with app.app_context():
        upgrade(revision="1b1aa7003e67")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO lrs_statement (pk, statement_id, stored, verb_iri, object_type, voided, data, "
                "has_attachments) VALUES (1, 'a', '2026-11-29 00:00:00', 'http://v', 'Activity', false, '{}', false)")
            conn.exec_driver_sql("INSERT INTO lrs_statement_key (statement_pk, key_hash) VALUES (1, -5), (1, 7)")
        upgrade()
        with db.engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT key_hash, statement_pk FROM lrs_statement_key ORDER BY 1").all()
            if db.engine.dialect.name == "sqlite":
                table_sql, = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'lrs_statement_key'").one()
                index_sql, = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'ix_lrs_statement_ref'").one()
                assert "WITHOUT ROWID" in table_sql
            else:
                index_sql, = conn.exec_driver_sql(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_lrs_statement_ref'").one()
            assert "ref_id IS NOT NULL" in index_sql
        assert [tuple(row) for row in keys] == [(-5, 1), (7, 1)]
        downgrade(revision="1b1aa7003e67")
        with db.engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT key_hash, statement_pk FROM lrs_statement_key ORDER BY 1").all()
        assert [tuple(row) for row in keys] == [(-5, 1), (7, 1)]
        upgrade()
        db.engine.dispose()
