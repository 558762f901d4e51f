"""Results stay invisible to participants until the published instant, through every URL and API."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.core.db import utcnow
from lms.core.outbox import OutboxMessage
from lms.idarathon import scoring, services
from lms.idarathon.models import Question, StaffRole

from .factories import make_challenge, make_edition, make_staff, make_team, rubric, upload

SECRET_SCORES = ("78.75", "78,75", "78٫75")


@pytest.fixture
def scored(app, db):
    """An edition after its deadline: one scored team (78.75/100), a question, a join request, a course link."""
    with app.test_request_context("/"):
        organiser = make_staff(make_edition(), StaffRole.organiser, language="en")
        edition = make_edition("jury", organiser=organiser)
        criteria = rubric(edition)
        challenge = make_challenge(edition)
        services.add_resource(challenge, upload("data.csv", b"a,b\n"))
        team = make_team(edition, challenge, size=2)
        participant = team.members[1].user
        participant.preferred_language = "en"
        submission = services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]},
                                     now=edition.kickoff_at + timedelta(hours=1))
        juror = make_staff(edition, StaffRole.jury)
        services.assign_jury(challenge, juror)
        services.score_team(juror, team, {criteria[0].id: 7.5, criteria[1].id: 9})
        question = Question(challenge_id=challenge.id, asked_by_id=participant.id, body="Q?")
        db.session.add(question)
        from tests.factories import make_course

        course = make_course()
        activity = services.expose_in_course(challenge, course.sections[0])
        db.session.flush()
        ids = {"edition_id": edition.id, "challenge_id": challenge.id, "team_id": team.id,
               "submission_id": submission.id, "file_id": submission.files[0].id,
               "resource_id": challenge.resources[0].id, "question_id": question.id, "request_id": 1,
               "fmt": "csv"}
        db.session.commit()
    return dict(edition=edition, team=team, participant=participant, organiser=organiser, ids=ids,
                activity=activity, challenge=challenge)


def _every_get_url(app, ids):
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("idarathon.", "idarathon_api.")) or "GET" not in rule.methods:
            continue
        if rule.endpoint == "idarathon.static":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(ids[name]), url)
        urls.append(url)
    urls += ["/idarathon/1/reports.xlsx".replace("1", str(ids["edition_id"]), 1)]
    return urls


def _leaks(body: str) -> list[str]:
    found = [s for s in SECRET_SCORES if s in body]
    for word in ("First prize", '"rank"', "Rank 1"):
        if word in body:
            found.append(word)
    return found


def _assert_hidden(app, client, ids):
    urls = _every_get_url(app, ids)
    assert len(urls) >= 25  # every page and API of the area, not a hand-picked few
    for url in urls:
        for accept in ("text/html", "application/json"):
            response = client.get(url, headers={"Accept": accept})
            body = response.get_data(as_text=True) if response.mimetype != "application/pdf" else ""
            assert not _leaks(body), (url, accept, response.status_code, _leaks(body))
    assert client.get(f"/idarathon/{ids['edition_id']}/results").status_code == 403
    assert client.get(f"/api/idarathon/editions/{ids['edition_id']}/results").status_code == 404
    assert client.get(f"/api/idarathon/teams/{ids['team_id']}").get_json()["result"] is None
    assert client.get(f"/idarathon/teams/{ids['team_id']}/award.pdf").status_code == 404


def test_a_participant_reads_no_result_anywhere_before_publication(app, client, auth, scored):
    auth.login(scored["participant"])
    _assert_hidden(app, client, scored["ids"])


def test_anonymous_visitors_read_no_result_before_publication(app, client, scored):
    for url in _every_get_url(app, scored["ids"]):
        assert not _leaks(client.get(url).get_data(as_text=True)), url


def test_results_scheduled_for_the_announced_time_stay_hidden_until_then(app, db, client, auth, scored):
    edition, participant = scored["edition"], scored["participant"]
    with app.test_request_context("/"):
        scoring.publish_results(edition, scored["organiser"])  # at results_at, three days ahead
        db.session.commit()
    assert edition.results_published_at > utcnow()
    auth.login(participant)
    _assert_hidden(app, client, scored["ids"])
    # The notice and the mail exist, dated at publication: not shown, not sent.
    assert "published" not in client.get("/idarathon/notifications").get_data(as_text=True)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email",
                                                           OutboxMessage.dedupe_key.like("idarathon-results-%"))).all()
    assert mails and all(m.due_at >= edition.results_published_at for m in mails)
    from lms.core.outbox import process_due

    process_due()
    assert all(db.session.get(OutboxMessage, m.id).delivered_at is None for m in mails)
    from lms.courses.results import get_result

    result = get_result(scored["activity"], participant)
    assert result is None or result.score is None


def test_organisers_follow_the_live_consolidation_before_publication(app, client, auth, scored):
    auth.login(scored["organiser"])
    page = client.get(f"/idarathon/{scored['ids']['edition_id']}/results").get_data(as_text=True)
    assert "78.75" in page and "organisers only" in page
    api = client.get(f"/api/idarathon/editions/{scored['ids']['edition_id']}/results").get_json()
    assert api["published"] is False


def test_published_results_reach_participants_the_gradebook_and_the_award(app, db, client, auth, scored):
    edition, participant = scored["edition"], scored["participant"]
    with app.test_request_context("/"):
        scoring.publish_results(edition, scored["organiser"], at=utcnow())
        db.session.commit()
    auth.login(participant)
    page = client.get(f"/idarathon/{edition.id}/results").get_data(as_text=True)
    assert "78.75" in page and "First prize" in page
    api = client.get(f"/api/idarathon/editions/{edition.id}/results").get_json()
    assert api["published"] is True and api["challenges"][0]["standings"][0]["score"] == 78.75
    assert client.get(f"/api/idarathon/teams/{scored['team'].id}").get_json()["result"]["rank"] == 1
    award = client.get(f"/idarathon/teams/{scored['team'].id}/award.pdf")
    assert award.status_code == 200 and award.data.startswith(b"%PDF")
    from lms.core.outbox import process_due
    from lms.courses.results import get_result

    process_due()
    assert get_result(scored["activity"], participant).score == pytest.approx(0.7875)
    # The edition moves to the archives on the home page.
    assert "Archives" in client.get("/idarathon/").get_data(as_text=True)


def test_a_scheduled_publication_can_be_withdrawn_before_it_shows(app, db, scored):
    edition = scored["edition"]
    with app.test_request_context("/"):
        scoring.publish_results(edition, scored["organiser"])
        scoring.withdraw_results(edition)
    assert edition.results_published_at is None and scoring.published_results(edition) == {}
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("idarathon-results-%")))
    assert list(pending) == []
    from lms.idarathon.models import Notification

    assert db.session.scalars(select(Notification).where(Notification.created_at > utcnow())).all() == []
