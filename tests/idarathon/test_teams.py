"""Team rules: size limit, one team per participant per edition, invitation codes, requests, rebalancing."""
import pytest

from lms.core.errors import DomainError
from lms.idarathon import services
from lms.idarathon.models import StaffRole, TeamMember

from .factories import make_challenge, make_edition, make_participant, make_staff, make_team

pytestmark = pytest.mark.usefixtures("req")


def test_a_team_never_grows_beyond_the_size_limit(db):
    edition = make_edition(team_max_size=3)
    team = make_team(edition, size=3)
    late_comer = make_participant(edition)
    with pytest.raises(DomainError) as refused:
        services.join_by_code(edition, late_comer, team.invite_code)
    assert refused.value.code == "team_full"
    assert services.member_count(team) == 3


def test_a_participant_is_in_one_team_per_edition(db):
    edition = make_edition()
    first = make_team(edition)
    second = make_team(edition)
    member = make_participant(edition)
    services.join_by_code(edition, member, first.invite_code)
    with pytest.raises(DomainError) as refused:
        services.join_by_code(edition, member, second.invite_code)
    assert refused.value.code == "already_in_team"
    with pytest.raises(DomainError):
        services.create_team(edition, member, "Another one")


def test_the_database_refuses_a_second_membership_in_the_same_edition(db):
    edition = make_edition()
    first, second = make_team(edition), make_team(edition)
    with pytest.raises(DomainError) as refused:
        services._insert_member(second, first.captain)
    assert refused.value.code == "already_in_team"


def test_the_same_person_may_join_teams_of_different_editions(db):
    edition, other = make_edition(), make_edition()
    person = make_participant(edition)
    make_participant(other, person)
    services.join_by_code(edition, person, make_team(edition).invite_code)
    services.join_by_code(other, person, make_team(other).invite_code)
    assert services.team_of(edition, person) is not None and services.team_of(other, person) is not None


def test_an_invitation_code_is_case_and_dash_tolerant_but_bound_to_its_edition(db):
    edition, other = make_edition(), make_edition()
    team = make_team(edition)
    joiner = make_participant(edition)
    outsider = make_participant(other)
    with pytest.raises(DomainError) as refused:
        services.join_by_code(other, outsider, team.invite_code)
    assert refused.value.code == "bad_invite_code"
    with pytest.raises(DomainError):
        services.join_by_code(edition, joiner, "NOPE1234")
    code = team.invite_code.lower()
    services.join_by_code(edition, joiner, f"{code[:4]}-{code[4:]}")
    assert services.team_of(edition, joiner).id == team.id


def test_a_regenerated_code_replaces_the_old_one(db):
    edition = make_edition()
    team = make_team(edition)
    old = team.invite_code
    new = services.regenerate_code(team)
    assert new != old
    with pytest.raises(DomainError):
        services.join_by_code(edition, make_participant(edition), old)


def test_only_registered_participants_join(db):
    from tests.factories import make_user

    edition = make_edition()
    team = make_team(edition)
    with pytest.raises(DomainError) as refused:
        services.join_by_code(edition, make_user(), team.invite_code)
    assert refused.value.code == "not_registered"


def test_teams_freeze_after_the_submission_deadline(db):
    edition = make_edition("jury")
    team = make_team(edition)
    with pytest.raises(DomainError) as refused:
        services.join_by_code(edition, make_participant(edition), team.invite_code)
    assert refused.value.code == "teams_closed"


def test_a_join_request_accepted_by_the_captain_adds_the_member(db):
    edition = make_edition(team_max_size=2)
    team = make_team(edition)
    applicant = make_participant(edition)
    other_team = make_team(edition)
    join_request = services.request_to_join(team, applicant, "Je connais les données")
    elsewhere = services.request_to_join(other_team, applicant)
    services.decide_request(join_request, team.captain, accept=True)
    assert services.team_of(edition, applicant).id == team.id
    assert join_request.status.value == "accepted" and join_request.decided_by_id == team.captain.id
    assert elsewhere.status.value == "refused"  # lapsed once the applicant joined a team
    # The team is now full: a second accepted request is refused by the same limit.
    other = services.request_to_join(make_team(edition), make_participant(edition))
    assert other.status.value == "pending"


