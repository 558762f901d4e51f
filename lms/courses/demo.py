"""Demo data: five e-learning topics with one course each (Arabic and French), an interactive SCORM
lesson per course (built from lms/courses/demo_content), and demo learners with some progress so the
dashboards and reports have something to show. Idempotent; flush only (the CLI commits)."""
from __future__ import annotations

import io
import random
from datetime import timedelta

import click
from sqlalchemy import select

from lms.accounts.models import SiteRole, User
from lms.core.db import db, utcnow

from . import services
from .demo_content import build_package
from .models import Activity, Category, Course, CourseRole, Enrolment, PageContent, UrlResource
from .results import report_result

DEMO_ORDER = 20

# (category code, position, course shortname, {ar, fr, en} title, {ar, fr} summary, welcome {ar, fr}, link)
TOPICS = [
    ("digital-transformation", 1, "DEMO-TRANSFO",
     {"ar": "التحول الرقمي للإدارة", "fr": "Transformation digitale de l'administration",
      "en": "Digital transformation of the administration"},
     {"ar": "فهم رهانات رقمنة الخدمات العمومية وقيادة مشروع تحول رقمي انطلاقا من حاجيات المرتفق.",
      "fr": "Comprendre les enjeux de la numérisation des services publics et piloter un projet de transformation "
            "centré sur l'usager."},
     None),
    ("digital-communication", 2, "DEMO-COM",
     {"ar": "التواصل الرقمي", "fr": "Communication digitale", "en": "Digital communication"},
     {"ar": "التواصل مع المرتفقين عبر القنوات الرقمية برسائل واضحة والإصغاء لتفاعلاتهم.",
      "fr": "Communiquer avec les usagers sur les canaux numériques : messages clairs, écoute et réponse."},
     None),
    ("public-innovation", 3, "DEMO-INNOV",
     {"ar": "الابتكار العمومي والذكاء الجماعي", "fr": "Innovation publique et intelligence collective",
      "en": "Public innovation and collective intelligence"},
     {"ar": "تجريب حلول جديدة وتعبئة معارف الموظفين والمواطنين لتحسين الخدمات.",
      "fr": "Expérimenter des solutions nouvelles et mobiliser les savoirs des agents et des citoyens."},
     None),
    ("problem-solving", 4, "DEMO-PROB",
     {"ar": "حل المشكلات العمومية", "fr": "Résolution de problèmes publics", "en": "Public problem-solving"},
     {"ar": "منهجية لفهم المشكلة والبحث عن أسبابها الجذرية واختيار حل قابل للقياس.",
      "fr": "Une méthode pour comprendre un problème, en trouver les causes profondes et choisir une solution "
            "mesurable."},
     None),
    ("cybersecurity", 5, "DEMO-CYBER",
     {"ar": "الأمن السيبراني وحماية المعطيات الشخصية", "fr": "Cybersécurité et protection des données personnelles",
      "en": "Cybersecurity and personal-data protection"},
     {"ar": "الوقاية من التصيد الاحتيالي، وكلمات المرور الآمنة، واحترام القانون 09-08.",
      "fr": "Se protéger de l'hameçonnage, choisir de bons mots de passe et respecter la loi 09-08."},
     ("https://www.cndp.ma/", {"ar": "موقع اللجنة الوطنية لمراقبة حماية المعطيات الشخصية",
                               "fr": "Site de la CNDP (Commission nationale de contrôle de la protection des données)"})),
]

CATEGORY_NAMES = {
    "digital-transformation": {"ar": "التحول الرقمي", "fr": "Transformation digitale", "en": "Digital transformation"},
    "digital-communication": {"ar": "التواصل الرقمي", "fr": "Communication digitale", "en": "Digital communication"},
    "public-innovation": {"ar": "الابتكار العمومي", "fr": "Innovation publique", "en": "Public innovation"},
    "problem-solving": {"ar": "حل المشكلات", "fr": "Résolution de problèmes", "en": "Problem-solving"},
    "cybersecurity": {"ar": "الأمن السيبراني", "fr": "Cybersécurité", "en": "Cybersecurity"},
}

SCORM_KEYS = {"digital-transformation": "digital-transformation", "digital-communication": "digital-communication",
              "public-innovation": "public-innovation", "problem-solving": "problem-solving",
              "cybersecurity": "cybersecurity"}

WELCOME = {
    "ar": "<p>مرحبا بكم في هذه الدورة. اقرأوا هذه المقدمة، ثم انتقلوا إلى الوحدة التفاعلية واختبروا معارفكم.</p>"
          "<p>مدة الدورة حوالي ثلاثين دقيقة. تحصلون على شهادة عند إتمامها بنجاح.</p>",
    "fr": "<p>Bienvenue dans ce cours. Lisez cette introduction, puis passez au module interactif et testez vos "
          "connaissances.</p><p>Le cours dure une trentaine de minutes. Une attestation est délivrée à sa réussite.</p>",
}


