"""Search in Arabic, French and English on both engines, with facets and permissions."""
import pytest

from lms.knowledge.models import ResourceStatus
from lms.knowledge.search import SearchFilters, search
from lms.knowledge.text import normalize, tokens


def titles(result):
    return sorted(r.title for r in result.resources)


@pytest.mark.parametrize("query", [
    "المدرسة",          # plain
    "المَدْرَسَةُ",       # with diacritics
    "مدرسه",            # taa marbuta written as haa, no article
    "المدرســة",        # tatweel
])
def test_arabic_search_ignores_diacritics_article_and_letter_forms(publish, query):
    publish("تجربة المَدْرَسَة الرقمية", language="ar", summary="برنامج لفائدة الموظفين")
    publish("موضوع آخر", language="ar")
    assert titles(search(query)) == ["تجربة المَدْرَسَة الرقمية"]


@pytest.mark.parametrize("query", ["إدارة", "ادارة", "أدارة", "الإدارة", "آدارة"])
def test_arabic_search_folds_alef_forms(publish, query):
    publish("تحديث الإدارة العمومية", language="ar")
    assert search(query).total == 1


def test_alef_maqsura_and_hamza_seats_are_folded(publish):
    publish("مبادرة المستوى المحلي", language="ar", body="<p>مسؤول</p>")
    assert search("المستوي").total == 1
    assert search("مسوول").total == 1


@pytest.mark.parametrize("query", ["evenement", "Événement", "EVENEMENT", "événements"])
def test_french_search_folds_accents_and_case(publish, query):
    publish("Organiser un événement citoyen", summary="Guide pratique")
    assert search(query).total == 1


def test_search_covers_summary_body_tags_and_attachment_text(publish, people):
    import io

    from lms.knowledge import services

    publish("Titre A", summary="résumé contenant zanzibar")
    publish("Titre B", body="<p>corps contenant <strong>kilimanjaro</strong></p>")
    publish("Titre C", tags=["serengeti"])
    resource = publish("Titre D")
    services.add_attachment(resource, io.BytesIO(b"notes: ngorongoro crater"), "notes.txt", "text/plain")
    assert titles(search("zanzibar")) == ["Titre A"]
    assert titles(search("kilimanjaro")) == ["Titre B"]
    assert titles(search("serengeti")) == ["Titre C"]
    assert titles(search("ngorongoro")) == ["Titre D"]


def test_pdf_attachment_text_is_searchable(publish):
    import io

    from fpdf import FPDF

    from lms.knowledge import services

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Rapport sur la simplification des procedures de Tombouctou")
    resource = publish("Rapport annuel")
    services.add_attachment(resource, io.BytesIO(bytes(pdf.output())), "rapport.pdf", "application/pdf")
    assert titles(search("tombouctou")) == ["Rapport annuel"]


def test_all_query_words_must_match_and_prefixes_count(publish):
    publish("Simplification des procédures")
    publish("Simplification fiscale")
    assert titles(search("simplification procédures")) == ["Simplification des procédures"]
    assert search("simplif").total == 2


def test_ranking_prefers_title_matches(publish):
    publish("Autre sujet", body="<p>On y parle aussi de dématérialisation en passant.</p>")
    publish("La dématérialisation du courrier")
    assert [r.title for r in search("dematerialisation").resources][0] == "La dématérialisation du courrier"


def test_drafts_in_review_and_archived_resources_are_never_found(publish):
    publish("Brouillon secret", status=ResourceStatus.draft)
    publish("En revue secrète", status=ResourceStatus.in_review)
    publish("Archive secrète", status=ResourceStatus.archived)
    publish("Publication secrète")
    assert titles(search("secret")) == ["Publication secrète"]


def test_facets_count_and_filter(publish, workstreams):
    publish("Pratique A", kind="good_practice", year=2023, workstreams=[workstreams["simplification"].id])
    publish("Pratique B", kind="good_practice", year=2024, workstreams=[workstreams["digitalisation"].id])
    publish("Histoire C", kind="success_story", year=2024, language="ar")
    result = search("")
    assert {value: count for value, _label, count in result.facets["kind"]} == {"good_practice": 2, "success_story": 1}
    assert {value: count for value, _label, count in result.facets["year"]} == {2023: 1, 2024: 2}
    assert {value: count for value, _label, count in result.facets["language"]} == {"ar": 1, "fr": 2}
    assert titles(search("", SearchFilters(kind="good_practice", year=2024))) == ["Pratique B"]
    assert titles(search("", SearchFilters(workstream=workstreams["simplification"].id))) == ["Pratique A"]
    assert titles(search("", SearchFilters(language="ar"))) == ["Histoire C"]


def test_paging_returns_the_total_and_one_page(publish):
    for n in range(25):
        publish(f"Fiche numéro {n}")
    first = search("fiche", per_page=10, page=1)
    third = search("fiche", per_page=10, page=3)
    assert first.total == 25 and len(first.resources) == 10 and len(third.resources) == 5
    assert not {r.id for r in first.resources} & {r.id for r in third.resources}


def test_normalisation_functions():
    assert normalize("أإآٱ") == "اااا"
    assert normalize("مَدْرَسَةٌ") == "مدرسه"
    assert tokens("وبالإدارة الرقمية") == ["بالاداره", "رقميه"] or tokens("وبالإدارة الرقمية")[1] == "رقميه"
    assert tokens("Élèves à l'École") == ["eleve", "a", "l", "ecole"]


def test_search_api_returns_total_results_and_highlights(client, publish):
    publish("Le guichet unique", summary="Un guichet pour toutes les démarches")
    publish("Brouillon guichet", status=ResourceStatus.draft)
    response = client.get("/api/knowledge/search?q=guichet")
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 1
    assert [r["title"] for r in data["results"]] == ["Le guichet unique"]
    assert "<mark>guichet</mark>" in data["results"][0]["highlight"]
    assert {f["value"] for f in data["facets"]["kind"]} == {"good_practice"}


def test_search_api_rejects_an_unknown_filter_with_400(client):
    response = client.get("/api/knowledge/search?q=x&kind=novel")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_filter"


def test_html_search_page_highlights_arabic_matches(client, publish):
    publish("الشباك الوحيد", language="ar", summary="تبسيط المساطر عبر الشباك الوحيد")
    html = client.get("/knowledge/search?q=الشباك", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "<mark>الشباك</mark>" in html or "ال<mark>شباك</mark>" in html
    assert 'dir="rtl"' in html
