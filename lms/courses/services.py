"""Course operations: plain functions, flush only (the request or the CLI commits).

Enrolment (manual, self, cohort rules, LTI), authoring (sections, activities, ordering, duplication).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from lms.accounts.models import Administration, User
from lms.core.db import db, lock_for_update, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, format_datetime

from .activities import get_activity_type
from .models import (Activity, Course, CourseRole, Enrolment, EnrolmentMethod, EnrolmentRule, EnrolmentStatus,
                     Section)


def _role(value) -> CourseRole:
    return value if isinstance(value, CourseRole) else CourseRole(value)


def _method(value) -> EnrolmentMethod:
    return value if isinstance(value, EnrolmentMethod) else EnrolmentMethod(value)


# -- enrolment -------------------------------------------------------------------------------------------

def learner_count(course: Course) -> int:
    return db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.course_id == course.id, Enrolment.role == CourseRole.learner,
        Enrolment.status == EnrolmentStatus.active)) or 0


def seats_left(course: Course) -> int | None:
    if course.capacity is None:
        return None
    return max(0, course.capacity - learner_count(course))


def enrol_user(course: Course, user: User, role: CourseRole | str = CourseRole.learner,
               method: EnrolmentMethod | str = EnrolmentMethod.manual, *, time_start: datetime | None = None,
               time_end: datetime | None = None, check_capacity: bool = False) -> Enrolment:
    """Enrol ``user`` (or update an existing enrolment). The service the LTI launch and cohort rules call.

    An existing enrolment keeps its progress; it is re-activated and its role raised if asked
    (a learner becoming tutor), never lowered by an automatic method (LTI, cohort).
    """
    role, method = _role(role), _method(method)
    if check_capacity and role == CourseRole.learner:
        # Serialise concurrent self-enrolments on the course row (PostgreSQL); SQLite writers queue already.
        db.session.execute(lock_for_update(select(Course.id).where(Course.id == course.id)))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                          Enrolment.user_id == user.id))
    if enrolment is not None:
        ranks = {CourseRole.learner: 0, CourseRole.tutor: 1, CourseRole.instructor: 2}
        if method == EnrolmentMethod.manual or ranks[role] > ranks[enrolment.role]:
            enrolment.role = role
        if enrolment.status != EnrolmentStatus.active:
            if check_capacity and role == CourseRole.learner:
                _check_capacity(course)
            enrolment.status = EnrolmentStatus.active
        if time_end is not None or method == EnrolmentMethod.manual:
            enrolment.time_end = time_end
        db.session.flush()
        return enrolment
    if check_capacity and role == CourseRole.learner:
        _check_capacity(course)
    enrolment = Enrolment(course_id=course.id, user_id=user.id, role=role, method=method, time_start=time_start,
                          time_end=time_end, status=EnrolmentStatus.active, progress=0.0)
    db.session.add(enrolment)
    db.session.flush()
    from .completion import refresh_enrolment

    refresh_enrolment(enrolment)
    return enrolment


def _check_capacity(course: Course) -> None:
    if course.capacity is not None and learner_count(course) >= course.capacity:
        raise DomainError(_("This course is full: all %(n)d places are taken. Contact the course team to be "
                            "put on the list for the next session.", n=course.capacity),
                          code="capacity_full", status=409)


def self_enrolment_problem(course: Course, user, now: datetime | None = None) -> str | None:
    """Why ``user`` cannot enrol themselves now (a translated sentence), or None."""
    now = now or utcnow()
    if not course.visible:
        return _("This course is not open.")
    if course.self_enrolment not in ("open", "key"):
        return _("Self-enrolment is not open for this course. Ask your manager or the course team to enrol you.")
    if course.enrol_start_at and now < course.enrol_start_at:
        return _("Enrolment opens on %(date)s.", date=format_datetime(course.enrol_start_at, "medium"))
    if course.enrol_end_at and now > course.enrol_end_at:
        return _("Enrolment closed on %(date)s.", date=format_datetime(course.enrol_end_at, "medium"))
    if course.end_at and now > course.end_at:
        return _("This course has ended.")
    left = seats_left(course)
    if left is not None and left <= 0:
        return _("This course is full: all %(n)d places are taken. Contact the course team to be put on the list "
                 "for the next session.", n=course.capacity)
    return None


def self_enrol(course: Course, user: User, key: str | None = None) -> Enrolment:
    existing = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                         Enrolment.user_id == user.id))
    if existing is not None and existing.status == EnrolmentStatus.active:
        return existing
    problem = self_enrolment_problem(course, user)
    if problem:
        code = "capacity_full" if course.capacity is not None and seats_left(course) == 0 else "enrolment_closed"
        raise DomainError(problem, code=code, status=409)
    if course.self_enrolment == "key":
        import hmac

        if not key or not hmac.compare_digest((course.enrolment_key or "").encode(), key.strip().encode()):
            raise DomainError(_("The enrolment key is not correct."), code="wrong_key", status=403,
                              field="enrolment_key")
    return enrol_user(course, user, CourseRole.learner, EnrolmentMethod.self, check_capacity=True)


def unenrol(course: Course, user: User) -> None:
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                          Enrolment.user_id == user.id))
    if enrolment is not None:
        enrolment.status = EnrolmentStatus.suspended  # keep the results: re-enrolling restores them
        db.session.flush()


def _administration_ids(administration: Administration, include_children: bool) -> list[int]:
    if not include_children:
        return [administration.id]
    from lms.accounts.services import administration_subtree_ids

    return administration_subtree_ids(administration)


def enrol_administration(course: Course, administration: Administration, role=CourseRole.learner, *,
                         include_children: bool = True, method=EnrolmentMethod.manual,
                         time_end: datetime | None = None) -> int:
    """Enrol every active member of an administration; returns how many were newly enrolled."""
    ids = _administration_ids(administration, include_children)
    already = select(Enrolment.user_id).where(Enrolment.course_id == course.id)
    users = db.session.scalars(select(User).where(User.administration_id.in_(ids), User.active.is_(True),
                                                  User.id.not_in(already))).all()
    for user in users:
        enrol_user(course, user, role, method, time_end=time_end)
    return len(users)


def add_enrolment_rule(course: Course, administration: Administration, *, include_children: bool = True,
                       role=CourseRole.learner) -> EnrolmentRule:
    rule = db.session.scalar(select(EnrolmentRule).where(EnrolmentRule.course_id == course.id,
                                                         EnrolmentRule.administration_id == administration.id))
    if rule is None:
        rule = EnrolmentRule(course_id=course.id, administration_id=administration.id)
        db.session.add(rule)
    rule.include_children, rule.role = include_children, _role(role)
    db.session.flush()
    enrol_administration(course, administration, rule.role, include_children=include_children,
                         method=EnrolmentMethod.cohort)
    return rule


def apply_enrolment_rules(user: User) -> int:
    """Enrol a user in the courses whose cohort rules cover their administration (called on dashboard)."""
    if user.administration_id is None:
        return 0
    chain, current = [], user.administration
    while current is not None and len(chain) < 20:
        chain.append(current.id)
        current = current.parent
    rules = db.session.execute(
        select(EnrolmentRule, Course).join(Course, Course.id == EnrolmentRule.course_id)
        .where(EnrolmentRule.administration_id.in_(chain),
               EnrolmentRule.course_id.not_in(select(Enrolment.course_id).where(Enrolment.user_id == user.id)))
    ).all()
    count = 0
    for rule, course in rules:
        if rule.administration_id != user.administration_id and not rule.include_children:
            continue
        enrol_user(course, user, rule.role, EnrolmentMethod.cohort)
        count += 1
    return count


# -- authoring -------------------------------------------------------------------------------------------

def create_course(*, shortname: str, title: dict, created_by: User | None = None, **fields) -> Course:
    if db.session.scalar(select(Course.id).where(Course.shortname == shortname)) is not None:
        raise DomainError(_("This short name is already used by another course."), code="shortname_taken",
                          status=409, field="shortname")
    fields["settings"] = dict(fields.get("settings") or {})
    course = Course(shortname=shortname, title=title, created_by_id=getattr(created_by, "id", None),
                    languages=list(fields.pop("languages", None) or []), **fields)
    db.session.add(course)
    db.session.flush()
    db.session.add(Section(course_id=course.id, position=0, title={}))
    if created_by is not None:
        enrol_user(course, created_by, CourseRole.instructor, EnrolmentMethod.manual)
    db.session.flush()
    return course


def add_section(course: Course, title: dict | None = None, visible: bool = True) -> Section:
    position = (db.session.scalar(select(func.max(Section.position)).where(Section.course_id == course.id)) or 0) + 1
    section = Section(course_id=course.id, position=position, title=title or {}, visible=visible)
    db.session.add(section)
    db.session.flush()
    return section


def add_activity(section: Section, type_key: str, title: dict, form=None, **fields) -> Activity:
    activity_type = get_activity_type(type_key)
    position = (db.session.scalar(select(func.max(Activity.position)).where(Activity.section_id == section.id))
                or 0) + 1
    fields.setdefault("graded", activity_type.graded)
    activity = Activity(course_id=section.course_id, section_id=section.id, type_key=type_key, title=title,
                        position=position, settings=fields.pop("settings", None) or {}, **fields)
    db.session.add(activity)
    db.session.flush()
    if form is not None:
        activity_type.create(activity, form)
    db.session.flush()
    return activity


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def move_activity(activity: Activity, direction: str) -> None:
    """Keyboard alternative to drag and drop: one step up or down, across sections at the edges."""
    sections = list(activity.course.sections)
    siblings = list(activity.section.activities)
    index = siblings.index(activity)
    step = -1 if direction == "up" else 1
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
    else:
        section_index = sections.index(activity.section) + step
        if not 0 <= section_index < len(sections):
            return
        new_section = sections[section_index]
        siblings.remove(activity)
        _renumber(siblings)
        others = [a for a in new_section.activities if a.id != activity.id]
        others = ([*others, activity] if step < 0 else [activity, *others])
        activity.section = new_section
        _renumber(others)
    db.session.flush()
    db.session.expire(activity.course)


def move_section(section: Section, direction: str) -> None:
    sections = list(section.course.sections)
    index = sections.index(section)
    target = index + (-1 if direction == "up" else 1)
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
        _renumber(sections)
        db.session.flush()


def reorder(course: Course, layout: list[dict]) -> None:
    """Apply a drag-and-drop layout: ``[{"section": id, "activities": [id, ...]}, ...]`` in display order."""
    sections = {s.id: s for s in course.sections}
    activities = {a.id: a for a in course.activities}
    seen_sections, seen_activities = [], set()
    for entry in layout:
        section = sections.get(int(entry.get("section", 0)))
        if section is None or section.id in seen_sections:
            raise DomainError(_("The new order does not match this course."), code="bad_layout")
        seen_sections.append(section.id)
        for position, activity_id in enumerate(entry.get("activities") or []):
            activity = activities.get(int(activity_id))
            if activity is None or activity.id in seen_activities:
                raise DomainError(_("The new order does not match this course."), code="bad_layout")
            seen_activities.add(activity.id)
            activity.section_id, activity.position = section.id, position
    if set(seen_sections) != set(sections) or seen_activities != set(activities):
        raise DomainError(_("The new order does not match this course."), code="bad_layout")
    for position, section_id in enumerate(seen_sections):
        sections[section_id].position = position
    db.session.flush()
    db.session.expire(course)


COURSE_COPY_FIELDS = ("summary", "category_id", "languages", "image_digest", "start_at", "end_at", "self_enrolment",
                      "enrolment_key", "enrol_start_at", "enrol_end_at", "capacity", "completion_mode",
                      "completion_grade", "grade_aggregation", "grade_display", "grade_pass", "certificate_enabled",
                      "settings")
ACTIVITY_COPY_FIELDS = ("type_key", "title", "description", "visible", "available_from", "available_until", "due_at",
                        "completion_rule", "completion_min_grade", "graded", "grade_max", "grade_weight",
                        "grade_pass", "settings", "required_for_completion")


def duplicate_course(source: Course, *, shortname: str, title: dict | None = None, by: User | None = None) -> Course:
    """A new course with the same structure; each type copies its own rows (ActivityType.copy)."""
    fields = {name: getattr(source, name) for name in COURSE_COPY_FIELDS}
    fields["visible"] = False  # a copy is prepared before it is shown
    course = create_course(shortname=shortname, title=title or dict(source.title), created_by=by, **fields)
    first = course.sections[0]
    for index, section in enumerate(source.sections):
        target_section = first if index == 0 else Section(course_id=course.id, position=index)
        target_section.title, target_section.summary, target_section.visible = \
            dict(section.title or {}), section.summary, section.visible
        db.session.add(target_section)
        db.session.flush()
        for activity in section.activities:
            copy = Activity(course_id=course.id, section_id=target_section.id, position=activity.position,
                            **{name: getattr(activity, name) for name in ACTIVITY_COPY_FIELDS})
            db.session.add(copy)
            db.session.flush()
            activity.type.copy(activity, copy)
    db.session.flush()
    db.session.expire(course)
    return course


def delete_activity(activity: Activity) -> None:
    db.session.delete(activity)
    db.session.flush()


def current_preview(course: Course) -> bool:
    """Preview as learner: staff see the course as a learner (session flag per course)."""
    from flask import session

    return course.id in (session.get("preview_courses") or [])


def set_preview(course: Course, on: bool) -> None:
    from flask import session

    ids = set(session.get("preview_courses") or [])
    (ids.add if on else ids.discard)(course.id)
    session["preview_courses"] = sorted(ids)


def touch_enrolment(enrolment: Enrolment | None, activity: Activity | None = None) -> None:
    """Remember where the learner was ("continue where I left off")."""
    if enrolment is None:
        return
    enrolment.last_access_at = utcnow()
    if activity is not None:
        enrolment.last_activity_id = activity.id
    db.session.flush()


def site_timezone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]
