"""Original text of the five demo lessons (Arabic and French), written for the e-TAMKEEN programme."""

UI = {
    "ar": {"next": "التالي", "previous": "السابق", "quiz": "اختبر معارفك", "submit": "تحقق من أجوبتي",
           "step": "الشاشة %n من %t", "language": "اللغة",
           "passed": "أحسنت! نتيجتك %s/100. لقد أتممت هذه الوحدة بنجاح.",
           "failed": "نتيجتك %s/100. راجع الشاشات السابقة وحاول مرة أخرى."},
    "fr": {"next": "Suivant", "previous": "Précédent", "quiz": "Testez vos connaissances", "submit": "Vérifier mes réponses",
           "step": "Écran %n sur %t", "language": "Langue",
           "passed": "Bravo ! Votre score : %s/100. Vous avez réussi ce module.",
           "failed": "Votre score : %s/100. Relisez les écrans précédents et réessayez."},
}

LESSONS = {
    "digital-transformation": {
        "ar": {
            "title": "التحول الرقمي للإدارة",
            "screens": [
                {"heading": "لماذا التحول الرقمي؟", "paragraphs": [
                    "التحول الرقمي ليس مجرد رقمنة الوثائق: إنه إعادة التفكير في طريقة تقديم الخدمة العمومية انطلاقا من حاجيات المرتفق.",
                    "الهدف هو خدمة أبسط وأسرع وأكثر شفافية، مع تقليص التنقلات والوثائق المطلوبة."]},
                {"heading": "مبدأ «مرة واحدة فقط»", "paragraphs": [
                    "لا ينبغي أن يُطلب من المواطن تقديم معلومة تتوفر عليها الإدارة مسبقا.",
                    "يتطلب ذلك تبادل المعطيات بين الإدارات بشكل آمن ومؤطر قانونيا."]},
                {"heading": "قيادة المشروع", "paragraphs": [
                    "ينجح التحول الرقمي عندما يشارك الموظفون في تصميم الخدمات، وعندما تقاس النتائج بمؤشرات واضحة مثل مدة المعالجة ورضا المرتفقين.",
                    "ابدأ بخدمة واحدة ذات أثر كبير، ثم عمّم التجربة."]},
            ],
            "questions": [
                {"text": "ما هو جوهر التحول الرقمي؟", "choices": ["شراء حواسيب جديدة", "إعادة التفكير في الخدمة انطلاقا من حاجيات المرتفق", "مسح الوثائق الورقية فقط"], "answer": 1},
                {"text": "ماذا يعني مبدأ «مرة واحدة فقط»؟", "choices": ["لا يُطلب من المواطن ما تملكه الإدارة من معلومات", "تُقدَّم الخدمة مرة واحدة في السنة", "يحق للمواطن تقديم طلب واحد فقط"], "answer": 0},
                {"text": "أي مؤشر يقيس نجاح خدمة رقمية؟", "choices": ["عدد الاجتماعات", "مدة المعالجة ورضا المرتفقين", "عدد الصفحات المطبوعة"], "answer": 1},
            ],
        },
        "fr": {
            "title": "La transformation digitale de l'administration",
            "screens": [
                {"heading": "Pourquoi transformer ?", "paragraphs": [
                    "La transformation digitale ne se limite pas à numériser des documents : elle repense la manière de rendre le service public à partir des besoins de l'usager.",
                    "L'objectif est un service plus simple, plus rapide et plus transparent, avec moins de déplacements et de pièces justificatives."]},
                {"heading": "Le principe « Dites-le nous une fois »", "paragraphs": [
                    "On ne devrait pas demander au citoyen une information que l'administration détient déjà.",
                    "Cela suppose des échanges de données entre administrations, sécurisés et encadrés par le droit."]},
                {"heading": "Piloter le projet", "paragraphs": [
                    "La transformation réussit quand les agents participent à la conception des services et que les résultats sont mesurés par des indicateurs clairs : délai de traitement, satisfaction des usagers.",
                    "Commencez par un service à fort impact, puis généralisez."]},
            ],
            "questions": [
                {"text": "Quel est le cœur de la transformation digitale ?", "choices": ["Acheter de nouveaux ordinateurs", "Repenser le service à partir des besoins de l'usager", "Scanner les documents papier"], "answer": 1},
                {"text": "Que signifie « Dites-le nous une fois » ?", "choices": ["On ne redemande pas au citoyen ce que l'administration sait déjà", "Le service n'est rendu qu'une fois par an", "Le citoyen ne peut déposer qu'une demande"], "answer": 0},
                {"text": "Quel indicateur mesure la réussite d'un service numérique ?", "choices": ["Le nombre de réunions", "Le délai de traitement et la satisfaction des usagers", "Le nombre de pages imprimées"], "answer": 1},
            ],
        },
    },
    "digital-communication": {
        "ar": {
            "title": "التواصل الرقمي",
            "screens": [
                {"heading": "التواصل مع المرتفقين", "paragraphs": [
                    "تتيح المنصات الرقمية للإدارة أن تخبر المواطنين في الوقت المناسب وبلغة بسيطة.",
                    "اختر القناة المناسبة لكل جمهور: الموقع الإلكتروني للمعلومة المرجعية، والشبكات الاجتماعية للإعلانات السريعة."]},
                {"heading": "رسالة واضحة", "paragraphs": [
                    "رسالة جيدة قصيرة، تبدأ بالأهم، وتحدد ما ينبغي على المواطن فعله.",
                    "استعمل العربية والفرنسية والأمازيغية حسب الجمهور، وتجنب المصطلحات الإدارية المعقدة."]},
                {"heading": "الإصغاء والرد", "paragraphs": [
                    "التواصل الرقمي حوار: يجب الرد على الأسئلة داخل آجال معقولة وبأسلوب محترم.",
                    "عند الأزمات، انشر معلومات موثوقة بسرعة وصحح الأخبار الزائفة بالوقائع."]},
            ],
            "questions": [
                {"text": "أي قناة تناسب المعلومة المرجعية؟", "choices": ["الموقع الإلكتروني الرسمي", "رسالة صوتية", "ملصق في الشارع فقط"], "answer": 0},
                {"text": "بماذا تبدأ الرسالة الجيدة؟", "choices": ["بتاريخ الإدارة", "بالمعلومة الأهم", "بالمراجع القانونية"], "answer": 1},
                {"text": "كيف نتعامل مع خبر زائف؟", "choices": ["نتجاهله", "نحذف كل التعليقات", "ننشر معلومات موثوقة ونصحح بالوقائع"], "answer": 2},
            ],
        },
        "fr": {
            "title": "La communication digitale",
            "screens": [
                {"heading": "Communiquer avec les usagers", "paragraphs": [
                    "Les plateformes numériques permettent à l'administration d'informer les citoyens au bon moment et dans un langage simple.",
                    "Choisissez le canal adapté à chaque public : le site web pour l'information de référence, les réseaux sociaux pour les annonces rapides."]},
                {"heading": "Un message clair", "paragraphs": [
                    "Un bon message est court, commence par l'essentiel et dit au citoyen ce qu'il doit faire.",
                    "Utilisez l'arabe, le français ou l'amazighe selon le public, et évitez le jargon administratif."]},
                {"heading": "Écouter et répondre", "paragraphs": [
                    "La communication digitale est un dialogue : répondez aux questions dans des délais raisonnables et avec courtoisie.",
                    "En situation de crise, publiez vite des informations fiables et corrigez les fausses nouvelles par les faits."]},
            ],
            "questions": [
                {"text": "Quel canal convient à l'information de référence ?", "choices": ["Le site web officiel", "Un message vocal", "Une affiche dans la rue uniquement"], "answer": 0},
                {"text": "Par quoi commence un bon message ?", "choices": ["Par l'histoire de l'administration", "Par l'information essentielle", "Par les références juridiques"], "answer": 1},
                {"text": "Comment traiter une fausse nouvelle ?", "choices": ["L'ignorer", "Supprimer tous les commentaires", "Publier des informations fiables et corriger par les faits"], "answer": 2},
            ],
        },
    },
    "public-innovation": {
        "ar": {
            "title": "الابتكار العمومي والذكاء الجماعي",
            "screens": [
                {"heading": "ما الابتكار العمومي؟", "paragraphs": [
                    "الابتكار العمومي هو تجريب حلول جديدة لتحسين السياسات والخدمات، مع قبول التعلم من الأخطاء.",
                    "لا يحتاج دائما إلى تكنولوجيا: قد يكون تبسيط مسطرة أو إعادة تنظيم شباك."]},
                {"heading": "الذكاء الجماعي", "paragraphs": [
                    "يجمع الذكاء الجماعي معارف الموظفين والمواطنين والخبراء لإيجاد حلول أفضل.",
                    "ورشات التصميم المشترك والاستشارات الرقمية والهاكاثونات أدوات لذلك."]},
                {"heading": "من الفكرة إلى التجربة", "paragraphs": [
                    "اختبر الفكرة على نطاق صغير بنموذج أولي، واجمع آراء المستعملين، ثم حسّن.",
                    "وثّق الدروس المستفادة وشاركها حتى تستفيد منها إدارات أخرى."]},
            ],
            "questions": [
                {"text": "هل يتطلب الابتكار العمومي دائما تكنولوجيا جديدة؟", "choices": ["نعم دائما", "لا، قد يكون تبسيطا لمسطرة", "فقط الذكاء الاصطناعي"], "answer": 1},
                {"text": "أي أداة تعبّئ الذكاء الجماعي؟", "choices": ["ورشة تصميم مشترك", "مذكرة داخلية سرية", "قرار فردي"], "answer": 0},
                {"text": "ما الخطوة التالية بعد النموذج الأولي؟", "choices": ["التعميم الفوري", "جمع آراء المستعملين والتحسين", "التخلي عن الفكرة"], "answer": 1},
            ],
        },
        "fr": {
            "title": "Innovation publique et intelligence collective",
            "screens": [
                {"heading": "Qu'est-ce que l'innovation publique ?", "paragraphs": [
                    "L'innovation publique consiste à expérimenter des solutions nouvelles pour améliorer politiques et services, en acceptant d'apprendre de ses erreurs.",
                    "Elle n'exige pas toujours de technologie : simplifier une procédure ou réorganiser un guichet, c'est innover."]},
                {"heading": "L'intelligence collective", "paragraphs": [
                    "L'intelligence collective réunit les savoirs des agents, des citoyens et des experts pour trouver de meilleures solutions.",
                    "Ateliers de co-conception, consultations en ligne et hackathons en sont les outils."]},
                {"heading": "De l'idée à l'expérimentation", "paragraphs": [
                    "Testez l'idée à petite échelle avec un prototype, recueillez l'avis des usagers, puis améliorez.",
                    "Documentez les enseignements et partagez-les pour que d'autres administrations en profitent."]},
            ],
            "questions": [
                {"text": "L'innovation publique exige-t-elle toujours une nouvelle technologie ?", "choices": ["Oui, toujours", "Non, elle peut simplifier une procédure", "Seulement l'intelligence artificielle"], "answer": 1},
                {"text": "Quel outil mobilise l'intelligence collective ?", "choices": ["Un atelier de co-conception", "Une note interne confidentielle", "Une décision individuelle"], "answer": 0},
                {"text": "Quelle étape suit le prototype ?", "choices": ["La généralisation immédiate", "Recueillir l'avis des usagers et améliorer", "Abandonner l'idée"], "answer": 1},
            ],
        },
    },
    "problem-solving": {
        "ar": {
            "title": "حل المشكلات العمومية",
            "screens": [
                {"heading": "افهم المشكلة قبل الحل", "paragraphs": [
                    "كثير من المشاريع تفشل لأنها تعالج الأعراض لا الأسباب.",
                    "صِف المشكلة بجملة واحدة: من المتأثر؟ ما الأثر؟ منذ متى؟"]},
                {"heading": "ابحث عن الأسباب الجذرية", "paragraphs": [
                    "اسأل «لماذا؟» عدة مرات للوصول إلى السبب العميق.",
                    "اعتمد على المعطيات: الشكايات، آجال المعالجة، وملاحظة العمل الميداني."]},
                {"heading": "اختر الحل وقِس أثره", "paragraphs": [
                    "قارن بين الحلول حسب الأثر والكلفة وسهولة التنفيذ.",
                    "حدد مؤشرا واحدا على الأقل لتتبع النتيجة بعد التنفيذ."]},
            ],
            "questions": [
                {"text": "لماذا تفشل بعض المشاريع؟", "choices": ["لأنها تعالج الأعراض لا الأسباب", "لأنها قصيرة", "لأنها مكتوبة بالعربية"], "answer": 0},
                {"text": "ما فائدة طرح سؤال «لماذا؟» عدة مرات؟", "choices": ["إضاعة الوقت", "الوصول إلى السبب الجذري", "تحديد المسؤول لمعاقبته"], "answer": 1},
                {"text": "ماذا نحدد لتتبع أثر الحل؟", "choices": ["شعارا", "مؤشرا قابلا للقياس", "لا شيء"], "answer": 1},
            ],
        },
        "fr": {
            "title": "La résolution de problèmes publics",
            "screens": [
                {"heading": "Comprendre avant de résoudre", "paragraphs": [
                    "Beaucoup de projets échouent parce qu'ils traitent les symptômes et non les causes.",
                    "Décrivez le problème en une phrase : qui est touché ? quel effet ? depuis quand ?"]},
                {"heading": "Chercher les causes profondes", "paragraphs": [
                    "Demandez « pourquoi ? » plusieurs fois pour remonter à la cause profonde.",
                    "Appuyez-vous sur les données : réclamations, délais de traitement, observation du terrain."]},
                {"heading": "Choisir la solution et mesurer", "paragraphs": [
                    "Comparez les solutions selon l'impact, le coût et la facilité de mise en œuvre.",
                    "Fixez au moins un indicateur pour suivre le résultat après la mise en œuvre."]},
            ],
            "questions": [
                {"text": "Pourquoi certains projets échouent-ils ?", "choices": ["Ils traitent les symptômes, pas les causes", "Ils sont trop courts", "Ils sont écrits en arabe"], "answer": 0},
                {"text": "À quoi sert de demander « pourquoi ? » plusieurs fois ?", "choices": ["À perdre du temps", "À remonter à la cause profonde", "À trouver un coupable"], "answer": 1},
                {"text": "Que fixe-t-on pour suivre l'effet d'une solution ?", "choices": ["Un slogan", "Un indicateur mesurable", "Rien"], "answer": 1},
            ],
        },
    },
    "cybersecurity": {
        "ar": {
            "title": "الأمن السيبراني وحماية المعطيات الشخصية",
            "screens": [
                {"heading": "التصيد الاحتيالي", "paragraphs": [
                    "رسائل التصيد تنتحل صفة جهة موثوقة لسرقة كلمات المرور أو تثبيت برامج خبيثة.",
                    "تحقق من عنوان المرسل، ولا تفتح مرفقا غير متوقع، وأبلغ مصلحة المعلوميات عند الشك."]},
                {"heading": "كلمات المرور", "paragraphs": [
                    "استعمل عبارة مرور طويلة وفريدة لكل حساب، وفعّل التحقق بخطوتين متى أمكن.",
                    "لا تشارك كلمة مرورك أبدا، حتى مع زميل."]},
                {"heading": "حماية المعطيات الشخصية", "paragraphs": [
                    "يؤطر القانون 09-08 معالجة المعطيات ذات الطابع الشخصي بالمغرب، وتسهر عليه اللجنة الوطنية لمراقبة حماية المعطيات الشخصية.",
                    "لا تجمع إلا المعطيات الضرورية، واحفظها بأمان، ولا تحتفظ بها أكثر من المدة اللازمة."]},
            ],
            "questions": [
                {"text": "وصلتك رسالة غير متوقعة بمرفق من «مصلحة الأجور». ماذا تفعل؟", "choices": ["أفتح المرفق بسرعة", "أتحقق من المرسل وأبلغ مصلحة المعلوميات", "أعيد إرسالها لزملائي"], "answer": 1},
                {"text": "ما هي كلمة المرور الجيدة؟", "choices": ["تاريخ ميلادي", "عبارة طويلة وفريدة", "نفس كلمة المرور لكل الحسابات"], "answer": 1},
                {"text": "أي قانون يؤطر حماية المعطيات الشخصية بالمغرب؟", "choices": ["القانون 09-08", "مدونة السير", "قانون المالية"], "answer": 0},
            ],
        },
        "fr": {
            "title": "Cybersécurité et protection des données personnelles",
            "screens": [
                {"heading": "L'hameçonnage", "paragraphs": [
                    "Les messages d'hameçonnage usurpent l'identité d'un organisme de confiance pour voler des mots de passe ou installer des logiciels malveillants.",
                    "Vérifiez l'adresse de l'expéditeur, n'ouvrez pas une pièce jointe inattendue et alertez le service informatique en cas de doute."]},
                {"heading": "Les mots de passe", "paragraphs": [
                    "Utilisez une phrase de passe longue et unique pour chaque compte et activez la double authentification quand c'est possible.",
                    "Ne partagez jamais votre mot de passe, même avec un collègue."]},
                {"heading": "Protéger les données personnelles", "paragraphs": [
                    "Au Maroc, la loi 09-08 encadre le traitement des données à caractère personnel, sous le contrôle de la CNDP.",
                    "Ne collectez que les données nécessaires, conservez-les en sécurité et pas plus longtemps qu'il ne faut."]},
            ],
            "questions": [
                {"text": "Vous recevez un message inattendu avec une pièce jointe du « service de la paie ». Que faites-vous ?", "choices": ["J'ouvre vite la pièce jointe", "Je vérifie l'expéditeur et j'alerte le service informatique", "Je le transfère à mes collègues"], "answer": 1},
                {"text": "Qu'est-ce qu'un bon mot de passe ?", "choices": ["Ma date de naissance", "Une phrase longue et unique", "Le même pour tous mes comptes"], "answer": 1},
                {"text": "Quelle loi encadre la protection des données personnelles au Maroc ?", "choices": ["La loi 09-08", "Le code de la route", "La loi de finances"], "answer": 0},
            ],
        },
    },
}
