"""JSON API of the Idarathon (read-only): editions, challenges, a team seen by its members, results.

Results are served by one function that answers 404 — the same as for a missing edition — until the
announced instant, so a participant learns nothing about them earlier, whatever the URL.
"""
from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from lms.core.db import db
from lms.core.i18n import localized
from lms.core.permissions import can, require

from . import scoring, services
from .models import Edition, Team


def _edition_json(edition: Edition) -> dict:
    return {"id": edition.id, "uuid": edition.uuid, "slug": edition.slug, "year": edition.year,
            "title": edition.title, "theme": edition.theme, "phase": edition.phase(),
            "dates": {name: getattr(edition, name).isoformat() for name in (
                "registration_opens_at", "registration_closes_at", "kickoff_at", "submission_deadline",
                "jury_starts_at", "jury_ends_at", "results_at")},
            "results_published": edition.results_visible()}


def editions():
    items = db.session.scalars(db.select(Edition).order_by(Edition.year.desc()))
    return jsonify({"editions": [_edition_json(e) for e in items]})


def edition(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    data = _edition_json(edition)
    data["challenges"] = [{"id": c.id, "uuid": c.uuid, "type": c.type_key, "title": c.title,
                           "administration": localized(c.administration.name) if c.administration else None}
                          for c in services.published_challenges(edition)]
    return jsonify(data)


def team(team_id: int):
    """A team for its members, mentor and organisers; the score appears only once results are visible."""
    team = db.get_or_404(Team, team_id)
    require("idarathon.view_team", team)
    result = scoring.result_of_team(team)
    return jsonify({"id": team.id, "name": team.name, "challenge_id": team.challenge_id,
                    "members": [{"name": m.user.display_name} for m in team.members],
                    "submissions": [{"version": s.version, "submitted_at": s.submitted_at.isoformat(),
                                     "late": s.late, "files": [f.filename for f in s.files]}
                                    for s in services.submissions_of(team)],
                    "result": None if result is None else {"rank": result.rank, "score": result.score,
                                                           "award": result.award}})


def results(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    if not edition.results_visible() and not can(current_user, "idarathon.manage", edition):
        abort(404)
    grouped = scoring.published_results(edition) if edition.results_visible() else None
    if grouped is None:  # organisers before publication: the live consolidation, flagged as such
        live = scoring.compute_standings(edition)
        return jsonify({"published": False, "challenges": [
            {"challenge_id": cid, "standings": [{"team_id": s.team_id, "team": s.team_name, "rank": s.rank,
                                                  "score": s.score, "tie_note": s.tie_note} for s in rows]}
            for cid, rows in live.items()]})
    return jsonify({"published": True, "published_at": edition.results_published_at.isoformat(), "challenges": [
        {"challenge_id": cid, "standings": [{"team_id": e.team_id, "team": e.team.name, "rank": e.rank,
                                              "score": e.score, "award": e.award, "tie_note": e.tie_note}
                                             for e in rows]}
        for cid, rows in grouped.items()]})
