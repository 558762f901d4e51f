"""Small builders for test data (flush only; tests and fixtures decide when to commit)."""
from __future__ import annotations

import itertools
from functools import lru_cache

from lms.accounts.models import Administration, AdministrationLevel, Gender, SiteRole, User
from lms.core.db import db
from lms.core.security import hash_password

_counter = itertools.count(1)


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose: hash each test password once


def make_administration(code: str | None = None, name: str | None = None, *, parent=None,
                        level: AdministrationLevel | str = AdministrationLevel.central) -> Administration:
    n = next(_counter)
    code = code or f"adm-{n}"
    name = name or f"Administration {n}"
    administration = Administration(code=code, name={"ar": f"إدارة {n}", "fr": name, "en": name}, parent=parent,
                                    level=AdministrationLevel(level) if isinstance(level, str) else level)
    db.session.add(administration)
    db.session.flush()
    return administration


def make_user(username: str | None = None, *, password: str = "pw", role: SiteRole | str = SiteRole.learner,
              administration: Administration | None = None, gender: Gender | str | None = None,
              language: str = "en", email: str | None = None, full_name: str | None = None,
              active: bool = True) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(username=username, email=email or f"{username}@example.test", full_name=full_name or username.title(),
                password_hash=_hash(password), role=SiteRole(role) if isinstance(role, str) else role,
                administration=administration, gender=Gender(gender) if isinstance(gender, str) else gender,
                preferred_language=language, active=active)
    db.session.add(user)
    db.session.flush()
    return user


def make_course(shortname: str | None = None, *, title: str | None = None, visible: bool = True,
                sections: int = 1, created_by=None, category=None, settings: dict | None = None):
    from lms.courses.models import Course, Section

    n = next(_counter)
    shortname = shortname or f"course-{n}"
    title = title or f"Course {n}"
    course = Course(shortname=shortname, title={"ar": f"دورة {n}", "fr": title, "en": title}, visible=visible,
                    languages=["ar", "fr"], created_by_id=getattr(created_by, "id", None), category=category,
                    settings=settings or {})
    db.session.add(course)
    db.session.flush()
    for position in range(sections):
        db.session.add(Section(course=course, position=position, title={"fr": f"Section {position + 1}",
                                                                        "ar": f"القسم {position + 1}"}))
    db.session.flush()
    return course


def make_activity(course, type_key: str = "page", *, title: str | None = None, section=None, **fields):
    from lms.courses.models import Activity

    n = next(_counter)
    section = section or course.sections[0]
    activity = Activity(course=course, section=section, type_key=type_key, position=len(section.activities),
                        title={"fr": title or f"Activité {n}", "ar": f"نشاط {n}", "en": title or f"Activity {n}"},
                        settings={}, **fields)
    db.session.add(activity)
    db.session.flush()
    return activity


def enrol(user, course, role: str = "learner", method: str = "manual"):
    from lms.courses.models import CourseRole, Enrolment, EnrolmentMethod

    enrolment = Enrolment(course_id=course.id, user_id=user.id, role=CourseRole(role), method=EnrolmentMethod(method))
    db.session.add(enrolment)
    db.session.flush()
    return enrolment
