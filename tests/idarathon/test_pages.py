"""Editions, challenges (proposal, review, resources), Q&A, announcements, notifications, reports,
certificates and demo data."""
import io
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import SiteRole
from lms.core.outbox import OutboxMessage
from lms.idarathon import scoring, services
from lms.idarathon.models import Challenge, ChallengeStatus, Edition, StaffRole
from tests.factories import make_administration, make_user

from .factories import make_challenge, make_edition, make_participant, make_staff, make_team, rubric, upload


def test_the_home_lists_current_editions_and_archives(app, db, client):
    current = make_edition(slug="current")
    past = make_edition("jury", slug="past")
    past.results_published_at = past.submission_deadline
    db.session.commit()
    page = client.get("/idarathon/").get_data(as_text=True)
    assert f'/idarathon/{current.id}/' in page and f'/idarathon/{past.id}/' in page
    assert page.index(f'/idarathon/{current.id}/') < page.index("Archives")  # current first, then archives
    api = client.get("/api/idarathon/editions").get_json()
    assert {e["slug"] for e in api["editions"]} == {"current", "past"}


def test_a_manager_creates_an_edition_and_becomes_its_organiser(app, db, client, auth):
    manager = make_user(role=SiteRole.manager)
    db.session.commit()
    auth.login(manager)
    form = {"slug": "idarathon-2027", "year": "2027", "title_ar": "إدارثون 2027", "title_fr": "Idarathon 2027",
            "theme_ar": "الخدمات الرقمية", "faq": "Qui ? | Les fonctionnaires", "partners": "ADD | https://add.gov.ma",
            "registration_opens_at": "2027-01-01T09:00", "registration_closes_at": "2027-01-20T18:00",
            "kickoff_at": "2027-01-25T09:00", "submission_deadline": "2027-01-27T18:00",
            "jury_starts_at": "2027-01-28T09:00", "jury_ends_at": "2027-01-29T18:00",
            "results_at": "2027-01-30T18:00", "team_min_size": "2", "team_max_size": "4", "max_file_mb": "10",
            "allowed_extensions": "pdf, zip", "conflict_same_administration": "y"}
    response = client.post("/idarathon/editions/new", data=form)
    assert response.status_code == 302
    edition = db.session.scalar(select(Edition).where(Edition.slug == "idarathon-2027"))
    assert edition.team_max_size == 4 and edition.allowed_extensions == ["pdf", "zip"]
    assert edition.partners == [{"name": "ADD", "url": "https://add.gov.ma"}]
    # Casablanca is UTC+1: 18:00 local is 17:00 UTC.
    assert edition.submission_deadline.hour == 17
    assert services.staff_of(edition, StaffRole.organiser)[0].id == manager.id
    bad = dict(form, slug="bad", results_at="2026-01-01T00:00")
    assert client.post("/idarathon/editions/new", data=bad).status_code == 400


def test_learners_cannot_create_editions_or_manage_them(app, db, client, auth):
    edition = make_edition()
    learner = make_user()
    db.session.commit()
    auth.login(learner)
    assert client.get("/idarathon/editions/new").status_code == 403
    for url in (f"/idarathon/{edition.id}/manage", f"/idarathon/{edition.id}/edit", f"/idarathon/{edition.id}/staff",
                f"/idarathon/{edition.id}/rubric", f"/idarathon/{edition.id}/reports"):
        assert client.get(url).status_code == 403, url


