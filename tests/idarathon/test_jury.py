"""Jury: assignment, conflicts of interest, blind scoring, score sheets, consolidation and tie rules."""
from datetime import datetime, timedelta, timezone

import pytest

from lms.core.errors import DomainError
from lms.core.permissions import can
from lms.idarathon import scoring, services
from lms.idarathon.models import ScoreSheet, StaffRole
from lms.idarathon.scoring import Standing, rank_standings

from .factories import make_challenge, make_edition, make_participant, make_staff, make_team, rubric, upload

pytestmark = pytest.mark.usefixtures("req")


def _submitted_team(edition, challenge, at=None, **kw):
    team = make_team(edition, challenge, **kw)
    services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]},
                    now=at or edition.kickoff_at + timedelta(hours=1))
    return team


def _juror(edition, challenge, **fields):
    juror = make_staff(edition, StaffRole.jury, **fields)
    services.assign_jury(challenge, juror)
    return juror


def _after_deadline(edition):
    return edition.submission_deadline + timedelta(hours=1)


def _score(juror, team, a, b):
    criteria = list(team.edition.criteria)
    return services.score_team(juror, team, {criteria[0].id: a, criteria[1].id: b}, now=_after_deadline(team.edition))


def test_consolidation_averages_the_weighted_sheets(db):
    edition = make_edition()
    rubric(edition)  # weight 3 and weight 1, out of 10
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    _score(_juror(edition, challenge), team, 8, 6)    # (0.8*3 + 0.6)/4 = 75
    _score(_juror(edition, challenge), team, 6, 10)   # (0.6*3 + 1.0)/4 = 70
    standing = scoring.compute_standings(edition)[challenge.id][0]
    assert standing.sheets == 2
    assert standing.score == pytest.approx(72.5)
    assert standing.rank == 1


def test_draft_sheets_do_not_count(db):
    edition = make_edition()
    criteria = rubric(edition)
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    services.score_team(_juror(edition, challenge), team, {criteria[0].id: 2}, final=False,
                        now=_after_deadline(edition))
    assert scoring.compute_standings(edition)[challenge.id][0].score is None


def test_ties_are_broken_by_the_heaviest_criterion_then_by_submission_time(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition)
    t0 = edition.kickoff_at + timedelta(hours=1)
    strong_on_impact = _submitted_team(edition, challenge, at=t0 + timedelta(hours=5))
    balanced = _submitted_team(edition, challenge, at=t0)
    early = _submitted_team(edition, challenge, at=t0 + timedelta(hours=1))
    late = _submitted_team(edition, challenge, at=t0 + timedelta(hours=2))
    juror = _juror(edition, challenge)
    _score(juror, strong_on_impact, 10, 0)   # 75, impact 100
    _score(juror, balanced, 8, 6)            # 75, impact 80
    _score(juror, early, 6, 2)               # 50
    _score(juror, late, 6, 2)                # 50, later
    ranked = scoring.compute_standings(edition)[challenge.id]
    assert [s.team_id for s in ranked] == [strong_on_impact.id, balanced.id, early.id, late.id]
    assert [s.rank for s in ranked] == [1, 2, 3, 4]
    assert [s.tie_note for s in ranked] == ["criterion", "criterion", "submission_time", "submission_time"]


def test_teams_equal_on_every_rule_share_the_rank():
    when = datetime(2026, 5, 1, tzinfo=timezone.utc)
    rows = [Standing(1, "A", 1, 1, 60, None, 60.0, 70, when), Standing(2, "B", 1, 1, 80, None, 80.0, 70, when),
            Standing(3, "C", 1, 1, 60, None, 60.0, 70, when), Standing(4, "D", 1, 1, 40, None, 40.0, 10, when),
            Standing(5, "E", 1, 0, None, None, None, None, when)]
    rank_standings(rows)
    assert [(s.team_name, s.rank) for s in rows] == [("B", 1), ("A", 2), ("C", 2), ("D", 4), ("E", None)]
    assert rows[1].tie_note == rows[2].tie_note == "ex_aequo"
    assert [s.award for s in rows] == ["first", "second", "second", None, None]


def test_a_data_challenge_mixes_the_automatic_score_with_the_jury(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition, type_key="data", settings={"auto_weight": 0.4})
    services.set_answer_key(challenge, b"id,label\n1,a\n2,b\n")
    team = make_team(edition, challenge)
    services.submit(team, team.captain, uploads={"data": [upload("p.csv", b"1,a\n2,a\n")]})
    _score(_juror(edition, challenge), team, 8, 6)  # jury 75, auto 50 %
    standing = scoring.compute_standings(edition)[challenge.id][0]
    assert standing.auto_score == pytest.approx(0.5)
    assert standing.score == pytest.approx(0.4 * 50 + 0.6 * 75)


