"""Staff handlers: gradebook (with audited overrides and exports) and reports."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from lms.accounts.models import Administration, User
from lms.core.db import db
from lms.core.i18n import _, current_locale, localized, text_direction
from lms.core.permissions import require

from . import gradebook, reports
from .forms import OverrideForm
from .models import Activity, Course
from .views import load_course

PER_PAGE = 50


def _download(data: bytes, filename: str, fmt: str):
    response = make_response(data)
    response.headers["Content-Type"] = ("text/csv; charset=utf-8" if fmt == "csv" else
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _export(header, rows, filename: str, fmt: str, title: str):
    if fmt == "csv":
        return _download(gradebook.to_csv(header, rows), filename, "csv")
    if fmt == "xlsx":
        return _download(gradebook.to_xlsx(header, rows, title=title, rtl=text_direction() == "rtl"), filename, "xlsx")
    abort(404)


@login_required
def view_gradebook(course_id: int):
    course = load_course(course_id, "course.grade")
    page = max(1, request.args.get("page", 1, type=int))
    items, rows = gradebook.gradebook_rows(course, offset=(page - 1) * PER_PAGE, limit=PER_PAGE + 1)
    has_next = len(rows) > PER_PAGE
    return render_template("courses/gradebook.html", course=course, items=items, rows=rows[:PER_PAGE], page=page,
                           has_next=has_next, display=lambda p: gradebook.display_grade(course, p),
                           history=gradebook.override_history(course, 20), form=OverrideForm())


@login_required
def export_gradebook(course_id: int, fmt: str):
    course = load_course(course_id, "course.grade")
    header, rows = gradebook.export_table(course)
    return _export(header, rows, f"gradebook-{course.shortname}", fmt, _("Gradebook"))


@login_required
def override_grade(course_id: int, activity_id: int, user_id: int):
    course = load_course(course_id, "course.grade")
    activity = db.get_or_404(Activity, activity_id)
    user = db.get_or_404(User, user_id)
    if activity.course_id != course.id:
        abort(404)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash(_("A grade is between 0 and 100."), "error")
        return redirect(url_for("courses.view_gradebook", course_id=course.id)), 303
    gradebook.override_grade(activity, user, form.score.data, by=current_user, reason=form.reason.data)
    flash(_("The grade of %(name)s is saved.", name=user.display_name), "success")
    return redirect(url_for("courses.view_gradebook", course_id=course.id))


def _filters() -> reports.ReportFilters:
    args = request.args
    since = None
    if args.get("since"):
        try:
            since = datetime.strptime(args["since"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            since = None
    course_ids, administration_ids = reports.scope_for(current_user)
    return reports.ReportFilters(course_id=args.get("course", type=int), administration_id=args.get("administration", type=int),
                                 gender=args.get("gender") or None, level=args.get("level") or None,
                                 status=args.get("status") or None, since=since, q=(args.get("q") or "").strip() or None,
                                 scope_course_ids=course_ids, scope_administration_ids=administration_ids)


def _require_reports(filters: reports.ReportFilters) -> None:
    if not current_user.is_authenticated:
        abort(401)
    if filters.course_id:
        course = db.get_or_404(Course, filters.course_id)
        require("course.view_reports", course)
    elif not reports.may_view_reports(current_user):
        abort(403)


@login_required
def report(course_id: int | None = None):
    if course_id is not None:
        return redirect(url_for("courses.reports", course=course_id))
    filters = _filters()
    _require_reports(filters)
    page = max(1, request.args.get("page", 1, type=int))
    cpage = max(1, request.args.get("cpage", 1, type=int))
    apage = max(1, request.args.get("apage", 1, type=int))
    cube = reports.Cube(filters)
    summary = reports.summary(filters, cube)
    course_rows, course_total = reports.by_course(filters, offset=(cpage - 1) * 10, limit=10, cube=cube)
    admin_rows, admin_total = reports.by_administration(filters, offset=(apage - 1) * 10, limit=10, cube=cube)
    gender_rows = reports.by_gender(filters, cube)
    level_rows = reports.by_level(filters, cube)
    series = reports.over_time(filters)
    learner_rows, learner_total = reports.learners(filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE,
                                                   total=summary.enrolled)
    rtl = text_direction() == "rtl"
    charts = {
        "gender": Markup(reports.bar_chart([(r.label, r.rate) for r in gender_rows], title=_("Completion rate by gender"),
                                           unit=" %", rtl=rtl, max_value=100)),
        "level": Markup(reports.bar_chart([(r.label, r.rate) for r in level_rows],
                                          title=_("Completion rate: central and local administrations"), unit=" %",
                                          rtl=rtl, max_value=100)),
        "administration": Markup(reports.bar_chart([(r.label, r.rate) for r in admin_rows],
                                                   title=_("Completion rate by administration"), unit=" %", rtl=rtl,
                                                   max_value=100)),
        "time": Markup(reports.columns_chart(series, title=_("Enrolments and completions per month"),
                                             labels=(str(_("Enrolments")), str(_("Completions"))))),
    }
    course_choices = db.session.execute(
        select(Course.id, Course.title).where(Course.id.in_(filters.scope_course_ids))
        if filters.scope_course_ids is not None else select(Course.id, Course.title)).all()
    course_choices = sorted(((cid, localized(title)) for cid, title in course_choices), key=lambda c: c[1])
    administrations = db.session.execute(select(Administration.id, Administration.name)).all()
    if filters.scope_administration_ids is not None:
        administrations = [a for a in administrations if a[0] in set(filters.scope_administration_ids)]
    administration_choices = sorted(((aid, localized(name)) for aid, name in administrations), key=lambda a: a[1])
    args = {k: v for k, v in request.args.items() if k not in ("page", "cpage", "apage")}
    return render_template("courses/report.html", filters=filters, summary=summary, course_rows=course_rows,
                           course_total=course_total, cpage=cpage, admin_rows=admin_rows, admin_total=admin_total,
                           apage=apage, gender_rows=gender_rows, level_rows=level_rows, series=series,
                           learner_rows=learner_rows, learner_total=learner_total, page=page, per_page=PER_PAGE,
                           charts=charts, course_choices=course_choices, administration_choices=administration_choices,
                           args=args, locale=current_locale())


@login_required
def export_report(table: str, fmt: str):
    filters = _filters()
    _require_reports(filters)
    if table == "learners":
        header, rows = reports.learner_table(filters)
    elif table == "courses":
        header, rows = reports.group_table(reports.by_course(filters, limit=100000)[0], str(_("Course")))
    elif table == "administrations":
        header, rows = reports.group_table(reports.by_administration(filters, limit=100000)[0], str(_("Administration")))
    elif table == "gender":
        header, rows = reports.group_table(reports.by_gender(filters), str(_("Gender")))
    elif table == "level":
        header, rows = reports.group_table(reports.by_level(filters), str(_("Level")))
    else:
        abort(404)
    return _export(header, rows, f"report-{table}", fmt, _("Report"))
