"""Instructor handlers: create and edit courses, sections and activities; reorder; preview; duplicate;
export and import archives; manual enrolment and cohort rules."""
from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.accounts.models import Administration, User
from lms.accounts.services import find_user
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _, localized
from lms.core.permissions import require
from lms.core.storage import storage

from . import archive, services
from .activities import activity_types, get_activity_type
from .completion import refresh_course
from .forms import CategoryForm, CourseForm, ImportForm, ManualEnrolForm, SectionForm, activity_form, to_local, to_utc
from .models import Activity, Category, Course, CourseRole, Enrolment, EnrolmentMethod, EnrolmentRule, Section
from .views import load_activity, load_course

LANGS = ("ar", "fr", "en")
COURSE_FIELDS = ("visible", "self_enrolment", "capacity", "completion_mode", "completion_grade", "grade_aggregation",
                 "grade_display", "certificate_enabled")
DATE_FIELDS = ("start_at", "end_at", "enrol_start_at", "enrol_end_at")


def _category_choices():
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.code)).all()
    return [("", _("None"))] + [(c.id, c.display_name) for c in categories]


def _apply_course_form(course: Course, form: CourseForm) -> None:
    course.title = form.title_dict()
    course.summary = {code: getattr(form, f"summary_{code}").data.strip()
                      for code in LANGS if (getattr(form, f"summary_{code}").data or "").strip()}
    course.category_id = form.category_id.data
    course.languages = list(form.languages.data or [])
    for name in COURSE_FIELDS:
        setattr(course, name, getattr(form, name).data)
    for name in DATE_FIELDS:
        setattr(course, name, to_utc(getattr(form, name).data))
    course.enrolment_key = (form.enrolment_key.data or "").strip() or None
    course.grade_pass = form.grade_pass.data if form.grade_pass.data is not None else 50.0
    upload = form.image.data
    if upload and getattr(upload, "filename", ""):
        if upload.mimetype not in ("image/png", "image/jpeg", "image/webp"):
            raise DomainError(_("The image must be a PNG, JPEG or WebP file."), code="bad_image", field="image")
        course.image_digest = storage.put_blob(upload.stream)
        course.settings = {**(course.settings or {}), "image_mimetype": upload.mimetype}


def _fill_course_form(course: Course, form: CourseForm) -> None:
    form.fill_title(course.title)
    for code in LANGS:
        getattr(form, f"summary_{code}").data = (course.summary or {}).get(code, "")
    form.shortname.data = course.shortname
    form.category_id.data = course.category_id
    form.languages.data = list(course.languages or [])
    for name in COURSE_FIELDS:
        getattr(form, name).data = getattr(course, name)
    for name in DATE_FIELDS:
        getattr(form, name).data = to_local(getattr(course, name))
    form.enrolment_key.data = course.enrolment_key
    form.grade_pass.data = course.grade_pass


@login_required
def create_course():
    require("course.create")
    form = CourseForm()
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        try:
            course = services.create_course(shortname=form.shortname.data.strip(), title=form.title_dict(),
                                            created_by=current_user)
            _apply_course_form(course, form)
        except DomainError as error:
            getattr(form, error.field or "shortname").errors = [error.message]
        else:
            db.session.flush()
            flash(_("The course is created. Add sections and activities."), "success")
            return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=None), 400 if form.errors else 200


@login_required
def edit_course(course_id: int):
    course = load_course(course_id, "course.edit")
    form = CourseForm()
    form.category_id.choices = _category_choices()
    if request.method == "GET":
        _fill_course_form(course, form)
    elif form.validate_on_submit():
        shortname = form.shortname.data.strip()
        clash = db.session.scalar(select(Course.id).where(Course.shortname == shortname, Course.id != course.id))
        if clash:
            form.shortname.errors = [_("This short name is already used by another course.")]
        else:
            try:
                course.shortname = shortname
                old_mode = (course.completion_mode, course.completion_grade, course.grade_aggregation)
                _apply_course_form(course, form)
                db.session.flush()
                if old_mode != (course.completion_mode, course.completion_grade, course.grade_aggregation):
                    refresh_course(course, grades=True)
            except DomainError as error:
                getattr(form, error.field or "shortname").errors = [error.message]
            else:
                flash(_("The course is saved."), "success")
                return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=course), 400 if form.errors else 200


