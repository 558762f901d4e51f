"""Gradebook: grade items are the graded activities; the course grade aggregates their effective scores.

Empty grades are left out of the aggregate (as Moodle does by default), so a learner's grade reflects
what they have done; an instructor override (audited in GradeOverride) replaces the reported score.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, format_decimal

from .models import Activity, ActivityResult, Course, CourseRole, Enrolment, EnrolmentStatus, GradeOverride
from .results import _get_or_create, result_recorded, rule_satisfied

LETTERS = [(90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"), (50.0, "E"), (0.0, "F")]


def grade_items(course: Course) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.course_id == course.id, Activity.graded.is_(True))
                                   .order_by(Activity.section_id, Activity.position)))


def aggregate(course: Course, items: list[Activity], scores: dict[int, float | None]) -> float | None:
    """Course grade in percent from scaled scores (0..1) per activity id; None when nothing is graded yet."""
    pairs = [(item, scores.get(item.id)) for item in items if scores.get(item.id) is not None]
    if not pairs:
        return None
    method = course.grade_aggregation or "weighted_mean"
    if method == "mean":
        value = sum(score for _item, score in pairs) / len(pairs)
    elif method == "sum":
        total_max = sum(item.grade_max for item, _score in pairs)
        value = sum(score * item.grade_max for item, score in pairs) / total_max if total_max else 0.0
    elif method == "weighted_mean":
        total_weight = sum(item.grade_weight for item, _score in pairs)
        if total_weight <= 0:
            return None
        value = sum(score * item.grade_weight for item, score in pairs) / total_weight
    else:
        raise ValueError(f"unknown aggregation {method!r}")
    return round(100.0 * value, 2)


def scores_for(user_id: int, items: list[Activity]) -> dict[int, float | None]:
    if not items:
        return {}
    rows = db.session.execute(select(ActivityResult.activity_id, ActivityResult.score, ActivityResult.override_score)
                              .where(ActivityResult.user_id == user_id,
                                     ActivityResult.activity_id.in_([i.id for i in items]))).all()
    return {activity_id: (override if override is not None else score) for activity_id, score, override in rows}


def course_grade_for(course: Course, user_id: int) -> float | None:
    items = grade_items(course)
    return aggregate(course, items, scores_for(user_id, items))


def letter(percent: float) -> str:
    return next(symbol for threshold, symbol in LETTERS if percent >= threshold - 1e-9)


def display_grade(course: Course, percent: float | None, pass_mark: float | None = None) -> str:
    if percent is None:
        return "—"
    mode = course.grade_display or "percent"
    if mode == "letter":
        return letter(percent)
    if mode == "passfail":
        threshold = course.grade_pass if pass_mark is None else pass_mark
        return str(_("Pass")) if percent >= (threshold or 0) - 1e-9 else str(_("Fail"))
    return f"{format_decimal(round(percent, 1))} %"


@dataclass
class GradeRow:
    user: User
    scores: dict[int, float | None]   # percent per activity id (effective)
    overridden: set[int]
    course_grade: float | None
    completed_at: object


def gradebook_rows(course: Course, *, offset: int = 0, limit: int | None = None) -> tuple[list[Activity], list[GradeRow]]:
    """One row per active learner; results loaded in one query for the page of learners."""
    items = grade_items(course)
    query = (select(Enrolment, User).join(User, User.id == Enrolment.user_id)
             .where(Enrolment.course_id == course.id, Enrolment.role == CourseRole.learner,
                    Enrolment.status == EnrolmentStatus.active)
             .order_by(User.full_name, User.username).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    pairs = db.session.execute(query).all()
    user_ids = [user.id for _e, user in pairs]
    results: dict[tuple[int, int], ActivityResult] = {}
    if items and user_ids:
        for result in db.session.scalars(select(ActivityResult).where(
                ActivityResult.user_id.in_(user_ids), ActivityResult.activity_id.in_([i.id for i in items]))):
            results[(result.user_id, result.activity_id)] = result
    rows = []
    for enrolment, user in pairs:
        scaled, overridden = {}, set()
        for item in items:
            result = results.get((user.id, item.id))
            scaled[item.id] = result.effective_score if result else None
            if result is not None and result.override_score is not None:
                overridden.add(item.id)
        rows.append(GradeRow(user=user, scores={k: (None if v is None else round(100 * v, 2)) for k, v in scaled.items()},
                             overridden=overridden, course_grade=aggregate(course, items, scaled),
                             completed_at=enrolment.completed_at))
    return items, rows


def override_grade(activity: Activity, user: User, percent: float | None, *, by: User, reason: str | None = None
                   ) -> ActivityResult:
    """Set (or clear, with None) an instructor grade; every change is kept in GradeOverride."""
    if percent is not None and not 0 <= percent <= 100:
        raise DomainError(_("A grade is between 0 and 100."), code="bad_grade")
    if not activity.graded:
        raise DomainError(_("This activity is not graded."), code="not_graded")
    result = _get_or_create(activity, user)
    new = None if percent is None else round(percent / 100.0, 6)
    db.session.add(GradeOverride(result_id=result.id, changed_by_id=by.id, old_score=result.override_score,
                                 new_score=new, reason=(reason or None)))
    result.override_score = new
    result.updated_at = utcnow()
    changed = {"override_score"}
    if not result.is_complete and rule_satisfied(activity, result):
        result.is_complete, result.completed_at = True, utcnow()
        changed.add("is_complete")
    db.session.flush()
    result_recorded.send(activity, user=user, result=result, changed=changed)
    return result


def override_history(course: Course, limit: int = 50) -> list[tuple[GradeOverride, ActivityResult]]:
    return list(db.session.execute(
        select(GradeOverride, ActivityResult).join(ActivityResult, ActivityResult.id == GradeOverride.result_id)
        .join(Activity, Activity.id == ActivityResult.activity_id).where(Activity.course_id == course.id)
        .order_by(GradeOverride.changed_at.desc(), GradeOverride.id.desc()).limit(limit)).all())


# -- export ----------------------------------------------------------------------------------------------

def export_table(course: Course) -> tuple[list[str], list[list]]:
    items, rows = gradebook_rows(course)
    header = [str(_("Username")), str(_("Full name")), str(_("Administration"))]
    header += [f"{item.display_title} (%)" for item in items]
    header += [str(_("Course grade (%)")), str(_("Course grade")), str(_("Completed on"))]
    table = []
    for row in rows:
        administration = row.user.administration.display_name if row.user.administration else ""
        line = [row.user.username, row.user.full_name, administration]
        line += [row.scores.get(item.id) for item in items]
        line += [row.course_grade, display_grade(course, row.course_grade),
                 row.completed_at.date().isoformat() if row.completed_at else ""]
        table.append(line)
    return header, table


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _csv_safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read Arabic right


def _csv_safe(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(header: list[str], rows: list[list], title: str = "Sheet", rtl: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "Sheet")[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_csv_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
