"""Organiser actions over HTTP: edit, staff, rubric, jury assignment, mentors, rebalancing, extensions,
announcements, join requests."""
from datetime import timedelta

from sqlalchemy import select

from lms.core.db import utcnow
from lms.idarathon import services
from lms.idarathon.models import DeadlineOverride, JuryAssignment, StaffRole
from tests.factories import make_user

from .factories import make_challenge, make_edition, make_participant, make_team


def test_organiser_workflow_over_http(app, db, client, auth):
    organiser = make_user()
    with app.test_request_context("/"):
        edition = make_edition(organiser=organiser, team_max_size=3)
        challenge = make_challenge(edition)
        big, small = make_team(edition, challenge, size=3), make_team(edition, challenge, size=1)
        mentor, juror = make_user("mentor.x"), make_user("juror.x")
        db.session.commit()
    auth.login(organiser)
    edit = client.get(f"/idarathon/{edition.id}/edit").get_data(as_text=True)
    assert 'value="' in edit
    # Staff, rubric, jury assignment.
    assert client.post(f"/idarathon/{edition.id}/staff", data={"username": "mentor.x", "role": "mentor"}).status_code == 302
    client.post(f"/idarathon/{edition.id}/staff", data={"username": "juror.x", "role": "jury"})
    assert client.post(f"/idarathon/{edition.id}/staff", data={"username": "nobody", "role": "jury"}).status_code == 200
    response = client.post(f"/idarathon/{edition.id}/rubric",
                           data={"criteria": "3 | 10 | الأثر | Impact\n1 | 5 | العرض | Pitch"})
    assert response.status_code == 302
    assert [(c.weight, c.max_points, c.name["fr"]) for c in edition.criteria] == [(3.0, 10, "Impact"), (1.0, 5, "Pitch")]
    client.post(f"/idarathon/challenges/{challenge.id}/jury", data={"user_id": str(juror.id)})
    assert db.session.scalar(select(JuryAssignment).where(JuryAssignment.user_id == juror.id)) is not None
    # Mentor, rebalancing, extension.
    client.post(f"/idarathon/teams/{small.id}/mentor", data={"mentor-mentor_id": str(mentor.id)})
    assert small.mentor_id == mentor.id
    auth.logout()
    auth.login(mentor)
    assert f'/idarathon/teams/{small.id}"' in client.get(f"/idarathon/{edition.id}/").get_data(as_text=True)
    assert client.get(f"/idarathon/teams/{small.id}").status_code == 200
    auth.logout()
    auth.login(organiser)
    moving = big.members[-1]
    client.post(f"/idarathon/teams/{big.id}/move",
                data={"move-member_id": str(moving.id), "move-target_team_id": str(small.id)})
    assert services.member_count(small) == 2 and services.member_count(big) == 2
    client.post(f"/idarathon/teams/{small.id}/override",
                data={"override-until": (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
                      "override-reason": "Coupure réseau"})
    assert db.session.scalar(select(DeadlineOverride).where(DeadlineOverride.team_id == small.id)).reason == \
        "Coupure réseau"
    # Pages render for the organiser.
    for url in (f"/idarathon/{edition.id}/manage", f"/idarathon/teams/{small.id}", f"/idarathon/{edition.id}/reports",
                f"/idarathon/{edition.id}/announcements", f"/idarathon/challenges/{challenge.id}"):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/idarathon/{edition.id}/announcements",
                           data={"title": "Rappel", "body": "Date limite vendredi", "challenge_id": "", "by_email": "y"})
    assert response.status_code == 302
    assert "Rappel" in client.get(f"/idarathon/{edition.id}/announcements").get_data(as_text=True)


def test_join_request_over_http(app, db, client, auth):
    with app.test_request_context("/"):
        edition = make_edition()
        team = make_team(edition)
        applicant = make_participant(edition)
        db.session.commit()
    auth.login(applicant)
    client.post(f"/idarathon/teams/{team.id}/request", data={"message": "Je code en Python"})
    auth.logout()
    auth.login(team.captain)
    page = client.get(f"/idarathon/teams/{team.id}").get_data(as_text=True)
    assert "Je code en Python" in page
    from lms.idarathon.models import JoinRequest

    join_request = db.session.scalar(select(JoinRequest).where(JoinRequest.team_id == team.id))
    client.post(f"/idarathon/teams/{team.id}/requests/{join_request.id}", data={"decision": "accept"})
    assert services.team_of(edition, applicant).id == team.id
    auth.logout()
    auth.login(applicant)
    client.post(f"/idarathon/teams/{team.id}/leave")
    assert services.team_of(edition, applicant) is None


def test_a_participant_registers_over_http_and_staff_cannot(app, db, client, auth):
    with app.test_request_context("/"):
        edition = make_edition("registration")
        person = make_user()
        juror = make_user()
        services.add_staff(edition, juror, StaffRole.jury)
        db.session.commit()
    auth.login(person)
    response = client.post(f"/idarathon/{edition.id}/register", data={"job_role": "Ingénieure", "skills": "SIG, data"})
    assert response.status_code == 302
    participant = services.participant_of(edition, person)
    assert participant.skills == ["SIG", "data"]
    auth.logout()
    auth.login(juror)
    assert client.get(f"/idarathon/{edition.id}/register").status_code == 403


def test_form_dates_round_trip_through_the_local_zone(app):
    from lms.idarathon.forms import aware_utc, local_naive

    with app.test_request_context("/"):
        edition_deadline = utcnow().replace(microsecond=0, second=0)
        assert aware_utc(local_naive(edition_deadline)) == edition_deadline
