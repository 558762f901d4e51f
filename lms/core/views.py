"""Site-wide pages: home, language switcher, health check."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from .db import db
from .i18n import _l

bp = Blueprint("core", __name__)

# The four areas of the platform, shown on the home page as soon as their blueprint exists.
PLATFORM_AREAS = [
    ("courses.catalogue", _l("E-learning"),
     _l("Interactive modules to learn anytime: digital transformation, communication, innovation, "
        "problem-solving and cybersecurity.")),
    ("sessions.calendar", _l("Training management"),
     _l("Training events and sessions: registration, attendance, evaluation and certificates.")),
    ("idarathon.index", _l("Idarathon"),
     _l("The public-administration hackathon: challenges, teams, submissions and results.")),
    ("knowledge.index", _l("Knowledge base"),
     _l("Good practices, success stories and lessons learned from the administrations.")),
]


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


@bp.app_context_processor
def _navigation():
    return {"endpoint_exists": endpoint_exists, "platform_areas": PLATFORM_AREAS, "current_user": current_user}


@bp.route("/")
def home():
    return render_template("core/home.html")


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.route("/lang/<code>")
def set_language(code: str):
    target = safe_next(request.args.get("next"), url_for("core.home"))
    if code in current_app.config["LOCALES"]:
        session["lang"] = code
        if current_user.is_authenticated and current_user.preferred_language != code:
            current_user.preferred_language = code
    return redirect(target)


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
