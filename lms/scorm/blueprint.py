"""Every URL rule of the SCORM area. Import (upload with progress, validation report) is here; the player
and run-time add their rules to the same ``bp`` (``scorm.play`` and friends)."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.core.db import db
from lms.core.i18n import _
from lms.core.permissions import require
from lms.courses.models import Activity, Course

from .forms import OrganizationForm, UploadForm
from .models import ScormPackage, ScormPackageVersion
from .package import Report
from .services import PackageRejected, build_tree, import_package

bp = Blueprint("scorm", __name__, template_folder="templates", static_folder="static",
               static_url_path="/scorm/static")


# --- loading and access: one helper per kind of object -----------------------------------------------------

def _load_course(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    require("course.edit", course)
    return course


def _load_scorm_activity(activity_id: int) -> tuple[Activity, ScormPackage]:
    activity = db.get_or_404(Activity, activity_id)
    require("course.edit", activity.course)
    package = ScormPackage.for_activity(activity.id)
    if activity.type_key != "scorm" or package is None:
        from flask import abort

        abort(404)
    return activity, package


def _load_version(version_id: int) -> ScormPackageVersion:
    version = db.get_or_404(ScormPackageVersion, version_id)
    require("course.edit", version.package.activity.course)
    return version


def _wants_xhr() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


# --- upload -------------------------------------------------------------------------------------------

@bp.route("/courses/<int:course_id>/scorm/new", methods=["GET", "POST"])
@login_required
def upload_package(course_id: int):
    """A new SCORM activity in the course's first section."""
    course = _load_course(course_id)
    return _upload(course, None, url_for("scorm.upload_package", course_id=course.id))


@bp.route("/activities/<int:activity_id>/scorm/versions/new", methods=["GET", "POST"])
@login_required
def upload_version(activity_id: int):
    """A new version of an activity's package; the earlier versions stay."""
    activity, _package = _load_scorm_activity(activity_id)
    return _upload(activity.course, activity, url_for("scorm.upload_version", activity_id=activity.id))


def _upload(course: Course, activity: Activity | None, action: str):
    form = UploadForm()
    if activity is not None:
        del form.title  # the activity keeps its title; edit it in the activity settings
    report = None
    if form.validate_on_submit():
        try:
            version = import_package(course, form.package.data, activity=activity, user=current_user,
                                     title=form.title.data if activity is None else None)
        except PackageRejected as exc:
            report = exc.report
        else:
            flash(_("The package was imported (version %(number)s).", number=version.number), "success")
            target = url_for("scorm.version_report", version_id=version.id)
            if _wants_xhr():
                return jsonify(status="imported", redirect=target, activity_id=version.package.activity_id)
            return redirect(target)
    status = 422 if (report is not None or form.errors) and request.method == "POST" else 200
    if _wants_xhr() and request.method == "POST":
        html = render_template("scorm/_upload_result.html", form=form, report=report)
        return jsonify(status="refused", html=html), status
    return render_template("scorm/upload.html", course=course, activity=activity, form=form, report=report,
                           action=action), status


# --- package page and validation report ---------------------------------------------------------------

@bp.route("/activities/<int:activity_id>/scorm")
@login_required
def package_overview(activity_id: int):
    activity, package = _load_scorm_activity(activity_id)
    version = package.latest_version
    if version is None:
        return redirect(url_for("scorm.upload_version", activity_id=activity.id))
    return redirect(url_for("scorm.version_report", version_id=version.id))


@bp.route("/scorm/versions/<int:version_id>", methods=["GET", "POST"])
@login_required
def version_report(version_id: int):
    """A version's validation report (in the instructor's language), its items and the organization played."""
    version = _load_version(version_id)
    package = version.package
    form = OrganizationForm()
    form.organization.choices = version.organizations
    if request.method == "GET":
        form.organization.data = version.organization
    elif form.validate_on_submit() and form.organization.data != version.organization:
        manifest_xml = version.manifest_xml.encode("utf-8")
        version.organization = form.organization.data
        version.activity_tree = build_tree(manifest_xml, version.organization)
        db.session.flush()
        flash(_("The organization played is now %(id)s.", id=version.organization), "success")
        return redirect(url_for("scorm.version_report", version_id=version.id))
    return render_template("scorm/version.html", version=version, package=package, activity=package.activity,
                           report=Report.from_dict(version.report), form=form)


# The player and run-time (lms/scorm/player.py) add their rules to this blueprint.
from . import player as _player  # noqa: E402,F401
