"""The one way areas record what learners do as xAPI statements (DESIGN.md §2).

``emit`` writes into the built-in LRS in-process, in the caller's transaction (never HTTP to itself).
Actors are accounts under the site URL named by the user's uuid; activity ids are IRIs under the site
URL built from the activity's uuid.
"""
from __future__ import annotations

from flask import current_app

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VERB_NAMES = {
    "attempted": {"en-US": "attempted"}, "initialized": {"en-US": "initialized"},
    "terminated": {"en-US": "terminated"}, "suspended": {"en-US": "suspended"}, "resumed": {"en-US": "resumed"},
    "completed": {"en-US": "completed"}, "passed": {"en-US": "passed"}, "failed": {"en-US": "failed"},
    "scored": {"en-US": "scored"}, "responded": {"en-US": "responded"}, "experienced": {"en-US": "experienced"},
    "registered": {"en-US": "registered"}, "attended": {"en-US": "attended"}, "launched": {"en-US": "launched"},
    "satisfied": {"en-US": "satisfied"}, "abandoned": {"en-US": "abandoned"}, "waived": {"en-US": "waived"},
    "answered": {"en-US": "answered"}, "commented": {"en-US": "commented"}, "shared": {"en-US": "shared"},
}


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def actor_for(user) -> dict:
    """An account actor: never an e-mail address."""
    actor = {"objectType": "Agent", "account": {"homePage": site_url(), "name": user.uuid}}
    if getattr(user, "full_name", None):
        actor["name"] = user.full_name
    return actor


def activity_iri(activity_or_uuid, kind: str = "activity") -> str:
    uuid = getattr(activity_or_uuid, "uuid", activity_or_uuid)
    return f"{site_url()}/xapi/activities/{kind}/{uuid}"


def verb(name: str, iri: str | None = None) -> dict:
    if iri is None:
        if name in ("satisfied", "abandoned", "waived", "launched"):
            iri = f"https://w3id.org/xapi/adl/verbs/{name}"
        else:
            iri = ADL_VERBS + name
    return {"id": iri, "display": VERB_NAMES.get(name, {"en-US": name})}


def emit(statement: dict) -> str:
    """Validate and store one statement in the built-in LRS; returns its id. Flush only."""
    from .store import store_internal_statement

    return store_internal_statement(statement)
