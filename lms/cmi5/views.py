"""cmi5 and TinCan pages: the course structure with each AU's status, AU launch (OwnWindow: the window
goes to the AU; AnyWindow: the AU plays in a frame of an LMS page), the one-time fetch URL, the return URL,
package files, waivers; TinCan launch."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _
from lms.core.permissions import can, require
from lms.core.storage import storage
from lms.courses.models import Activity

from . import services
from .forms import LaunchForm, WaiveForm
from .models import Cmi5AU, Cmi5Course, TinCanPackage


# --- load and check -----------------------------------------------------------------------------------------

def _load_activity(activity_id: int, type_key: str) -> Activity:
    activity = db.get_or_404(Activity, activity_id)
    if activity.type_key != type_key:
        abort(404)
    if not (can(current_user, "course.participate", activity.course) or can(current_user, "course.edit",
                                                                            activity.course)):
        require("course.participate", activity.course)
    return activity


def _for_learner(activity: Activity) -> None:
    require("course.participate", activity.course)
    if not activity.is_available() and not can(current_user, "course.edit", activity.course):
        raise DomainError(_("This activity is not open now."), code="not_available", status=403)


def _load_au(activity: Activity, au_id: int) -> Cmi5AU:
    au = db.get_or_404(Cmi5AU, au_id)
    if au.course.activity_id != activity.id:
        abort(404)
    return au


def _tree(course: Cmi5Course, states: dict) -> list[dict]:
    """Blocks and AUs in document order, as nested dicts for the template. A block's AUs are contiguous in
    cmi5.xml, so a block takes its place where its first AU appears."""
    blocks = {b.publisher_id: b for b in course.blocks}
    top: list[dict] = []
    nodes: dict[str, dict] = {}
    for au in course.aus:
        children = top
        for block_id in au.parent_ids or []:
            node = nodes.get(block_id)
            if node is None:
                node = nodes[block_id] = {"kind": "block", "block": blocks[block_id], "children": []}
                children.append(node)
            children = node["children"]
        children.append({"kind": "au", "au": au, "state": states.get(au.id)})
    return top


# --- pages --------------------------------------------------------------------------------------------------

def view_course(activity_id: int):
    activity = _load_activity(activity_id, "cmi5")
    course = Cmi5Course.for_activity(activity.id)
    if course is None:
        raise DomainError(_("This activity has no cmi5 course yet."), code="no_package", status=404)
    registration = None
    states: dict = {}
    learner = can(current_user, "course.participate", activity.course)
    if learner:
        registration = services.current_registration(activity, current_user)
        if registration is not None:
            services.abandon_idle_sessions(registration=registration)
            states = services.au_states(registration)
    satisfied = set(registration.satisfied or []) if registration else set()
    return render_template("cmi5/course.html", activity=activity, course=course, tree=_tree(course, states),
                           registration=registration, satisfied=satisfied, learner=learner,
                           course_satisfied=course.publisher_id in satisfied, form=LaunchForm(),
                           waive_form=WaiveForm(), can_edit=can(current_user, "course.edit", activity.course),
                           can_grade=can(current_user, "course.grade", activity.course))


def launch_au(activity_id: int, au_id: int):
    activity = _load_activity(activity_id, "cmi5")
    _for_learner(activity)
    au = _load_au(activity, au_id)
    form = LaunchForm()
    if not form.validate_on_submit():
        abort(400)
    mode = form.mode.data or "Normal"
    session, url = services.launch(activity, au, current_user, mode=mode)
    if au.launch_method == "OwnWindow":
        return redirect(url)
    return render_template("cmi5/player.html", activity=activity, au=au, session=session, url=url)


def new_attempt(activity_id: int):
    activity = _load_activity(activity_id, "cmi5")
    _for_learner(activity)
    if not LaunchForm().validate_on_submit():
        abort(400)
    services.registration_for(activity, current_user, new_attempt=True)
    flash(_("A new attempt has started."), "success")
    return redirect(url_for("cmi5.view_course", activity_id=activity.id))


def learners(activity_id: int):
    """Staff: each learner's registration, satisfied AUs and the course; waive an AU for a learner."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.courses.models import CourseRole, Enrolment

    activity = db.get_or_404(Activity, activity_id)
    if activity.type_key != "cmi5":
        abort(404)
    require("course.grade", activity.course)
    course = Cmi5Course.for_activity(activity.id)
    if course is None:
        abort(404)
    users = db.session.scalars(select(User).join(Enrolment, Enrolment.user_id == User.id).where(
        Enrolment.course_id == activity.course_id, Enrolment.role == CourseRole.learner)
        .order_by(User.full_name, User.username)).all()
    rows = []
    for user in users:
        registration = services.current_registration(activity, user)
        states = services.au_states(registration) if registration else {}
        open_aus = [au for au in course.aus if not (states.get(au.id) and states[au.id].satisfied)]
        done = bool(registration and course.publisher_id in (registration.satisfied or []))
        rows.append({"user": user, "registration": registration, "open_aus": open_aus,
                     "satisfied": len(course.aus) - len(open_aus), "course_satisfied": done})
    return render_template("cmi5/learners.html", activity=activity, course=course, rows=rows,
                           form=WaiveForm())


