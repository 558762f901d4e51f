"""The one place where access is decided.

Areas declare rules with :func:`permission_rule`; views, templates and services ask :func:`can` or
:func:`require`. Administrators pass every check; inactive or anonymous users pass none unless a rule
explicitly allows anonymous access (``allow_anonymous=True``).
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user

Rule = Callable[[Any, Any], bool]

_rules: dict[str, Rule] = {}
_anonymous_ok: set[str] = set()


def permission_rule(name: str, allow_anonymous: bool = False):
    """Register the rule deciding ``name``; the function receives (user, obj) and returns a bool."""

    def decorator(func: Rule) -> Rule:
        if name in _rules and _rules[name] is not func:
            raise RuntimeError(f"permission {name!r} is declared twice")
        _rules[name] = func
        if allow_anonymous:
            _anonymous_ok.add(name)
        return func

    return decorator


def declared_permissions() -> list[str]:
    return sorted(_rules)


def is_admin(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False) and getattr(user, "is_administrator", False))


def can(user, name: str, obj: Any = None) -> bool:
    rule = _rules.get(name)
    if rule is None:
        raise KeyError(f"unknown permission {name!r}")
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if not authenticated:
        return name in _anonymous_ok and bool(rule(None, obj))
    if not getattr(user, "is_active", False):
        return False
    if is_admin(user):
        return True
    return bool(rule(user, obj))


def require(name: str, obj: Any = None, user=None) -> None:
    """401 for anonymous visitors (so they can sign in), 403 for signed-in users without the right."""
    user = current_user if user is None else user
    if can(user, name, obj):
        return
    abort(401 if not getattr(user, "is_authenticated", False) else 403)


def requires(name: str):
    """View decorator for permissions that do not depend on a loaded object."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(name)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app) -> None:
    app.jinja_env.globals["can"] = lambda name, obj=None: can(current_user, name, obj)
