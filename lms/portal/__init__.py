"""The programme portal: about pages, news and timeline, awareness campaigns, newsletter, contact."""


def init_app(app):
    from lms.core.views import register_banner_provider, register_home_section

    from . import permissions  # noqa: F401 — registers the portal rules
    from .services import active_banners, home_news_context

    register_home_section("portal/_home_news.html", home_news_context, order=20)
    register_banner_provider(active_banners)
