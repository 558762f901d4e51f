"""Consolidation of the jury's score sheets, ranking with stated tie rules, and publication.

The live standing is one SQL aggregate over submitted sheets (the CTFd scoreboard shape); publication
freezes it into ``ResultEntry`` rows, visible to participants from the announced instant only.

Tie rules (shown on the results page):
1. the higher consolidated score (0..100, rounded to two decimals);
2. then the higher average on the rubric's heaviest criterion (the first in rubric order when several
   share the highest weight);
3. then the earlier final submission;
4. teams still equal share the rank (ex aequo) and the next rank is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import and_, case, delete, distinct, func, select

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, _l, force_locale
from lms.core.outbox import enqueue, outbox_handler

from .models import (Challenge, Criterion, Edition, ResultEntry, ScoreMark, ScoreSheet, Submission, Team,
                     TeamMember)

TIE_RULES = [
    _l("Higher consolidated score (average of the jury's weighted sheets, combined with the automatic "
       "score for data challenges)."),
    _l("If equal: higher average on the rubric's heaviest criterion."),
    _l("If still equal: earlier final submission."),
    _l("If still equal: the teams share the rank (ex aequo)."),
]
AWARDS = {1: "first", 2: "second", 3: "third"}
AWARD_TITLES = {"first": _l("First prize"), "second": _l("Second prize"), "third": _l("Third prize")}


@dataclass
class Standing:
    team_id: int
    team_name: str
    challenge_id: int
    sheets: int
    jury_score: float | None
    auto_score: float | None
    score: float | None
    top_criterion: float | None
    submitted_at: datetime | None
    rank: int | None = None
    tie_note: str | None = None

    @property
    def award(self) -> str | None:
        return AWARDS.get(self.rank) if self.rank else None


def heaviest_criterion(edition: Edition) -> Criterion | None:
    criteria = list(edition.criteria)
    if not criteria:
        return None
    return sorted(criteria, key=lambda c: (-c.weight, c.position, c.id))[0]


def standings_query(edition: Edition):
    """One statement: per team, weighted marks of submitted sheets, sheet count, heaviest-criterion
    average and the latest submission's automatic score and time."""
    top = heaviest_criterion(edition)
    last_version = (select(Submission.team_id, Submission.challenge_id, func.max(Submission.version).label("version"))
                    .group_by(Submission.team_id, Submission.challenge_id).subquery())
    latest = (select(Submission.team_id, Submission.challenge_id, Submission.auto_score, Submission.submitted_at)
              .join(last_version, and_(last_version.c.team_id == Submission.team_id,
                                       last_version.c.challenge_id == Submission.challenge_id,
                                       last_version.c.version == Submission.version)).subquery())
    ratio = ScoreMark.points * 1.0 / Criterion.max_points
    top_id = top.id if top is not None else -1
    return (select(Team.id, Team.name, Team.challenge_id,
                   func.count(distinct(ScoreSheet.id)).label("sheets"),
                   func.sum(ratio * Criterion.weight).label("weighted"),
                   func.avg(case((Criterion.id == top_id, ratio * 100.0))).label("top"),
                   latest.c.auto_score, latest.c.submitted_at)
            .select_from(Team)
            .join(latest, and_(latest.c.team_id == Team.id, latest.c.challenge_id == Team.challenge_id))
            .outerjoin(ScoreSheet, and_(ScoreSheet.team_id == Team.id, ScoreSheet.submitted_at.isnot(None)))
            .outerjoin(ScoreMark, ScoreMark.sheet_id == ScoreSheet.id)
            .outerjoin(Criterion, Criterion.id == ScoreMark.criterion_id)
            .where(Team.edition_id == edition.id)
            .group_by(Team.id, Team.name, Team.challenge_id, latest.c.auto_score, latest.c.submitted_at))


def compute_standings(edition: Edition) -> dict[int, list[Standing]]:
    """Consolidated and ranked standings per challenge id (organisers' live view; frozen at publication)."""
    total_weight = sum(c.weight for c in edition.criteria) or 1.0
    challenges = {c.id: c for c in edition.challenges}
    by_challenge: dict[int, list[Standing]] = {}
    for row in db.session.execute(standings_query(edition)):
        challenge = challenges.get(row.challenge_id)
        if challenge is None:
            continue
        jury = (float(row.weighted) / (total_weight * row.sheets) * 100) if row.sheets else None
        score = challenge.kind.combine(challenge, jury, row.auto_score)
        by_challenge.setdefault(row.challenge_id, []).append(Standing(
            team_id=row.id, team_name=row.name, challenge_id=row.challenge_id, sheets=row.sheets,
            jury_score=None if jury is None else round(jury, 4), auto_score=row.auto_score,
            score=None if score is None else round(score, 2),
            top_criterion=None if row.top is None else round(float(row.top), 4), submitted_at=row.submitted_at))
    for standings in by_challenge.values():
        rank_standings(standings)
    return by_challenge


def _sort_key(s: Standing):
    return (-(s.score if s.score is not None else -1), -(s.top_criterion if s.top_criterion is not None else -1),
            s.submitted_at or datetime.max)


def rank_standings(standings: list[Standing]) -> None:
    """Order in place and give ranks by the stated tie rules (competition ranking: 1, 1, 3)."""
    standings.sort(key=lambda s: (s.score is None, _sort_key(s)))
    previous = None
    for position, standing in enumerate(standings, start=1):
        if standing.score is None:
            standing.rank = None
            continue
        if previous is not None and previous.score == standing.score:
            if previous.top_criterion != standing.top_criterion:
                standing.tie_note = "criterion"
                previous.tie_note = previous.tie_note or "criterion"
            elif previous.submitted_at != standing.submitted_at:
                standing.tie_note = "submission_time"
                previous.tie_note = previous.tie_note or "submission_time"
            else:
                standing.rank = previous.rank
                standing.tie_note = previous.tie_note = "ex_aequo"
                previous = standing
                continue
        standing.rank = position
        previous = standing


