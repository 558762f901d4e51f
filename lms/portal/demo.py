"""Demo content of the portal: about pages, news posts in Arabic and French, an awareness campaign."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.core.db import db, utcnow

from . import services
from .models import AboutPage, Campaign, CampaignAudience, NewsPost, PostCategory

DEMO_ORDER = 70

ABOUT_PAGES = [
    ("programme", 0, None,
     {"ar": "برنامج e-TAMKEEN", "fr": "Le programme e-TAMKEEN", "en": "The e-TAMKEEN programme"},
     {"ar": "<p>يهدف برنامج e-TAMKEEN إلى تعزيز قدرات الموظفات والموظفين العموميين في مجالات التحول الرقمي والابتكار العمومي، "
            "من خلال التكوين عن بعد والتكوين الحضوري وتقاسم التجارب الناجحة بين الإدارات المركزية والترابية.</p>"
            "<h2>الأهداف</h2><ul><li>تطوير الكفاءات الرقمية للإدارة العمومية.</li><li>نشر ثقافة الابتكار والذكاء الجماعي.</li>"
            "<li>رسملة التجارب والممارسات الجيدة لتعميمها على مختلف القطاعات.</li><li>الإعلام والتحسيس والتواصل حول الإصلاح الإداري.</li></ul>",
      "fr": "<p>Le programme e-TAMKEEN renforce les capacités des fonctionnaires, femmes et hommes, en transformation digitale "
            "et en innovation publique, par la formation à distance, la formation présentielle et le partage des expériences "
            "réussies entre administrations centrales et territoriales.</p><h2>Objectifs</h2><ul>"
            "<li>Développer les compétences numériques de l'administration publique.</li>"
            "<li>Diffuser une culture de l'innovation et de l'intelligence collective.</li>"
            "<li>Capitaliser les expériences et les bonnes pratiques pour les répliquer d'un ministère à l'autre.</li>"
            "<li>Informer, sensibiliser et communiquer sur la réforme de l'administration.</li></ul>"}),
    ("workstreams", 1, None,
     {"ar": "محاور الإصلاح", "fr": "Les chantiers de la réforme", "en": "Reform workstreams"},
     {"ar": "<ul><li>تثمين الموارد البشرية وتدبيرها الحديث</li><li>تبسيط المساطر الإدارية</li><li>رقمنة الخدمات الإدارية</li>"
            "<li>اللاتمركز والجهوية المتقدمة</li><li>جودة الخدمة العمومية</li><li>علاقة الإدارة بالمرتفقين</li><li>الحق في الحصول على المعلومات</li></ul>",
      "fr": "<ul><li>Valorisation et gestion moderne des ressources humaines</li><li>Simplification des procédures administratives</li>"
            "<li>Digitalisation des services administratifs</li><li>Déconcentration et régionalisation avancée</li>"
            "<li>Qualité du service public</li><li>Relations entre l'administration et ses usagers</li><li>Accès à l'information</li></ul>"}),
    ("partners", 2, "administrations",
     {"ar": "الشركاء والإدارات المستفيدة", "fr": "Partenaires et administrations bénéficiaires", "en": "Partners and beneficiaries"},
     {"ar": "<p>يقود البرنامجَ وزارةُ الانتقال الرقمي وإصلاح الإدارة بشراكة مع المدرسة الوطنية العليا للإدارة، لفائدة الإدارات التالية.</p>",
      "fr": "<p>Le programme est piloté par le Ministère de la Transition Numérique et de la Réforme de l'Administration, "
            "avec l'École Nationale Supérieure de l'Administration, au bénéfice des administrations suivantes.</p>"}),
    ("platform", 3, "modules",
     {"ar": "وحدات المنصة", "fr": "Les modules de la plateforme", "en": "The platform modules"},
     {"ar": "<p>تجمع منصة تمكين التعلم الإلكتروني وتدبير التكوين وهاكاثون الإدارة وقاعدة المعارف.</p>",
      "fr": "<p>La plateforme Tamkeen réunit l'e-learning, la gestion de la formation, l'Idarathon et la base de connaissances.</p>"}),
]

POSTS = [
    ("lancement-plateforme-tamkeen", PostCategory.milestone, 40,
     {"ar": "إطلاق منصة تمكين للتعلم والرسملة", "fr": "Lancement de la plateforme Tamkeen"},
     {"ar": "منصة جديدة لتكوين الموظفين ورسملة الممارسات الجيدة.", "fr": "Une plateforme pour former les fonctionnaires et capitaliser les bonnes pratiques."},
     {"ar": "<p>أعلنت الوزارة عن إطلاق منصة تمكين التي تتيح التعلم في أي وقت عبر وحدات تفاعلية.</p>",
      "fr": "<p>Le ministère annonce le lancement de Tamkeen, qui permet d'apprendre à tout moment sur des modules interactifs.</p>"}),
    ("formation-formateurs-ensa", PostCategory.training, 20,
     {"ar": "تكوين المكونين بالمدرسة الوطنية العليا للإدارة", "fr": "Formation de formateurs à l'ENSA"},
     {"ar": "دورة لفائدة مكوني المدرسة حول تصميم الوحدات التفاعلية.", "fr": "Une session pour les formateurs de l'ENSA sur la conception de modules interactifs."},
     {"ar": "<p>استفاد عشرون مكونًا من دورة حول معايير SCORM وxAPI وتصميم المحتوى الرقمي باللغة العربية.</p>",
      "fr": "<p>Vingt formateurs ont suivi une session sur SCORM, xAPI et la conception de contenus numériques en arabe.</p>"}),
    ("idarathon-appel-a-defis", PostCategory.idarathon, 10,
     {"ar": "إداراثون: دعوة الإدارات لاقتراح التحديات", "fr": "Idarathon : appel à défis aux administrations"},
     {"ar": "تدعو اللجنة المنظمة الإدارات إلى اقتراح إشكاليات حقيقية.", "fr": "Le comité d'organisation invite les administrations à proposer des problèmes réels."},
     {"ar": "<p>يمكن للإدارات اقتراح تحدياتها قبل نهاية الشهر، وستُنشر التحديات المقبولة على المنصة.</p>",
      "fr": "<p>Les administrations peuvent proposer leurs défis avant la fin du mois ; les défis retenus seront publiés sur la plateforme.</p>"}),
    ("guide-bonnes-pratiques-accueil", PostCategory.publication, 3,
     {"ar": "دليل الممارسات الجيدة في استقبال المرتفقين", "fr": "Guide des bonnes pratiques d'accueil des usagers"},
     {"ar": "دليل جديد في قاعدة المعارف.", "fr": "Un nouveau guide dans la base de connaissances."},
     {"ar": "<p>يجمع الدليل تجارب إدارات نجحت في تقليص آجال الانتظار وتحسين جودة الاستقبال.</p>",
      "fr": "<p>Le guide rassemble les expériences d'administrations qui ont réduit les délais d'attente et amélioré l'accueil.</p>"}),
]


def load_demo() -> None:
    for slug, position, widget, title, body in ABOUT_PAGES:
        if db.session.scalar(select(AboutPage.id).where(AboutPage.slug == slug)) is None:
            db.session.add(AboutPage(slug=slug, position=position, widget=widget, title=title, body=body,
                                     summary={"ar": title["ar"], "fr": title["fr"]}))
    for slug, category, days_ago, title, summary, body in POSTS:
        if db.session.scalar(select(NewsPost.id).where(NewsPost.slug == slug)) is None:
            services.save_post(None, slug=slug, title=title, summary=summary, body=body, category=category,
                               published_at=utcnow() - timedelta(days=days_ago), is_published=True)
    if db.session.scalar(select(Campaign.id)) is None:
        db.session.add(Campaign(
            title={"ar": "أسبوع الأمن السيبراني", "fr": "Semaine de la cybersécurité"},
            text={"ar": "تابعوا وحدة الأمن السيبراني وحماية المعطيات الشخصية.",
                  "fr": "Suivez le module cybersécurité et protection des données personnelles."},
            link_url="/courses/", link_label={"ar": "اكتشف الدروس", "fr": "Découvrir les cours"},
            audience=CampaignAudience.everyone, starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() + timedelta(days=60)))
    db.session.flush()
