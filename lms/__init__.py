"""Tamkeen LMS application factory.

Areas are packages under ``lms/`` discovered at start-up: each may provide ``models`` (imported so the
metadata is complete), ``blueprint`` (``bp`` or ``bps``), ``cli`` (``commands``) and an ``init_app(app)``
hook. Adding an area never means editing this file.
"""
from __future__ import annotations

import importlib
import logging
import os
import pkgutil
from pathlib import Path

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The foundation first, so later areas can rely on users, courses and the LRS emitter existing.
AREA_ORDER = ["core", "accounts", "courses", "lrs"]


def discover_areas() -> list[str]:
    names = [info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if info.ispkg]
    # LMS_AREAS=core,accounts,... limits the areas loaded (development of one area at a time).
    only = [a.strip() for a in os.environ.get("LMS_AREAS", "").split(",") if a.strip()]
    if only:
        names = [name for name in names if name in only or name in ("core", "accounts", "courses", "lrs")]
    return sorted(names, key=lambda name: (AREA_ORDER.index(name) if name in AREA_ORDER else len(AREA_ORDER), name))


def _optional_import(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise


def import_models() -> None:
    for area in discover_areas():
        _optional_import(f"lms.{area}.models")
    importlib.import_module("lms.core.outbox")


def create_app(config: dict | None = None) -> Flask:
    from .core import config as settings_module
    from .core import errors, i18n, permissions, security
    from .core.db import db
    from .core.storage import storage

    instance_path = (config or {}).get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder="core/templates", static_folder="core/static")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings_module.load_settings(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings_module.database_uri(app.config, app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .core.db import QueuedWriterConnection

        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"factory": QueuedWriterConnection, **options.get("connect_args", {})}
        options["pool_pre_ping"] = False  # a file has no server that could drop the connection: no ping per request
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the signed session, not a clock

    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db.init_app(app)
    storage.init_app(app)
    i18n.init_app(app, PROJECT_ROOT)
    security.init_app(app)
    errors.init_app(app)
    permissions.init_app(app)

    from flask_migrate import Migrate

    Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)

    _install_transaction_per_request(app, db)
    _register_areas(app)
    return app


def _install_transaction_per_request(app: Flask, db) -> None:
    """Commit once when the request succeeded, roll back otherwise (services only flush)."""

    @app.after_request
    def _commit(response):
        if response.status_code < 400 or g.get("commit_on_error"):
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _register_areas(app: Flask) -> None:
    from .core import views as core_views

    app.register_blueprint(core_views.bp)
    from .core.cli import commands as core_commands

    for command in core_commands:
        app.cli.add_command(command)
    for area in discover_areas():
        if area == "core":
            continue
        _optional_import(f"lms.{area}.models")
        package = importlib.import_module(f"lms.{area}")
        blueprint_module = _optional_import(f"lms.{area}.blueprint")
        if blueprint_module is not None:
            for bp in getattr(blueprint_module, "bps", None) or [getattr(blueprint_module, "bp")]:
                app.register_blueprint(bp)
        cli_module = _optional_import(f"lms.{area}.cli")
        if cli_module is not None:
            for command in getattr(cli_module, "commands", []):
                app.cli.add_command(command)
        if hasattr(package, "init_app"):
            package.init_app(app)
