"""Demo data: the programme's administrations, a demo administrator and demo people (idempotent)."""
from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from lms.core.db import db
from lms.core.security import verify_password

from . import services
from .models import AdministrationLevel, Gender, SiteRole, User

DEMO_ORDER = 10

C, L = AdministrationLevel.central, AdministrationLevel.local

# (code, parent code, level, acronym, ar, fr, en)
ADMINISTRATIONS = [
    ("mtnra", None, C, "MTNRA", "وزارة الانتقال الرقمي وإصلاح الإدارة",
     "Ministère de la Transition Numérique et de la Réforme de l'Administration",
     "Ministry of Digital Transition and Administrative Reform"),
    ("add", "mtnra", C, "ADD", "وكالة التنمية الرقمية", "Agence de Développement du Digital", "Digital Development Agency"),
    ("ensa", "mtnra", C, "ENSA", "المدرسة الوطنية العليا للإدارة", "École Nationale Supérieure de l'Administration",
     "National School of Administration"),
    ("maec", None, C, "MAECAMRE", "وزارة الشؤون الخارجية والتعاون الإفريقي والمغاربة المقيمين بالخارج",
     "Ministère des Affaires Étrangères, de la Coopération Africaine et des Marocains Résidant à l'Étranger",
     "Ministry of Foreign Affairs, African Cooperation and Moroccan Expatriates"),
    ("amci", "maec", C, "AMCI", "الوكالة المغربية للتعاون الدولي", "Agence Marocaine de Coopération Internationale",
     "Moroccan Agency for International Cooperation"),
    ("mef", None, C, "MEF", "وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances",
     "Ministry of Economy and Finance"),
    ("budget", "mef", C, "DB", "مديرية الميزانية", "Direction du Budget", "Budget Directorate"),
    ("mssif", None, C, "MSSIF", "وزارة التضامن والإدماج الاجتماعي والأسرة",
     "Ministère de la Solidarité, de l'Insertion Sociale et de la Famille", "Ministry of Solidarity, Social Inclusion and Family"),
    ("entraide", "mssif", C, "EN", "التعاون الوطني", "Entraide Nationale", "National Mutual Aid"),
    ("ads", "mssif", C, "ADS", "وكالة التنمية الاجتماعية", "Agence de Développement Social", "Social Development Agency"),
    ("mieptce", None, C, "MIEPTCE", "وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات",
     "Ministère de l'Inclusion Économique, de la Petite Entreprise, de l'Emploi et des Compétences",
     "Ministry of Economic Inclusion, Small Business, Employment and Skills"),
    ("metl", None, C, "METL", "وزارة التجهيز والماء", "Ministère de l'Équipement et de l'Eau", "Ministry of Equipment and Water"),
    ("anp", "metl", C, "ANP", "الوكالة الوطنية للموانئ", "Agence Nationale des Ports", "National Ports Agency"),
    ("onee", "metl", C, "ONEE", "المكتب الوطني للكهرباء والماء الصالح للشرب",
     "Office National de l'Électricité et de l'Eau Potable", "National Office of Electricity and Drinking Water"),
    ("abh-sebou", "metl", L, "ABH Sebou", "وكالة الحوض المائي لسبو", "Agence du Bassin Hydraulique du Sebou",
     "Sebou River Basin Agency"),
    ("abh-oum-er-rbia", "metl", L, "ABH OER", "وكالة الحوض المائي لأم الربيع", "Agence du Bassin Hydraulique de l'Oum Er-Rbia",
     "Oum Er-Rbia River Basin Agency"),
    ("cndh", None, C, "CNDH", "المجلس الوطني لحقوق الإنسان", "Conseil National des Droits de l'Homme",
     "National Human Rights Council"),
    ("didh", None, C, "DIDH", "المندوبية الوزارية المكلفة بحقوق الإنسان",
     "Délégation Interministérielle aux Droits de l'Homme", "Interministerial Delegation for Human Rights"),
    ("inpplc", None, C, "INPPLC", "الهيئة الوطنية للنزاهة والوقاية من الرشوة ومحاربتها",
     "Instance Nationale de la Probité, de la Prévention et de la Lutte contre la Corruption",
     "National Authority for Probity, Prevention and Fight against Corruption"),
    ("dgct", None, L, "DGCT", "المديرية العامة للجماعات الترابية", "Direction Générale des Collectivités Territoriales",
     "Directorate-General for Local Authorities"),
    ("commune-rabat", "dgct", L, None, "جماعة الرباط", "Commune de Rabat", "Rabat Municipality"),
    ("region-fes-meknes", "dgct", L, None, "جهة فاس مكناس", "Région Fès-Meknès", "Fès-Meknès Region"),
    ("agriculture", None, C, "MAPMDREF", "وزارة الفلاحة والصيد البحري والتنمية القروية والمياه والغابات",
     "Ministère de l'Agriculture, de la Pêche Maritime, du Développement Rural et des Eaux et Forêts",
     "Ministry of Agriculture, Maritime Fisheries, Rural Development, Water and Forests"),
    ("mtedd", None, C, "MTEDD", "وزارة الانتقال الطاقي والتنمية المستدامة",
     "Ministère de la Transition Énergétique et du Développement Durable",
     "Ministry of Energy Transition and Sustainable Development"),
]

