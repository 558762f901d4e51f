"""Publication workflow, versions and restore, language versions, engagement, permissions over HTTP."""
import pytest

from lms.core.db import db
from lms.core.errors import DomainError
from lms.knowledge import services
from lms.knowledge.models import KnowledgeComment, KnowledgeResource, ResourceStatus


def test_workflow_draft_review_publish_archive(publish, people):
    resource = publish("Fiche", status=ResourceStatus.draft)
    services.transition(resource, ResourceStatus.in_review, people["author"])
    with pytest.raises(DomainError) as refused:
        services.transition(resource, ResourceStatus.published, people["author"])  # authors do not self-publish
    assert refused.value.status == 403
    services.transition(resource, ResourceStatus.published, people["reviewer"])
    assert resource.published_at is not None and resource.reviewer_id == people["reviewer"].id
    services.transition(resource, ResourceStatus.archived, people["reviewer"])
    assert resource.status == ResourceStatus.archived


def test_impossible_transitions_are_refused_with_409(publish, people):
    resource = publish("Fiche", status=ResourceStatus.draft)
    with pytest.raises(DomainError) as refused:
        services.transition(resource, ResourceStatus.archived, people["reviewer"])
    assert refused.value.status == 409 and refused.value.code == "invalid_transition"


def test_every_save_is_a_version_and_an_earlier_one_can_be_restored(publish, people):
    resource = publish("Première version", body="<p>texte un</p>")
    services.update_resource(resource, {"title": "Deuxième version", "language": "fr", "kind": "good_practice",
                                        "body": "<p>texte deux</p>"}, people["reviewer"])
    assert resource.revision_number == 2
    services.restore_revision(resource, 1, people["reviewer"])
    assert resource.title == "Première version" and "texte un" in resource.body
    assert resource.revision_number == 3
    from lms.knowledge.search import search

    assert search("premiere").total == 1 and search("deuxieme").total == 0  # the index follows


def test_language_versions_are_linked_and_unique_per_language(publish, people):
    french = publish("Guide d'accueil")
    arabic = services.create_resource({"title": "دليل الاستقبال", "language": "ar", "kind": "guide"}, people["author"],
                                      translation_of=french)
    assert arabic.translation_group == french.translation_group
    with pytest.raises(DomainError):
        services.create_resource({"title": "Autre", "language": "ar", "kind": "guide"}, people["author"],
                                 translation_of=french)
    assert services.best_version(french.translation_group, "en") == french  # Arabic draft not published yet


def test_body_is_sanitised(publish):
    resource = publish("XSS", body='<p onclick="x()">a</p><script>alert(1)</script><a href="javascript:y">b</a>')
    assert "script" not in resource.body and "onclick" not in resource.body and "javascript" not in resource.body


def test_draft_is_invisible_to_learners_and_visitors_but_visible_to_its_author(client, auth, publish):
    draft = publish("Brouillon", status=ResourceStatus.draft)
    assert client.get(f"/knowledge/{draft.id}").status_code == 404
    auth.login("learner")
    assert client.get(f"/knowledge/{draft.id}").status_code == 404
    auth.logout()
    auth.login("other")
    assert client.get(f"/knowledge/{draft.id}").status_code == 404
    auth.logout()
    auth.login("author")
    assert client.get(f"/knowledge/{draft.id}").status_code == 200


def test_learner_cannot_create_or_publish(client, auth, publish):
    resource = publish("En revue", status=ResourceStatus.in_review)
    auth.login("learner")
    assert client.get("/knowledge/new").status_code == 403
    response = client.post(f"/knowledge/{resource.id}/status", data={"to": "published"})
    assert response.status_code in (403, 404)
    db.session.refresh(resource)
    assert resource.status == ResourceStatus.in_review


def test_author_shares_a_resource_through_the_form_and_the_reviewer_publishes_it(client, auth, people, workstreams):
    auth.login("author")
    response = client.post("/knowledge/new", data={
        "language": "fr", "kind": "lesson_learned", "title": "Leçon apprise", "summary": "Résumé",
        "body": "<p>Corps</p>", "workstreams": [str(workstreams["simplification"].id)], "tags": "accueil, délais"})
    assert response.status_code == 302
    resource = db.session.scalar(db.select(KnowledgeResource).where(KnowledgeResource.title == "Leçon apprise"))
    assert resource.status == ResourceStatus.draft and sorted(t.name for t in resource.tags) == ["accueil", "délais"]
    client.post(f"/knowledge/{resource.id}/status", data={"to": "in_review"})
    auth.logout()
    auth.login("reviewer")
    assert client.post(f"/knowledge/{resource.id}/status", data={"to": "published"}).status_code == 302
    assert client.get("/api/knowledge/search?q=lecon").get_json()["total"] == 1


def test_comments_appear_only_after_moderation(client, auth, publish, people):
    resource = publish("Fiche commentée")
    auth.login("learner")
    client.post(f"/knowledge/{resource.id}/comments", data={"body": "Très utile pour notre service"})
    assert "Très utile" not in client.get(f"/knowledge/{resource.id}").get_data(as_text=True)
    auth.logout()
    auth.login("reviewer")
    comment = db.session.scalar(db.select(KnowledgeComment))
    client.post("/knowledge/moderation", data={"comment_id": comment.id, "decision": "approve"})
    assert "Très utile" in client.get(f"/knowledge/{resource.id}").get_data(as_text=True)


def test_ratings_average_and_one_rating_per_person(publish, people):
    resource = publish("Fiche notée")
    services.rate(resource, people["learner"], 5)
    services.rate(resource, people["learner"], 3)
    services.rate(resource, people["reviewer"], 4)
    assert resource.rating_count == 2 and resource.rating_average == pytest.approx(3.5)
    with pytest.raises(DomainError):
        services.rate(resource, people["learner"], 9)


def test_bookmarks_build_my_library(client, auth, publish):
    resource = publish("Fiche favorite")
    auth.login("learner")
    client.post(f"/knowledge/{resource.id}/bookmark")
    assert "Fiche favorite" in client.get("/knowledge/library").get_data(as_text=True)
    client.post(f"/knowledge/{resource.id}/bookmark")
    assert "Fiche favorite" not in client.get("/knowledge/library").get_data(as_text=True)


def test_views_are_counted_and_feed_the_most_viewed_list(client, publish):
    quiet, popular = publish("Fiche calme"), publish("Fiche populaire")
    for _ in range(3):
        client.get(f"/knowledge/{popular.id}")
    client.get(f"/knowledge/{quiet.id}")
    db.session.refresh(popular)
    assert popular.view_count == 3
    assert services.most_viewed(1)[0].id == popular.id


def test_feed_parses_and_lists_published_resources_only(client, publish):
    import feedparser

    publish("Fiche publiée")
    publish("Fiche brouillon", status=ResourceStatus.draft)
    feed = feedparser.parse(client.get("/knowledge/feed.atom").get_data())
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["Fiche publiée"]


def test_unsupported_attachment_type_is_refused(publish):
    import io

    resource = publish("Fiche")
    with pytest.raises(DomainError) as refused:
        services.add_attachment(resource, io.BytesIO(b"MZ"), "virus.exe")
    assert refused.value.code == "file_type"


def test_video_attachment_is_served_with_range_requests(client, publish):
    import io

    resource = publish("Vidéo")
    attachment = services.add_attachment(resource, io.BytesIO(bytes(range(256)) * 4), "clip.mp4", "video/mp4")
    response = client.get(f"/knowledge/attachments/{attachment.id}", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.get_data()) == 100
