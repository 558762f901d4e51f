"""Site-wide pages: home, language switcher, health check."""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from .db import db
from .i18n import _l
from .urls import external_url

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


# Extension points for other areas, so core never imports them:
#  - home sections: (order, template, context function) rendered below the platform cards;
#  - banner providers: functions returning the banners (dicts) to show the current visitor on every page;
#  - head providers: functions returning extra <head> markup data (hreflang alternates, descriptions).
_home_sections: list[tuple[int, str, Callable[[], dict]]] = []
_banner_providers: list[Callable[[], list[dict]]] = []


def register_home_section(template: str, context: Callable[[], dict], order: int = 50) -> None:
    if not any(existing == template for _, existing, _ in _home_sections):
        _home_sections.append((order, template, context))
        _home_sections.sort(key=lambda item: item[0])


def register_banner_provider(provider: Callable[[], list[dict]]) -> None:
    if provider not in _banner_providers:
        _banner_providers.append(provider)


def site_banners() -> list[dict]:
    banners: list[dict] = []
    for provider in _banner_providers:
        banners.extend(provider())
    return banners


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


@bp.app_context_processor
def _navigation():
    return {"endpoint_exists": endpoint_exists, "platform_areas": PLATFORM_AREAS, "current_user": current_user,
            "site_banners": site_banners, "external_url": external_url}


@bp.route("/")
def home():
    sections = [(template, context()) for _order, template, context in _home_sections]
    return render_template("core/home.html", home_sections=sections)


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