@login_required
def categories():
    require("course.create")
    form = CategoryForm()
    if form.validate_on_submit():
        code = form.code.data.strip()
        category = db.session.scalar(select(Category).where(Category.code == code)) or Category(code=code)
        category.name = form.title_dict()
        category.position = form.position.data or 0
        db.session.add(category)
        db.session.flush()
        flash(_("The category is saved."), "success")
        return redirect(url_for("courses.categories"))
    items = db.session.scalars(select(Category).order_by(Category.position, Category.code)).all()
    return render_template("courses/categories.html", form=form, categories=items), 400 if form.errors else 200


@login_required
def add_section(course_id: int):
    course = load_course(course_id, "course.edit")
    form = SectionForm()
    if form.validate_on_submit():
        services.add_section(course, form.title_dict(), visible=form.visible.data)
        flash(_("The section is added."), "success")
        return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/section_form.html", form=form, course=course, section=None), \
        400 if form.errors else 200


@login_required
def edit_section(section_id: int):
    section = db.get_or_404(Section, section_id)
    course = section.course
    require("course.edit", course)
    form = SectionForm()
    if request.method == "GET":
        form.fill_title(section.title)
        form.visible.data = section.visible
    elif form.validate_on_submit():
        section.title, section.visible = form.title_dict(), form.visible.data
        db.session.flush()
        flash(_("The section is saved."), "success")
        return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/section_form.html", form=form, course=course, section=section), \
        400 if form.errors else 200


def _rule_fields(activity: Activity) -> tuple:
    """What progress, completion and the course grade depend on."""
    return (activity.visible, activity.completion_rule, activity.completion_min_grade, activity.required_for_completion,
            activity.grade_max, activity.grade_weight, activity.graded)


def _apply_activity_form(activity: Activity, form) -> None:
    activity.title = form.title_dict()
    activity.section_id = form.section_id.data
    activity.visible = form.visible.data
    activity.available_from, activity.available_until, activity.due_at = (
        to_utc(form.available_from.data), to_utc(form.available_until.data), to_utc(form.due_at.data))
    activity.completion_rule = form.completion_rule.data
    activity.completion_min_grade = form.completion_min_grade.data
    activity.required_for_completion = form.required_for_completion.data
    activity.grade_max = form.grade_max.data or 100.0
    activity.grade_weight = form.grade_weight.data if form.grade_weight.data is not None else 1.0
    activity.grade_pass = form.grade_pass.data


@login_required
def add_activity(course_id: int):
    course = load_course(course_id, "course.edit")
    key = request.args.get("type") or request.form.get("type_key")
    if key not in activity_types or not activity_types[key].addable:
        return render_template("courses/activity_choose.html", course=course,
                               types=[t for t in activity_types.values() if t.addable],
                               section_id=request.args.get("section", type=int))
    activity_type = get_activity_type(key)
    form = activity_form(activity_type)
    form.section_id.choices = [(s.id, s.display_title or _("Section %(n)d", n=i + 1)) for i, s in enumerate(course.sections)]
    if request.method == "GET" and request.args.get("section", type=int):
        form.section_id.data = request.args.get("section", type=int)
    if form.validate_on_submit():
        section = db.get_or_404(Section, form.section_id.data)
        if section.course_id != course.id:
            abort(400)
        try:
            activity = services.add_activity(section, key, form.title_dict())
            _apply_activity_form(activity, form)
            activity.graded = activity_type.graded
            activity_type.create(activity, form)
            db.session.flush()
            refresh_course(course)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The activity is added."), "success")
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return jsonify(redirect=url_for("courses.view_course", course_id=course.id))
            return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/activity_form.html", form=form, course=course, activity=None,
                           activity_type=activity_type), 400 if form.errors else 200


