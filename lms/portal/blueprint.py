from flask import Blueprint

from . import views

bp = Blueprint("portal", __name__, template_folder="templates")

bp.add_url_rule("/about/", "about_index", views.about_index)
bp.add_url_rule("/about/<slug>", "about_page", views.about_page)
bp.add_url_rule("/news/", "news_list", views.news_list)
bp.add_url_rule("/news/timeline", "news_timeline", views.news_timeline)
bp.add_url_rule("/news/feed.atom", "news_feed", views.news_feed)
bp.add_url_rule("/news/<slug>", "news_post", views.news_post)
bp.add_url_rule("/news/covers/<int:post_id>", "cover_image", views.cover_image)
bp.add_url_rule("/newsletter", "newsletter_preferences", views.newsletter_preferences, methods=["GET", "POST"])
bp.add_url_rule("/newsletter/unsubscribe/<token>", "unsubscribe", views.unsubscribe)
bp.add_url_rule("/contact", "contact", views.contact, methods=["GET", "POST"])
bp.add_url_rule("/campaigns/<int:campaign_id>/dismiss", "dismiss_campaign", views.dismiss_campaign, methods=["POST"])
bp.add_url_rule("/sitemap.xml", "sitemap", views.sitemap)
bp.add_url_rule("/robots.txt", "robots", views.robots)
bp.add_url_rule("/portal/admin/", "admin_index", views.admin_index)
bp.add_url_rule("/portal/admin/posts/new", "new_post", views.edit_post, methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/posts/<int:post_id>", "edit_post", views.edit_post, methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/pages/new", "new_page", views.edit_page, methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/pages/<int:page_id>", "edit_page", views.edit_page, methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/campaigns/new", "new_campaign", views.edit_campaign, methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/campaigns/<int:campaign_id>", "edit_campaign", views.edit_campaign,
                methods=["GET", "POST"])
bp.add_url_rule("/portal/admin/newsletter", "compose_newsletter", views.compose_newsletter, methods=["GET", "POST"])
