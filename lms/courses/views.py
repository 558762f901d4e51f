"""Learner-facing handlers: catalogue, course page, activities, self-enrolment, dashboard.

Each handler loads the objects named in the URL (404), checks access through the one permission
mechanism (401/403), then calls a service and renders.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, localized
from lms.core.permissions import can, require
from lms.core.storage import storage

from . import services
from .activities import activity_types
from .completion import progress_of
from .forms import EnrolKeyForm
from .models import (Activity, ActivityResult, Category, Course, CourseRole, Enrolment, EnrolmentStatus,
                     FileResource)
from .permissions import enrolment_of
from .results import record_view

PER_PAGE = 24


def load_course(course_id: int, permission: str = "course.view") -> Course:
    course = db.get_or_404(Course, course_id)
    require(permission, course)
    return course


def load_activity(activity_id: int, permission: str = "course.view") -> Activity:
    activity = db.get_or_404(Activity, activity_id)
    require(permission, activity.course)
    return activity


def is_staff_view(course: Course) -> bool:
    """Staff see hidden items and editing tools unless they preview the course as a learner."""
    return can(current_user, "course.edit", course) and not services.current_preview(course)


def catalogue():
    query = select(Course).where(Course.visible.is_(True))
    q = (request.args.get("q") or "").strip()
    if q:
        for word in q.casefold().split()[:6]:
            query = query.where(Course.search_text.contains(word, autoescape=True))
    category_id = request.args.get("category", type=int)
    if category_id:
        query = query.where(Course.category_id == category_id)
    language = request.args.get("language")
    if language in ("ar", "fr", "en"):
        # JSON list membership, portable: the list is stored as text on both engines' JSON types.
        from sqlalchemy import String, cast

        query = query.where(cast(Course.languages, String).contains(f'"{language}"'))
    availability = request.args.get("availability")
    now = utcnow()
    if availability == "open":
        query = query.where(Course.self_enrolment.in_(("open", "key")),
                            or_(Course.enrol_end_at.is_(None), Course.enrol_end_at >= now),
                            or_(Course.end_at.is_(None), Course.end_at >= now))
    if request.args.get("mine") and current_user.is_authenticated:
        query = query.where(Course.id.in_(select(Enrolment.course_id).where(
            Enrolment.user_id == current_user.id, Enrolment.status == EnrolmentStatus.active)))
    query = query.order_by(Course.id)
    page = db.paginate(query, page=max(1, request.args.get("page", 1, type=int)), per_page=PER_PAGE,
                       error_out=False)
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.code)).all()
    counts = dict(db.session.execute(select(Course.category_id, func.count(Course.id))
                                     .where(Course.visible.is_(True)).group_by(Course.category_id)).all())
    my_enrolments = {}
    if current_user.is_authenticated and page.items:
        my_enrolments = {e.course_id: e for e in db.session.scalars(select(Enrolment).where(
            Enrolment.user_id == current_user.id, Enrolment.course_id.in_([c.id for c in page.items]),
            Enrolment.status == EnrolmentStatus.active))}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("courses/catalogue.html", page=page, categories=categories, counts=counts, q=q,
                           category_id=category_id, language=language, availability=availability,
                           my_enrolments=my_enrolments, args=args)


def course_image(course_id: int):
    course = load_course(course_id)
    if not course.image_digest:
        abort(404)
    return storage.send_blob(course.image_digest, mimetype=(course.settings or {}).get("image_mimetype") or "image/png")


def view_course(course_id: int):
    course = load_course(course_id)
    enrolment = enrolment_of(current_user, course)
    participating = can(current_user, "course.participate", course)
    staff = is_staff_view(course)
    results = {}
    if current_user.is_authenticated:
        results = {r.activity_id: r for r in db.session.scalars(select(ActivityResult).join(Activity).where(
            Activity.course_id == course.id, ActivityResult.user_id == current_user.id))}
    done, total = progress_of(course, current_user.id) if participating else (0, 0)
    problem = None
    if current_user.is_authenticated and not participating:
        problem = services.self_enrolment_problem(course, current_user)
    from .gradebook import course_grade_for, display_grade

    grade = course_grade_for(course, current_user.id) if participating else None
    certificate = None
    if enrolment is not None and enrolment.completed_at is not None:
        try:
            from lms.certificates.models import Certificate

            certificate = db.session.scalar(select(Certificate).where(
                Certificate.user_id == current_user.id, Certificate.source_key == f"course:{course.id}"))
        except ImportError:  # pragma: no cover
            certificate = None
    return render_template("courses/course.html", course=course, enrolment=enrolment, participating=participating,
                           staff=staff, results=results, done=done, total=total, key_form=EnrolKeyForm(),
                           enrol_problem=problem, seats_left=services.seats_left(course),
                           grade=grade, grade_text=display_grade(course, grade), certificate=certificate,
                           activity_types=activity_types, previewing=services.current_preview(course),
                           can_edit=can(current_user, "course.edit", course), now=utcnow())


@login_required
def self_enrol(course_id: int):
    course = load_course(course_id)
    form = EnrolKeyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.self_enrol(course, current_user, form.enrolment_key.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("courses.view_course", course_id=course.id)), 303
    flash(_("You are enrolled. Welcome to the course!"), "success")
    return redirect(url_for("courses.view_course", course_id=course.id))


@login_required
def leave_course(course_id: int):
    course = load_course(course_id, "course.participate")
    services.unenrol(course, current_user)
    flash(_("You have left the course. Your progress is kept if you come back."), "info")
    return redirect(url_for("courses.view_course", course_id=course.id))


def view_activity(activity_id: int):
    activity = load_activity(activity_id)
    course = activity.course
    staff = can(current_user, "course.edit", course)
    if not can(current_user, "course.participate", course) and not staff:
        if not current_user.is_authenticated:
            abort(401)
        flash(_("Enrol in the course to open its activities."), "info")
        return redirect(url_for("courses.view_course", course_id=course.id))
    if not staff and (not activity.visible or not activity.section.visible):
        abort(404)
    if not staff and not activity.is_available():
        flash(_("This activity is not available now."), "warning")
        return redirect(url_for("courses.view_course", course_id=course.id))
    enrolment = enrolment_of(current_user, course)
    if enrolment is not None and enrolment.is_current():
        record_view(activity, current_user)
        services.touch_enrolment(enrolment, activity)
    activity_type = activity.type
    response = activity_type.view(activity)
    if response is not None:
        return response
    target = activity_type.launch_url(activity)
    if target and target != url_for("courses.view_activity", activity_id=activity.id):
        return redirect(target)
    return render_template("courses/activity_generic.html", activity=activity)


def download_file(activity_id: int):
    activity = load_activity(activity_id)
    course = activity.course
    if not (can(current_user, "course.participate", course) or can(current_user, "course.edit", course)):
        abort(401 if not current_user.is_authenticated else 403)
    row = db.session.get(FileResource, activity.id)
    if row is None or not row.digest:
        abort(404)
    inline = row.mimetype.startswith(("image/", "video/", "audio/")) or row.mimetype == "application/pdf"
    response = storage.send_blob(row.digest, download_name=row.filename or "file", mimetype=row.mimetype,
                                 as_attachment=not inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def next_activity_for(course: Course, user_id: int, results: dict[int, ActivityResult]) -> Activity | None:
    for section in course.sections:
        if not section.visible:
            continue
        for activity in section.activities:
            if activity.visible and activity.completion_rule != "none" and not (
                    results.get(activity.id) and results[activity.id].is_complete):
                return activity
    return None


@login_required
def dashboard():
    applied = services.apply_enrolment_rules(current_user)
    if applied:
        flash(_("You have been enrolled in %(n)d course(s) offered to your administration.", n=applied), "info")
    enrolments = db.session.execute(
        select(Enrolment, Course).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == current_user.id, Enrolment.status == EnrolmentStatus.active)
        .order_by(Enrolment.last_access_at.desc().nulls_last(), Course.id)).all()
    learning = [(e, c) for e, c in enrolments if e.role == CourseRole.learner]
    teaching = [(e, c) for e, c in enrolments if e.role != CourseRole.learner]
    in_progress = [(e, c) for e, c in learning if e.completed_at is None]
    completed = [(e, c) for e, c in learning if e.completed_at is not None]
    last_activities = {}
    ids = [e.last_activity_id for e, _c in in_progress if e.last_activity_id]
    if ids:
        last_activities = {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_(ids)))}
    continue_links = {}
    for enrolment, course in in_progress:
        last = last_activities.get(enrolment.last_activity_id)
        results = {r.activity_id: r for r in db.session.scalars(select(ActivityResult).join(Activity).where(
            Activity.course_id == course.id, ActivityResult.user_id == current_user.id))}
        if last is not None and not (results.get(last.id) and results[last.id].is_complete):
            continue_links[course.id] = last
        else:
            continue_links[course.id] = next_activity_for(course, current_user.id, results) or last
    now = utcnow()
    course_ids = [c.id for _e, c in in_progress]
    deadlines = []
    if course_ids:
        completed_ids = select(ActivityResult.activity_id).where(ActivityResult.user_id == current_user.id,
                                                                ActivityResult.is_complete.is_(True))
        deadlines = db.session.scalars(select(Activity).where(
            Activity.course_id.in_(course_ids), Activity.visible.is_(True), Activity.due_at.is_not(None),
            Activity.due_at >= now, Activity.id.not_in(completed_ids)).order_by(Activity.due_at).limit(10)).all()
    try:
        from lms.certificates.services import certificates_of

        certificates = certificates_of(current_user)
    except ImportError:  # pragma: no cover
        certificates = []
    return render_template("courses/dashboard.html", in_progress=in_progress, completed=completed,
                           teaching=teaching, continue_links=continue_links, deadlines=deadlines,
                           certificates=certificates, localized=localized)
