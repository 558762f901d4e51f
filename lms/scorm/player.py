"""The player and the run-time endpoints, registered on the SCORM area's blueprint (``scorm.*``).

    GET  /activities/<id>/play                    scorm.play            the player page
    POST /activities/<id>/attempts/new            scorm.new_attempt     learner-started new attempt
    POST /activities/<id>/scorm/reset/<user_id>   scorm.reset_attempts  instructor reset (audited)
    GET  /scorm/content/<version_id>/<path>       scorm.content         the package's files
    POST /scorm/attempts/<id>/launch              scorm.launch_sco      JSON: initial data of a SCO
    POST /scorm/attempts/<id>/commit              scorm.commit          JSON: a numbered batch of API calls
    POST /scorm/attempts/<id>/nav                 scorm.navigate        JSON: a navigation request

The JSON endpoints are called by the player's script with a per-attempt token (an HMAC of the attempt and
the learner) instead of the CSRF header, because ``navigator.sendBeacon`` cannot set headers; the session
cookie (SameSite=Lax) must name the attempt's learner as well.
"""
from __future__ import annotations

import hashlib
import hmac
import json

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.permissions import can, require
from lms.core.security import csrf
from lms.core.storage import storage
from lms.courses.models import Activity

from . import attempts as service
from .blueprint import bp
from .models import ScormPackage, ScormPackageVersion
from .runtime.datamodel import element_table, edition_of
from .runtime.models import ScormAttempt


def attempt_token(attempt: ScormAttempt) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"scorm-attempt:{attempt.id}:{attempt.user_id}".encode(), hashlib.sha256).hexdigest()


def _load_activity_for_learner(activity_id: int) -> Activity:
    activity = db.get_or_404(Activity, activity_id)
    if activity.type_key != "scorm":
        abort(404)
    require("course.participate", activity.course)
    staff = can(current_user, "course.edit", activity.course)
    if not (activity.visible and activity.section.visible) and not staff:
        abort(404)
    if not activity.is_available() and not staff:
        raise DomainError(_("This activity is not open now."), code="not_available", status=403)
    return activity


