"""Progress and completion reports: SQL aggregates over enrolments (never a Python loop over learners).

Every figure comes from ``Enrolment.progress`` / ``completed_at`` (kept up to date by completion.py)
joined with the learner's administration, gender and level, so a report over tens of thousands of
learners is a handful of GROUP BY queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, case, func, literal, select

from lms.accounts.models import Administration, AdministrationLevel, Gender, SiteRole, User
from lms.core.db import db, utcnow
from lms.core.i18n import _, localized
from lms.core.permissions import can

from .models import Course, CourseRole, Enrolment, EnrolmentStatus


@dataclass
class ReportFilters:
    course_id: int | None = None
    administration_id: int | None = None
    gender: str | None = None
    level: str | None = None
    status: str | None = None          # "completed", "in_progress", "not_started"
    since: datetime | None = None      # enrolled on or after
    q: str | None = None               # learner name or username
    # Scope imposed by the viewer's rights (not by the form):
    scope_course_ids: list[int] | None = None
    scope_administration_ids: list[int] | None = None
    extra: dict = field(default_factory=dict)


def scope_for(user) -> tuple[list[int] | None, list[int] | None]:
    """(course ids, administration ids) a viewer may report on; None = no restriction."""
    if user.is_administrator:
        return None, None
    if user.role == SiteRole.manager:
        from lms.accounts.services import administration_subtree_ids

        return None, (administration_subtree_ids(user.administration) if user.administration else [])
    ids = list(db.session.scalars(select(Enrolment.course_id).where(
        Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.active,
        Enrolment.role.in_((CourseRole.instructor, CourseRole.tutor)))))
    ids += list(db.session.scalars(select(Course.id).where(Course.created_by_id == user.id)))
    return sorted(set(ids)), None


def may_view_reports(user) -> bool:
    if not user.is_authenticated:
        return False
    if can(user, "course.view_reports", None):
        return True
    course_ids, _admins = scope_for(user)
    return bool(course_ids)


def _conditions(filters: ReportFilters) -> list:
    conditions = [Enrolment.role == CourseRole.learner, Enrolment.status == EnrolmentStatus.active]
    if filters.scope_course_ids is not None:
        conditions.append(Enrolment.course_id.in_(filters.scope_course_ids or [-1]))
    if filters.scope_administration_ids is not None:
        conditions.append(User.administration_id.in_(filters.scope_administration_ids or [-1]))
    if filters.course_id:
        conditions.append(Enrolment.course_id == filters.course_id)
    if filters.administration_id:
        from lms.accounts.services import administration_subtree_ids

        administration = db.session.get(Administration, filters.administration_id)
        conditions.append(User.administration_id.in_(administration_subtree_ids(administration) if administration
                                                      else [-1]))
    if filters.gender in {g.value for g in Gender}:
        conditions.append(User.gender == Gender(filters.gender))
    elif filters.gender == "none":
        conditions.append(User.gender.is_(None))
    if filters.level in {lv.value for lv in AdministrationLevel}:
        conditions.append(Administration.level == AdministrationLevel(filters.level))
    if filters.status == "completed":
        conditions.append(Enrolment.completed_at.is_not(None))
    elif filters.status == "in_progress":
        conditions.append(and_(Enrolment.completed_at.is_(None), Enrolment.progress > 0))
    elif filters.status == "not_started":
        conditions.append(and_(Enrolment.completed_at.is_(None), Enrolment.progress <= 0))
    if filters.since:
        conditions.append(Enrolment.created_at >= filters.since)
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        conditions.append(func.lower(User.full_name).like(like) | func.lower(User.username).like(like))
    return conditions


def _measures():
    completed = func.sum(case((Enrolment.completed_at.is_not(None), 1), else_=0))
    started = func.sum(case((Enrolment.progress > 0, 1), else_=0))
    return (func.count(Enrolment.id).label("enrolled"), completed.label("completed"), started.label("started"),
            func.avg(Enrolment.progress).label("avg_progress"), func.avg(Enrolment.final_grade).label("avg_grade"))


def _base(columns, filters: ReportFilters):
    return (select(*columns).select_from(Enrolment).join(User, User.id == Enrolment.user_id)
            .outerjoin(Administration, Administration.id == User.administration_id)
            .where(*_conditions(filters)))


@dataclass
class Row:
    key: object
    label: str
    enrolled: int
    completed: int
    started: int
    avg_progress: float
    avg_grade: float | None

    @property
    def rate(self) -> float:
        return round(100.0 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


def _rows(result, label) -> list[Row]:
    return [Row(key=r[0], label=label(r), enrolled=int(r.enrolled or 0), completed=int(r.completed or 0),
                started=int(r.started or 0), avg_progress=round(float(r.avg_progress or 0), 1),
                avg_grade=None if r.avg_grade is None else round(float(r.avg_grade), 1)) for r in result]


def summary(filters: ReportFilters) -> Row:
    result = db.session.execute(_base([literal(1), *_measures()], filters)).one()
    return _rows([result], lambda r: str(_("All learners")))[0]


def by_course(filters: ReportFilters, *, offset: int = 0, limit: int = 25) -> tuple[list[Row], int]:
    grouped = _base([Enrolment.course_id, *_measures()], filters).group_by(Enrolment.course_id)
    total = db.session.scalar(select(func.count()).select_from(grouped.subquery()))
    rows = db.session.execute(grouped.order_by(func.count(Enrolment.id).desc(), Enrolment.course_id)
                              .offset(offset).limit(limit)).all()
    titles = dict(db.session.execute(select(Course.id, Course.title).where(Course.id.in_([r[0] for r in rows]))).all())
    return _rows(rows, lambda r: localized(titles.get(r[0]))), total or 0


def by_administration(filters: ReportFilters, *, offset: int = 0, limit: int = 25) -> tuple[list[Row], int]:
    grouped = _base([User.administration_id, *_measures()], filters).group_by(User.administration_id)
    total = db.session.scalar(select(func.count()).select_from(grouped.subquery()))
    rows = db.session.execute(grouped.order_by(func.count(Enrolment.id).desc(), User.administration_id)
                              .offset(offset).limit(limit)).all()
    names = dict(db.session.execute(select(Administration.id, Administration.name)
                                    .where(Administration.id.in_([r[0] for r in rows if r[0]]))).all())
    return _rows(rows, lambda r: localized(names.get(r[0])) if r[0] else str(_("No administration"))), total or 0


def by_gender(filters: ReportFilters) -> list[Row]:
    rows = db.session.execute(_base([User.gender, *_measures()], filters).group_by(User.gender)).all()
    order = {Gender.female: 0, Gender.male: 1, Gender.unspecified: 2, None: 3}
    rows = sorted(rows, key=lambda r: order.get(r[0], 4))
    labels = {Gender.female: _("Women"), Gender.male: _("Men"), Gender.unspecified: _("Prefer not to say"),
              None: _("Not recorded")}
    return _rows(rows, lambda r: str(labels.get(r[0], r[0])))


def by_level(filters: ReportFilters) -> list[Row]:
    rows = db.session.execute(_base([Administration.level, *_measures()], filters).group_by(Administration.level)).all()
    labels = {AdministrationLevel.central: _("Central administration"),
              AdministrationLevel.local: _("Local administration"), None: _("No administration")}
    rows = sorted(rows, key=lambda r: (r[0] is None, getattr(r[0], "value", "")))
    return _rows(rows, lambda r: str(labels.get(r[0], r[0])))


def month_key(column):
    """'YYYY-MM' of a UTC timestamp, the one dialect-specific expression of the reports."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def over_time(filters: ReportFilters, months: int = 12) -> list[tuple[str, int, int]]:
    """(month, enrolments, completions) for the last ``months`` months."""
    now = utcnow()
    keys = []
    for back in range(months - 1, -1, -1):
        year, month0 = divmod(now.year * 12 + now.month - 1 - back, 12)
        keys.append((year, month0 + 1))
    start = datetime(keys[0][0], keys[0][1], 1, tzinfo=timezone.utc)
    enrolled_key = month_key(Enrolment.created_at).label("month")
    enrolled = dict(db.session.execute(_base([enrolled_key, func.count(Enrolment.id)], filters)
                                       .where(Enrolment.created_at >= start).group_by(enrolled_key)).all())
    completed_key = month_key(Enrolment.completed_at).label("month")
    completed = dict(db.session.execute(_base([completed_key, func.count(Enrolment.id)], filters)
                                        .where(Enrolment.completed_at >= start).group_by(completed_key)).all())
    series = []
    for year, month in keys:
        key = f"{year:04d}-{month:02d}"
        series.append((key, int(enrolled.get(key, 0)), int(completed.get(key, 0))))
    return series


