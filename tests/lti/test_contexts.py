"""A platform context linked to a course section and/or a cohort: by the CLI and the admin screen; launches
land on the section, enrolments (launch and roster sync) carry the cohort, lists filter by it."""
from __future__ import annotations

from sqlalchemy import select

from lms.courses.models import Enrolment
from lms.lti.contexts import cohort_enrolments, course_cohorts, record_cohort
from lms.lti.models import LtiContext, LtiEnrolmentCohort, LtiUserLink
from lms.lti.platforms import register_platform
from tests.factories import make_activity, make_course, make_user

from .conftest import LEARNER
from .platform import launch

ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _two_section_course(db, shortname):
    course = make_course(shortname, title="Gestion publique", sections=2)
    first, second = course.sections
    make_activity(course, "lti_test_page", title="Lecture du module un", section=first)
    activity = make_activity(course, "lti_test_page", title="Lecture du module deux", section=second)
    ids = (course.id, first.id, second.id, activity.uuid)
    db.session.commit()
    return ids


def test_cli_links_a_context_to_a_section_and_cohort_and_launches_follow_it(registered, runner, browser_session, db):
    platform = registered
    course_id, _first_id, second_id, activity_uuid = _two_section_course(db, "gestion-publique")
    result = runner.invoke(args=["lti", "link-context", "--issuer", platform.issuer, "--client-id", platform.client_id,
                                 "--context-id", "ctx-module-2", "--course", "gestion-publique", "--section", "2",
                                 "--cohort", "Promo  2026 Rabat"])
    assert result.exit_code == 0, result.output
    assert "cohort Promo 2026 Rabat" in result.output
    db.session.rollback()

    # A placement naming no content lands on the linked section; the enrolment is in the whole course.
    hint = platform.resource_link(sub="cohort-learner", name="Salma Idrissi", roles=LEARNER, ctx="ctx-module-2",
                                  resource_link_id="rl-module-2")
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 200, response.text[:1500]
    assert response.url.endswith(f"/lti/sections/{second_id}")
    assert "Lecture du module deux" in response.text and "Lecture du module un" not in response.text
    db.session.rollback()
    user_id = db.session.scalar(select(LtiUserLink.user_id).where(LtiUserLink.sub == "cohort-learner"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user_id))
    assert enrolment.course_id == course_id
    assert [e.user_id for e in cohort_enrolments(course_id, "Promo 2026 Rabat")] == [user_id]
    assert course_cohorts(course_id) == ["Promo 2026 Rabat"]

    # A placement on an activity still opens the activity.
    hint = platform.resource_link(sub="cohort-learner", roles=LEARNER, ctx="ctx-module-2", resource_link_id="rl-act",
                                  custom={"tamkeen_activity": activity_uuid})
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 200 and 'id="page-body"' in response.text and "/sections/" not in response.url

    # The roster read from the platform tags its members with the cohort too.
    platform.add_context("ctx-module-2", members=[
        {"user_id": "roster-member", "name": "Karim Alaoui", "roles": [ROLE + "Learner"], "status": "Active"}])
    from lms.lti.services import sync_roster

    db.session.rollback()
    context = db.session.scalar(select(LtiContext).where(LtiContext.context_id == "ctx-module-2"))
    assert sync_roster(context) == 1
    db.session.commit()
    names = sorted(e.user.full_name for e in cohort_enrolments(course_id, "Promo 2026 Rabat"))
    assert names == ["Karim Alaoui", "Salma Idrissi"]


def test_cli_refuses_a_section_of_another_course(runner, db):
    register_platform(issuer="https://moodle.test", client_id="c", auth_login_url="https://moodle.test/a",
                      auth_token_url="https://moodle.test/t", jwks_url="https://moodle.test/j")
    make_course("one-section")
    db.session.commit()
    result = runner.invoke(args=["lti", "link-context", "--issuer", "https://moodle.test", "--context-id", "x",
                                 "--course", "one-section", "--section", "3"])
    assert result.exit_code != 0 and "no section 3" in result.output


def test_admin_screen_links_and_relinks_a_context_and_the_cohort_list_filters(client, auth, db):
    platform = register_platform(issuer="https://moodle.test", client_id="c1", auth_login_url="https://moodle.test/a",
                                 auth_token_url="https://moodle.test/t", jwks_url="https://moodle.test/j",
                                 name="Moodle test")
    course_id, first_id, second_id, _uuid = _two_section_course(db, "gp-admin")
    other = make_course("other-course")
    other_section_id, platform_id = other.sections[0].id, platform.id
    make_user("lti-ctx-admin", role="administrator")
    db.session.commit()
    auth.login("lti-ctx-admin")
    page = client.get("/lti/admin")
    assert page.status_code == 200 and 'id="context-link-form"' in page.get_data(as_text=True)
    response = client.post("/lti/admin/contexts", data={
        "x-platform": platform_id, "x-context_id": "moodle-course-9", "x-course": course_id,
        "x-section": second_id, "x-cohort": "Groupe A"})
    assert response.status_code == 302
    context = db.session.scalar(select(LtiContext).where(LtiContext.context_id == "moodle-course-9"))
    assert (context.course_id, context.section_id, context.cohort) == (course_id, second_id, "Groupe A")
    context_id = context.id

    # Two learners came through it; one was enrolled by hand (no cohort).
    from lms.courses.services import enrol_user

    tagged = make_user("ctx-learner-a", full_name="Nadia Tagged")
    untagged = make_user("ctx-learner-b", full_name="Omar Untagged")
    from lms.courses.models import Course

    course = db.session.get(Course, course_id)
    record_cohort(enrol_user(course, tagged), db.session.get(LtiContext, context_id))
    enrol_user(course, untagged)
    db.session.commit()

    listing = client.get(f"/lti/courses/{course_id}/cohorts", query_string={"cohort": "Groupe A"})
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Nadia Tagged" in text and "Omar Untagged" not in text
    everyone = client.get(f"/lti/courses/{course_id}/cohorts").get_data(as_text=True)
    assert "Nadia Tagged" in everyone and "Omar Untagged" in everyone

    # Editing: the section of another course is refused; renaming the cohort re-tags the enrolments.
    assert client.get(f"/lti/admin/contexts/{context_id}").status_code == 200
    refused = client.post(f"/lti/admin/contexts/{context_id}", data={
        "course": course_id, "section": other_section_id, "cohort": "Groupe A"})
    assert refused.status_code == 400
    assert b"does not belong to the chosen course" in refused.data
    assert db.session.get(LtiContext, context_id).section_id == second_id
    saved = client.post(f"/lti/admin/contexts/{context_id}", data={"course": course_id, "section": 0,
                                                                   "cohort": "Groupe B"})
    assert saved.status_code == 302
    context = db.session.get(LtiContext, context_id)
    assert context.section_id is None and context.cohort == "Groupe B"
    assert list(db.session.scalars(select(LtiEnrolmentCohort.cohort))) == ["Groupe B"]
    # Clearing the cohort removes the tags.
    client.post(f"/lti/admin/contexts/{context_id}", data={"course": course_id, "section": first_id, "cohort": ""})
    assert db.session.scalar(select(LtiEnrolmentCohort)) is None
    assert db.session.get(LtiContext, context_id).section_id == first_id


def test_cohort_list_is_for_course_staff(client, auth, db):
    course = make_course("staff-only")
    course_id = course.id
    make_user("plain-learner")
    db.session.commit()
    auth.login("plain-learner")
    assert client.get(f"/lti/courses/{course_id}/cohorts").status_code == 403
