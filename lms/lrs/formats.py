"""Statement output formats (``format=exact|ids|canonical``) and language-map filtering."""
from __future__ import annotations

from .validation import IFI_KEYS


def _agent_ids(agent):
    if not isinstance(agent, dict):
        return agent
    reduced = {key: agent[key] for key in IFI_KEYS if key in agent}
    reduced["objectType"] = agent.get("objectType", "Agent")
    if reduced["objectType"] == "Group" and "member" in agent and not any(k in agent for k in IFI_KEYS):
        reduced["member"] = [_agent_ids(member) for member in agent["member"]]
    return reduced


def _activity_ids(activity: dict) -> dict:
    return {"id": activity["id"]}


def _context_ids(context: dict) -> dict:
    context = dict(context)
    for key in ("instructor", "team"):
        if key in context:
            context[key] = _agent_ids(context[key])
    if "contextActivities" in context:
        context["contextActivities"] = {
            key: [_activity_ids(a) for a in (items if isinstance(items, list) else [items])]
            for key, items in context["contextActivities"].items()}
    return context


def _body_ids(statement: dict) -> dict:
    statement = dict(statement)
    statement["actor"] = _agent_ids(statement["actor"])
    statement["verb"] = {"id": statement["verb"]["id"]}
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        statement["object"] = _activity_ids(obj)
    elif kind in ("Agent", "Group"):
        statement["object"] = _agent_ids(obj)
    elif kind == "SubStatement":
        statement["object"] = _body_ids(obj)
    if "context" in statement:
        statement["context"] = _context_ids(statement["context"])
    if "authority" in statement:
        statement["authority"] = _agent_ids(statement["authority"])
    return statement


def ids_format(statement: dict) -> dict:
    return _body_ids(statement)


def pick_language(language_map: dict, accepted: list[str]) -> dict:
    if not isinstance(language_map, dict) or len(language_map) <= 1:
        return language_map
    lowered = {key.lower(): key for key in language_map}
    for wanted in accepted:
        wanted = wanted.lower()
        if wanted in lowered:
            return {lowered[wanted]: language_map[lowered[wanted]]}
        for key_lower, key in lowered.items():
            if key_lower.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    if "und" in language_map:
        return {"und": language_map["und"]}
    first = next(iter(language_map))
    return {first: language_map[first]}


def _canonical_definition(definition: dict, accepted: list[str]) -> dict:
    definition = dict(definition)
    for key in ("name", "description"):
        if key in definition:
            definition[key] = pick_language(definition[key], accepted)
    for key in ("choices", "scale", "source", "target", "steps"):
        if isinstance(definition.get(key), list):
            definition[key] = [dict(c, description=pick_language(c["description"], accepted))
                               if "description" in c else c for c in definition[key]]
    return definition


def _canonical_activity(activity: dict, accepted: list[str]) -> dict:
    if "definition" in activity:
        activity = dict(activity, definition=_canonical_definition(activity["definition"], accepted))
    return activity


def canonical_format(statement: dict, accepted: list[str]) -> dict:
    statement = dict(statement)
    if "display" in statement["verb"]:
        statement["verb"] = dict(statement["verb"], display=pick_language(statement["verb"]["display"], accepted))
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        statement["object"] = _canonical_activity(obj, accepted)
    elif kind == "SubStatement":
        statement["object"] = canonical_format(obj, accepted)
    context = statement.get("context")
    if context and "contextActivities" in context:
        statement["context"] = dict(context, contextActivities={
            key: [_canonical_activity(a, accepted) for a in (items if isinstance(items, list) else [items])]
            for key, items in context["contextActivities"].items()})
    if "attachments" in statement:
        statement["attachments"] = [
            dict(a, display=pick_language(a["display"], accepted),
                 **({"description": pick_language(a["description"], accepted)} if "description" in a else {}))
            for a in statement["attachments"]]
    return statement


def apply_format(statement: dict, fmt: str, accepted: list[str]) -> dict:
    if fmt == "ids":
        return ids_format(statement)
    if fmt == "canonical":
        return canonical_format(statement, accepted)
    return statement
