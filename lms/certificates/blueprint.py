from flask import Blueprint

from . import views

bp = Blueprint("certificates", __name__, template_folder="templates", url_prefix="/certificates")

bp.add_url_rule("/", "mine", views.my_certificates)
bp.add_url_rule("/<uuid>.pdf", "download", views.download)
bp.add_url_rule("/verify", "verify_form", views.verify_form)
bp.add_url_rule("/verify/<code>", "verify", views.verify)
