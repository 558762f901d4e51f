"""Idarathon access rules (checked through lms.core.permissions; administrators pass every rule)."""
from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import SiteRole
from lms.core.db import db
from lms.core.permissions import permission_rule

from .models import (Challenge, ChallengeStatus, Edition, EditionStaff, JuryAssignment, Participant, StaffRole,
                     Submission, Team, TeamMember)


def has_staff_role(user, edition: Edition, *roles: StaffRole) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(EditionStaff.id).where(
        EditionStaff.edition_id == edition.id, EditionStaff.user_id == user.id,
        EditionStaff.role.in_(roles)).limit(1)) is not None


def is_organiser(user, edition: Edition) -> bool:
    return has_staff_role(user, edition, StaffRole.organiser)


def is_participant(user, edition: Edition) -> bool:
    return db.session.scalar(select(Participant.id).where(Participant.edition_id == edition.id,
                                                          Participant.user_id == user.id)) is not None


def is_member(user, team: Team) -> bool:
    return db.session.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                         TeamMember.user_id == user.id)) is not None


def is_assigned_juror(user, challenge_id: int | None) -> bool:
    if challenge_id is None:
        return False
    return db.session.scalar(select(JuryAssignment.id).where(JuryAssignment.challenge_id == challenge_id,
                                                             JuryAssignment.user_id == user.id)) is not None


@permission_rule("idarathon.create_edition")
def _create_edition(user, _obj=None) -> bool:
    return user.role == SiteRole.manager


@permission_rule("idarathon.manage")
def _manage(user, edition: Edition) -> bool:
    return is_organiser(user, edition)


@permission_rule("idarathon.view_results", allow_anonymous=True)
def _view_results(user, edition: Edition) -> bool:
    """Results exist for participants only from the published instant; organisers follow them live."""
    if edition.results_visible():
        return True
    return user is not None and is_organiser(user, edition)


@permission_rule("idarathon.register")
def _register(user, edition: Edition) -> bool:
    return not has_staff_role(user, edition, StaffRole.organiser, StaffRole.jury)


@permission_rule("idarathon.propose_challenge")
def _propose(user, edition: Edition) -> bool:
    return user.administration_id is not None or is_organiser(user, edition)


@permission_rule("idarathon.view_challenge", allow_anonymous=True)
def _view_challenge(user, challenge: Challenge) -> bool:
    if challenge.status == ChallengeStatus.published:
        return True
    if user is None:
        return False
    return challenge.proposed_by_id == user.id or is_organiser(user, challenge.edition)


@permission_rule("idarathon.ask_question")
def _ask(user, challenge: Challenge) -> bool:
    return challenge.is_published and is_participant(user, challenge.edition)


@permission_rule("idarathon.answer_question")
def _answer(user, challenge: Challenge) -> bool:
    return has_staff_role(user, challenge.edition, StaffRole.organiser, StaffRole.mentor)


@permission_rule("idarathon.view_team")
def _view_team(user, team: Team) -> bool:
    return (is_member(user, team) or team.mentor_id == user.id or is_organiser(user, team.edition))


@permission_rule("idarathon.manage_team")
def _manage_team(user, team: Team) -> bool:
    return team.captain_id == user.id or is_organiser(user, team.edition)


@permission_rule("idarathon.submit")
def _submit(user, team: Team) -> bool:
    return is_member(user, team)


@permission_rule("idarathon.view_submission")
def _view_submission(user, submission: Submission) -> bool:
    team = submission.team
    if is_member(user, team) or team.mentor_id == user.id or is_organiser(user, team.edition):
        return True
    from .services import conflict_reason

    return is_assigned_juror(user, submission.challenge_id) and conflict_reason(user, team) is None


@permission_rule("idarathon.jury")
def _jury(user, edition: Edition) -> bool:
    return has_staff_role(user, edition, StaffRole.jury)


@permission_rule("idarathon.score")
def _score(user, team: Team) -> bool:
    from .services import conflict_reason

    return is_assigned_juror(user, team.challenge_id) and conflict_reason(user, team) is None


@permission_rule("idarathon.view_reports")
def _reports(user, edition: Edition) -> bool:
    return user.role == SiteRole.manager or is_organiser(user, edition)
