from flask import Blueprint

from . import views

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")

bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/profile", "profile", views.profile, methods=["GET", "POST"])
bp.add_url_rule("/password", "change_password", views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/password/reset", "reset_request", views.reset_request, methods=["GET", "POST"])
bp.add_url_rule("/password/reset/<token>", "reset_password", views.reset_password, methods=["GET", "POST"])
bp.add_url_rule("/users", "users", views.user_list)
bp.add_url_rule("/users/new", "create_user", views.create_user_view, methods=["GET", "POST"])
bp.add_url_rule("/administrations", "administrations", views.administration_list)
bp.add_url_rule("/administrations/new", "new_administration", views.edit_administration, methods=["GET", "POST"])
bp.add_url_rule("/administrations/<int:administration_id>", "edit_administration", views.edit_administration,
                methods=["GET", "POST"])
bp.add_url_rule("/administrations/<int:administration_id>/logo", "administration_logo", views.administration_logo)
