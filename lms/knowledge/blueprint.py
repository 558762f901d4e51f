from flask import Blueprint

from . import views

bp = Blueprint("knowledge", __name__, template_folder="templates")

bp.add_url_rule("/knowledge/", "index", views.index)
bp.add_url_rule("/knowledge/search", "search", views.search_page)
bp.add_url_rule("/api/knowledge/search", "search_api", views.search_api)
bp.add_url_rule("/knowledge/feed.atom", "feed", views.feed)
bp.add_url_rule("/knowledge/library", "library", views.library)
bp.add_url_rule("/knowledge/moderation", "moderation", views.moderation, methods=["GET", "POST"])
bp.add_url_rule("/knowledge/new", "new_resource", views.new_resource, methods=["GET", "POST"])
bp.add_url_rule("/knowledge/<int:resource_id>", "resource", views.resource)
bp.add_url_rule("/knowledge/<int:resource_id>/edit", "edit_resource", views.edit_resource, methods=["GET", "POST"])
bp.add_url_rule("/knowledge/<int:resource_id>/status", "change_status", views.change_status, methods=["POST"])
bp.add_url_rule("/knowledge/<int:resource_id>/history", "history", views.history)
bp.add_url_rule("/knowledge/<int:resource_id>/restore/<int:number>", "restore", views.restore, methods=["POST"])
bp.add_url_rule("/knowledge/<int:resource_id>/rate", "rate", views.rate, methods=["POST"])
bp.add_url_rule("/knowledge/<int:resource_id>/comments", "comment", views.comment, methods=["POST"])
bp.add_url_rule("/knowledge/<int:resource_id>/bookmark", "bookmark", views.bookmark, methods=["POST"])
bp.add_url_rule("/knowledge/attachments/<int:attachment_id>", "attachment", views.attachment)