def waive_au(activity_id: int, au_id: int, user_id: int):
    from lms.accounts.models import User

    activity = db.get_or_404(Activity, activity_id)
    require("course.grade", activity.course)
    au = _load_au(activity, au_id)
    learner = db.get_or_404(User, user_id)
    form = WaiveForm()
    if not form.validate_on_submit():
        abort(400)
    services.waive(activity, au, learner, form.reason.data)
    flash(_("The AU was waived."), "success")
    return redirect(request.referrer or url_for("cmi5.view_course", activity_id=activity.id))


def waive_from_form(activity_id: int):
    """The learners page's waive form: the AU and the learner come as form fields."""
    au_id = request.form.get("au_id", type=int)
    user_id = request.form.get("user_id", type=int)
    if not au_id or not user_id:
        abort(400)
    response = waive_au(activity_id, au_id, user_id)
    if response.status_code != 302:
        return response
    return redirect(url_for("cmi5.learners", activity_id=activity_id))


def fetch_token(token: str):
    """cmi5 §8.2: always 200 with a JSON object (the token once, then error 1)."""
    response = jsonify(services.fetch(token))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin") or "*"
    return response


def return_to_course(session_id: str):
    session = services.session_by_id(session_id)
    if session is None:
        abort(404)
    registration = session.registration
    if current_user.is_authenticated and registration.user_id != current_user.id:
        abort(403)
    target = url_for("cmi5.view_course", activity_id=registration.activity_id)
    return render_template("cmi5/return.html", target=target, session=session)


def content(course_id: int, relpath: str):
    course = db.get_or_404(Cmi5Course, course_id)
    _content_access(course.activity)
    if course.digest is None:
        abort(404)
    return storage.send_package_file(course.digest, relpath)


def _content_access(activity: Activity) -> None:
    if not (can(current_user, "course.participate", activity.course) or can(current_user, "course.edit",
                                                                            activity.course)):
        abort(403 if current_user.is_authenticated else 401)


# --- TinCan -------------------------------------------------------------------------------------------------

def view_tincan(activity_id: int):
    activity = _load_activity(activity_id, "tincan")
    package = TinCanPackage.for_activity(activity.id)
    if package is None:
        raise DomainError(_("This activity has no package yet."), code="no_package", status=404)
    from lms.courses.results import get_result

    result = get_result(activity, current_user) if current_user.is_authenticated else None
    return render_template("cmi5/tincan.html", activity=activity, package=package, form=LaunchForm(),
                           result=result, learner=can(current_user, "course.participate", activity.course))


def launch_tincan(activity_id: int):
    activity = _load_activity(activity_id, "tincan")
    _for_learner(activity)
    if not LaunchForm().validate_on_submit():
        abort(400)
    return redirect(services.tincan_launch(activity, current_user))


def tincan_content(package_id: int, relpath: str):
    package = db.get_or_404(TinCanPackage, package_id)
    _content_access(db.session.get(Activity, package.activity_id))
    return storage.send_package_file(package.digest, relpath)
