"""Demo data: the current Idarathon edition with its staff, rubric and published challenges (ar/fr), and a
past edition in the archives. Idempotent, flush only."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select

from lms.accounts import services as account_services
from lms.accounts.models import Administration
from lms.core.db import db, utcnow

from . import services
from .models import ChallengeStatus, Edition, StaffRole

DEMO_ORDER = 60

RULES = {"ar": "تتكون الفرق من موظفين عموميين من إدارة واحدة أو من عدة إدارات.\nيقدم كل فريق حلا واحدا لتحد واحد.",
         "fr": "Les équipes réunissent des fonctionnaires d'une ou de plusieurs administrations.\n"
               "Chaque équipe présente une solution à un seul défi."}
FAQ = [{"q": {"ar": "هل يمكنني المشاركة بمفردي؟", "fr": "Puis-je participer seul ?"},
        "a": {"ar": "لا، يجب الانضمام إلى فريق من شخصين إلى خمسة أشخاص.",
              "fr": "Non, il faut rejoindre une équipe de deux à cinq personnes."}},
       {"q": {"ar": "ما هي اللغات المقبولة؟", "fr": "Quelles langues sont acceptées ?"},
        "a": {"ar": "العربية والفرنسية.", "fr": "L'arabe et le français."}}]
RUBRIC = [({"ar": "الأثر على المرتفق", "fr": "Impact pour l'usager"}, 3, 10),
          ({"ar": "قابلية التنفيذ", "fr": "Faisabilité"}, 2, 10),
          ({"ar": "الابتكار", "fr": "Innovation"}, 2, 10),
          ({"ar": "جودة العرض", "fr": "Qualité du pitch"}, 1, 10)]
CHALLENGES = [
    ("standard", "mtnra", {"ar": "تبسيط مساطر الحصول على الوثائق الإدارية",
                           "fr": "Simplifier l'obtention des documents administratifs"},
     {"ar": "يقضي المرتفقون وقتا طويلا في التنقل بين الإدارات للحصول على وثائق يمكن تبادلها رقميا.",
      "fr": "Les usagers se déplacent d'une administration à l'autre pour des pièces qui pourraient circuler "
            "numériquement."},
     {"ar": "نموذج أولي لخدمة رقمية تقلص عدد الوثائق المطلوبة.",
      "fr": "Un prototype de service numérique qui réduit le nombre de pièces demandées."}),
    ("data", "onee", {"ar": "توقع الأعطال في شبكة الماء الصالح للشرب",
                      "fr": "Prévoir les pannes du réseau d'eau potable"},
     {"ar": "بيانات تاريخية عن الأعطال والتدخلات في عدة مدن.",
      "fr": "Des données historiques de pannes et d'interventions dans plusieurs villes."},
     {"ar": "ملف توقعات (id,label) يقيم آليا، وعرض للمنهجية.",
      "fr": "Un fichier de prédictions (id,label) évalué automatiquement, et un pitch de la méthode."}),
    ("standard", "commune-rabat", {"ar": "تحسين استقبال المرتفقين في الجماعات",
                                   "fr": "Améliorer l'accueil des usagers dans les communes"},
     {"ar": "طوابير الانتظار طويلة ولا يعرف المرتفق الوثائق المطلوبة مسبقا.",
      "fr": "Les files d'attente sont longues et l'usager ne connaît pas les pièces à l'avance."},
     {"ar": "حل لتنظيم المواعيد وإخبار المرتفقين.", "fr": "Une solution de prise de rendez-vous et d'information."}),
]
ANSWER_KEY = "id,label\n" + "\n".join(f"{i},{'panne' if i % 3 == 0 else 'normal'}" for i in range(1, 31)) + "\n"


def _admin(code):
    return db.session.scalar(select(Administration).where(Administration.code == code))


def load_demo() -> None:
    # Notifications carry links built with url_for: give the CLI a request context.
    if has_request_context():
        _load()
    else:
        with current_app.test_request_context("/"):
            _load()


def _load() -> None:
    if db.session.scalar(select(Edition.id).where(Edition.slug == "idarathon-2026")) is not None:
        return
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    organiser = account_services.find_user("manager.mtnra")
    mentor = account_services.find_user("trainer.ensa")
    juror = account_services.find_user("trainer2.ensa")

    past = services.create_edition(
        slug="idarathon-2025", year=2025, title={"ar": "إدارثون 2025", "fr": "Idarathon 2025"},
        theme={"ar": "الإدارة الرقمية في خدمة المرتفق", "fr": "L'administration numérique au service de l'usager"},
        dates=dict(registration_opens_at=now - timedelta(days=400), registration_closes_at=now - timedelta(days=380),
                   kickoff_at=now - timedelta(days=379), submission_deadline=now - timedelta(days=377),
                   jury_starts_at=now - timedelta(days=376), jury_ends_at=now - timedelta(days=370),
                   results_at=now - timedelta(days=369)),
        rules=RULES, faq=FAQ, partners=[{"name": "ENSA", "url": None}], created_by=organiser)
    past.results_published_at = past.results_at

    edition = services.create_edition(
        slug="idarathon-2026", year=2026, title={"ar": "إدارثون 2026", "fr": "Idarathon 2026"},
        theme={"ar": "إدارة قريبة من المواطن", "fr": "Une administration proche du citoyen"},
        description={"ar": "هاكاثون الإدارة العمومية المغربية: تقترح الإدارات تحديات وتحلها فرق من الموظفين.",
                     "fr": "Le hackathon de l'administration publique marocaine : les administrations proposent des "
                           "défis, des équipes de fonctionnaires les relèvent."},
        dates=dict(registration_opens_at=now - timedelta(days=7), registration_closes_at=now + timedelta(days=14),
                   kickoff_at=now - timedelta(days=1), submission_deadline=now + timedelta(days=21),
                   jury_starts_at=now + timedelta(days=22), jury_ends_at=now + timedelta(days=26),
                   results_at=now + timedelta(days=28)),
        rules=RULES, faq=FAQ,
        partners=[{"name": "Agence de Développement du Digital", "url": None},
                  {"name": "École Nationale Supérieure de l'Administration", "url": None}],
        created_by=organiser)
    if mentor is not None:
        services.add_staff(edition, mentor, StaffRole.mentor)
    if juror is not None:
        services.add_staff(edition, juror, StaffRole.jury)
    services.set_rubric(edition, [{"name": name, "weight": w, "max_points": m} for name, w, m in RUBRIC])

    proposer = organiser
    for type_key, admin_code, title, context, outcome in CHALLENGES:
        administration = _admin(admin_code)
        challenge = services.propose_challenge(
            edition, proposer, title=title, context=context, expected_outcome=outcome, type_key=type_key,
            contact_name="Direction de l'innovation", contact_email=f"idarathon@{admin_code}.gov.ma",
            administration_id=administration.id if administration else None)
        if type_key == "data":
            services.set_answer_key(challenge, ANSWER_KEY.encode())
            challenge.settings = {**challenge.settings, "auto_weight": 0.5}
        challenge.status = ChallengeStatus.published
        challenge.reviewed_by_id = organiser.id if organiser else None
        challenge.reviewed_at = now
        if juror is not None:
            services.assign_jury(challenge, juror)

    for username, job in (("fatima.zahra", "Cheffe de service"), ("youssef.amrani", "Ingénieur"),
                          ("salma.tazi", "Chargée d'accueil")):
        user = account_services.find_user(username)
        if user is not None:
            services.register_participant(edition, user, job_role=job, skills=["design", "data"], now=now)
    first = account_services.find_user("fatima.zahra")
    second = account_services.find_user("youssef.amrani")
    if first is not None:
        team = services.create_team(edition, first, "Basma", challenge=edition.challenges[0], now=now)
        if second is not None:
            services.add_member(team, second, now=now)
        if mentor is not None:
            services.assign_mentor(team, mentor)
    db.session.flush()