def test_a_proposed_challenge_is_hidden_until_an_organiser_publishes_it(app, db, client, auth):
    organiser = make_user()
    edition = make_edition(organiser=organiser)
    proposer = make_user(administration=make_administration())
    db.session.commit()
    auth.login(proposer)
    response = client.post(f"/idarathon/{edition.id}/challenges/propose", data={
        "type_key": "data", "title_ar": "تحدي المياه", "title_fr": "Défi de l'eau", "context_ar": "سياق",
        "outcome_ar": "نتيجة", "contact_name": "Mme Alaoui", "contact_email": "alaoui@example.gov.ma",
        "resources": [(io.BytesIO(b"x,y\n1,2\n"), "donnees.csv")],
        "answer_key": (io.BytesIO(b"id,label\n1,a\n"), "key.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    challenge = db.session.scalar(select(Challenge).where(Challenge.edition_id == edition.id))
    assert challenge.status == ChallengeStatus.proposed and challenge.settings["answer_key"]
    assert challenge.administration_id == proposer.administration_id
    auth.logout()
    outsider = make_user()
    db.session.commit()
    auth.login(outsider)
    assert client.get(f"/idarathon/challenges/{challenge.id}").status_code == 403
    resource = challenge.resources[0]
    assert client.get(f"/idarathon/challenges/{challenge.id}/resources/{resource.id}").status_code == 403
    auth.logout()
    auth.login(organiser)
    client.post(f"/idarathon/challenges/{challenge.id}/review", data={"decision": "publish", "note": "Bien"})
    auth.logout()
    auth.login(outsider)
    page = client.get(f"/idarathon/challenges/{challenge.id}").get_data(as_text=True)
    assert "donnees.csv" in page and "key.csv" not in page
    download = client.get(f"/idarathon/challenges/{challenge.id}/resources/{resource.id}")
    assert download.data == b"x,y\n1,2\n"


def test_answers_on_the_qa_board_are_visible_to_every_team(app, db, client, auth):
    organiser = make_user()
    with app.test_request_context("/"):
        edition = make_edition(organiser=organiser)
        challenge = make_challenge(edition)
        asking, other = make_team(edition, challenge), make_team(edition, challenge)
        question = services.ask_question(challenge, asking.captain, "Les données sont-elles anonymisées ?")
        db.session.commit()
    auth.login(other.captain)
    assert "anonymisées" not in client.get(f"/idarathon/challenges/{challenge.id}").get_data(as_text=True)
    auth.logout()
    auth.login(organiser)
    client.post(f"/idarathon/questions/{question.id}/answer", data={"answer": "Oui, entièrement."})
    auth.logout()
    auth.login(other.captain)
    page = client.get(f"/idarathon/challenges/{challenge.id}").get_data(as_text=True)
    assert "anonymisées" in page and "Oui, entièrement." in page
    assert 'class="idr-count">(1)' in page  # one unread notification
    assert "answered" in client.get("/idarathon/notifications").get_data(as_text=True)


def test_announcements_reach_teams_in_app_and_by_mail_in_their_language(app, db):
    with app.test_request_context("/"):
        organiser = make_user()
        edition = make_edition(organiser=organiser)
        challenge, other_challenge = make_challenge(edition), make_challenge(edition)
        team = make_team(edition, challenge)
        team.captain.preferred_language = "fr"
        elsewhere = make_team(edition, other_challenge)
        services.post_announcement(edition, organiser, "Atelier données", "Mardi à 10 h", challenge=challenge)
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
        assert [m.payload["to"] for m in mails] == [team.captain.email]
        assert mails[0].payload["subject"] == "[Idarathon] Atelier données"
        assert "Un message des organisateurs" in mails[0].payload["body"]
        assert services.notifications_for(team.captain)[0].text == "Annonce : Atelier données"
        assert services.notifications_for(elsewhere.captain) == []
        assert [a.title for a in services.announcements_for(edition, elsewhere.captain)] == []
        services.post_announcement(edition, organiser, "Bienvenue", "À tous", by_email=False)
        assert len(services.announcements_for(edition, elsewhere.captain)) == 1


def test_reports_split_participation_and_export_csv_and_xlsx(app, db, client, auth):
    from openpyxl import load_workbook

    organiser = make_user()
    with app.test_request_context("/"):
        edition = make_edition(organiser=organiser)
        challenge = make_challenge(edition, title="Eau")
        central = make_administration(level="central")
        local = make_administration(level="local")
        team = make_team(edition, challenge)
        for admin, gender in ((central, "female"), (central, "female"), (local, "male")):
            services.add_member(team, make_participant(edition, administration=admin, gender=gender)) \
                if services.member_count(team) < edition.team_max_size else None
        services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]})
        db.session.commit()
    from lms.idarathon.reports import build_reports

    tables = {t["key"]: t for t in build_reports(edition)}
    assert sorted(r[1] for r in tables["gender"]["rows"]) == [1, 1, 2]
    assert sorted(r[1] for r in tables["level"]["rows"]) == [1, 3], tables["level"]
    assert tables["submissions"]["rows"][0][1:] == [1, 1, 1]
    auth.login(organiser)
    csv_text = client.get(f"/idarathon/{edition.id}/reports.csv").get_data(as_text=True)
    assert "Participants by administration" in csv_text and "Eau" in csv_text
    xlsx = client.get(f"/idarathon/{edition.id}/reports.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert set(workbook.sheetnames) == {"administration", "gender", "level", "submissions"}


def test_certificates_are_arabic_pdfs(app, db, client, auth):
    from pypdf import PdfReader

    with app.test_request_context("/"):
        organiser = make_user()
        edition = make_edition("jury", organiser=organiser)
        criteria = rubric(edition)
        challenge = make_challenge(edition, title="Guichet")
        team = make_team(edition, challenge, name="فريق النور")
        team.captain.preferred_language = "ar"
        team.captain.full_name = "سعاد العلمي"
        services.submit(team, team.captain, uploads={"pitch_deck": [upload("d.pdf", b"%PDF")]},
                        now=edition.kickoff_at + timedelta(hours=1))
        juror = make_staff(edition, StaffRole.jury)
        services.assign_jury(challenge, juror)
        services.score_team(juror, team, {c.id: 8 for c in criteria})
        scoring.publish_results(edition, organiser, at=edition.submission_deadline + timedelta(minutes=1))
        db.session.commit()
    auth.login(team.captain)
    participation = client.get(f"/idarathon/{edition.id}/certificate.pdf")
    award = client.get(f"/idarathon/teams/{team.id}/award.pdf")
    assert participation.status_code == award.status_code == 200
    text = PdfReader(io.BytesIO(participation.data)).pages[0].extract_text()
    assert "شهادة" in text or "ةداهش" in text  # shaped Arabic glyphs carry their Unicode text
    fonts = str(PdfReader(io.BytesIO(award.data)).pages[0]["/Resources"]["/Font"])
    assert fonts  # embedded fonts (Noto Naskh Arabic), not the PDF core fonts that lack Arabic
    from lms.certificates.models import Certificate

    issued = db.session.scalars(select(Certificate).where(Certificate.user_id == team.captain.id)).all()
    assert sorted(c.source_key for c in issued) == [f"idarathon:{edition.id}:award",
                                                    f"idarathon:{edition.id}:participation"]
    award_title = next(c for c in issued if c.source_key.endswith("award")).subject_title
    assert award_title["ar"].startswith("الجائزة الأولى") and award_title["fr"].startswith("Premier prix")


def test_demo_data_has_an_edition_with_published_challenges_in_arabic_and_french(app, db, client):
    from lms.idarathon import demo

    for username in ("manager.mtnra", "trainer.ensa", "trainer2.ensa", "fatima.zahra", "youssef.amrani",
                     "salma.tazi"):  # the accounts demo people the Idarathon demo uses (faster than loading it)
        make_user(username, language="ar")
    demo.load_demo()
    demo.load_demo()  # idempotent
    db.session.commit()
    edition = db.session.scalar(select(Edition).where(Edition.slug == "idarathon-2026"))
    published = services.published_challenges(edition)
    assert len(published) >= 2
    assert all(c.title.get("ar") and c.title.get("fr") for c in published)
    assert "إدارثون 2026" in client.get("/idarathon/", headers={"Accept-Language": "ar"}).get_data(as_text=True)


def test_the_course_authoring_form_offers_published_challenges(app, db):
    from werkzeug.datastructures import MultiDict

    from lms.courses.activities import get_activity_type
    from lms.courses.forms import activity_form
    from lms.idarathon.activity import challenge_of
    from tests.factories import make_activity, make_course

    with app.test_request_context("/", method="POST"):
        edition = make_edition()
        published = make_challenge(edition, title="Publié")
        make_challenge(edition, title="Brouillon", published=False)
        kind = get_activity_type("idarathon_challenge")
        form = activity_form(kind, formdata=MultiDict({"challenge_id": str(published.id)}))
        assert [value for value, _label in form.challenge_id.choices] == [published.id]
        activity = make_activity(make_course(), "idarathon_challenge")
        kind.create(activity, form)
        assert challenge_of(activity).id == published.id
        assert kind.launch_url(activity) == f"/idarathon/challenges/{published.id}"