# (username, full name, role, administration, gender, language)
DEMO_PEOPLE = [
    ("manager.mtnra", "سعاد العلمي", SiteRole.manager, "mtnra", Gender.female, "ar"),
    ("trainer.ensa", "Karim Benjelloun", SiteRole.instructor, "ensa", Gender.male, "fr"),
    ("trainer2.ensa", "نادية الإدريسي", SiteRole.instructor, "ensa", Gender.female, "ar"),
    ("fatima.zahra", "فاطمة الزهراء بناني", SiteRole.learner, "mtnra", Gender.female, "ar"),
    ("youssef.amrani", "يوسف العمراني", SiteRole.learner, "onee", Gender.male, "ar"),
    ("salma.tazi", "Salma Tazi", SiteRole.learner, "commune-rabat", Gender.female, "fr"),
    ("omar.berrada", "عمر برادة", SiteRole.learner, "region-fes-meknes", Gender.male, "ar"),
    ("khadija.naciri", "خديجة الناصري", SiteRole.learner, "entraide", Gender.female, "ar"),
    ("hamza.chraibi", "Hamza Chraibi", SiteRole.learner, "add", Gender.male, "fr"),
    ("meriem.fassi", "مريم الفاسي", SiteRole.learner, "abh-sebou", Gender.unspecified, "ar"),
]

DEMO_PASSWORD = "demo-learner"  # demo people only; the administrator's password is random, below


def _admin_password_file() -> Path:
    return Path(current_app.instance_path) / "demo-admin-password"


def load_demo() -> None:
    by_code = {}
    for code, parent, level, acronym, ar, fr, en in ADMINISTRATIONS:
        by_code[code] = services.get_or_create_administration(
            code, {"ar": ar, "fr": fr, "en": en}, parent=by_code.get(parent), level=level, acronym=acronym)

    if services.find_user("admin") is None:
        password_file = _admin_password_file()
        password = password_file.read_text().strip() if password_file.exists() else secrets.token_urlsafe(12)
        services.create_user("admin", password, role=SiteRole.administrator, full_name="مدير المنصة",
                             email="admin@tamkeen.local", administration=by_code["mtnra"])
        password_file.write_text(password)
        password_file.chmod(0o600)

    for username, full_name, role, administration, gender, language in DEMO_PEOPLE:
        if services.find_user(username) is None:
            services.create_user(username, DEMO_PASSWORD, role=role, full_name=full_name,
                                 email=f"{username}@tamkeen.local", administration=by_code[administration],
                                 gender=gender, preferred_language=language)
    db.session.flush()


def print_admin_login() -> None:
    password_file = _admin_password_file()
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    if admin is None or not password_file.exists():
        return
    password = password_file.read_text().strip()
    if not verify_password(admin.password_hash, password):
        click.echo("Demo administrator: admin (password changed since the demo was loaded)")
        return
    click.echo(f"Demo administrator login: admin / {password}")
    click.echo(f"Demo learners and trainers (e.g. fatima.zahra, trainer.ensa): password {DEMO_PASSWORD}")
