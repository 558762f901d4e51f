"""Accounts: users, site roles, administrations (the programme's beneficiary organisations)."""


def init_app(app):
    from . import permissions  # noqa: F401 — registers the accounts rules
    from .services import load_user_for_session

    from lms.core.security import login_manager

    login_manager.user_loader(load_user_for_session)
