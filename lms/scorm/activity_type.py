"""The ``scorm`` activity type: how courses create, edit, launch, copy and export SCORM activities."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _, _l
from lms.core.storage import storage
from lms.courses.activities import XAPI_ACTIVITY_TYPES, ActivityType, register_activity_type

from .attempts import DEFAULTS as PLAYER_DEFAULTS
from .attempts import settings as player_settings
from .forms import ScormFields
from .models import ScormPackage
from .services import PackageRejected, import_package


def _uploaded(form):
    upload = getattr(form, "package", None)
    data = upload.data if upload is not None else None
    return data if data is not None and getattr(data, "filename", "") else None


def _user():
    return current_user if getattr(current_user, "is_authenticated", False) else None


def _import_into_form(activity, upload, form):
    """Import, and on refusal put every error of the report under the file field (so the form page shows
    them and the request rolls back) before letting the refusal go on."""
    try:
        return import_package(activity.course, upload, activity=activity, user=_user())
    except PackageRejected as exc:
        field = getattr(form, "package", None)
        if field is not None:
            field.errors = list(field.errors or []) + [
                f"{issue.location()}: {issue.message(_)}" if issue.location() else issue.message(_)
                for issue in exc.report.errors]
        raise


@register_activity_type
class ScormType(ActivityType):
    key = "scorm"
    title = _l("SCORM package")
    description = _l("An e-learning module exported as SCORM 1.2 or 2004 by an authoring tool.")
    icon = "🎓"
    graded = True
    form_class = ScormFields
    xapi_activity_type = XAPI_ACTIVITY_TYPES + "module"
    completion_rules = ("viewed", "completed", "passed", "grade")

    def create(self, activity, form) -> None:
        upload = _uploaded(form)
        if upload is None:
            if getattr(form, "package", None) is not None:
                form.package.errors = list(form.package.errors or []) + [_("Choose a SCORM package (.zip).")]
            raise DomainError(_("Choose a SCORM package (.zip)."), code="package_required", status=422,
                              field="package")
        _import_into_form(activity, upload, form)
        self._apply_settings(activity, form)

    def update(self, activity, form) -> None:
        upload = _uploaded(form)
        if upload is not None:
            _import_into_form(activity, upload, form)
        self._apply_settings(activity, form)

    def _apply_settings(self, activity, form) -> None:
        package = ScormPackage.for_activity(activity.id)
        field = getattr(form, "keep_version_for_attempts", None)
        if package is not None and field is not None:
            package.keep_version_for_attempts = bool(field.data)
        options = {}
        for key, default in PLAYER_DEFAULTS.items():
            field = getattr(form, key, None)
            if field is None:
                continue
            value = field.data
            if isinstance(default, bool):
                value = bool(value)
            elif key == "max_attempts":
                value = int(value or 0)
            elif key == "completion_min_score":
                value = float(value) if value not in (None, "") else None
            options[key] = value
        if options:
            # a new dict, so the JSON column sees the change
            activity.settings = {**(activity.settings or {}), **options}
        db.session.flush()

    def fill_form(self, activity, form) -> None:
        package = ScormPackage.for_activity(activity.id)
        if package is not None and hasattr(form, "keep_version_for_attempts"):
            form.keep_version_for_attempts.data = package.keep_version_for_attempts
        for key, value in player_settings(activity).items():
            field = getattr(form, key, None)
            if field is not None:
                field.data = value

    def launch_url(self, activity) -> str:
        # The player (scorm.play) is added to this blueprint by the run-time work; until it exists the
        # package page (versions and validation report) is what the link shows.
        try:
            return url_for("scorm.play", activity_id=activity.id)
        except BuildError:
            return url_for("scorm.package_overview", activity_id=activity.id)

    # -- copy, export, import --------------------------------------------------------------------------
    def export_data(self, activity) -> dict:
        package = ScormPackage.for_activity(activity.id)
        version = package.latest_version if package else None
        if version is None:
            return {}
        return {"digest": version.digest, "organization": version.organization, "title": version.title,
                "keep_version_for_attempts": package.keep_version_for_attempts}

    def export_files(self, activity) -> list[str]:
        data = self.export_data(activity)
        return [data["digest"]] if data.get("digest") else []

    def import_data(self, activity, data) -> None:
        digest = data.get("digest")
        if not digest or not storage.has_blob(digest):
            return
        version = import_package(activity.course, storage.blob_path(digest), title=data.get("title"),
                                 activity=activity, organization=data.get("organization"))
        version.package.keep_version_for_attempts = bool(data.get("keep_version_for_attempts", True))
        db.session.flush()