TIE_NOTE_TITLES = {"criterion": _l("tie broken by the heaviest criterion"),
                   "submission_time": _l("tie broken by the earlier submission"),
                   "ex_aequo": _l("ex aequo")}


def publish_results(edition: Edition, by: User, at: datetime | None = None) -> list[ResultEntry]:
    """Freeze the ranking and make it visible at ``at`` (default: the announced time, or now if it has passed)."""
    now = utcnow()
    at = at or max(edition.results_at, now)
    if edition.results_published_at is not None and edition.results_published_at <= now:
        raise DomainError(_("The results are already published."), code="already_published", status=409)
    standings = compute_standings(edition)
    db.session.execute(delete(ResultEntry).where(ResultEntry.edition_id == edition.id))
    entries = []
    for challenge_id, rows in standings.items():
        for s in rows:
            if s.rank is None:
                continue
            entry = ResultEntry(edition_id=edition.id, challenge_id=challenge_id, team_id=s.team_id, rank=s.rank,
                                score=s.score, jury_score=s.jury_score, auto_score=s.auto_score, sheets=s.sheets,
                                tie_note=s.tie_note, award=s.award)
            db.session.add(entry)
            entries.append(entry)
    edition.results_published_at = at
    edition.results_published_by_id = by.id
    db.session.flush()
    _announce_results(edition, at, now)
    enqueue("idarathon_results_to_gradebook", {"edition_id": edition.id, "published_at": at.isoformat()},
            delay=max(at - now, timedelta(0)))
    return entries


def _announce_results(edition: Edition, at: datetime, now: datetime) -> None:
    """In-app notices dated at publication (hidden until then) and mails held by the outbox until then."""
    from .services import notify, recipients

    link = url_for("idarathon.results", edition_id=edition.id)
    for user in recipients(edition):
        with force_locale(user.preferred_language):
            text = _("The results of %(edition)s are published.", edition=edition.display_title)
            notify(user, text, link, edition, at=at)
            if user.email:
                enqueue("email", {"to": user.email, "subject": _("[Idarathon] %(title)s", title=text),
                                  "body": text + "\n", "html": None},
                        dedupe_key=f"idarathon-results-{edition.id}-{user.id}-{at.isoformat()}",
                        delay=max(at - now, timedelta(0)))


def withdraw_results(edition: Edition) -> None:
    """Before the published instant only: take the scheduled results back (nothing was visible yet)."""
    if edition.results_visible():
        raise DomainError(_("Visible results cannot be withdrawn."), code="already_visible", status=409)
    from lms.core.outbox import OutboxMessage

    from .models import Notification

    now = utcnow()
    db.session.execute(delete(ResultEntry).where(ResultEntry.edition_id == edition.id))
    # The announcements of the withdrawn publication must never go out: queued mails and future-dated notices.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.delivered_at.is_(None),
                                                   OutboxMessage.dedupe_key.like(f"idarathon-results-{edition.id}-%")))
    db.session.execute(delete(Notification).where(Notification.edition_id == edition.id,
                                                  Notification.created_at > now))
    edition.results_published_at = None
    edition.results_published_by_id = None
    db.session.flush()


def published_results(edition: Edition) -> dict[int, list[ResultEntry]]:
    """The frozen results by challenge, or nothing when they are not visible yet. Callers check access too."""
    if not edition.results_visible():
        return {}
    entries = db.session.scalars(select(ResultEntry).where(ResultEntry.edition_id == edition.id)
                                 .order_by(ResultEntry.challenge_id, ResultEntry.rank, ResultEntry.team_id))
    grouped: dict[int, list[ResultEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.challenge_id, []).append(entry)
    return grouped


def result_of_team(team: Team) -> ResultEntry | None:
    if not team.edition.results_visible():
        return None
    return db.session.scalar(select(ResultEntry).where(ResultEntry.team_id == team.id))


@outbox_handler("idarathon_results_to_gradebook")
def _results_to_gradebook(payload: dict) -> None:
    """At the published instant, the consolidated score reaches the course gradebook of linked activities."""
    from lms.courses.models import Activity
    from lms.courses.results import report_result

    from .models import ChallengeActivity

    edition = db.session.get(Edition, payload["edition_id"])
    if edition is None or edition.results_published_at is None:
        return
    if not edition.results_visible():
        raise RuntimeError("results not visible yet")  # retried later by the outbox
    for entry in db.session.scalars(select(ResultEntry).where(ResultEntry.edition_id == edition.id)):
        activities = list(db.session.scalars(select(Activity).join(ChallengeActivity,
                                                                    ChallengeActivity.activity_id == Activity.id)
                                             .where(ChallengeActivity.challenge_id == entry.challenge_id)))
        if not activities:
            continue
        members = db.session.scalars(select(User).join(TeamMember, TeamMember.user_id == User.id)
                                     .where(TeamMember.team_id == entry.team_id))
        for user in members:
            for activity in activities:
                report_result(activity, user, completed=True, score=max(0.0, min(1.0, entry.score / 100)),
                              raw=entry.score, max=100.0)


def challenge_map(edition: Edition) -> dict[int, Challenge]:
    return {c.id: c for c in edition.challenges}
