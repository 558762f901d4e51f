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