@dataclass
class LearnerRow:
    user_id: int
    username: str
    full_name: str
    administration: str
    course: str
    progress: float
    grade: float | None
    enrolled_at: datetime | None
    completed_at: datetime | None


def learners(filters: ReportFilters, *, offset: int = 0, limit: int | None = 50) -> tuple[list[LearnerRow], int]:
    columns = [User.id, User.username, User.full_name, Administration.name, Course.title, Enrolment.progress,
               Enrolment.final_grade, Enrolment.created_at, Enrolment.completed_at]
    query = _base(columns, filters).join(Course, Course.id == Enrolment.course_id)
    count_query = _base([func.count(Enrolment.id)], filters)
    total = db.session.scalar(count_query) or 0
    query = query.order_by(Enrolment.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [LearnerRow(r[0], r[1], r[2] or r[1], localized(r[3]) if r[3] else "", localized(r[4]), float(r[5] or 0),
                       r[6], r[7], r[8]) for r in db.session.execute(query)]
    return rows, total


def learner_table(filters: ReportFilters) -> tuple[list[str], list[list]]:
    rows, _total = learners(filters, limit=None)
    header = [str(_("Username")), str(_("Full name")), str(_("Administration")), str(_("Course")),
              str(_("Progress (%)")), str(_("Course grade (%)")), str(_("Enrolled on")), str(_("Completed on"))]
    return header, [[r.username, r.full_name, r.administration, r.course, round(r.progress, 1), r.grade,
                     r.enrolled_at.date().isoformat() if r.enrolled_at else "",
                     r.completed_at.date().isoformat() if r.completed_at else ""] for r in rows]


def group_table(rows: list[Row], first_header: str) -> tuple[list[str], list[list]]:
    header = [first_header, str(_("Enrolled")), str(_("Started")), str(_("Completed")), str(_("Completion rate (%)")),
              str(_("Average progress (%)")), str(_("Average grade (%)"))]
    return header, [[r.label, r.enrolled, r.started, r.completed, r.rate, r.avg_progress, r.avg_grade] for r in rows]


# -- inline SVG charts (no JavaScript, no CDN) --------------------------------------------------------------

def _esc(text) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def bar_chart(rows: list[tuple[str, float]], *, title: str, unit: str = "", rtl: bool = False, max_value: float | None = None,
              width: int = 560) -> str:
    """Horizontal bars, one per row; mirrored in right-to-left pages."""
    bar_h, gap, label_w = 22, 8, 200
    height = max(1, len(rows)) * (bar_h + gap) + 10
    top = max_value if max_value else max([v for _l, v in rows] + [1])
    plot_w = width - label_w - 70
    parts = [f'<svg class="chart" role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{_esc(title)}</title>"]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * (bar_h + gap)
        length = 0 if top <= 0 else plot_w * float(value) / float(top)
        short = label if len(label) <= 32 else label[:31] + "…"
        if rtl:
            label_x, anchor = width - 4, "start"
            bar_x = width - label_w - length
            value_x = bar_x - 6
        else:
            label_x, anchor = 4, "start"
            bar_x = label_w
            value_x = bar_x + length + 6
        direction = ' direction="rtl"' if rtl else ""
        parts.append(f'<text x="{label_x:.1f}" y="{y + bar_h * 0.72:.1f}" text-anchor="{anchor}"{direction} '
                     f'font-size="13" fill="#1d2327">{_esc(short)}</text>')
        parts.append(f'<rect x="{bar_x:.1f}" y="{y}" width="{max(length, 0.5):.1f}" height="{bar_h}" rx="3" '
                     f'fill="#0b5d4b"><title>{_esc(label)}: {_esc(value)}{_esc(unit)}</title></rect>')
        parts.append(f'<text x="{value_x:.1f}" y="{y + bar_h * 0.72:.1f}" font-size="12" fill="#1d2327"'
                     f'{direction} text-anchor="start">{_esc(value)}{_esc(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns_chart(series: list[tuple[str, int, int]], *, title: str, labels: tuple[str, str], width: int = 640) -> str:
    """Enrolments and completions per month (time runs left to right in every language, like the axis labels)."""
    height, base, left = 220, 180, 36
    top = max([max(e, c) for _m, e, c in series] + [1])
    slot = (width - left - 10) / max(1, len(series))
    bar_w = max(2.0, slot / 2 - 3)
    parts = [f'<svg class="chart" role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg" direction="ltr">', f"<title>{_esc(title)}</title>",
             f'<line x1="{left}" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#50575e"/>',
             f'<text x="{left - 4}" y="{base - 150 + 4}" font-size="11" text-anchor="end" fill="#1d2327">{top}</text>']
    for index, (month, enrolled, completed) in enumerate(series):
        x = left + index * slot + 2
        for offset, value, colour, label in ((0, enrolled, "#83b3a6", labels[0]), (bar_w + 2, completed, "#0b5d4b", labels[1])):
            h = 150.0 * value / top
            parts.append(f'<rect x="{x + offset:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
                         f'fill="{colour}"><title>{_esc(month)} · {_esc(label)}: {value}</title></rect>')
        parts.append(f'<text x="{x + bar_w:.1f}" y="{base + 16}" font-size="10" text-anchor="middle" '
                     f'fill="#1d2327">{_esc(month[2:])}</text>')
    parts.append(f'<rect x="{left}" y="200" width="12" height="12" fill="#83b3a6"/>'
                 f'<text x="{left + 16}" y="210" font-size="12" fill="#1d2327">{_esc(labels[0])}</text>'
                 f'<rect x="{left + 160}" y="200" width="12" height="12" fill="#0b5d4b"/>'
                 f'<text x="{left + 176}" y="210" font-size="12" fill="#1d2327">{_esc(labels[1])}</text>')
    parts.append("</svg>")
    return "".join(parts)
