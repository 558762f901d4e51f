"""xAPI 1.0.3 statement validation (Data section of the specification).

Every failure raises :class:`XAPIValidationError` with a message naming the offending property by its path
(``context.instructor.mbox``...). The checks are written as plain functions over dicts: this module is on
the ingestion hot path.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MBOX_RE = re.compile(r"^mailto:[^@\s:/]+@[^@\s]+\.[^@\s]+$|^mailto:[^@\s:/]+@[^@\s.]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
VERSION_RE = re.compile(r"^1\.0(\.\d+)?$")
LANG_RE = re.compile(r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?"
                     r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
                     r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?$"
                     r"|^[xX](?:-[A-Za-z0-9]{1,8})+$|^i-[A-Za-z]{2,8}$")
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$")
DURATION_RE = re.compile(
    r"^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?D)?"
    r"(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$|^P\d+(?:\.\d+)?W$")
MIME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*(\s*;.*)?$")

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}
COMPONENT_LISTS = {"choices", "scale", "source", "target", "steps"}
ALLOWED_COMPONENTS = {"choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"},
                      "matching": {"source", "target"}, "performance": {"steps"}}
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"}
SUBSTATEMENT_KEYS = {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
GROUP_KEYS = AGENT_KEYS | {"member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
ACTIVITY_KEYS = {"objectType", "id", "definition"}
DEFINITION_KEYS = {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                   "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
CONTEXT_KEYS = {"registration", "instructor", "team", "contextActivities", "revision", "platform", "language",
                "statement", "extensions"}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
ATTACHMENT_KEYS = {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}


class XAPIValidationError(ValueError):
    def __init__(self, message: str, path: str = ""):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def fail(path: str, message: str):
    raise XAPIValidationError(message, path)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_dict(value, path: str, allowed: set[str] | None = None) -> dict:
    if not isinstance(value, dict):
        fail(path, "must be a JSON object")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                fail(f"{path}.{key}" if path else key, "is not an allowed property")
    return value


def check_string(value, path: str) -> str:
    if not isinstance(value, str):
        fail(path, "must be a string")
    return value


def check_bool(value, path: str) -> bool:
    if not isinstance(value, bool):
        fail(path, "must be a boolean")
    return value


def check_iri(value, path: str) -> str:
    if not isinstance(value, str) or not IRI_RE.match(value):
        fail(path, "must be an IRI (absolute, with a scheme)")
    return value


def check_uuid(value, path: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        fail(path, "must be a UUID")
    return value


def check_timestamp(value, path: str) -> datetime:
    if not isinstance(value, str):
        fail(path, "must be an ISO 8601 timestamp string")
    return parse_timestamp(value, path)


def parse_timestamp(value: str, path: str = "timestamp") -> datetime:
    match = TIMESTAMP_RE.match(value)
    if not match:
        fail(path, "must be an ISO 8601 timestamp (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("-00:00", "-0000", "-00"):
        fail(path, "must not use the -00:00 offset")
    try:
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError:
        fail(path, "is not a valid date and time")
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        from datetime import timedelta

        moment = moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    else:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def check_language_map(value, path: str) -> None:
    check_dict(value, path)
    for key, text in value.items():
        if not isinstance(key, str) or not LANG_RE.match(key):
            fail(f"{path}.{key}", "is not a valid RFC 5646 language tag")
        if not isinstance(text, str):
            fail(f"{path}.{key}", "must be a string")


def check_extensions(value, path: str) -> None:
    check_dict(value, path)
    for key in value:
        if not IRI_RE.match(key):
            fail(f"{path}.{key}", "extension keys must be IRIs")


# --- agents ---------------------------------------------------------------------------------------------

def check_ifi(value: dict, path: str, group: bool) -> int:
    count = 0
    for key in IFI_KEYS:
        if key not in value:
            continue
        count += 1
        item = value[key]
        if key == "mbox":
            if not isinstance(item, str) or not MBOX_RE.match(item):
                fail(f"{path}.mbox", "must be a mailto: IRI with an e-mail address")
        elif key == "mbox_sha1sum":
            if not isinstance(item, str) or not SHA1_RE.match(item):
                fail(f"{path}.mbox_sha1sum", "must be the hex SHA1 of a mailto: IRI")
        elif key == "openid":
            check_iri(item, f"{path}.openid")
        else:
            check_dict(item, f"{path}.account", {"homePage", "name"})
            if "homePage" not in item:
                fail(f"{path}.account.homePage", "is required")
            check_iri(item["homePage"], f"{path}.account.homePage")
            if "name" not in item:
                fail(f"{path}.account.name", "is required")
            check_string(item["name"], f"{path}.account.name")
    if count > 1:
        fail(path, "must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid, account)")
    return count


def check_agent(value, path: str) -> None:
    check_dict(value, path, AGENT_KEYS)
    if "objectType" in value and value["objectType"] != "Agent":
        fail(f"{path}.objectType", "must be 'Agent'")
    if "name" in value:
        check_string(value["name"], f"{path}.name")
    if check_ifi(value, path, False) != 1:
        fail(path, "an Agent must have exactly one inverse functional identifier")


def check_group(value, path: str) -> None:
    check_dict(value, path, GROUP_KEYS)
    if "name" in value:
        check_string(value["name"], f"{path}.name")
    identified = check_ifi(value, path, True)
    members = value.get("member")
    if not identified and members is None:
        fail(f"{path}.member", "an anonymous Group must list its members")
    if members is not None:
        if not isinstance(members, list):
            fail(f"{path}.member", "must be an array of Agents")
        if not identified and not members:
            fail(f"{path}.member", "an anonymous Group must list at least one member")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            check_dict(member, member_path)
            if member.get("objectType") == "Group":
                fail(f"{member_path}.objectType", "a Group cannot contain a Group")
            check_agent(member, member_path)


def check_actor(value, path: str) -> None:
    check_dict(value, path)
    kind = value.get("objectType", "Agent")
    if kind == "Group":
        check_group(value, path)
    elif kind == "Agent":
        check_agent(value, path)
    else:
        fail(f"{path}.objectType", "must be 'Agent' or 'Group'")


# --- verb, object --------------------------------------------------------------------------------------

def check_verb(value, path: str = "verb") -> None:
    check_dict(value, path, {"id", "display"})
    if "id" not in value:
        fail(f"{path}.id", "is required")
    check_iri(value["id"], f"{path}.id")
    if "display" in value:
        check_language_map(value["display"], f"{path}.display")


def check_components(value, path: str) -> None:
    if not isinstance(value, list):
        fail(path, "must be an array of interaction components")
    seen = set()
    for index, component in enumerate(value):
        item_path = f"{path}[{index}]"
        check_dict(component, item_path, {"id", "description"})
        if "id" not in component:
            fail(f"{item_path}.id", "is required")
        component_id = check_string(component["id"], f"{item_path}.id")
        if not component_id.strip() or " " in component_id:
            fail(f"{item_path}.id", "must be a non-empty identifier without spaces")
        if component_id in seen:
            fail(f"{item_path}.id", "interaction component ids must be unique")
        seen.add(component_id)
        if "description" in component:
            check_language_map(component["description"], f"{item_path}.description")


def check_definition(value, path: str) -> None:
    check_dict(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            check_language_map(value[key], f"{path}.{key}")
    if "type" in value:
        check_iri(value["type"], f"{path}.type")
    if "moreInfo" in value:
        check_iri(value["moreInfo"], f"{path}.moreInfo")
    if "extensions" in value:
        check_extensions(value["extensions"], f"{path}.extensions")
    interaction = value.get("interactionType")
    if "interactionType" in value:
        if not isinstance(interaction, str) or interaction not in INTERACTION_TYPES:
            fail(f"{path}.interactionType", "must be one of " + ", ".join(sorted(INTERACTION_TYPES)))
    if "correctResponsesPattern" in value:
        if interaction is None:
            fail(f"{path}.correctResponsesPattern", "requires interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list):
            fail(f"{path}.correctResponsesPattern", "must be an array of strings")
        for index, item in enumerate(pattern):
            check_string(item, f"{path}.correctResponsesPattern[{index}]")
    present = COMPONENT_LISTS.intersection(value)
    if present:
        if interaction is None:
            fail(f"{path}.{sorted(present)[0]}", "interaction components require interactionType")
        allowed = ALLOWED_COMPONENTS.get(interaction, set())
        for key in present:
            if key not in allowed:
                fail(f"{path}.{key}", f"is not allowed for interactionType {interaction!r}")
            check_components(value[key], f"{path}.{key}")


def check_activity(value, path: str) -> None:
    check_dict(value, path, ACTIVITY_KEYS)
    if "objectType" in value and value["objectType"] != "Activity":
        fail(f"{path}.objectType", "must be 'Activity'")
    if "id" not in value:
        fail(f"{path}.id", "is required")
    check_iri(value["id"], f"{path}.id")
    if "definition" in value:
        check_definition(value["definition"], f"{path}.definition")


def check_statement_ref(value, path: str) -> None:
    check_dict(value, path, {"objectType", "id"})
    if value.get("objectType") != "StatementRef":
        fail(f"{path}.objectType", "must be 'StatementRef'")
    if "id" not in value:
        fail(f"{path}.id", "is required")
    check_uuid(value["id"], f"{path}.id")


def check_object(value, path: str, sub: bool) -> None:
    check_dict(value, path)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        check_activity(value, path)
    elif kind == "Agent":
        check_agent(value, path)
    elif kind == "Group":
        check_group(value, path)
    elif kind == "StatementRef":
        check_statement_ref(value, path)
    elif kind == "SubStatement":
        if sub:
            fail(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        check_dict(value, path, SUBSTATEMENT_KEYS)
        check_statement_body(value, path, sub=True)
    else:
        fail(f"{path}.objectType", "must be Activity, Agent, Group, StatementRef or SubStatement")


# --- result, context, attachments ---------------------------------------------------------------------

def check_result(value, path: str) -> None:
    check_dict(value, path, RESULT_KEYS)
    if "score" in value:
        score = check_dict(value["score"], f"{path}.score", SCORE_KEYS)
        for key in SCORE_KEYS:
            if key in score and not _is_number(score[key]):
                fail(f"{path}.score.{key}", "must be a number")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            fail(f"{path}.score.scaled", "must be between -1 and 1")
        low, high = score.get("min"), score.get("max")
        if low is not None and high is not None and low >= high:
            fail(f"{path}.score.max", "must be greater than min")
        if "raw" in score:
            if low is not None and score["raw"] < low:
                fail(f"{path}.score.raw", "must not be below min")
            if high is not None and score["raw"] > high:
                fail(f"{path}.score.raw", "must not be above max")
    for key in ("success", "completion"):
        if key in value:
            check_bool(value[key], f"{path}.{key}")
    if "response" in value:
        check_string(value["response"], f"{path}.response")
    if "duration" in value:
        duration = value["duration"]
        if not isinstance(duration, str) or not DURATION_RE.match(duration):
            fail(f"{path}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        check_extensions(value["extensions"], f"{path}.extensions")


def check_context(value, path: str, object_kind: str) -> None:
    check_dict(value, path, CONTEXT_KEYS)
    if "registration" in value:
        check_uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        check_actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        team = check_dict(value["team"], f"{path}.team")
        if team.get("objectType") != "Group":
            fail(f"{path}.team.objectType", "the team must be a Group")
        check_group(team, f"{path}.team")
    if "contextActivities" in value:
        activities = check_dict(value["contextActivities"], f"{path}.contextActivities", CONTEXT_ACTIVITY_KEYS)
        for key, items in activities.items():
            if isinstance(items, dict):
                check_activity(items, f"{path}.contextActivities.{key}")
            elif isinstance(items, list):
                for index, item in enumerate(items):
                    check_activity(item, f"{path}.contextActivities.{key}[{index}]")
            else:
                fail(f"{path}.contextActivities.{key}", "must be an Activity or an array of Activities")
    for key in ("revision", "platform"):
        if key in value:
            check_string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                fail(f"{path}.{key}", "is only allowed when the object is an Activity")
    if "language" in value:
        language = value["language"]
        if not isinstance(language, str) or not LANG_RE.match(language):
            fail(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in value:
        check_statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        check_extensions(value["extensions"], f"{path}.extensions")


def check_attachments(value, path: str = "attachments") -> None:
    if not isinstance(value, list):
        fail(path, "must be an array")
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        check_dict(item, item_path, ATTACHMENT_KEYS)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in item:
                fail(f"{item_path}.{key}", "is required")
        check_iri(item["usageType"], f"{item_path}.usageType")
        check_language_map(item["display"], f"{item_path}.display")
        if "description" in item:
            check_language_map(item["description"], f"{item_path}.description")
        if not isinstance(item["contentType"], str) or not MIME_RE.match(item["contentType"]):
            fail(f"{item_path}.contentType", "must be an Internet Media Type")
        if not isinstance(item["length"], int) or isinstance(item["length"], bool) or item["length"] < 0:
            fail(f"{item_path}.length", "must be a non-negative integer")
        if not isinstance(item["sha2"], str) or not SHA2_RE.match(item["sha2"]):
            fail(f"{item_path}.sha2", "must be a hex SHA-2 hash")
        if "fileUrl" in item:
            check_iri(item["fileUrl"], f"{item_path}.fileUrl")


# --- statements ----------------------------------------------------------------------------------------

def check_statement_body(value: dict, path: str, sub: bool) -> None:
    prefix = f"{path}." if path else ""
    for key in ("actor", "verb", "object"):
        if key not in value:
            fail(prefix + key, "is required")
    check_actor(value["actor"], prefix + "actor")
    check_verb(value["verb"], prefix + "verb")
    check_object(value["object"], prefix + "object", sub)
    object_kind = value["object"].get("objectType", "Activity")
    if value["verb"]["id"] == VOIDED and not sub and object_kind != "StatementRef":
        fail(prefix + "object", "a voiding statement's object must be a StatementRef")
    if "result" in value:
        check_result(value["result"], prefix + "result")
    if "context" in value:
        check_context(value["context"], prefix + "context", object_kind)
    if "timestamp" in value:
        check_timestamp(value["timestamp"], prefix + "timestamp")
    if "attachments" in value:
        check_attachments(value["attachments"], prefix + "attachments")


def validate_statement(value) -> None:
    """Raise :class:`XAPIValidationError` unless ``value`` is a valid xAPI 1.0.3 statement."""
    if not isinstance(value, dict):
        fail("statement", "must be a JSON object")
    check_dict(value, "", STATEMENT_KEYS)
    if "id" in value:
        check_uuid(value["id"], "id")
    if "version" in value:
        if not isinstance(value["version"], str) or not VERSION_RE.match(value["version"]):
            fail("version", "must be a 1.0.x version")
    if "stored" in value:
        check_timestamp(value["stored"], "stored")
    if "authority" in value:
        authority = check_dict(value["authority"], "authority")
        check_actor(authority, "authority")
        if authority.get("objectType") == "Group":
            members = authority.get("member") or []
            if len(members) != 2 or any(k in authority for k in IFI_KEYS):
                fail("authority", "a Group authority must be an anonymous Group of two Agents (OAuth)")
    check_statement_body(value, "", sub=False)