def test_a_request_to_a_full_team_cannot_be_accepted(db):
    edition = make_edition(team_max_size=2)
    team = make_team(edition)
    first, second = make_participant(edition), make_participant(edition)
    r1 = services.request_to_join(team, first)
    r2 = services.request_to_join(team, second)
    services.decide_request(r1, team.captain, accept=True)
    with pytest.raises(DomainError) as refused:
        services.decide_request(r2, team.captain, accept=True)
    assert refused.value.code == "team_full"


def test_the_captain_role_passes_on_when_the_captain_leaves(db):
    edition = make_edition()
    team = make_team(edition, size=2)
    captain = team.captain
    services.leave_team(team, captain)
    assert team.captain_id != captain.id and team.captain_id is not None


def test_organisers_rebalance_teams_within_the_size_limit(db):
    organiser = make_staff(make_edition(), StaffRole.organiser)
    edition = make_edition(team_max_size=2, organiser=organiser)
    big, small, full = make_team(edition, size=2), make_team(edition, size=1), make_team(edition, size=2)
    moving = big.members[-1]
    services.move_member(moving, small, organiser)
    assert services.member_count(small) == 2 and services.member_count(big) == 1
    assert db.session.get(TeamMember, moving.id).moved_by_id == organiser.id
    with pytest.raises(DomainError) as refused:
        services.move_member(big.members[0], full, organiser)
    assert refused.value.code == "team_full"


def test_only_a_mentor_of_the_edition_can_be_assigned(db):
    edition = make_edition()
    team = make_team(edition)
    mentor = make_staff(edition, StaffRole.mentor)
    with pytest.raises(DomainError):
        services.assign_mentor(team, make_participant(edition))
    services.assign_mentor(team, mentor)
    assert team.mentor_id == mentor.id


def test_jury_members_cannot_register(db):
    edition = make_edition("registration")
    juror = make_staff(edition, StaffRole.jury)
    with pytest.raises(DomainError) as refused:
        services.register_participant(edition, juror, job_role="x")
    assert refused.value.code == "staff_cannot_register"


def test_registration_is_refused_outside_its_window(db):
    from tests.factories import make_user

    edition = make_edition("jury")
    with pytest.raises(DomainError) as refused:
        services.register_participant(edition, make_user(), job_role="x")
    assert refused.value.code == "registration_closed"


def test_joining_through_the_web_with_a_full_team_explains_why(db, client, auth):
    edition = make_edition(team_min_size=1, team_max_size=1)
    team = make_team(edition)
    joiner = make_participant(edition, language="en")
    db.session.commit()
    auth.login(joiner)
    response = client.post(f"/idarathon/{edition.id}/teams/join", data={"join-code": team.invite_code},
                           follow_redirects=True)
    assert "This team is full (1 members at most)." in response.get_data(as_text=True)
    assert services.team_of(edition, joiner) is None


def test_creating_and_joining_a_team_over_http(db, client, auth):
    edition = make_edition()
    challenge = make_challenge(edition)
    captain, mate = make_participant(edition), make_participant(edition)
    db.session.commit()
    auth.login(captain)
    response = client.post(f"/idarathon/{edition.id}/teams/new",
                           data={"create-name": "Les Innovateurs", "create-challenge_id": str(challenge.id)})
    assert response.status_code == 302
    team = services.team_of(edition, captain)
    assert team.name == "Les Innovateurs" and team.challenge_id == challenge.id
    page = client.get(f"/idarathon/teams/{team.id}").get_data(as_text=True)
    assert team.invite_code in page
    auth.logout()
    auth.login(mate)
    client.post(f"/idarathon/{edition.id}/teams/join", data={"join-code": team.invite_code})
    assert services.team_of(edition, mate).id == team.id
    # Someone outside the team cannot open its page.
    auth.logout()
    auth.login(make_participant(edition))
    db.session.commit()
    assert client.get(f"/idarathon/teams/{team.id}").status_code == 403
