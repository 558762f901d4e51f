"""Value checks for the SCORM data-model types, shared by both editions.

Every check returns None when the value is acceptable, or a reason: ``"type"`` (wrong form),
``"range"`` (right form, outside the allowed range) or ``"spm"`` (longer than the smallest permitted
maximum). The data model turns a reason into the error code of its edition. The JavaScript adapter
(``static/scorm/runtime.js``) implements the same checks under the same names; the test table in
``tests/scorm/runtime/cases.py`` runs against both.
"""
from __future__ import annotations

import calendar
import re
from typing import Callable

Reason = str | None

_REAL = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_CMI_DECIMAL = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_CMI_SINTEGER = re.compile(r"^[-+]?\d+$")
_WHITESPACE = re.compile(r"\s")
_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^(?:[A-Za-z]{2,3}|[iIxX])(?:-[A-Za-z0-9]{1,8})*$")
_LANG_PREFIX = re.compile(r"^\{lang=([^}]*)\}")
_TIME_2004 = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,2}))?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$")
_INTERVAL = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_TIMESPAN_12 = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$")
_TIME_12 = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(\.\d{1,2})?$")
_ID_12 = re.compile(r"^[\x21-\x7e]{1,255}$")  # CMIIdentifier: printable, no whitespace
_BOOL_OPTION = re.compile(r"^\{(case_matters|order_matters)=(true|false)\}")


def is_real(value: str) -> bool:
    return bool(_REAL.match(value))


def check_real(value: str, lo: float | None = None, hi: float | None = None) -> Reason:
    if not _REAL.match(value):
        return "type"
    number = float(value)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return "range"
    return None


def check_characterstring(value: str, spm: int) -> Reason:
    return "spm" if len(value) > spm else None


def check_language(value: str, allow_empty: bool = True) -> Reason:
    if value == "":
        return None if allow_empty else "type"
    if len(value) > 250 or not _LANGUAGE.match(value):
        return "type"
    return None


def check_localized(value: str, spm: int) -> Reason:
    match = _LANG_PREFIX.match(value)
    if match:
        if check_language(match.group(1), allow_empty=False):
            return "type"
        value = value[match.end():]
    return "spm" if len(value) > spm else None


def check_identifier(value: str, spm: int = 4000) -> Reason:
    """long_identifier_type / short_identifier_type: a URI-like label, never empty, no white space."""
    if value == "" or _WHITESPACE.search(value):
        return "type"
    if value.lower().startswith("urn:") and not _URN.match(value):
        return "type"
    if len(value) > spm:
        return "spm"
    return None


def check_time(value: str) -> Reason:
    """time (second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]], a real calendar date, years 1970-2038."""
    match = _TIME_2004.match(value)
    if not match:
        return "type"
    year, month, day, hour, minute, second, _fraction, tzd = match.groups()
    if not 1970 <= int(year) <= 2038:
        return "type"
    if month is not None and not 1 <= int(month) <= 12:
        return "type"
    if day is not None and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return "type"
    if hour is not None and int(hour) > 23:
        return "type"
    if minute is not None and int(minute) > 59:
        return "type"
    if second is not None and int(second) > 59:
        return "type"
    if tzd and tzd != "Z":
        tz_hours = int(tzd[1:3])
        tz_minutes = int(tzd[-2:]) if len(tzd) > 3 else 0
        if tz_hours > 23 or tz_minutes > 59:
            return "type"
    return None


def check_interval(value: str) -> Reason:
    """timeinterval (second,10,2): P[nY][nM][nD][T[nH][nM][n[.n]S]] with at least one part; ``P``, ``PT``
    and a ``T`` with nothing after it are malformed."""
    match = _INTERVAL.match(value)
    if not match or not any(group is not None for group in match.groups()):
        return "type"
    if "T" in value and not any(group is not None for group in match.groups()[3:]):
        return "type"
    return None


def interval_seconds(value: str) -> float:
    """Seconds in a timeinterval (years as 365 days, months as 30 days, as ADL's implementation does)."""
    match = _INTERVAL.match(value or "")
    if not match:
        return 0.0
    years, months, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return ((years * 365 + months * 30 + days) * 24 + hours) * 3600 + minutes * 60 + seconds


def seconds_to_interval(seconds: float) -> str:
    seconds = max(0.0, round(float(seconds), 2))
    hours = int(seconds // 3600)
    minutes = int((seconds % 3600) // 60)
    rest = round(seconds - hours * 3600 - minutes * 60, 2)
    rest_text = f"{rest:.2f}".rstrip("0").rstrip(".")
    return f"PT{hours}H{minutes}M{rest_text}S"


def check_timespan_12(value: str) -> Reason:
    match = _TIMESPAN_12.match(value)
    if not match or int(match.group(2)) > 59 or int(match.group(3)) > 59:
        return "type"
    return None


def timespan_12_seconds(value: str) -> float:
    match = _TIMESPAN_12.match(value or "")
    if not match:
        return 0.0
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3) + (match.group(4) or ""))


