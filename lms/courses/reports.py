"""Progress and completion reports: SQL aggregates over enrolments (never a Python loop over learners).

Every figure comes from ``Enrolment.progress`` / ``completed_at`` (kept up to date by completion.py)
joined with the learner's administration, gender and level, so a report over tens of thousands of
learners is a handful of GROUP BY queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, case, func, or_, select

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
            func.sum(Enrolment.progress).label("sum_progress"), func.sum(Enrolment.final_grade).label("sum_grade"),
            func.count(Enrolment.final_grade).label("graded"))


def _needs_people(filters: ReportFilters) -> bool:
    return bool(filters.scope_administration_ids is not None or filters.administration_id or filters.gender
                or filters.level or filters.q)


def _base(columns, filters: ReportFilters, *, people: bool = True):
    """The filtered learner enrolments; ``people=False`` skips the user and administration joins when
    neither the columns nor the filters need them (the time series of an unfiltered report)."""
    query = select(*columns).select_from(Enrolment)
    if people or _needs_people(filters):
        query = (query.join(User, User.id == Enrolment.user_id)
                 .outerjoin(Administration, Administration.id == User.administration_id))
    return query.where(*_conditions(filters))


@dataclass
class Row:
    key: object
    label: str
    enrolled: int = 0
    completed: int = 0
    started: int = 0
    sum_progress: float = 0.0
    sum_grade: float = 0.0
    graded: int = 0

    @property
    def rate(self) -> float:
        return round(100.0 * self.completed / self.enrolled, 1) if self.enrolled else 0.0

    @property
    def avg_progress(self) -> float:
        return round(self.sum_progress / self.enrolled, 1) if self.enrolled else 0.0

    @property
    def avg_grade(self) -> float | None:
        return round(self.sum_grade / self.graded, 1) if self.graded else None

    def add(self, other) -> None:
        self.enrolled += int(other.enrolled or 0)
        self.completed += int(other.completed or 0)
        self.started += int(other.started or 0)
        self.sum_progress += float(other.sum_progress or 0)
        self.sum_grade += float(other.sum_grade or 0)
        self.graded += int(other.graded or 0)


class Cube:
    """One GROUP BY (course, administration, gender) over the filtered enrolments; every split of the
    report (totals, per course, per administration, women/men, central/local) is a sum of its cells,
    so the report scans the enrolments once however many tables it shows."""

    def __init__(self, filters: ReportFilters):
        query = _base([Enrolment.course_id, User.administration_id, User.gender, Administration.level, *_measures()],
                      filters).group_by(Enrolment.course_id, User.administration_id, User.gender, Administration.level)
        self.cells = db.session.execute(query).all()

    def split(self, key) -> dict:
        groups: dict = {}
        for cell in self.cells:
            k = key(cell)
            row = groups.get(k)
            if row is None:
                row = groups[k] = Row(key=k, label="")
            row.add(cell)
        return groups


def _ranked(groups: dict) -> list[Row]:
    return sorted(groups.values(), key=lambda r: (-r.enrolled, str(r.key)))


def summary(filters: ReportFilters, cube: Cube | None = None) -> Row:
    cube = cube or Cube(filters)
    row = cube.split(lambda cell: "all").get("all") or Row(key="all", label="")
    row.label = str(_("All learners"))
    return row


def by_course(filters: ReportFilters, *, offset: int = 0, limit: int = 25, cube: Cube | None = None
              ) -> tuple[list[Row], int]:
    ranked = _ranked((cube or Cube(filters)).split(lambda cell: cell.course_id))
    rows = ranked[offset:offset + limit]
    titles = dict(db.session.execute(select(Course.id, Course.title).where(Course.id.in_([r.key for r in rows]))).all())
    for row in rows:
        row.label = localized(titles.get(row.key))
    return rows, len(ranked)


def by_administration(filters: ReportFilters, *, offset: int = 0, limit: int = 25, cube: Cube | None = None
                      ) -> tuple[list[Row], int]:
    ranked = _ranked((cube or Cube(filters)).split(lambda cell: cell.administration_id))
    rows = ranked[offset:offset + limit]
    names = dict(db.session.execute(select(Administration.id, Administration.name)
                                    .where(Administration.id.in_([r.key for r in rows if r.key]))).all())
    for row in rows:
        row.label = localized(names.get(row.key)) if row.key else str(_("No administration"))
    return rows, len(ranked)


def by_gender(filters: ReportFilters, cube: Cube | None = None) -> list[Row]:
    groups = (cube or Cube(filters)).split(lambda cell: cell.gender)
    order = {Gender.female: 0, Gender.male: 1, Gender.unspecified: 2, None: 3}
    labels = {Gender.female: _("Women"), Gender.male: _("Men"), Gender.unspecified: _("Prefer not to say"),
              None: _("Not recorded")}
    rows = sorted(groups.values(), key=lambda r: order.get(r.key, 4))
    for row in rows:
        row.label = str(labels.get(row.key, row.key))
    return rows


def by_level(filters: ReportFilters, cube: Cube | None = None) -> list[Row]:
    groups = (cube or Cube(filters)).split(lambda cell: cell.level)
    labels = {AdministrationLevel.central: _("Central administration"),
              AdministrationLevel.local: _("Local administration"), None: _("No administration")}
    rows = sorted(groups.values(), key=lambda r: (r.key is None, getattr(r.key, "value", "")))
    for row in rows:
        row.label = str(labels.get(row.key, row.key))
    return rows


def month_key(column):
    """'YYYY-MM' of a UTC timestamp, the one dialect-specific expression of the reports."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    # SQLite stores UTC datetimes as ISO text ("YYYY-MM-DD HH:MM:SS..."): the month is its first 7 characters,
    # several times cheaper than strftime() over tens of thousands of rows.
    return func.substr(column, 1, 7)


def over_time(filters: ReportFilters, months: int = 12) -> list[tuple[str, int, int]]:
    """(month, enrolments, completions) for the last ``months`` months."""
    now = utcnow()
    keys = []
    for back in range(months - 1, -1, -1):
        year, month0 = divmod(now.year * 12 + now.month - 1 - back, 12)
        keys.append((year, month0 + 1))
    start = datetime(keys[0][0], keys[0][1], 1, tzinfo=timezone.utc)
    enrolled_key = month_key(Enrolment.created_at).label("enrolled_month")
    completed_key = month_key(Enrolment.completed_at).label("completed_month")
    enrolled: dict[str, int] = {}
    completed: dict[str, int] = {}
    rows = db.session.execute(_base([enrolled_key, completed_key, func.count(Enrolment.id)], filters, people=False)
                              .where(or_(Enrolment.created_at >= start, Enrolment.completed_at >= start))
                              .group_by(enrolled_key, completed_key)).all()
    for enrolled_month, completed_month, count in rows:
        enrolled[enrolled_month] = enrolled.get(enrolled_month, 0) + count
        if completed_month:
            completed[completed_month] = completed.get(completed_month, 0) + count
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


def learners(filters: ReportFilters, *, offset: int = 0, limit: int | None = 50, total: int | None = None
             ) -> tuple[list[LearnerRow], int]:
    columns = [User.id, User.username, User.full_name, Administration.name, Course.title, Enrolment.progress,
               Enrolment.final_grade, Enrolment.created_at, Enrolment.completed_at]
    query = _base(columns, filters).join(Course, Course.id == Enrolment.course_id)
    if total is None:
        total = db.session.scalar(_base([func.count(Enrolment.id)], filters)) or 0
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