def _scorm_import():
    try:
        from lms.scorm.services import import_package
    except ImportError:
        return None
    return import_package


def _category(code: str, position: int) -> Category:
    category = db.session.scalar(select(Category).where(Category.code == code))
    if category is None:
        category = Category(code=code, name=CATEGORY_NAMES[code], position=position)
        db.session.add(category)
        db.session.flush()
    return category


def _course(category, shortname, title, summary, link, instructor) -> Course:
    course = db.session.scalar(select(Course).where(Course.shortname == shortname))
    if course is not None:
        return course
    course = services.create_course(shortname=shortname, title=title, summary=summary, created_by=instructor,
                                    category_id=category.id, languages=["ar", "fr"], visible=True,
                                    self_enrolment="open", start_at=utcnow() - timedelta(days=200))
    intro = course.sections[0]
    intro.title = {"ar": "مقدمة", "fr": "Introduction", "en": "Introduction"}
    welcome = services.add_activity(intro, "page", {"ar": "مرحبا بكم", "fr": "Bienvenue", "en": "Welcome"},
                                    completion_rule="viewed")
    db.session.add(PageContent(activity_id=welcome.id, body=dict(WELCOME)))
    if link:
        url, label = link
        resource = services.add_activity(intro, "url", label, completion_rule="none", required_for_completion=False)
        db.session.add(UrlResource(activity_id=resource.id, url=url, open_in_new_window=True))
    services.add_section(course, {"ar": "الوحدة التفاعلية", "fr": "Module interactif", "en": "Interactive module"})
    db.session.flush()
    db.session.expire(course)
    return course


def _ensure_scorm(course: Course, key: str) -> Activity | None:
    existing = db.session.scalar(select(Activity).where(Activity.course_id == course.id, Activity.type_key == "scorm"))
    if existing is not None:
        return existing
    import_package = _scorm_import()
    if import_package is None:
        click.echo("demo: lms.scorm.services.import_package is not available yet; the demo courses have no "
                   "SCORM module (run `lms demo load` again once the SCORM area is installed)")
        return None
    section = course.sections[-1]
    activity = services.add_activity(section, "scorm", {"ar": course.title["ar"], "fr": course.title["fr"]},
                                     completion_rule="passed", graded=True, due_at=utcnow() + timedelta(days=21))
    package = io.BytesIO(build_package(key))
    package.name = f"{key}.zip"
    import_package(course, package, title=course.title["fr"], activity=activity)
    return activity


def _demo_progress(courses: list[tuple[Course, Activity | None]]) -> None:
    learners = db.session.scalars(select(User).where(User.role == SiteRole.learner, User.username != "admin")
                                  .order_by(User.username)).all()
    rng = random.Random(20260101)
    now = utcnow()
    for index, learner in enumerate(learners):
        for offset, (course, scorm) in enumerate(courses):
            if (index + offset) % 3 == 2:  # everyone follows some of the courses, not all
                continue
            if db.session.scalar(select(Enrolment.id).where(Enrolment.course_id == course.id,
                                                            Enrolment.user_id == learner.id)):
                continue
            enrolment = services.enrol_user(course, learner, CourseRole.learner, "self")
            enrolled_at = now - timedelta(days=rng.randint(20, 300))
            enrolment.created_at = enrolled_at
            welcome = course.sections[0].activities[0]
            stage = (index * 7 + offset * 3) % 4   # 0 nothing, 1 started, 2 failed quiz, 3 completed
            when = enrolled_at + timedelta(days=rng.randint(1, 15))
            if stage >= 1:
                report_result(welcome, learner, viewed=True, when=when)
            if scorm is not None and stage == 2:
                report_result(scorm, learner, completed=True, passed=False, score=0.33, raw=33, max=100,
                              when=when + timedelta(days=1))
            if scorm is not None and stage == 3:
                score = rng.choice([0.67, 1.0, 1.0])
                report_result(scorm, learner, completed=True, passed=score >= 0.7 or None, score=score,
                              raw=round(score * 100), max=100, when=when + timedelta(days=2))
                if score < 0.7:  # a second try passes
                    report_result(scorm, learner, passed=True, score=1.0, raw=100, max=100, when=when + timedelta(days=4))
            if enrolment.completed_at is not None:
                enrolment.completed_at = min(when + timedelta(days=4), now)
            enrolment.last_access_at = when
    db.session.flush()


def load_demo() -> None:
    instructor = db.session.scalar(select(User).where(User.username == "trainer.ensa"))
    tutor = db.session.scalar(select(User).where(User.username == "trainer2.ensa"))
    courses = []
    for code, position, shortname, title, summary, link in TOPICS:
        category = _category(code, position)
        course = _course(category, shortname, title, summary, link, instructor)
        if tutor is not None:
            services.enrol_user(course, tutor, CourseRole.tutor, "manual")
        courses.append((course, _ensure_scorm(course, SCORM_KEYS[code])))
    _demo_progress(courses)
