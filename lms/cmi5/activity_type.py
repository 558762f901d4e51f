"""The ``cmi5`` and ``tincan`` activity types."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _, _l
from lms.core.storage import storage
from lms.courses.activities import XAPI_ACTIVITY_TYPES, ActivityType, register_activity_type
from lms.scorm.services import PackageRejected

from .forms import Cmi5Fields, TinCanFields
from .models import Cmi5Course, TinCanPackage


def _uploaded(form):
    upload = getattr(form, "package", None)
    data = upload.data if upload is not None else None
    return data if data is not None and getattr(data, "filename", "") else None


def _import(importer, activity, upload, form):
    try:
        return importer(activity.course, upload, activity=activity,
                        user=current_user if getattr(current_user, "is_authenticated", False) else None)
    except PackageRejected as exc:
        field = getattr(form, "package", None)
        if field is not None:
            field.errors = list(field.errors or []) + [
                f"{issue.location()}: {issue.message(_)}" if issue.location() else issue.message(_)
                for issue in exc.report.errors]
        raise


def _require_upload(form, message):
    upload = _uploaded(form)
    if upload is None:
        if getattr(form, "package", None) is not None:
            form.package.errors = list(form.package.errors or []) + [message]
        raise DomainError(message, code="package_required", status=422, field="package")
    return upload


@register_activity_type
class Cmi5Type(ActivityType):
    key = "cmi5"
    title = _l("cmi5 course")
    description = _l("A course of xAPI assignable units (AUs) exported as cmi5, played against the built-in "
                     "LRS.")
    icon = "🧭"
    graded = True
    form_class = Cmi5Fields
    xapi_activity_type = "https://w3id.org/xapi/cmi5/activitytype/course"
    completion_rules = ("viewed", "completed", "passed", "grade")

    def create(self, activity, form) -> None:
        from .services import import_cmi5

        upload = _require_upload(form, _("Choose a cmi5 package (.zip or cmi5.xml)."))
        _import(import_cmi5, activity, upload, form)

    def update(self, activity, form) -> None:
        if _uploaded(form) is not None:
            raise DomainError(_("A cmi5 course cannot be replaced; add a new activity for a new version."),
                              code="cmi5_exists", status=409, field="package")

    def launch_url(self, activity) -> str:
        return url_for("cmi5.view_course", activity_id=activity.id)

    def export_data(self, activity) -> dict:
        course = Cmi5Course.for_activity(activity.id)
        if course is None:
            return {}
        return {"digest": course.digest, "xml": course.structure_xml if course.digest is None else None}

    def export_files(self, activity) -> list[str]:
        digest = self.export_data(activity).get("digest")
        return [digest] if digest else []

    def import_data(self, activity, data) -> None:
        import tempfile
        from pathlib import Path

        from .services import import_cmi5

        if data.get("digest") and storage.has_blob(data["digest"]):
            import_cmi5(activity.course, storage.blob_path(data["digest"]), activity=activity)
        elif data.get("xml"):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "cmi5.xml"
                path.write_text(data["xml"], encoding="utf-8")
                import_cmi5(activity.course, path, activity=activity)
        db.session.flush()


@register_activity_type
class TinCanType(ActivityType):
    key = "tincan"
    title = _l("TinCan package")
    description = _l("An xAPI (Tin Can) package with tincan.xml, launched against the built-in LRS.")
    icon = "🥫"
    graded = True
    form_class = TinCanFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "course"
    completion_rules = ("viewed", "completed", "passed", "grade")

    def create(self, activity, form) -> None:
        from .services import import_tincan

        _import(import_tincan, activity, _require_upload(form, _("Choose a TinCan package (.zip).")), form)

    def launch_url(self, activity) -> str:
        return url_for("cmi5.view_tincan", activity_id=activity.id)

    def export_data(self, activity) -> dict:
        package = TinCanPackage.for_activity(activity.id)
        return {"digest": package.digest} if package else {}

    def export_files(self, activity) -> list[str]:
        digest = self.export_data(activity).get("digest")
        return [digest] if digest else []

    def import_data(self, activity, data) -> None:
        from .services import import_tincan

        if data.get("digest") and storage.has_blob(data["digest"]):
            import_tincan(activity.course, storage.blob_path(data["digest"]), activity=activity)