@login_required
def edit_activity(activity_id: int):
    activity = load_activity(activity_id, "course.edit")
    course, activity_type = activity.course, activity.type
    form = activity_form(activity_type)
    form.section_id.choices = [(s.id, s.display_title or _("Section %(n)d", n=i + 1)) for i, s in enumerate(course.sections)]
    if request.method == "GET":
        form.fill_title(activity.title)
        form.section_id.data = activity.section_id
        for name in ("visible", "completion_rule", "completion_min_grade", "required_for_completion", "grade_max",
                     "grade_weight", "grade_pass"):
            getattr(form, name).data = getattr(activity, name)
        for name in ("available_from", "available_until", "due_at"):
            getattr(form, name).data = to_local(getattr(activity, name))
        activity_type.fill_form(activity, form)
    elif form.validate_on_submit():
        rules = _rule_fields(activity)
        _apply_activity_form(activity, form)
        activity_type.update(activity, form)
        db.session.flush()
        if rules != _rule_fields(activity):
            refresh_course(course, grades=True)
        flash(_("The activity is saved."), "success")
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return jsonify(redirect=url_for("courses.view_course", course_id=course.id))
        return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/activity_form.html", form=form, course=course, activity=activity,
                           activity_type=activity_type), 400 if form.errors else 200


@login_required
def delete_activity(activity_id: int):
    activity = load_activity(activity_id, "course.edit")
    if not FlaskForm().validate_on_submit():
        abort(400)
    course = activity.course
    course_id = course.id
    services.delete_activity(activity)
    refresh_course(course, grades=True)
    flash(_("The activity is deleted."), "success")
    return redirect(url_for("courses.view_course", course_id=course_id))


@login_required
def delete_section(section_id: int):
    section = db.get_or_404(Section, section_id)
    course = section.course
    require("course.edit", course)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if section.activities or len(course.sections) == 1:
        flash(_("Only an empty section can be deleted, and a course keeps at least one."), "error")
    else:
        db.session.delete(section)
        flash(_("The section is deleted."), "success")
    return redirect(url_for("courses.view_course", course_id=course.id))


@login_required
def move_activity(activity_id: int):
    activity = load_activity(activity_id, "course.edit")
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    services.move_activity(activity, direction)
    return redirect(url_for("courses.view_course", course_id=activity.course_id) + f"#activity-{activity.id}")


@login_required
def move_section(section_id: int):
    section = db.get_or_404(Section, section_id)
    require("course.edit", section.course)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    services.move_section(section, direction)
    return redirect(url_for("courses.view_course", course_id=section.course_id) + f"#section-{section.id}")


@login_required
def reorder(course_id: int):
    """Drag-and-drop saves the whole layout as JSON (CSRF token in the X-CSRFToken header)."""
    course = load_course(course_id, "course.edit")
    payload = request.get_json(silent=True) or {}
    layout = payload.get("layout")
    if not isinstance(layout, list):
        abort(400)
    services.reorder(course, layout)
    return jsonify(ok=True)


@login_required
def toggle_preview(course_id: int):
    course = load_course(course_id, "course.edit")
    on = request.form.get("on") == "1"
    services.set_preview(course, on)
    flash(_("You now see the course as a learner.") if on else _("Editing mode is back."), "info")
    return redirect(url_for("courses.view_course", course_id=course.id))


