"""Submissions: versions, file rules, the deadline (late refused with a clear message, recorded override),
data challenges scored automatically, completion reported through the course joint."""
import io
from datetime import timedelta

import pytest

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.i18n import force_locale
from lms.idarathon import services
from lms.idarathon.models import DeadlineOverride, StaffRole

from .factories import make_challenge, make_edition, make_staff, make_team, upload

pytestmark = pytest.mark.usefixtures("req")


def _pdf():
    return upload("pitch.pdf", b"%PDF-1.4 pitch", "application/pdf")


def test_each_submission_is_a_new_version_until_the_deadline(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition), size=2)
    first = services.submit(team, team.captain, summary="v1", uploads={"pitch_deck": [_pdf()]})
    second = services.submit(team, team.members[1].user, summary="v2", uploads={"pitch_deck": [_pdf()]},
                             link_url="https://example.org/repo")
    assert (first.version, second.version) == (1, 2)
    assert services.latest_submission(team).id == second.id
    assert second.files[0].filename == "pitch.pdf" and second.files[0].size == len(b"%PDF-1.4 pitch")


def test_a_late_submission_is_refused_with_a_clear_message(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    after = edition.submission_deadline + timedelta(minutes=1)
    for language, expected in (("en", "late submissions are refused"), ("fr", "les soumissions en retard sont refusées"),
                               ("ar", "تُرفض الإيداعات المتأخرة")):
        with force_locale(language), pytest.raises(DomainError) as refused:
            services.submit(team, team.captain, summary="late", uploads={"pitch_deck": [_pdf()]}, now=after)
        assert refused.value.code == "deadline_passed" and refused.value.status == 409
        assert expected in refused.value.message
    assert services.submissions_of(team) == []


def test_an_organiser_extension_lets_one_team_submit_late_and_is_recorded(db):
    organiser = make_staff(make_edition(), StaffRole.organiser)
    edition = make_edition(organiser=organiser)
    team, other = make_team(edition, make_challenge(edition)), None
    challenge = team.challenge
    other = make_team(edition, challenge)
    after = edition.submission_deadline + timedelta(hours=1)
    override = services.grant_override(team, organiser, after + timedelta(hours=1), "Panne d'électricité")
    submission = services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]}, now=after)
    assert submission.late and submission.override_id == override.id
    stored = db.session.get(DeadlineOverride, override.id)
    assert stored.granted_by_id == organiser.id and stored.reason == "Panne d'électricité"
    with pytest.raises(DomainError):
        services.submit(other, other.captain, uploads={"pitch_deck": [_pdf()]}, now=after)
    with pytest.raises(DomainError):  # the extension itself ends
        services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]}, now=after + timedelta(hours=2))


def test_an_extension_needs_a_reason(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError):
        services.grant_override(team, team.captain, utcnow(), "  ")


def test_submissions_open_at_kickoff(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]},
                        now=edition.kickoff_at - timedelta(minutes=1))
    assert refused.value.code == "not_started"


def test_file_types_and_sizes_are_limited(db):
    edition = make_edition(max_file_mb=1, allowed_extensions=["pdf", "zip"])
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"pitch_deck": [upload("virus.exe", b"MZ")]})
    assert refused.value.code == "file_type_refused" and refused.value.status == 415
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"pitch_deck": [upload("big.pdf", b"x" * (1024 * 1024 + 1))]})
    assert refused.value.code == "file_too_large" and refused.value.status == 413


def test_a_standard_challenge_requires_a_pitch_deck(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, summary="no deck", link_url="https://example.org")
    assert refused.value.code == "file_required"


def test_a_data_challenge_scores_the_predictions_automatically(db):
    edition = make_edition()
    challenge = make_challenge(edition, type_key="data")
    services.set_answer_key(challenge, b"id,label\n1,a\n2,b\n3,a\n4,b\n")
    team = make_team(edition, challenge)
    submission = services.submit(team, team.captain, uploads={"data": [upload("p.csv", b"id,label\n1,a\n2,b\n3,b\n")]})
    assert submission.auto_score == pytest.approx(0.5)
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"data": [upload("p.pdf", b"%PDF")]})
    assert refused.value.code == "bad_predictions"


