"""Builders for Idarathon test data (flush only)."""
from __future__ import annotations

import io
import itertools
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from lms.core.db import db, utcnow
from lms.idarathon import services
from lms.idarathon.models import ChallengeStatus, StaffRole
from tests.factories import make_administration, make_user

DAY = timedelta(days=1)
_slugs = itertools.count(1)


def calendar(phase: str = "hacking") -> dict:
    """Dates relative to now so that the edition is in ``phase``."""
    now = utcnow()
    offsets = {
        # (reg opens, reg closes, kick-off, deadline, jury starts, jury ends, results)
        "registration": (-1, 5, 6, 10, 11, 12, 13),
        "hacking": (-5, 2, -1, 3, 4, 5, 6),
        "jury": (-10, -8, -7, -0.01, -0.005, 2, 3),
    }[phase]
    names = ("registration_opens_at", "registration_closes_at", "kickoff_at", "submission_deadline",
             "jury_starts_at", "jury_ends_at", "results_at")
    return {name: now + DAY * offset for name, offset in zip(names, offsets)}


def make_edition(phase: str = "hacking", *, slug: str | None = None, organiser=None, **fields):
    slug = slug or f"edition-{next(_slugs)}"
    fields.setdefault("team_min_size", 1)  # most tests submit with a one-person team
    edition = services.create_edition(slug=slug, year=2026, title={"ar": "إدارثون", "fr": "Idarathon"},
                                      dates=calendar(phase), created_by=organiser, **fields)
    return edition


def make_challenge(edition, *, type_key: str = "standard", published: bool = True, title: str = "Défi",
                   proposer=None, settings: dict | None = None):
    proposer = proposer or make_user(administration=make_administration())
    challenge = services.propose_challenge(edition, proposer, title={"fr": title, "ar": "تحدي " + title},
                                           context={"fr": "Contexte"}, expected_outcome={"fr": "Résultat"},
                                           type_key=type_key, contact_name="Contact", settings=settings)
    if published:
        challenge.status = ChallengeStatus.published
    db.session.flush()
    return challenge


def make_participant(edition, user=None, *, administration=None, gender=None, **user_fields):
    user = user or make_user(administration=administration or make_administration(), gender=gender, **user_fields)
    saved = (edition.registration_opens_at, edition.registration_closes_at)
    services.register_participant(edition, user, job_role="Cadre", skills=["data"], now=saved[0])
    return user


def make_team(edition, challenge=None, *, size: int = 1, name: str | None = None):
    captain = make_participant(edition)
    team = services.create_team(edition, captain, name or f"Team {captain.id}", challenge=challenge,
                                now=edition.kickoff_at)
    for _i in range(size - 1):
        services.add_member(team, make_participant(edition), now=edition.kickoff_at)
    return team


def make_staff(edition, role: StaffRole, user=None, **user_fields):
    user = user or make_user(administration=make_administration(), **user_fields)
    services.add_staff(edition, user, role)
    return user


def upload(name: str, data: bytes, mimetype: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)


def rubric(edition, spec=((3, 10), (1, 10))):
    return services.set_rubric(edition, [{"name": {"fr": f"Critère {i}"}, "weight": w, "max_points": m}
                                         for i, (w, m) in enumerate(spec)])
