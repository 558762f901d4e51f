"""Instructor reports on SCORM activities: attempts per learner, interactions with item analysis,
objectives, the score distribution; CSV and XLSX exports. Registered on the SCORM blueprint."""
from __future__ import annotations

import csv
import io
from collections import defaultdict

from flask import Response, render_template, request, send_file
from flask_login import login_required
from sqlalchemy import select

from lms.core.db import db
from lms.core.i18n import _
from lms.core.permissions import require
from lms.courses.models import Activity

from .blueprint import bp
from .runtime.models import ScormAttempt, ScormInteraction, ScormObjective


def _load(activity_id: int) -> Activity:
    activity = db.get_or_404(Activity, activity_id)
    require("course.view_reports", activity.course)
    return activity


def attempt_rows(activity) -> list[dict]:
    attempts = db.session.scalars(select(ScormAttempt).where(ScormAttempt.activity_id == activity.id)
                                  .order_by(ScormAttempt.user_id, ScormAttempt.number)).all()
    return [{"attempt": a, "user": a.user, "learner": a.user.full_name or a.user.username, "number": a.number,
             "status": a.status_label, "score": None if a.score is None else round(a.score * 100, 2),
             "completed": a.completed, "passed": a.passed, "started_at": a.started_at,
             "last_access_at": a.last_access_at, "seconds": round(a.total_seconds or 0)} for a in attempts]


def item_analysis(activity) -> list[dict]:
    """Per interaction identifier: responses, percent correct (over the responses with a result)."""
    rows = db.session.execute(
        select(ScormInteraction.identifier, ScormInteraction.type, ScormInteraction.result,
               ScormInteraction.description)
        .join(ScormAttempt, ScormAttempt.id == ScormInteraction.attempt_id)
        .where(ScormAttempt.activity_id == activity.id, ScormAttempt.voided_at.is_(None))).all()
    stats: dict[str, dict] = {}
    for identifier, kind, result, description in rows:
        entry = stats.setdefault(identifier or "?", {"identifier": identifier or "?", "type": kind,
                                                     "description": description, "responses": 0, "judged": 0,
                                                     "correct": 0})
        entry["responses"] += 1
        if result in ("correct", "incorrect", "wrong"):
            entry["judged"] += 1
            entry["correct"] += result == "correct"
    for entry in stats.values():
        entry["percent_correct"] = round(100 * entry["correct"] / entry["judged"], 1) if entry["judged"] else None
    return sorted(stats.values(), key=lambda e: e["identifier"])


def objective_summary(activity) -> list[dict]:
    rows = db.session.execute(
        select(ScormObjective.identifier, ScormObjective.success_status, ScormObjective.completion_status,
               ScormObjective.score_scaled)
        .join(ScormAttempt, ScormAttempt.id == ScormObjective.attempt_id)
        .where(ScormAttempt.activity_id == activity.id, ScormAttempt.voided_at.is_(None))).all()
    stats: dict[str, dict] = defaultdict(lambda: {"count": 0, "passed": 0, "failed": 0, "completed": 0})
    for identifier, success, completion, _scaled in rows:
        entry = stats[identifier or "?"]
        entry["count"] += 1
        entry["passed"] += success == "passed"
        entry["failed"] += success == "failed"
        entry["completed"] += completion == "completed"
    return [{"identifier": k, **v} for k, v in sorted(stats.items())]


def score_distribution(activity, buckets: int = 10) -> list[dict]:
    counts = [0] * buckets
    for row in attempt_rows(activity):
        if row["score"] is not None and row["status"] != "reset":
            counts[min(int(row["score"] // (100 / buckets)), buckets - 1)] += 1
    top = max(counts) or 1
    width = 100 // buckets
    return [{"label": f"{i * width}–{(i + 1) * width}", "count": c, "percent": round(100 * c / top)}
            for i, c in enumerate(counts)]


def _table(activity) -> tuple[list[str], list[list]]:
    header = [_("Learner"), _("Username"), _("Attempt"), _("Status"), _("Score (%)"), _("Completed"), _("Passed"),
              _("Started"), _("Last access"), _("Time (s)")]
    rows = [[r["learner"], r["user"].username, r["number"], r["status"], r["score"], r["completed"], r["passed"],
             r["started_at"].isoformat() if r["started_at"] else "",
             r["last_access_at"].isoformat() if r["last_access_at"] else "", r["seconds"]]
            for r in attempt_rows(activity)]
    return header, rows


@bp.route("/activities/<int:activity_id>/scorm/report")
@login_required
def report_attempts(activity_id: int):
    activity = _load(activity_id)
    return render_template("scorm/report.html", activity=activity, rows=attempt_rows(activity),
                           items=item_analysis(activity), objectives=objective_summary(activity),
                           distribution=score_distribution(activity))


@bp.route("/scorm/attempts/<int:attempt_id>/report")
@login_required
def report_attempt(attempt_id: int):
    """One attempt in detail: every SCO's values, its interactions and objectives."""
    attempt = db.get_or_404(ScormAttempt, attempt_id)
    activity = _load(attempt.activity_id)
    return render_template("scorm/report_attempt.html", activity=activity, attempt=attempt,
                           items={item.identifier: item.title for item in attempt.version.items})


@bp.route("/activities/<int:activity_id>/scorm/report.<any(csv, xlsx):fmt>")
@login_required
def report_export(activity_id: int, fmt: str):
    activity = _load(activity_id)
    header, rows = _table(activity)
    if request.args.get("table") == "interactions":
        header = [_("Interaction"), _("Type"), _("Responses"), _("Correct"), _("Percent correct")]
        rows = [[i["identifier"], i["type"], i["responses"], i["correct"], i["percent_correct"]]
                for i in item_analysis(activity)]
    name = f"scorm-{activity.id}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return send_file(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=f"{name}.xlsx")

