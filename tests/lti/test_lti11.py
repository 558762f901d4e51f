"""LTI 1.1: OAuth 1.0a launches verified by oauthlib, replays and stale timestamps refused, outcomes sent."""
from __future__ import annotations

import time
import uuid

from sqlalchemy import select

from lms.core.outbox import process_due
from lms.courses.models import Activity, CourseRole, Enrolment
from lms.courses.results import report_result
from lms.lti.models import LtiUserLink


def _params(course_data, **extra):
    params = {"resource_link_id": "res-1", "context_id": "moodle-course-3", "user_id": "42",
              "roles": "Learner", "lis_person_name_full": "Salma Bennani",
              "lis_person_contact_email_primary": "salma@moodle.test", "launch_presentation_locale": "fr",
              "custom_tamkeen_activity": course_data.activity_uuid}
    params.update(extra)
    return params


def _consumer(runner, key="moodle.example.org", secret="s3cret-shared"):
    result = runner.invoke(args=["lti", "add-consumer", key, secret])
    assert result.exit_code == 0, result.output
    from lms.core.db import db

    db.session.rollback()  # never hold a transaction while the live server works (SQLite)
    return key, secret


def test_moodle_style_launch_lands_in_the_activity(platform, runner, course_data, browser_session, db):
    key, secret = _consumer(runner)
    url = platform.tool_url + "/lti/1.1/launch"
    # Moodle sends 32-character nonces, which oauthlib's defaults (20-30) refuse.
    fields = platform.sign_lti11(url, key, secret, _params(course_data), nonce=uuid.uuid4().hex)
    assert len(fields["oauth_nonce"]) == 32
    response = browser_session().post(url, data=fields)
    assert response.status_code == 200, response.text[:1500]
    assert "Contenu de la page" in response.text
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == "42"))
    assert link.issuer == f"lti11:{key}"
    assert db.session.scalar(select(Enrolment.role).where(Enrolment.user_id == link.user_id)) == CourseRole.learner
    db.session.rollback()


def test_bad_signature_is_refused(platform, runner, course_data, browser_session):
    key, _secret = _consumer(runner)
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, "not-the-secret", _params(course_data))
    response = browser_session().post(url, data=fields)
    assert response.status_code == 401 and 'data-error-code="lti11_bad_signature"' in response.text


def test_replayed_nonce_is_refused(platform, runner, course_data, browser_session):
    key, secret = _consumer(runner)
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, secret, _params(course_data))
    assert browser_session().post(url, data=fields).status_code == 200
    again = browser_session().post(url, data=fields)
    assert again.status_code == 401 and 'data-error-code="lti11_replayed"' in again.text


def test_stale_timestamp_is_refused(platform, runner, course_data, browser_session):
    key, secret = _consumer(runner)
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, secret, _params(course_data), timestamp=int(time.time()) - 3600)
    response = browser_session().post(url, data=fields)
    assert response.status_code == 401 and 'data-error-code="lti11_stale_timestamp"' in response.text
    assert "stale timestamp" in response.text


def test_uuid_nonces_and_long_keys_are_accepted(platform, runner, course_data, browser_session):
    key, secret = _consumer(runner, key="blackboard-" + "k" * 60, secret="x" * 40)
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, secret, _params(course_data, user_id="77"), nonce=str(uuid.uuid4()))
    assert browser_session().post(url, data=fields).status_code == 200


def test_instructor_role_is_mapped(platform, runner, course_data, browser_session, db):
    key, secret = _consumer(runner)
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, secret, _params(course_data, user_id="99",
                                                           roles="urn:lti:role:ims/lis/Instructor"))
    assert browser_session().post(url, data=fields).status_code == 200
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == "99"))
    assert db.session.scalar(select(Enrolment.role).where(Enrolment.user_id == link.user_id)) == CourseRole.instructor
    db.session.rollback()


def test_outcome_replace_result_is_sent_to_the_consumer(platform, runner, course_data, browser_session, db):
    key, secret = _consumer(runner)
    platform.lti11_consumers[key] = secret
    url = platform.tool_url + "/lti/1.1/launch"
    fields = platform.sign_lti11(url, key, secret, _params(
        course_data, lis_outcome_service_url=platform.url + "/outcomes", lis_result_sourcedid="sourced-42-res-1"))
    assert browser_session().post(url, data=fields).status_code == 200
    user = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == "42")).user
    report_result(db.session.get(Activity, course_data.activity_id), user, score=0.75, completed=True)
    db.session.commit()
    assert process_due() == 1
    assert platform.outcomes == [{"sourcedid": "sourced-42-res-1", "score": 0.75}]