def seconds_to_timespan_12(seconds: float) -> str:
    seconds = max(0.0, round(float(seconds), 2))
    hours = min(int(seconds // 3600), 9999)
    minutes = int((seconds % 3600) // 60)
    rest = seconds - int(seconds // 3600) * 3600 - minutes * 60
    return f"{hours:04d}:{minutes:02d}:{rest:05.2f}"


def check_time_12(value: str) -> Reason:
    match = _TIME_12.match(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59 or int(match.group(3)) > 59:
        return "type"
    return None


def check_identifier_12(value: str) -> Reason:
    return None if _ID_12.match(value) else "type"


def check_decimal_12(value: str, lo: float | None, hi: float | None, blank: bool) -> Reason:
    if value == "":
        return None if blank else "type"
    if not _CMI_DECIMAL.match(value):
        return "type"
    number = float(value)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return "range"
    return None


def check_sinteger_12(value: str, lo: int, hi: int) -> Reason:
    if not _CMI_SINTEGER.match(value):
        return "type"
    return "range" if not lo <= int(value) <= hi else None


# -- interaction responses (SCORM 2004 RTE 4.2.9) -------------------------------------------------------

def _split(value: str, delimiter: str) -> list[str]:
    return value.split(delimiter)


def _short_ids(value: str, *, allow_empty_list: bool, unique: bool) -> Reason:
    if value == "":
        return None if allow_empty_list else "type"
    parts = _split(value, "[,]")
    if any(check_identifier(part, 250) for part in parts):
        return "type"
    if unique and len(set(parts)) != len(parts):
        return "type"
    return None


def _strip_options(value: str, allowed: tuple[str, ...]) -> tuple[str, Reason]:
    seen = set()
    while True:
        match = _BOOL_OPTION.match(value)
        if not match:
            break
        if match.group(1) not in allowed or match.group(1) in seen:
            return value, "type"
        seen.add(match.group(1))
        value = value[match.end():]
    return value, None


def _numeric_range(value: str) -> Reason:
    if "[:]" not in value:
        return "type"
    lo, _, hi = value.partition("[:]")
    if (lo and not is_real(lo)) or (hi and not is_real(hi)):
        return "type"
    if lo and hi and float(lo) > float(hi):
        return "type"
    return None


def check_response(interaction_type: str, value: str, pattern: bool) -> Reason:
    """learner_response (pattern=False) or correct_responses.n.pattern (pattern=True) for a type."""
    kind = interaction_type
    if kind == "true-false":
        return None if value in ("true", "false") else "type"
    if kind == "choice":
        return _short_ids(value, allow_empty_list=True, unique=True)
    if kind == "sequencing":
        return _short_ids(value, allow_empty_list=False, unique=False)
    if kind == "likert":
        return check_identifier(value, 250) and "type"
    if kind == "fill-in":
        if pattern:
            value, reason = _strip_options(value, ("case_matters", "order_matters"))
            if reason:
                return reason
        if value == "":
            return None
        parts = _split(value, "[,]")
        if len(parts) > 10:
            return "type"
        return next((r for r in (check_localized(p, 250) for p in parts) if r), None) and "type"
    if kind == "long-fill-in":
        if pattern:
            value, reason = _strip_options(value, ("case_matters",))
            if reason:
                return reason
        return check_localized(value, 4000)
    if kind == "matching":
        if value == "":
            return None
        for pair in _split(value, "[,]"):
            source, sep, target = pair.partition("[.]")
            if not sep or check_identifier(source, 250) or check_identifier(target, 250):
                return "type"
        return None
    if kind == "performance":
        if pattern:
            value, reason = _strip_options(value, ("order_matters",))
            if reason:
                return reason
        if value == "":
            return "type"
        for step in _split(value, "[,]"):
            name, sep, answer = step.partition("[.]")
            if not sep or (name == "" and answer == ""):
                return "type"
            if name and check_identifier(name, 250):
                return "type"
            if len(answer) > 250:
                return "type"
            if pattern and "[:]" in answer and _numeric_range(answer):
                return "type"
        return None
    if kind == "numeric":
        if pattern:
            return _numeric_range(value)
        return None if is_real(value) else "type"
    if kind == "other":
        return check_characterstring(value, 4000)
    return "type"


Check = Callable[[str], Reason]


def check(spec: dict, value: str) -> Reason:
    """Apply a type spec from the element table (the same dicts the JavaScript adapter receives)."""
    kind = spec["t"]
    if kind == "vocab":
        return None if value in spec["values"] else "type"
    if kind == "string":
        return check_characterstring(value, spec["spm"])
    if kind == "localized":
        return check_localized(value, spec["spm"])
    if kind == "identifier":
        return check_identifier(value, spec.get("spm", 4000))
    if kind == "real":
        return check_real(value, spec.get("min"), spec.get("max"))
    if kind == "time":
        return check_time(value)
    if kind == "interval":
        return check_interval(value)
    if kind == "language":
        return check_language(value)
    if kind == "result":
        return None if value in ("correct", "incorrect", "unanticipated", "neutral") or is_real(value) else "type"
    if kind == "string12":
        return "type" if len(value) > spec["spm"] else None
    if kind == "identifier12":
        return check_identifier_12(value)
    if kind == "decimal12":
        return check_decimal_12(value, spec.get("min"), spec.get("max"), spec.get("blank", False))
    if kind == "sinteger12":
        return check_sinteger_12(value, spec["min"], spec["max"])
    if kind == "timespan12":
        return check_timespan_12(value)
    if kind == "time12":
        return check_time_12(value)
    if kind == "result12":
        return None if value in ("correct", "wrong", "unanticipated", "neutral") or \
            _CMI_DECIMAL.match(value) else "type"
    raise ValueError(f"unknown type spec {kind!r}")