def test_a_declared_conflict_of_interest_blocks_scoring_and_removes_an_earlier_sheet(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    juror = _juror(edition, challenge)
    _score(juror, team, 5, 5)
    services.declare_conflict(juror, team, "Ancien collègue")
    assert db.session.query(ScoreSheet).filter_by(team_id=team.id).count() == 0
    with pytest.raises(DomainError) as refused:
        _score(juror, team, 9, 9)
    assert refused.value.code == "conflict_of_interest" and refused.value.status == 403
    assert "Ancien collègue" in refused.value.message
    assert not can(juror, "idarathon.score", team)


def test_a_juror_from_a_team_members_administration_is_in_conflict(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    colleague = _juror(edition, challenge)
    colleague.administration_id = team.members[0].user.administration_id
    with pytest.raises(DomainError) as refused:
        _score(colleague, team, 5, 5)
    assert refused.value.code == "conflict_of_interest"
    edition.conflict_same_administration = False
    _score(colleague, team, 5, 5)


def test_the_mentor_of_a_team_cannot_score_it(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    juror = _juror(edition, challenge)
    services.add_staff(edition, juror, StaffRole.mentor)
    services.assign_mentor(team, juror)
    assert services.conflict_reason(juror, team) is not None
    with pytest.raises(DomainError):
        _score(juror, team, 5, 5)


def test_only_jurors_assigned_to_the_challenge_score_and_only_after_the_deadline(db):
    edition = make_edition()
    criteria = rubric(edition)
    challenge, other = make_challenge(edition), make_challenge(edition)
    team = _submitted_team(edition, challenge)
    outsider = _juror(edition, other)
    with pytest.raises(DomainError) as refused:
        _score(outsider, team, 5, 5)
    assert refused.value.code == "not_assigned"
    juror = _juror(edition, challenge)
    with pytest.raises(DomainError) as refused:
        services.score_team(juror, team, {c.id: 5 for c in criteria}, now=edition.kickoff_at + timedelta(hours=2))
    assert refused.value.code == "scoring_not_open"
    with pytest.raises(DomainError) as refused:
        _score(juror, team, 11, 5)
    assert refused.value.code == "bad_mark"


def test_a_team_member_cannot_become_a_juror(db):
    edition = make_edition()
    team = make_team(edition)
    with pytest.raises(DomainError):
        services.add_staff(edition, team.captain, StaffRole.jury)


def test_blind_scoring_hides_team_names_and_members_from_the_jury(db, client, auth):
    edition = make_edition("jury", blind_scoring=True)
    rubric(edition)
    challenge = make_challenge(edition)
    team = make_team(edition, challenge, name="Équipe Secrète")
    services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]},
                    now=edition.kickoff_at + timedelta(hours=1))
    juror = _juror(edition, challenge)
    member_name = team.captain.full_name
    db.session.commit()
    auth.login(juror)
    listing = client.get(f"/idarathon/{edition.id}/jury").get_data(as_text=True)
    sheet = client.get(f"/idarathon/teams/{team.id}/score").get_data(as_text=True)
    for page in (listing, sheet):
        assert team.blind_label in page
        assert "Équipe Secrète" not in page and member_name not in page


def test_a_juror_scores_through_the_sheet_form(db, client, auth):
    edition = make_edition("jury")
    criteria = rubric(edition)
    challenge = make_challenge(edition)
    team = make_team(edition, challenge)
    services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]},
                    now=edition.kickoff_at + timedelta(hours=1))
    juror = _juror(edition, challenge)
    db.session.commit()
    auth.login(juror)
    response = client.post(f"/idarathon/teams/{team.id}/score",
                           data={f"mark-{criteria[0].id}": "7", f"mark-{criteria[1].id}": "9,5", "comment": "Bien",
                                 "action": "submit"})
    assert response.status_code == 302
    sheet = services.sheet_for(team, juror)
    assert sheet.submitted_at is not None and sorted(m.points for m in sheet.marks) == [7.0, 9.5]
    # A participant cannot open the sheet of any team.
    auth.logout()
    auth.login(make_participant(edition))
    db.session.commit()
    assert client.get(f"/idarathon/teams/{team.id}/score").status_code == 403


def test_the_rubric_is_locked_once_scoring_started(db):
    edition = make_edition()
    rubric(edition)
    challenge = make_challenge(edition)
    team = _submitted_team(edition, challenge)
    _score(_juror(edition, challenge), team, 5, 5)
    with pytest.raises(DomainError) as refused:
        rubric(edition, spec=((1, 5),))
    assert refused.value.code == "rubric_locked"
