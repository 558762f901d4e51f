"""The satisfaction survey: invited attendees answer once; answers aggregate per event and per trainer."""
import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import DomainError
from lms.sessions import services
from lms.sessions.models import AttendanceStatus as A, SurveyResponse
from tests.factories import make_user
from tests.sessions.factories import make_event, make_session


def _finished_event(people, trainer, anonymous=True):
    event = make_event(survey_anonymous=anonymous)
    event.trainers = [trainer]
    session = make_session(event)
    for person in people:
        services.register(session.id, person)
    services.record_attendance(session, {p.id: A.present for p in people}, None)
    return event


def test_answers_are_aggregated_per_question_and_per_trainer(app):
    people = [make_user() for _ in range(3)]
    trainer = make_user(role="instructor")
    event = _finished_event(people, trainer)
    for person, overall, rating in zip(people, (5, 4, 2), (5, 5, 3)):
        services.submit_survey(event, person, {"overall": str(overall), "content": "4", "comments": "Très utile",
                                               f"trainer:{trainer.id}": str(rating)})
    results = services.survey_results(event)
    overall = next(q for q in results["questions"] if q["id"] == "overall")
    assert overall["count"] == 3 and overall["mean"] == pytest.approx(3.67)
    assert overall["distribution"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert results["satisfaction_percent"] == pytest.approx(66.7)
    assert results["responses"] == 3 and results["invited"] == 3
    comments = next(q for q in results["questions"] if q["id"] == "comments")
    assert comments["texts"] == ["Très utile"] * 3
    (trainer_result,) = results["trainers"]
    assert trainer_result["mean"] == pytest.approx(4.33) and trainer_result["count"] == 3
    assert services.trainer_results(trainer)["count"] == 3


def test_anonymous_answers_do_not_keep_the_person(app):
    person, trainer = make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer, anonymous=True)
    services.submit_survey(event, person, {"overall": "5"})
    assert db.session.scalar(select(SurveyResponse)).user_id is None


def test_named_answers_keep_the_person(app):
    person, trainer = make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer, anonymous=False)
    services.submit_survey(event, person, {"overall": "5"})
    assert db.session.scalar(select(SurveyResponse)).user_id == person.id


def test_one_answer_per_person_and_only_invited_people(app):
    person, outsider, trainer = make_user(), make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer)
    services.submit_survey(event, person, {"overall": "3"})
    with pytest.raises(DomainError) as twice:
        services.submit_survey(event, person, {"overall": "3"})
    assert twice.value.code == "already_answered"
    with pytest.raises(DomainError) as stranger:
        services.submit_survey(event, outsider, {"overall": "3"})
    assert stranger.value.code == "not_invited"


def test_out_of_scale_values_are_refused(app):
    person, trainer = make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer)
    with pytest.raises(DomainError):
        services.submit_survey(event, person, {"overall": "9"})


def test_survey_form_round_trip(app, client, auth):
    person, trainer = make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer)
    db.session.commit()
    auth.login(person)
    page = client.get(f"/training/events/{event.id}/survey")
    assert page.status_code == 200 and 'name="overall"' in page.get_data(as_text=True)
    response = client.post(f"/training/events/{event.id}/survey", data={"overall": "4", "comments": "Bien"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(SurveyResponse)).answers == {"overall": 4, "comments": "Bien"}


def test_the_organiser_edits_the_questions_until_someone_answers(app, client, auth):
    organiser, person, trainer = make_user(role="instructor", language="fr"), make_user(), make_user(role="instructor")
    event = _finished_event([person], trainer)
    event.organiser_id = organiser.id
    db.session.commit()
    auth.login(organiser)
    overall_fr = next(q for q in event.survey_questions if q["id"] == "overall")["text"]["fr"]
    response = client.post(f"/training/events/{event.id}/survey-questions", data={
        "sq-scale": f"{overall_fr}\nLe rythme était adapté", "sq-free_text": "Qu'avez-vous appris ?"})
    assert response.status_code == 302
    db.session.expire_all()
    questions = db.session.get(type(event), event.id).survey_questions
    assert [q["kind"] for q in questions] == ["scale", "scale", "text"]
    assert questions[0]["id"] == "overall" and questions[0]["text"]["ar"]  # unchanged line keeps its translations
    assert questions[1]["text"] == {"fr": "Le rythme était adapté"}
    services.submit_survey(db.session.get(type(event), event.id), person, {questions[1]["id"]: "4"})
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.set_survey_questions(db.session.get(type(event), event.id), ["x"], [], "fr")
    assert refused.value.code == "survey_answered"
