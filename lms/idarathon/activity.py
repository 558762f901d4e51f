"""The course joint: an Idarathon challenge shown as a course activity (type key ``idarathon_challenge``).

The link lives in the type's own table (``ChallengeActivity``). Submitting reports completion through
``lms.courses.results.report_result``; the consolidated score follows at the published instant only.
"""
from __future__ import annotations

from flask import redirect, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from lms.core.db import db
from lms.core.i18n import _l, localized
from lms.courses.activities import ActivityType, register_activity_type

from .models import Challenge, ChallengeActivity, ChallengeStatus


def _challenge_choices():
    challenges = db.session.scalars(select(Challenge).where(Challenge.status == ChallengeStatus.published)
                                    .order_by(Challenge.id.desc()))
    return [(c.id, f"{localized(c.edition.title)} — {localized(c.title)}") for c in challenges]


class ChallengeActivityForm(FlaskForm):
    challenge_id = SelectField(_l("Idarathon challenge"), coerce=int, choices=_challenge_choices,
                               validators=[DataRequired(message=_l("This field is required."))])


def challenge_of(activity) -> Challenge | None:
    return db.session.scalar(select(Challenge).join(ChallengeActivity, ChallengeActivity.challenge_id == Challenge.id)
                             .where(ChallengeActivity.activity_id == activity.id))


@register_activity_type
class IdarathonChallengeActivity(ActivityType):
    key = "idarathon_challenge"
    title = _l("Idarathon challenge")
    description = _l("A hackathon challenge: teams submit their work and the jury scores it.")
    icon = "🏁"
    graded = True
    form_class = ChallengeActivityForm
    xapi_activity_type = "http://adlnet.gov/expapi/activities/assessment"
    completion_rules = ("viewed", "completed", "grade")

    def create(self, activity, form) -> None:
        challenge = db.get_or_404(Challenge, form.challenge_id.data)
        self._link(activity, challenge)

    def update(self, activity, form) -> None:
        challenge = db.get_or_404(Challenge, form.challenge_id.data)
        link = db.session.scalar(select(ChallengeActivity).where(ChallengeActivity.activity_id == activity.id))
        if link is None:
            self._link(activity, challenge)
        else:
            link.challenge_id = challenge.id
            activity.settings = {**(activity.settings or {}), "challenge_uuid": challenge.uuid}
            db.session.flush()

    def fill_form(self, activity, form) -> None:
        challenge = challenge_of(activity)
        if challenge is not None:
            form.challenge_id.data = challenge.id

    @staticmethod
    def _link(activity, challenge: Challenge) -> None:
        activity.settings = {**(activity.settings or {}), "challenge_uuid": challenge.uuid}
        db.session.add(ChallengeActivity(activity_id=activity.id, challenge_id=challenge.id))
        db.session.flush()

    def launch_url(self, activity) -> str:
        challenge = challenge_of(activity)
        if challenge is None:
            return url_for("idarathon.index")
        return url_for("idarathon.challenge", challenge_id=challenge.id)

    def view(self, activity):
        return redirect(self.launch_url(activity))

    def export_data(self, activity) -> dict:
        challenge = challenge_of(activity)
        return {"challenge_uuid": challenge.uuid if challenge else None}

    def import_data(self, activity, data: dict) -> None:
        uuid = (data or {}).get("challenge_uuid")
        challenge = db.session.scalar(select(Challenge).where(Challenge.uuid == uuid)) if uuid else None
        if challenge is not None:
            self._link(activity, challenge)
