"""Every URL rule of the cmi5 area (cmi5 courses and TinCan packages)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from lms.core.security import csrf

from . import views

bp = Blueprint("cmi5", __name__, template_folder="templates", static_folder="static",
               static_url_path="/cmi5/static")

_rules = [
    ("/activities/<int:activity_id>/cmi5", "view_course", views.view_course, ["GET"], True),
    ("/activities/<int:activity_id>/cmi5/aus/<int:au_id>/launch", "launch_au", views.launch_au, ["POST"],
     True),
    ("/activities/<int:activity_id>/cmi5/learners", "learners", views.learners, ["GET"], True),
    ("/activities/<int:activity_id>/cmi5/waive", "waive_form", views.waive_from_form, ["POST"], True),
    ("/activities/<int:activity_id>/cmi5/attempts/new", "new_attempt", views.new_attempt, ["POST"], True),
    ("/activities/<int:activity_id>/cmi5/aus/<int:au_id>/waive/<int:user_id>", "waive_au", views.waive_au,
     ["POST"], True),
    ("/cmi5/content/<int:course_id>/<path:relpath>", "content", views.content, ["GET"], False),
    ("/cmi5/sessions/<session_id>/return", "return_to_course", views.return_to_course, ["GET"], False),
    ("/activities/<int:activity_id>/tincan", "view_tincan", views.view_tincan, ["GET"], True),
    ("/activities/<int:activity_id>/tincan/launch", "launch_tincan", views.launch_tincan, ["POST"], True),
    ("/cmi5/tincan/<int:package_id>/<path:relpath>", "tincan_content", views.tincan_content, ["GET"], False),
]
for rule, endpoint, view, methods, needs_login in _rules:
    bp.add_url_rule(rule, endpoint, login_required(view) if needs_login else view, methods=methods)

# The fetch URL is called by the AU with no session cookie guarantee and no CSRF token (cmi5 §8.2): the
# one-time token in the URL is the credential.
bp.add_url_rule("/cmi5/fetch/<token>", "fetch_token", csrf.exempt(views.fetch_token), methods=["POST"])
