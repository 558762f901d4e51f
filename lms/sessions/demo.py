"""Demo data: upcoming training events in Arabic and French, with sessions (idempotent, flush only)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lms.accounts.models import Administration, User
from lms.core.db import db, utcnow

from . import services
from .models import ApprovalMode, EventMode, EventStatus, TrainingEvent

DEMO_ORDER = 50

EVENTS = [
    {
        "key": "demo-cyber-2026",
        "title": {"ar": "الأمن السيبراني في الإدارة العمومية", "fr": "La cybersécurité dans l'administration publique",
                  "en": "Cybersecurity in the public administration"},
        "description": {"ar": "تكوين حضوري لمدة يومين حول حماية المعطيات وأنظمة المعلومات في الإدارات العمومية.",
                        "fr": "Formation présentielle de deux jours sur la protection des données et des systèmes "
                              "d'information des administrations publiques."},
        "objectives": {"ar": "التعرف على المخاطر الرئيسية؛ تطبيق قواعد النظافة الرقمية؛ الاستجابة للحوادث.",
                       "fr": "Connaître les principaux risques ; appliquer les règles d'hygiène numérique ; "
                             "réagir à un incident."},
        "target_audience": {"ar": "الأطر الإدارية والتقنية", "fr": "Cadres administratifs et techniques"},
        "topic": "cybersecurity", "language": "ar", "mode": EventMode.in_person,
        "approval_mode": ApprovalMode.manager, "require_all_sessions": True, "min_attendance_percent": 100,
        "organiser": "trainer.ensa", "trainers": ["trainer.ensa", "trainer2.ensa"], "administration": "ensa",
        "sessions": [
            (14, 9, {"ar": "اليوم الأول", "fr": "Jour 1"}, "trainer2.ensa"),
            (15, 9, {"ar": "اليوم الثاني", "fr": "Jour 2"}, "trainer.ensa"),
        ],
        "venue": "ENSA", "address": "Avenue Mohammed V, Rabat", "room": "Salle 3", "online_url": None,
    },
    {
        "key": "demo-innovation-2026",
        "title": {"fr": "Innovation publique et design des services", "ar": "الابتكار العمومي وتصميم الخدمات",
                  "en": "Public innovation and service design"},
        "description": {"fr": "Atelier en ligne : cartographier le parcours usager et prototyper un service simplifié.",
                        "ar": "ورشة عن بعد: رسم مسار المرتفق وتصميم نموذج أولي لخدمة مبسطة."},
        "objectives": {"fr": "Mettre l'usager au centre ; prototyper rapidement ; mesurer l'impact.",
                       "ar": "وضع المرتفق في صلب الخدمة؛ التصميم السريع؛ قياس الأثر."},
        "target_audience": {"fr": "Chefs de service et agents d'accueil", "ar": "رؤساء المصالح وأعوان الاستقبال"},
        "topic": "innovation", "language": "fr", "mode": EventMode.online,
        "approval_mode": ApprovalMode.none, "require_all_sessions": False, "min_attendance_percent": 100,
        "organiser": "trainer.ensa", "trainers": ["trainer.ensa"], "administration": "mtnra",
        "sessions": [
            (21, 10, None, "trainer.ensa"),
            (28, 10, None, "trainer.ensa"),
        ],
        "venue": None, "address": None, "room": None, "online_url": "https://meet.example.org/tamkeen-innovation",
    },
]


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def load_demo() -> None:
    for spec in EVENTS:
        # Idempotent: the demo key lives in the English title's companion field (topic + title match).
        existing = db.session.scalars(select(TrainingEvent).where(TrainingEvent.topic == spec["topic"])).all()
        if any(e.title.get("fr") == spec["title"]["fr"] for e in existing):
            continue
        administration = db.session.scalar(select(Administration).where(Administration.code == spec["administration"]))
        event = services.create_event(
            title=spec["title"], organiser=_user(spec["organiser"]), description=spec["description"],
            objectives=spec["objectives"], target_audience=spec["target_audience"], topic=spec["topic"],
            language=spec["language"], mode=spec["mode"], approval_mode=spec["approval_mode"],
            require_all_sessions=spec["require_all_sessions"], min_attendance_percent=spec["min_attendance_percent"],
            status=EventStatus.published,
            organising_administration_id=administration.id if administration else None)
        event.trainers = [u for u in (_user(name) for name in spec["trainers"]) if u is not None]
        today = services.utc_to_local(utcnow()).date()
        for days_ahead, hour, title, trainer in spec["sessions"]:
            day = today + timedelta(days=days_ahead)
            start = datetime(day.year, day.month, day.day, hour, 0)
            trainer_user = _user(trainer)
            services.add_session(event, services.local_to_utc(start), services.local_to_utc(start + timedelta(hours=6)),
                                 title=title, venue=spec["venue"], address=spec["address"], room=spec["room"],
                                 online_url=spec["online_url"], capacity=20,
                                 trainer_id=trainer_user.id if trainer_user else None)
    db.session.flush()