def test_the_challenge_type_registry_takes_a_new_kind_without_touching_the_services(db):
    from lms.idarathon.challenge_types import ChallengeType, challenge_types, register_challenge_type

    @register_challenge_type
    class LinkOnly(ChallengeType):
        key = "link_only_test"
        title = "Link only"
        file_kinds = {}

        def auto_score(self, challenge, submission):
            return 1.0 if submission.link_url else 0.0

    try:
        edition = make_edition()
        team = make_team(edition, make_challenge(edition, type_key="link_only_test"))
        submission = services.submit(team, team.captain, link_url="https://example.org/app")
        assert submission.auto_score == 1.0
    finally:
        challenge_types.pop("link_only_test", None)


def test_only_members_submit(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    outsider = make_team(edition).captain
    with pytest.raises(DomainError):
        services.submit(team, outsider, uploads={"pitch_deck": [_pdf()]})


def test_submitting_reports_completion_through_the_course_joint_without_a_score(db):
    from lms.courses.results import get_result
    from tests.factories import make_course

    edition = make_edition()
    challenge = make_challenge(edition)
    course = make_course()
    activity = services.expose_in_course(challenge, course.sections[0])
    assert activity.type.launch_url(activity).endswith(f"/idarathon/challenges/{challenge.id}")
    team = make_team(edition, challenge, size=2)
    services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]})
    for member in team.members:
        result = get_result(activity, member.user)
        assert result.completed is True and result.is_complete and result.score is None


def test_the_activity_type_exports_and_imports_its_challenge_link(db):
    from lms.courses.activities import get_activity_type
    from tests.factories import make_activity, make_course

    edition = make_edition()
    challenge = make_challenge(edition)
    course = make_course()
    kind = get_activity_type("idarathon_challenge")
    source = services.expose_in_course(challenge, course.sections[0])
    copy = make_activity(course, "idarathon_challenge")
    kind.copy(source, copy)
    from lms.idarathon.activity import challenge_of

    assert challenge_of(copy).id == challenge.id
    assert kind.export_data(copy) == {"challenge_uuid": challenge.uuid}


def test_late_submission_over_http_shows_the_message(db, client, auth):
    edition = make_edition("jury")
    team = make_team(edition, make_challenge(edition))
    team.captain.preferred_language = "en"
    db.session.commit()
    auth.login(team.captain)
    response = client.post(f"/idarathon/teams/{team.id}/submit",
                           data={"summary": "too late", "pitch_deck": (io.BytesIO(b"%PDF"), "deck.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 409
    assert "late submissions are refused" in response.get_data(as_text=True)


def test_submitting_over_http_stores_the_files(db, client, auth):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    db.session.commit()
    auth.login(team.captain)
    response = client.post(f"/idarathon/teams/{team.id}/submit",
                           data={"summary": "notre solution", "video_url": "https://video.example/1",
                                 "pitch_deck": (io.BytesIO(b"%PDF-1.4"), "deck.pdf"),
                                 "deliverable": [(io.BytesIO(b"a,b"), "data.csv"), (io.BytesIO(b"PK"), "code.zip")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    submission = services.latest_submission(team)
    assert sorted(f.filename for f in submission.files) == ["code.zip", "data.csv", "deck.pdf"]
    deck = next(f for f in submission.files if f.kind == "pitch_deck")
    download = client.get(f"/idarathon/submissions/{submission.id}/files/{deck.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4"


def test_a_team_below_the_minimum_size_cannot_submit(db):
    edition = make_edition(team_min_size=2)
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]})
    assert refused.value.code == "team_too_small"


def test_only_web_links_are_accepted(db):
    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    with pytest.raises(DomainError) as refused:
        services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]}, link_url="javascript:alert(1)")
    assert refused.value.code == "bad_url"


def test_registration_and_submission_are_recorded_as_xapi_statements(db):
    from sqlalchemy import select

    from lms.lrs.models import Statement

    edition = make_edition()
    team = make_team(edition, make_challenge(edition))
    services.submit(team, team.captain, uploads={"pitch_deck": [_pdf()]})
    statements = db.session.scalars(select(Statement)).all()
    verbs = sorted(s.verb_iri for s in statements)
    assert verbs == ["http://activitystrea.ms/schema/1.0/submit", "http://adlnet.gov/expapi/verbs/registered"]
    submitted = next(s for s in statements if s.verb_iri.endswith("submit"))
    assert submitted.data["actor"]["account"]["name"] == team.captain.uuid
    assert submitted.object_iri.endswith(f"/idarathon-challenge/{team.challenge.uuid}")
