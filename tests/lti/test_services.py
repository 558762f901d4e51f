"""AGS scores and NRPS rosters delivered to the emulated platform over HTTP, through the outbox."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.core.db import utcnow
from lms.core.outbox import OutboxMessage, process_due
from lms.courses.models import Activity, CourseRole, Enrolment, EnrolmentStatus
from lms.courses.results import report_result
from lms.lti.models import LtiAccessToken, LtiContext, LtiUserLink
from lms.lti.services import scores_url, sync_roster

from .conftest import INSTRUCTOR, LEARNER
from .platform import launch

ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _learner_of(db, sub):
    link = db.session.scalar(select(LtiUserLink).where(LtiUserLink.sub == sub))
    return link.user


def test_moodle_lineitem_urls_get_scores_before_the_query():
    assert scores_url("https://m.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3") == \
        "https://m.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
    assert scores_url("https://canvas.example/api/lti/courses/1/line_items/5") == \
        "https://canvas.example/api/lti/courses/1/line_items/5/scores"


def test_score_is_posted_to_the_platform_line_item(registered, course_data, browser_session, db):
    platform = registered
    item = platform.create_lineitem("ctx-ags", label="Lecture une", scoreMaximum=100)
    hint = platform.resource_link(sub="learner-ags", roles=LEARNER, ctx="ctx-ags", resource_link_id="rl-ags",
                                  custom={"tamkeen_activity": course_data.activity_uuid}, lineitem=item["id"])
    assert launch(browser_session(), platform, hint).status_code == 200
    user = _learner_of(db, "learner-ags")
    activity = db.session.get(Activity, course_data.activity_id)
    report_result(activity, user, completed=True, score=0.8)
    db.session.commit()
    # The view on landing completed the activity ("viewed" rule), then the score: two posts queued.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "lti_ags_score")) == 2
    db.session.rollback()
    assert process_due() == 2
    score = platform.scores[-1]
    assert score["lineitem"] == item["id"]
    assert score["userId"] == "learner-ags"
    assert score["scoreGiven"] == 80.0 and score["scoreMaximum"] == 100.0
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"].endswith("Z")
    # A second result reuses the cached client-credentials token.
    report_result(db.session.get(Activity, course_data.activity_id), _learner_of(db, "learner-ags"), score=0.9)
    db.session.commit()
    process_due()
    assert platform.scores[-1]["scoreGiven"] == 90.0
    assert platform.token_requests == 1
    assert db.session.scalar(select(func.count()).select_from(LtiAccessToken)) == 1
    db.session.rollback()


def test_scores_wait_in_the_outbox_while_the_platform_is_down(registered, course_data, browser_session, db):
    platform = registered
    item = platform.create_lineitem("ctx-down", label="Lecture une")
    hint = platform.resource_link(sub="learner-down", roles=LEARNER, ctx="ctx-down", resource_link_id="rl-down",
                                  custom={"tamkeen_activity": course_data.activity_uuid}, lineitem=item["id"])
    assert launch(browser_session(), platform, hint).status_code == 200
    report_result(db.session.get(Activity, course_data.activity_id), _learner_of(db, "learner-down"), score=0.5)
    db.session.commit()
    platform.ags_down = True
    assert process_due() == 0
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "lti_ags_score")).all()
    assert messages and all(m.attempts == 1 and m.delivered_at is None and "503" in m.last_error for m in messages)
    for message in messages:
        message.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    platform.ags_down = False
    assert process_due() == len(messages)
    assert platform.scores[-1]["scoreGiven"] == 50.0


def test_line_item_is_created_when_the_placement_has_none(registered, course_data, browser_session, db):
    platform = registered
    hint = platform.resource_link(sub="learner-new", roles=LEARNER, ctx="ctx-new", resource_link_id="rl-new",
                                  custom={"tamkeen_activity": course_data.activity_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200
    report_result(db.session.get(Activity, course_data.activity_id), _learner_of(db, "learner-new"), score=1.0,
                  completed=True)
    db.session.commit()
    assert process_due() >= 1
    created = platform.lineitems["ctx-new"]
    assert len(created) == 1 and created[0]["tag"] == f"tamkeen:{course_data.activity_uuid}"
    assert platform.scores[-1]["lineitem"] == created[0]["id"] and platform.scores[-1]["scoreGiven"] == 100.0


def test_roster_is_read_across_every_page(registered, course_data, browser_session, db):
    platform = registered
    members = [{"user_id": f"member-{i}", "name": f"Member {i}", "status": "Active",
                "roles": [ROLE + ("Instructor" if i == 0 else "Mentor" if i == 1 else "Learner")]} for i in range(5)]
    members.append({"user_id": "gone", "name": "Gone", "status": "Inactive", "roles": [ROLE + "Learner"]})
    platform.add_context("ctx-roster", members)
    hint = platform.resource_link(sub="member-0", roles=INSTRUCTOR, ctx="ctx-roster", resource_link_id="rl-roster",
                                  custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200
    context = db.session.scalar(select(LtiContext).where(LtiContext.context_id == "ctx-roster"))
    assert sync_roster(context) == 5
    db.session.commit()
    assert len(platform.nrps_requests) == 3  # three pages of two
    assert any("pageToken=PaGe-2-Xy" in url for url in platform.nrps_requests)  # case kept
    roles = dict(db.session.execute(
        select(LtiUserLink.sub, Enrolment.role).join(Enrolment, Enrolment.user_id == LtiUserLink.user_id)
        .where(Enrolment.course_id == course_data.course_id)).all())
    assert roles == {"member-0": CourseRole.instructor, "member-1": CourseRole.tutor, "member-2": CourseRole.learner,
                     "member-3": CourseRole.learner, "member-4": CourseRole.learner}
    # Member 4 leaves the platform course: the next sync suspends the LTI enrolment.
    platform.members["ctx-roster"][4]["status"] = "Inactive"
    assert sync_roster(db.session.get(LtiContext, context.id)) == 4
    db.session.commit()
    status = db.session.scalar(select(Enrolment.status).join(LtiUserLink, Enrolment.user_id == LtiUserLink.user_id)
                               .where(LtiUserLink.sub == "member-4"))
    assert status == EnrolmentStatus.suspended
    db.session.rollback()


def test_instructor_launch_queues_a_roster_sync(registered, course_data, browser_session, db):
    platform = registered
    platform.add_context("ctx-auto", [{"user_id": f"auto-{i}", "name": f"Auto {i}", "status": "Active",
                                       "roles": [ROLE + "Learner"]} for i in range(3)])
    hint = platform.resource_link(sub="teacher-auto", roles=INSTRUCTOR, ctx="ctx-auto", resource_link_id="rl-auto",
                                  custom={"tamkeen_course": course_data.course_uuid})
    assert launch(browser_session(), platform, hint).status_code == 200
    assert process_due() == 1
    count = db.session.scalar(select(func.count()).select_from(Enrolment)
                              .where(Enrolment.course_id == course_data.course_id))
    assert count == 4  # the instructor and three learners
    db.session.rollback()