@login_required
def duplicate_course(course_id: int):
    course = load_course(course_id, "course.edit")
    require("course.create")
    base = f"{course.shortname}-copy"
    shortname, n = base, 1
    while db.session.scalar(select(Course.id).where(Course.shortname == shortname)):
        n += 1
        shortname = f"{base}{n}"
    suffix = _("copy")
    title = {code: f"{text} ({suffix})" for code, text in (course.title or {}).items()}
    copy = services.duplicate_course(course, shortname=shortname, title=title, by=current_user)
    flash(_("The course is duplicated. The copy is hidden until you make it visible."), "success")
    return redirect(url_for("courses.view_course", course_id=copy.id))


@login_required
def export_course(course_id: int):
    course = load_course(course_id, "course.edit")
    data = archive.export_course(course)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"course-{course.shortname}.zip")


@login_required
def import_course():
    require("course.create")
    form = ImportForm()
    if form.validate_on_submit() and form.archive.data:
        try:
            course = archive.import_course(form.archive.data.stream, by=current_user)
        except DomainError as error:
            form.archive.errors = [error.message]
        else:
            flash(_("The course is imported. It is hidden until you make it visible."), "success")
            return redirect(url_for("courses.view_course", course_id=course.id))
    return render_template("courses/import.html", form=form), 400 if form.errors else 200


@login_required
def participants(course_id: int):
    course = load_course(course_id, "course.enrol_others")
    form = ManualEnrolForm()
    administrations = db.session.scalars(select(Administration).order_by(Administration.code)).all()
    form.administration_id.choices = [("", _("None"))] + sorted(
        [(a.id, a.display_name) for a in administrations], key=lambda item: item[1])
    if form.validate_on_submit():
        role = CourseRole(form.role.data)
        if role != CourseRole.learner:
            require("course.edit", course)  # only the course's editors appoint staff
        time_end = to_utc(form.time_end.data)
        added, unknown = 0, []
        for line in (form.usernames.data or "").splitlines():
            login = line.strip()
            if not login:
                continue
            user = find_user(login)
            if user is None:
                unknown.append(login)
                continue
            services.enrol_user(course, user, role, EnrolmentMethod.manual, time_end=time_end)
            added += 1
        if form.administration_id.data:
            administration = db.get_or_404(Administration, form.administration_id.data)
            if form.as_rule.data:
                services.add_enrolment_rule(course, administration, include_children=form.include_children.data,
                                            role=role)
                added += 0
            else:
                added += services.enrol_administration(course, administration, role,
                                                       include_children=form.include_children.data,
                                                       time_end=time_end)
        if unknown:
            flash(_("No account found for: %(names)s", names=", ".join(unknown)), "warning")
        flash(_("%(n)d enrolment(s) recorded.", n=added), "success")
        return redirect(url_for("courses.participants", course_id=course.id))
    page = db.paginate(select(Enrolment).join(User, User.id == Enrolment.user_id)
                       .where(Enrolment.course_id == course.id).order_by(Enrolment.role, User.full_name),
                       page=max(1, request.args.get("page", 1, type=int)), per_page=50, error_out=False)
    rules = db.session.scalars(select(EnrolmentRule).where(EnrolmentRule.course_id == course.id)).all()
    return render_template("courses/participants.html", course=course, form=form, page=page, rules=rules,
                           seats_left=services.seats_left(course), localized=localized), 400 if form.errors else 200


@login_required
def remove_participant(course_id: int, user_id: int):
    course = load_course(course_id, "course.enrol_others")
    user = db.get_or_404(User, user_id)
    services.unenrol(course, user)
    flash(_("%(name)s is no longer enrolled.", name=user.display_name), "success")
    return redirect(url_for("courses.participants", course_id=course.id))


@login_required
def delete_rule(course_id: int, rule_id: int):
    course = load_course(course_id, "course.enrol_others")
    rule = db.get_or_404(EnrolmentRule, rule_id)
    if rule.course_id != course.id:
        abort(404)
    db.session.delete(rule)
    flash(_("The rule is removed; existing enrolments are kept."), "success")
    return redirect(url_for("courses.participants", course_id=course.id))