def _load_attempt(attempt_id: int, payload: dict | None = None) -> ScormAttempt:
    if not current_user.is_authenticated:
        abort(401)  # never a redirect: the player must keep the batch and send it after signing in again
    attempt = db.get_or_404(ScormAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(403)
    token = (payload or {}).get("token") or request.headers.get("X-Scorm-Token", "")
    if not hmac.compare_digest(str(token), attempt_token(attempt)):
        abort(403)
    return attempt


def _json_body() -> dict:
    """Beacons arrive as text/plain; fetch sends application/json. Both carry one JSON object."""
    try:
        data = json.loads(request.get_data(cache=True, as_text=True) or "{}")
    except ValueError:
        abort(400)
    if not isinstance(data, dict):
        abort(400)
    return data


def content_url(version: ScormPackageVersion, item) -> str:
    if item.is_external:
        return item.launch_url
    return url_for("scorm.content", version_id=version.id, relpath="") + (item.launch_url or "")


# --- pages ---------------------------------------------------------------------------------------------

@bp.route("/activities/<int:activity_id>/play")
@login_required
def play(activity_id: int):
    activity = _load_activity_for_learner(activity_id)
    package = ScormPackage.for_activity(activity.id)
    if package is None or package.latest_version is None:
        raise DomainError(_("This activity has no SCORM package yet."), code="no_package", status=404)
    try:
        attempt = service.attempt_for_play(activity, current_user)
    except DomainError as error:
        if error.code != "no_attempts_left":
            raise
        return render_template("scorm/player_closed.html", activity=activity, message=error.message,
                               attempts=service.attempts_of(activity, current_user)), 409
    version = attempt.version
    conf = service.settings(activity)
    nav = service.nav_state(attempt)
    items = {item.identifier: {"url": content_url(version, item), "title": item.title,
                               "hide": list(item.hide_lms_ui or []), "sco": item.is_sco}
             for item in version.launchable_items()}
    config = {
        "attempt": attempt.id, "number": attempt.number, "token": attempt_token(attempt),
        "edition": edition_of(version.scorm_version), "table": element_table(edition_of(version.scorm_version)),
        "lastSeq": attempt.last_seq, "display": conf["scorm_display"], "items": items,
        "urls": {"launch": url_for("scorm.launch_sco", attempt_id=attempt.id),
                 "commit": url_for("scorm.commit", attempt_id=attempt.id),
                 "nav": url_for("scorm.navigate", attempt_id=attempt.id),
                 "course": url_for("courses.view_course", course_id=activity.course_id)
                 if "courses.view_course" in current_app.view_functions else url_for("core.home")},
        "nav": nav, "multi": len(items) > 1, "review": service.is_review(attempt),
        "messages": {"saving": _("Saving…"), "saved": _("All progress saved"),
                     "offline": _("Offline: your progress is kept on this device and will be sent when the "
                                  "connection returns."),
                     "ended": _("You have finished this activity."),
                     "time_up": _("The time allowed for this part is over."),
                     "signed_out": _("Your session has ended: sign in again to save your progress. Nothing "
                                     "is lost: it is kept on this device."), "suspended": _("Your place is saved."),
                     "choose": _("Choose the next part in the table of contents."),
                     "window": _("The content opened in a new window."),
                     "popup_blocked": _("The browser blocked the new window. Use the button to open it.")},
    }
    attempts = service.attempts_of(activity, current_user)
    return render_template("scorm/player.html", activity=activity, attempt=attempt, version=version,
                           config=config, nav=nav, conf=conf, attempts=attempts, review=service.is_review(attempt),
                           can_new_attempt=conf["learner_new_attempt"] and attempt.tracks and
                           service.can_start_new_attempt(activity, current_user))


@bp.route("/activities/<int:activity_id>/attempts/new", methods=["POST"])
@login_required
def new_attempt(activity_id: int):
    activity = _load_activity_for_learner(activity_id)
    service.start_new_attempt(activity, current_user)
    return redirect(url_for("scorm.play", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/scorm/reset/<int:user_id>", methods=["POST"])
@login_required
def reset_attempts(activity_id: int, user_id: int):
    from lms.accounts.models import User

    activity = db.get_or_404(Activity, activity_id)
    require("course.grade", activity.course)
    learner = db.get_or_404(User, user_id)
    service.reset_attempts(activity, learner, current_user, reason=(request.form.get("reason") or "").strip() or None)
    flash(_("The attempts of %(name)s were reset.", name=learner.full_name or learner.username), "success")
    return redirect(request.form.get("next") or url_for("scorm.report_attempts", activity_id=activity.id))


@bp.route("/scorm/content/<int:version_id>/<path:relpath>")
@login_required
def content(version_id: int, relpath: str):
    version = db.get_or_404(ScormPackageVersion, version_id)
    course = version.package.activity.course
    if not (can(current_user, "course.participate", course) or can(current_user, "course.edit", course)):
        abort(403)
    return storage.send_package_file(version.digest, relpath)


# --- run-time JSON -------------------------------------------------------------------------------------

@bp.route("/scorm/attempts/<int:attempt_id>/launch", methods=["POST"])
def launch_sco(attempt_id: int):
    payload = _json_body()
    attempt = _load_attempt(attempt_id, payload)
    data = service.launch(attempt, str(payload.get("item") or ""))
    item = attempt.version.item(data["item"])
    data["url"] = content_url(attempt.version, item)
    data["hide"] = list(item.hide_lms_ui or [])
    data["nav"] = service.nav_state(attempt)
    return jsonify(data)


@bp.route("/scorm/attempts/<int:attempt_id>/commit", methods=["POST"])
def commit(attempt_id: int):
    payload = _json_body()
    _load_attempt(attempt_id, payload)
    try:
        result = service.apply_commit(attempt_id, payload)
    except service.CommitOutOfOrder as error:
        response = jsonify({"error": {"code": error.code, "message": error.message, "status": 409},
                            "expected": error.expected, "conflict": error.conflict})
        return response, 409
    return jsonify(result)


@bp.route("/scorm/attempts/<int:attempt_id>/nav", methods=["POST"])
def navigate(attempt_id: int):
    payload = _json_body()
    attempt = _load_attempt(attempt_id, payload)
    result = service.navigate(attempt, str(payload.get("request") or "_none_"), payload.get("target") or None)
    return jsonify(result)


for _view in (launch_sco, commit, navigate):
    csrf.exempt(_view)

# The player, the run-time endpoints and the reports add their rules to this blueprint.
from . import reports as _reports  # noqa: E402,F401
