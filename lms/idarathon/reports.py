"""Participation reports of an edition: by administration, women/men, central/local level, and
submissions per challenge; shown as tables and exported as CSV or XLSX."""
from __future__ import annotations

import csv
import io

from flask import make_response
from sqlalchemy import distinct, func, select

from lms.accounts.models import Administration, Gender, User
from lms.core.db import db
from lms.core.i18n import _, localized

from .models import Challenge, Participant, Submission, Team


def _gender_title(value) -> str:
    return str(Gender(value).title) if value else _("Not recorded")


def build_reports(edition) -> list[dict]:
    by_admin = db.session.execute(
        select(Administration.name, func.count(Participant.id))
        .select_from(Participant).outerjoin(Administration, Administration.id == Participant.administration_id)
        .where(Participant.edition_id == edition.id).group_by(Administration.id, Administration.name)).all()
    by_gender = db.session.execute(
        select(User.gender, func.count(Participant.id)).select_from(Participant)
        .join(User, User.id == Participant.user_id).where(Participant.edition_id == edition.id)
        .group_by(User.gender)).all()
    by_level = db.session.execute(
        select(Administration.level, func.count(Participant.id)).select_from(Participant)
        .outerjoin(Administration, Administration.id == Participant.administration_id)
        .where(Participant.edition_id == edition.id).group_by(Administration.level)).all()
    per_challenge = db.session.execute(
        select(Challenge.id, Challenge.title, func.count(distinct(Submission.team_id)), func.count(Submission.id))
        .select_from(Challenge).outerjoin(Submission, Submission.challenge_id == Challenge.id)
        .where(Challenge.edition_id == edition.id).group_by(Challenge.id, Challenge.title)
        .order_by(Challenge.id)).all()
    teams_per_challenge = dict(db.session.execute(
        select(Team.challenge_id, func.count(Team.id)).where(Team.edition_id == edition.id)
        .group_by(Team.challenge_id)).all())

    def gender_key(value):
        return getattr(value, "value", value)

    return [
        {"key": "administration", "title": _("Participants by administration"),
         "columns": [_("Administration"), _("Participants")],
         "rows": sorted(([localized(name) if name else _("Not recorded"), count] for name, count in by_admin),
                        key=lambda r: (-r[1], r[0]))},
        {"key": "gender", "title": _("Participants: women and men"), "columns": [_("Gender"), _("Participants")],
         "rows": [[_gender_title(gender_key(g)), count] for g, count in by_gender]},
        {"key": "level", "title": _("Participants: central and local administrations"),
         "columns": [_("Level"), _("Participants")],
         "rows": [[str(level.title) if level else _("Not recorded"), count] for level, count in by_level]},
        {"key": "submissions", "title": _("Submissions per challenge"),
         "columns": [_("Challenge"), _("Teams"), _("Teams that submitted"), _("Versions submitted")],
         "rows": [[localized(title), teams_per_challenge.get(cid, 0), teams, versions]
                  for cid, title, teams, versions in per_challenge]},
    ]


def csv_response(edition):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for table in build_reports(edition):
        writer.writerow([table["title"]])
        writer.writerow(table["columns"])
        writer.writerows(table["rows"])
        writer.writerow([])
    response = make_response("\ufeff" + buffer.getvalue())  # BOM: Excel opens Arabic CSV correctly
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="idarathon-{edition.slug}-report.csv"'
    return response


def xlsx_response(edition):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in build_reports(edition):
        sheet = workbook.create_sheet(table["key"])
        sheet.sheet_view.rightToLeft = True
        sheet.append([str(table["title"])])
        sheet["A1"].font = Font(bold=True)
        sheet.append([str(c) for c in table["columns"]])
        for row in table["rows"]:
            sheet.append([str(v) if not isinstance(v, (int, float)) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="idarathon-{edition.slug}-report.xlsx"'
    return response
