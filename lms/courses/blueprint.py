"""Every URL rule of the courses area, in one screen."""
from flask import Blueprint

from . import authoring, staff, views

bp = Blueprint("courses", __name__, template_folder="templates", static_folder="static/courses",
               static_url_path="/courses-static")

# Learners
bp.add_url_rule("/courses/", "catalogue", views.catalogue)
bp.add_url_rule("/courses/<int:course_id>", "view_course", views.view_course)
bp.add_url_rule("/courses/<int:course_id>/image", "course_image", views.course_image)
bp.add_url_rule("/courses/<int:course_id>/enrol", "self_enrol", views.self_enrol, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/leave", "leave_course", views.leave_course, methods=["POST"])
bp.add_url_rule("/courses/activity/<int:activity_id>", "view_activity", views.view_activity)
bp.add_url_rule("/courses/activity/<int:activity_id>/file", "download_file", views.download_file)
bp.add_url_rule("/dashboard", "dashboard", views.dashboard)

# Authoring
bp.add_url_rule("/courses/new", "create_course", authoring.create_course, methods=["GET", "POST"])
bp.add_url_rule("/courses/import", "import_course", authoring.import_course, methods=["GET", "POST"])
bp.add_url_rule("/courses/categories", "categories", authoring.categories, methods=["GET", "POST"])
bp.add_url_rule("/courses/<int:course_id>/edit", "edit_course", authoring.edit_course, methods=["GET", "POST"])
bp.add_url_rule("/courses/<int:course_id>/sections/new", "add_section", authoring.add_section, methods=["GET", "POST"])
bp.add_url_rule("/courses/sections/<int:section_id>/edit", "edit_section", authoring.edit_section,
                methods=["GET", "POST"])
bp.add_url_rule("/courses/sections/<int:section_id>/delete", "delete_section", authoring.delete_section,
                methods=["POST"])
bp.add_url_rule("/courses/sections/<int:section_id>/move", "move_section", authoring.move_section, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/activities/new", "add_activity", authoring.add_activity,
                methods=["GET", "POST"])
bp.add_url_rule("/courses/activity/<int:activity_id>/edit", "edit_activity", authoring.edit_activity,
                methods=["GET", "POST"])
bp.add_url_rule("/courses/activity/<int:activity_id>/delete", "delete_activity", authoring.delete_activity,
                methods=["POST"])
bp.add_url_rule("/courses/activity/<int:activity_id>/move", "move_activity", authoring.move_activity, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/reorder", "reorder", authoring.reorder, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/preview", "toggle_preview", authoring.toggle_preview, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/duplicate", "duplicate_course", authoring.duplicate_course, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/export", "export_course", authoring.export_course)
bp.add_url_rule("/courses/<int:course_id>/participants", "participants", authoring.participants,
                methods=["GET", "POST"])
bp.add_url_rule("/courses/<int:course_id>/participants/<int:user_id>/remove", "remove_participant",
                authoring.remove_participant, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/rules/<int:rule_id>/delete", "delete_rule", authoring.delete_rule,
                methods=["POST"])

# Gradebook and reports
bp.add_url_rule("/courses/<int:course_id>/gradebook", "view_gradebook", staff.view_gradebook)
bp.add_url_rule("/courses/<int:course_id>/gradebook.<fmt>", "export_gradebook", staff.export_gradebook)
bp.add_url_rule("/courses/<int:course_id>/gradebook/<int:activity_id>/<int:user_id>", "override_grade",
                staff.override_grade, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>/report", "course_report", staff.report)
bp.add_url_rule("/courses/reports", "reports", staff.report)
bp.add_url_rule("/courses/reports/<table>.<fmt>", "export_report", staff.export_report)
