import pytest

from lms.knowledge import services
from lms.knowledge.models import ResourceStatus, Workstream
from lms.core.db import db
from tests.factories import make_user


@pytest.fixture
def people(app):
    return {"author": make_user("author", role="instructor"), "reviewer": make_user("reviewer", role="manager"),
            "learner": make_user("learner"), "other_author": make_user("other", role="instructor")}


@pytest.fixture
def workstreams(app):
    items = {code: Workstream(code=code, name={"fr": code, "ar": code}, position=i)
             for i, code in enumerate(["simplification", "digitalisation"])}
    db.session.add_all(items.values())
    db.session.flush()
    return items


@pytest.fixture
def publish(people):
    def make(title, *, language="fr", kind="good_practice", body="", summary="", status=ResourceStatus.published,
             **extra):
        resource = services.create_resource({"title": title, "language": language, "kind": kind, "body": body,
                                             "summary": summary, **extra}, people["author"])
        if status in (ResourceStatus.in_review, ResourceStatus.published, ResourceStatus.archived):
            services.transition(resource, ResourceStatus.in_review, people["author"])
        if status in (ResourceStatus.published, ResourceStatus.archived):
            services.transition(resource, ResourceStatus.published, people["reviewer"])
        if status == ResourceStatus.archived:
            services.transition(resource, ResourceStatus.archived, people["reviewer"])
        return resource

    return make
