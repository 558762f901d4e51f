"""The figures the programme reports to its partners: participants per event and administration, women/men,
central/local, attendance and satisfaction rates, hours of training per person; CSV and XLSX exports."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import AdministrationLevel, Gender, User
from lms.core.db import db
from lms.core.i18n import _, localized

from .models import (Attendance, EventCompletion, EventStatus, Registration, RegistrationState, SessionStatus,
                     TrainingEvent)
from .services import survey_results


def report_events(start: datetime | None = None, end: datetime | None = None, administration_id: int | None = None,
                  topic: str | None = None) -> list[TrainingEvent]:
    query = select(TrainingEvent).where(TrainingEvent.status != EventStatus.draft).order_by(TrainingEvent.id)
    if administration_id:
        query = query.where(TrainingEvent.organising_administration_id == administration_id)
    if topic:
        query = query.where(TrainingEvent.topic == topic)
    events = []
    for event in db.session.scalars(query):
        sessions = event.scheduled_sessions
        if start and not any(s.ends_at >= start for s in sessions):
            continue
        if end and not any(s.starts_at < end for s in sessions):
            continue
        events.append(event)
    return events


def participant_rows(events: list[TrainingEvent]) -> list[dict]:
    """One row per person per event with at least one confirmed registration."""
    rows = []
    for event in events:
        sessions = {s.id: s for s in event.sessions if s.status == SessionStatus.scheduled}
        if not sessions:
            continue
        registrations = db.session.scalars(select(Registration).where(
            Registration.session_id.in_(sessions), Registration.state == RegistrationState.confirmed)).all()
        marks = db.session.scalars(select(Attendance).where(Attendance.session_id.in_(sessions))).all()
        completions = {c.user_id: c for c in db.session.scalars(
            select(EventCompletion).where(EventCompletion.event_id == event.id))}
        per_user: dict[int, dict] = {}
        for registration in registrations:
            entry = per_user.setdefault(registration.user_id, {"user": registration.user, "registered": 0,
                                                               "attended": 0, "marked": 0, "hours": 0.0})
            entry["registered"] += 1
        for mark in marks:
            entry = per_user.get(mark.user_id)
            if entry is None:
                continue
            entry["marked"] += 1
            if mark.status.attended:
                entry["attended"] += 1
                entry["hours"] += sessions[mark.session_id].hours
        for user_id, entry in per_user.items():
            user = entry["user"]
            administration = user.administration
            completion = completions.get(user_id)
            rows.append({
                "event": event, "user": user, "administration": administration,
                "level": administration.level if administration else None, "gender": user.gender,
                "sessions_registered": entry["registered"], "sessions_marked": entry["marked"],
                "sessions_attended": entry["attended"], "hours": round(entry["hours"], 2),
                "completed": completion is not None,
                "certificate_code": completion.certificate_code if completion else None,
            })
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def summary(events: list[TrainingEvent]) -> dict:
    rows = participant_rows(events)
    people: dict[int, dict] = {}
    per_event = []
    per_administration: dict[int | None, dict] = defaultdict(lambda: {"administration": None, "participants": set(),
                                                                       "hours": 0.0, "completed": 0})
    satisfied_weighted = []
    for event in events:
        event_rows = [r for r in rows if r["event"].id == event.id]
        marked = sum(r["sessions_marked"] for r in event_rows)
        attended = sum(r["sessions_attended"] for r in event_rows)
        survey = survey_results(event)
        if survey["satisfaction_percent"] is not None:
            satisfied_weighted.append((survey["satisfaction_percent"], survey["responses"]))
        per_event.append({
            "event": event, "participants": len(event_rows),
            "women": sum(1 for r in event_rows if r["gender"] == Gender.female),
            "men": sum(1 for r in event_rows if r["gender"] == Gender.male),
            "central": sum(1 for r in event_rows if r["level"] == AdministrationLevel.central),
            "local": sum(1 for r in event_rows if r["level"] == AdministrationLevel.local),
            "completed": sum(1 for r in event_rows if r["completed"]),
            "attendance_rate": _rate(attended, marked),
            "satisfaction_rate": survey["satisfaction_percent"], "survey_responses": survey["responses"],
            "hours": round(sum(r["hours"] for r in event_rows), 2),
        })
    for row in rows:
        person = people.setdefault(row["user"].id, {"user": row["user"], "hours": 0.0, "events": 0,
                                                    "administration": row["administration"]})
        person["hours"] += row["hours"]
        person["events"] += 1
        key = row["administration"].id if row["administration"] else None
        bucket = per_administration[key]
        bucket["administration"] = row["administration"]
        bucket["participants"].add(row["user"].id)
        bucket["hours"] += row["hours"]
        bucket["completed"] += 1 if row["completed"] else 0
    trainers: dict[int, dict] = {}
    for item in per_event:
        for rating in survey_results(item["event"])["trainers"]:
            entry = trainers.setdefault(rating["trainer"].id, {"trainer": rating["trainer"], "events": 0,
                                                               "count": 0, "total": 0.0, "satisfied": 0})
            entry["events"] += 1
            if rating["count"]:
                entry["count"] += rating["count"]
                entry["total"] += rating["mean"] * rating["count"]
                entry["satisfied"] += round(rating["satisfied_percent"] * rating["count"] / 100)
    for entry in trainers.values():
        entry["mean"] = round(entry["total"] / entry["count"], 2) if entry["count"] else None
        entry["satisfied_percent"] = _rate(entry["satisfied"], entry["count"])
    persons = list(people.values())
    total_marked = sum(r["sessions_marked"] for r in rows)
    total_attended = sum(r["sessions_attended"] for r in rows)
    responses = sum(n for _p, n in satisfied_weighted)
    return {
        "events": per_event,
        "administrations": sorted(
            ({"administration": b["administration"], "participants": len(b["participants"]),
              "hours": round(b["hours"], 2), "completed": b["completed"]} for b in per_administration.values()),
            key=lambda b: -b["participants"]),
        "people": sorted(persons, key=lambda p: -p["hours"]),
        "trainers": sorted(trainers.values(), key=lambda t: t["trainer"].display_name),
        "totals": {
            "events": len(events), "participations": len(rows), "people": len(persons),
            "women": sum(1 for p in persons if p["user"].gender == Gender.female),
            "men": sum(1 for p in persons if p["user"].gender == Gender.male),
            "central": sum(1 for p in persons if p["administration"] and
                           p["administration"].level == AdministrationLevel.central),
            "local": sum(1 for p in persons if p["administration"] and
                         p["administration"].level == AdministrationLevel.local),
            "hours": round(sum(p["hours"] for p in persons), 2),
            "hours_per_person": round(sum(p["hours"] for p in persons) / len(persons), 2) if persons else None,
            "attendance_rate": _rate(total_attended, total_marked),
            "satisfaction_rate": round(sum(p * n for p, n in satisfied_weighted) / responses, 1) if responses else None,
            "completed": sum(1 for r in rows if r["completed"]),
        },
    }


def export_headers() -> list[str]:
    return [_("Training"), _("Topic"), _("Participant"), _("Username"), _("Administration"), _("Level"), _("Gender"),
            _("Sessions registered"), _("Sessions attended"), _("Hours"), _("Completed"), _("Certificate")]


def export_values(row: dict) -> list:
    return [
        localized(row["event"].title), row["event"].topic or "", row["user"].display_name, row["user"].username,
        localized(row["administration"].name) if row["administration"] else "",
        str(row["level"].title) if row["level"] else "", str(row["gender"].title) if row["gender"] else "",
        row["sessions_registered"], row["sessions_attended"], row["hours"],
        _("Yes") if row["completed"] else _("No"), row["certificate_code"] or "",
    ]


def to_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export_headers())
    for row in rows:
        writer.writerow(export_values(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Arabic UTF-8 correctly


def to_xlsx(rows: list[dict], totals: dict, rtl: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Participants"))[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append(export_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(export_values(row))
    sheet.freeze_panes = "A2"
    figures = workbook.create_sheet(str(_("Figures"))[:31])
    figures.sheet_view.rightToLeft = rtl
    labels = [("events", _("Training events")), ("people", _("People trained")), ("participations", _("Participations")),
              ("women", _("Women")), ("men", _("Men")), ("central", _("Central administrations")),
              ("local", _("Local administrations")), ("hours", _("Hours of training")),
              ("hours_per_person", _("Hours per person")), ("attendance_rate", _("Attendance rate (%)")),
              ("satisfaction_rate", _("Satisfaction rate (%)")), ("completed", _("Completions"))]
    for key, label in labels:
        figures.append([str(label), totals.get(key)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def user_hours(user: User) -> float:
    total = 0.0
    marks = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id)).all()
    for mark in marks:
        if mark.status.attended and mark.session.status == SessionStatus.scheduled:
            total += mark.session.hours
    return round(total, 2)
