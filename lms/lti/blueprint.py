"""Every LTI URL. One tool URL set for every platform: /lti/login, /lti/launch, /lti/jwks; LTI 1.1 at
/lti/1.1/launch. The endpoints the platform posts to carry their own authentication (signed id_token,
OAuth 1.0a, one-time launch ids), so they are exempt from CSRF by name; the admin forms are not."""
from flask import Blueprint

from lms.core.security import csrf

from . import views

bp = Blueprint("lti", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/lti")

bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/launch", "launch", views.launch, methods=["POST"])
bp.add_url_rule("/jwks", "jwks", views.jwks)
bp.add_url_rule("/canvas.json", "canvas_configuration", views.canvas_configuration)
bp.add_url_rule("/continue/<launch_id>", "continue_launch", views.continue_launch)
bp.add_url_rule("/deep-link/<launch_id>", "deep_link_choose", views.deep_link_choose)
bp.add_url_rule("/deep-link/<launch_id>", "deep_link_submit", views.deep_link_submit, methods=["POST"])
bp.add_url_rule("/1.1/launch", "lti11_launch", views.lti11_launch, methods=["POST"])
bp.add_url_rule("/courses/<int:course_id>", "show_course", views.show_course)
bp.add_url_rule("/activities/<int:activity_id>", "show_activity", views.show_activity)
bp.add_url_rule("/sections/<int:section_id>", "show_section", views.show_section)
bp.add_url_rule("/contexts/<int:context_id>/sync", "sync_context", views.sync_context, methods=["POST"])
bp.add_url_rule("/admin", "admin", views.admin)
bp.add_url_rule("/admin/platforms", "admin_add_platform", views.admin_add_platform, methods=["POST"])
bp.add_url_rule("/admin/platforms/<int:platform_id>", "admin_edit_platform", views.admin_edit_platform,
                methods=["GET", "POST"])
bp.add_url_rule("/admin/platforms/<int:platform_id>/active", "admin_platform_active", views.admin_platform_active,
                methods=["POST"])
bp.add_url_rule("/admin/contexts", "admin_link_context", views.admin_link_context, methods=["POST"])
bp.add_url_rule("/admin/contexts/<int:context_id>", "admin_edit_context", views.admin_edit_context,
                methods=["GET", "POST"])
bp.add_url_rule("/courses/<int:course_id>/cohorts", "course_cohorts", views.course_cohorts)
bp.add_url_rule("/admin/consumers", "admin_add_consumer", views.admin_add_consumer, methods=["POST"])
bp.add_url_rule("/admin/rotate-key", "admin_rotate_key", views.admin_rotate_key, methods=["POST"])
bp.add_url_rule("/admin/invite", "admin_invite", views.admin_invite, methods=["POST"])
bp.add_url_rule("/dynamic-registration/<token>", "dynamic_registration", views.dynamic_registration)

# Authenticated by the platform's signature, OAuth 1.0a or a one-time launch id, never by our session.
for _view in (views.login, views.launch, views.deep_link_submit, views.lti11_launch):
    csrf.exempt(_view)
