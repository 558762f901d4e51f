"""Demo knowledge base: the programme's workstreams and original example resources in Arabic and French."""
from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Administration, User
from lms.core.db import db

from . import services
from .models import KnowledgeResource, ResourceStatus, Workstream

DEMO_ORDER = 65

WORKSTREAMS = [
    ("hr", "تثمين الموارد البشرية وتدبيرها الحديث", "Valorisation et gestion moderne des ressources humaines",
     "Valorisation and modern management of human resources"),
    ("simplification", "تبسيط المساطر الإدارية", "Simplification des procédures administratives",
     "Simplification of administrative procedures"),
    ("digitalisation", "رقمنة الخدمات الإدارية", "Digitalisation des services administratifs",
     "Digitalisation of administrative services"),
    ("regionalisation", "اللاتمركز والجهوية المتقدمة", "Déconcentration et régionalisation avancée",
     "Decentralisation, deconcentration and advanced regionalisation"),
    ("quality", "جودة الخدمة العمومية", "Qualité du service public", "Quality of public service"),
    ("users", "علاقة الإدارة بالمرتفقين", "Relations entre l'administration et ses usagers",
     "Relations between the administration and its users"),
    ("information", "الحق في الحصول على المعلومات", "Accès à l'information", "Access to information"),
]

# (key, kind, year, workstream codes, administration codes, {lang: (title, summary, body)})
RESOURCES = [
    ("guichet-unique", "good_practice", 2024, ["simplification", "users"], ["commune-rabat"], {
        "ar": ("الشباك الوحيد للرخص الإدارية", "تجميع المساطر في شباك واحد قلّص آجال معالجة الطلبات إلى النصف.",
               "<p>اعتمدت جماعة الرباط شباكًا وحيدًا للرخص يستقبل الطلبات ويتتبعها رقميًا. "
               "النتيجة: تقليص الآجال، وشفافية أكبر للمرتفقين، وتخفيف العبء على الموظفين.</p>"),
        "fr": ("Le guichet unique des autorisations", "Regrouper les procédures dans un guichet unique a divisé par deux les délais.",
               "<p>La commune de Rabat a mis en place un guichet unique qui reçoit et suit les demandes en ligne. "
               "Résultat : des délais réduits, plus de transparence pour les usagers et moins de charge pour les agents.</p>")}),
    ("dematerialisation-courrier", "success_story", 2023, ["digitalisation"], ["mtnra"], {
        "ar": ("رقمنة تدبير البريد الإداري", "قصة نجاح: من البريد الورقي إلى منصة رقمية لتتبع المراسلات.",
               "<p>انتقلت الوزارة إلى تدبير رقمي للمراسلات مع توقيع إلكتروني، فصار تتبع كل مراسلة ممكنًا في الزمن الحقيقي.</p>"),
        "fr": ("La dématérialisation du courrier administratif", "Success story : du courrier papier à une plateforme de suivi.",
               "<p>Le ministère est passé à une gestion numérique du courrier avec signature électronique : "
               "chaque pli est suivi en temps réel.</p>")}),
    ("lecons-teletravail", "lesson_learned", 2022, ["hr"], ["onee"], {
        "ar": ("دروس مستخلصة من العمل عن بعد", "ما الذي نجح وما الذي يجب تحسينه في تنظيم العمل عن بعد.",
               "<p>أظهرت التجربة أهمية تحديد الأهداف بوضوح، وتكوين المسؤولين على التدبير بالنتائج، وتوفير الأدوات الرقمية الآمنة.</p>"),
        "fr": ("Leçons du télétravail", "Ce qui a marché et ce qu'il faut améliorer dans l'organisation du télétravail.",
               "<p>L'expérience a montré l'importance d'objectifs clairs, de la formation des responsables au management "
               "par les résultats et d'outils numériques sécurisés.</p>")}),
    ("guide-acces-information", "guide", 2021, ["information"], ["didh"], {
        "ar": ("دليل تطبيق الحق في الحصول على المعلومات", "دليل عملي للموظفين المكلفين بطلبات الحصول على المعلومات.",
               "<p>يشرح الدليل آجال الرد، وحالات الاستثناء، ونماذج الرسائل، وسجل الطلبات.</p>"),
        "fr": ("Guide de mise en œuvre du droit d'accès à l'information", "Un guide pratique pour les agents chargés des demandes.",
               "<p>Le guide explique les délais de réponse, les exceptions, les modèles de lettres et le registre des demandes.</p>")}),
    ("boite-outils-accueil", "toolkit", 2024, ["quality", "users"], ["entraide"], {
        "fr": ("Boîte à outils pour l'accueil des usagers", "Grilles d'évaluation, charte d'accueil et affiches prêtes à imprimer.",
               "<p>Une boîte à outils pour mesurer la satisfaction et améliorer l'accueil au guichet.</p>")}),
]


def load_demo() -> None:
    by_code = {}
    for position, (code, ar, fr, en) in enumerate(WORKSTREAMS):
        workstream = db.session.scalar(select(Workstream).where(Workstream.code == code))
        if workstream is None:
            workstream = Workstream(code=code, name={"ar": ar, "fr": fr, "en": en}, position=position)
            db.session.add(workstream)
        by_code[code] = workstream
    db.session.flush()
    author = db.session.scalar(select(User).where(User.username == "trainer.ensa"))
    reviewer = db.session.scalar(select(User).where(User.username == "manager.mtnra"))
    for key, kind, year, workstreams, administrations, versions in RESOURCES:
        first = None
        for language, (title, summary, body) in versions.items():
            exists = db.session.scalar(select(KnowledgeResource).where(KnowledgeResource.title == title))
            if exists is not None:
                first = first or exists
                continue
            admin_ids = list(db.session.scalars(select(Administration.id).where(Administration.code.in_(administrations))))
            resource = services.create_resource(
                {"language": language, "kind": kind, "title": title, "summary": summary, "body": body, "year": year,
                 "workstreams": [by_code[c].id for c in workstreams], "administrations": admin_ids,
                 "tags": [key.split("-")[0]], "authors": "e-TAMKEEN"}, author, translation_of=first)
            first = first or resource
            services.transition(resource, ResourceStatus.in_review, author)
            services.transition(resource, ResourceStatus.published, reviewer)
    db.session.flush()
