"""A knowledge-base resource as a course activity: it shows the resource's current published version in the
learner's language, so the course follows the resource's updates."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _, _l, current_locale
from lms.courses.activities import XAPI_ACTIVITY_TYPES, ActivityType, register_activity_type
from lms.lrs.emitter import activity_iri, actor_for, emit, verb

from .models import KnowledgeResource, ResourceActivity, ResourceStatus


def _resource_choices():
    rows = db.session.execute(select(KnowledgeResource.translation_group, KnowledgeResource.title,
                                     KnowledgeResource.language)
                              .where(KnowledgeResource.status == ResourceStatus.published)
                              .order_by(KnowledgeResource.title).limit(2000)).all()
    return [(group, f"{title} ({language})") for group, title, language in rows]


class KnowledgeFields(FlaskForm):
    translation_group = SelectField(_l("Knowledge-base resource"), choices=_resource_choices,
                                    validators=[DataRequired(message=_l("This field is required."))])


@register_activity_type
class KnowledgeResourceType(ActivityType):
    key = "knowledge_resource"
    title = _l("Knowledge-base resource")
    description = _l("A good practice, success story, lesson learned or guide from the knowledge base.")
    icon = "📚"
    form_class = KnowledgeFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "media"
    completion_rules = ("viewed",)

    def _link(self, activity) -> ResourceActivity | None:
        return db.session.get(ResourceActivity, activity.id)

    def create(self, activity, form) -> None:
        self.link(activity, form.translation_group.data)

    def update(self, activity, form) -> None:
        self.link(activity, form.translation_group.data)

    def link(self, activity, translation_group: str) -> None:
        exists = db.session.scalar(select(KnowledgeResource.id).where(
            KnowledgeResource.translation_group == translation_group,
            KnowledgeResource.status == ResourceStatus.published))
        if exists is None:
            raise DomainError(_("Choose a published resource."), code="unknown_resource", field="translation_group")
        row = self._link(activity)
        if row is None:
            db.session.add(ResourceActivity(activity_id=activity.id, translation_group=translation_group))
        else:
            row.translation_group = translation_group
        db.session.flush()

    def fill_form(self, activity, form) -> None:
        row = self._link(activity)
        if row is not None:
            form.translation_group.data = row.translation_group

    def view(self, activity):
        from .services import best_version, count_view

        row = self._link(activity)
        resource = best_version(row.translation_group, current_locale()) if row else None
        if resource is not None and current_user.is_authenticated:
            count_view(resource)
            emit({"actor": actor_for(current_user), "verb": verb("experienced"),
                  "object": {"objectType": "Activity", "id": activity_iri(activity),
                             "definition": {"type": self.xapi_activity_type,
                                            "name": {resource.language: resource.title}}}})
        return render_template("knowledge/activity.html", activity=activity, resource=resource)

    def export_data(self, activity) -> dict:
        row = self._link(activity)
        return {"translation_group": row.translation_group if row else None}

    def import_data(self, activity, data) -> None:
        if data.get("translation_group"):
            db.session.add(ResourceActivity(activity_id=activity.id, translation_group=data["translation_group"]))
            db.session.flush()
