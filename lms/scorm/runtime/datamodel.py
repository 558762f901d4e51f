"""The SCORM run-time data models (1.2 and 2004 4th edition) and the API state machine.

One :class:`ScoRuntime` holds what one SCO sees during one launch: a flat dict of element values
(``"cmi.objectives.0.id" -> "obj-1"``) and the record count of every array. It answers Initialize,
GetValue, SetValue, Commit and Terminate with exactly the return values and error codes of the
edition's RTE book. The server replays every SetValue the browser sends through it, so nothing the
browser claims is stored before it has been checked again here.

The element tables below are also sent, as JSON, to the JavaScript adapter (``element_table``): the
rules for each element are written once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import types
from .errors import error_table

SCORM12 = "1.2"
SCORM2004 = "2004"

SUSPEND_DATA_LENIENT_LIMIT = 4 * 1024 * 1024


def edition_of(scorm_version: str) -> str:
    """"1.2" stays, every 2004 edition ("2004-3", "2004 4th Edition"...) uses the 2004 model."""
    return SCORM12 if str(scorm_version).startswith("1.") else SCORM2004


def _vocab(*values: str) -> dict:
    return {"t": "vocab", "values": list(values)}


def _el(access: str, spec: dict | None = None, default: str | None = None) -> dict:
    return {"access": access, "type": spec, "default": default}


# --------------------------------------------------------------------------------------------- 1.2 --
_STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
_SCORE_12 = {"t": "decimal12", "min": 0, "max": 100, "blank": True}

ELEMENTS_12: dict[str, dict] = {
    "cmi.core.student_id": _el("ro", default=""),
    "cmi.core.student_name": _el("ro", default=""),
    "cmi.core.lesson_location": _el("rw", {"t": "string12", "spm": 255}, ""),
    "cmi.core.credit": _el("ro", default="credit"),
    # A SCO may not set "not attempted" (RTE 1.2 3.4.4): only the LMS starts there.
    "cmi.core.lesson_status": _el("rw", _vocab(*_STATUS_12[:-1]), "not attempted"),
    "cmi.core.entry": _el("ro", default="ab-initio"),
    "cmi.core.score.raw": _el("rw", _SCORE_12, ""),
    "cmi.core.score.min": _el("rw", _SCORE_12, ""),
    "cmi.core.score.max": _el("rw", _SCORE_12, ""),
    "cmi.core.total_time": _el("ro", default="0000:00:00.00"),
    "cmi.core.lesson_mode": _el("ro", default="normal"),
    "cmi.core.exit": _el("wo", _vocab("time-out", "suspend", "logout", "")),
    "cmi.core.session_time": _el("wo", {"t": "timespan12"}),
    "cmi.suspend_data": _el("rw", {"t": "string12", "spm": 4096}, ""),
    "cmi.launch_data": _el("ro", default=""),
    "cmi.comments": _el("rw", {"t": "string12", "spm": 4096}, ""),
    "cmi.comments_from_lms": _el("ro", default=""),
    "cmi.objectives.n.id": _el("rw", {"t": "identifier12"}, ""),
    "cmi.objectives.n.score.raw": _el("rw", _SCORE_12, ""),
    "cmi.objectives.n.score.min": _el("rw", _SCORE_12, ""),
    "cmi.objectives.n.score.max": _el("rw", _SCORE_12, ""),
    "cmi.objectives.n.status": _el("rw", _vocab(*_STATUS_12), "not attempted"),
    "cmi.student_data.mastery_score": _el("ro", default=""),
    "cmi.student_data.max_time_allowed": _el("ro", default=""),
    "cmi.student_data.time_limit_action": _el("ro", default=""),
    "cmi.student_preference.audio": _el("rw", {"t": "sinteger12", "min": -1, "max": 100}, "0"),
    "cmi.student_preference.language": _el("rw", {"t": "string12", "spm": 255}, ""),
    "cmi.student_preference.speed": _el("rw", {"t": "sinteger12", "min": -100, "max": 100}, "0"),
    "cmi.student_preference.text": _el("rw", {"t": "sinteger12", "min": -1, "max": 1}, "0"),
    "cmi.interactions.n.id": _el("wo", {"t": "identifier12"}),
    "cmi.interactions.n.objectives.n.id": _el("wo", {"t": "identifier12"}),
    "cmi.interactions.n.time": _el("wo", {"t": "time12"}),
    "cmi.interactions.n.type": _el("wo", _vocab("true-false", "choice", "fill-in", "matching", "performance",
                                                "sequencing", "likert", "numeric")),
    "cmi.interactions.n.correct_responses.n.pattern": _el("wo", {"t": "string12", "spm": 255}),
    "cmi.interactions.n.weighting": _el("wo", {"t": "decimal12"}),
    "cmi.interactions.n.student_response": _el("wo", {"t": "string12", "spm": 255}),
    "cmi.interactions.n.result": _el("wo", {"t": "result12"}),
    "cmi.interactions.n.latency": _el("wo", {"t": "timespan12"}),
}

CHILDREN_12: dict[str, str] = {
    "cmi": "core,suspend_data,launch_data,comments,objectives,student_data,student_preference,interactions",
    "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
                "lesson_mode,exit,session_time",
    "cmi.core.score": "raw,min,max",
    "cmi.objectives": "id,score,status",
    "cmi.objectives.n.score": "raw,min,max",
    "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
    "cmi.student_preference": "audio,language,speed,text",
    "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
}
ARRAYS_12 = ("cmi.objectives", "cmi.interactions", "cmi.interactions.n.objectives",
             "cmi.interactions.n.correct_responses")

# -------------------------------------------------------------------------------------------- 2004 --
_COMPLETION = _vocab("completed", "incomplete", "not attempted", "unknown")
_SUCCESS = _vocab("passed", "failed", "unknown")
_REAL = {"t": "real"}
_SCALED = {"t": "real", "min": -1, "max": 1}
_UNIT = {"t": "real", "min": 0, "max": 1}
_INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "likert", "matching", "performance",
                      "sequencing", "numeric", "other")

ELEMENTS_2004: dict[str, dict] = {
    "cmi.comments_from_learner.n.comment": _el("rw", {"t": "localized", "spm": 4000}),
    "cmi.comments_from_learner.n.location": _el("rw", {"t": "string", "spm": 250}),
    "cmi.comments_from_learner.n.timestamp": _el("rw", {"t": "time"}),
    "cmi.comments_from_lms.n.comment": _el("ro"),
    "cmi.comments_from_lms.n.location": _el("ro"),
    "cmi.comments_from_lms.n.timestamp": _el("ro"),
    "cmi.completion_status": _el("rw", _COMPLETION, "unknown"),
    "cmi.completion_threshold": _el("ro"),
    "cmi.credit": _el("ro", default="credit"),
    "cmi.entry": _el("ro", default="ab-initio"),
    "cmi.exit": _el("wo", _vocab("time-out", "suspend", "logout", "normal", "")),
    "cmi.interactions.n.id": _el("rw", {"t": "identifier", "spm": 4000}),
    "cmi.interactions.n.type": _el("rw", _vocab(*_INTERACTION_TYPES)),
    "cmi.interactions.n.objectives.n.id": _el("rw", {"t": "identifier", "spm": 4000}),
    "cmi.interactions.n.timestamp": _el("rw", {"t": "time"}),
    "cmi.interactions.n.correct_responses.n.pattern": _el("rw", {"t": "pattern"}),
    "cmi.interactions.n.weighting": _el("rw", _REAL),
    "cmi.interactions.n.learner_response": _el("rw", {"t": "response"}),
    "cmi.interactions.n.result": _el("rw", {"t": "result"}),
    "cmi.interactions.n.latency": _el("rw", {"t": "interval"}),
    "cmi.interactions.n.description": _el("rw", {"t": "localized", "spm": 250}),
    "cmi.launch_data": _el("ro"),
    "cmi.learner_id": _el("ro", default=""),
    "cmi.learner_name": _el("ro", default=""),
    "cmi.learner_preference.audio_level": _el("rw", {"t": "real", "min": 0}, "1"),
    "cmi.learner_preference.language": _el("rw", {"t": "language"}, ""),
    "cmi.learner_preference.delivery_speed": _el("rw", {"t": "real", "min": 0}, "1"),
    "cmi.learner_preference.audio_captioning": _el("rw", _vocab("-1", "0", "1"), "0"),
    "cmi.location": _el("rw", {"t": "string", "spm": 1000}),
    "cmi.max_time_allowed": _el("ro"),
    "cmi.mode": _el("ro", default="normal"),
    "cmi.objectives.n.id": _el("rw", {"t": "identifier", "spm": 4000}),
    "cmi.objectives.n.score.scaled": _el("rw", _SCALED),
    "cmi.objectives.n.score.raw": _el("rw", _REAL),
    "cmi.objectives.n.score.min": _el("rw", _REAL),
    "cmi.objectives.n.score.max": _el("rw", _REAL),
    "cmi.objectives.n.success_status": _el("rw", _SUCCESS, "unknown"),
    "cmi.objectives.n.completion_status": _el("rw", _COMPLETION, "unknown"),
    "cmi.objectives.n.progress_measure": _el("rw", _UNIT),
    "cmi.objectives.n.description": _el("rw", {"t": "localized", "spm": 250}),
    "cmi.progress_measure": _el("rw", _UNIT),
    "cmi.scaled_passing_score": _el("ro"),
    "cmi.score.scaled": _el("rw", _SCALED),
    "cmi.score.raw": _el("rw", _REAL),
    "cmi.score.min": _el("rw", _REAL),
    "cmi.score.max": _el("rw", _REAL),
    "cmi.session_time": _el("wo", {"t": "interval"}),
    "cmi.success_status": _el("rw", _SUCCESS, "unknown"),
    "cmi.suspend_data": _el("rw", {"t": "string", "spm": 64000}),
    "cmi.time_limit_action": _el("ro", default="continue,no message"),
    "cmi.total_time": _el("ro", default="PT0H0M0S"),
    "adl.nav.request": _el("rw", {"t": "navrequest"}, "_none_"),
    "adl.data.n.id": _el("ro"),
    "adl.data.n.store": _el("rw", {"t": "string", "spm": 64000}),
}

CHILDREN_2004: dict[str, str] = {
    "cmi.comments_from_learner": "comment,location,timestamp",
    "cmi.comments_from_lms": "comment,location,timestamp",
    "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,"
                        "latency,description",
    "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
    "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
    "cmi.objectives.n.score": "scaled,raw,min,max",
    "cmi.score": "scaled,raw,min,max",
    "adl.data": "id,store",
}
ARRAYS_2004 = ("cmi.comments_from_learner", "cmi.comments_from_lms", "cmi.interactions",
               "cmi.interactions.n.objectives", "cmi.interactions.n.correct_responses", "cmi.objectives",
               "adl.data")

NAV_REQUESTS = ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_")
_NAV_TARGET = re.compile(r"^\{target=([^}\s]+)\}(choice|jump)$")
# SPM on the number of correct response patterns (RTE 4th ed. 4.2.9.1); beyond it SetValue fails (351).
PATTERN_LIMITS = {"true-false": 1, "choice": 10, "fill-in": 5, "long-fill-in": 5, "likert": 1, "matching": 5,
                  "performance": 5, "sequencing": 5, "numeric": 1, "other": 1}
# Records whose first value must be their identifier (2004: otherwise 408).
_ID_FIRST = {"cmi.objectives": "id", "cmi.interactions": "id", "cmi.interactions.n.objectives": "id"}

TABLES = {
    SCORM12: {"elements": ELEMENTS_12, "children": CHILDREN_12, "arrays": ARRAYS_12, "version": "3.4"},
    SCORM2004: {"elements": ELEMENTS_2004, "children": CHILDREN_2004, "arrays": ARRAYS_2004, "version": "1.0"},
}


def element_table(edition: str) -> dict[str, Any]:
    """The rules as JSON for the JavaScript adapter."""
    table = TABLES[edition]
    return {"edition": edition, "elements": table["elements"], "children": table["children"],
            "arrays": list(table["arrays"]), "version": table["version"],
            "errors": {str(k): v for k, v in error_table(edition).items()},
            "patternLimits": PATTERN_LIMITS, "navRequests": list(NAV_REQUESTS)}


def pattern_of(path: str) -> tuple[str, list[int]]:
    """"cmi.objectives.3.score.raw" -> ("cmi.objectives.n.score.raw", [3])."""
    parts = path.split(".")
    indices = []
    for i, part in enumerate(parts):
        if part.isdigit() and part.isascii():
            indices.append(int(part))
            parts[i] = "n"
    return ".".join(parts), indices


def _concrete(pattern: str, indices: list[int]) -> str:
    out, it = [], iter(indices)
    for part in pattern.split("."):
        out.append(str(next(it)) if part == "n" else part)
    return ".".join(out)


@dataclass
class NavContext:
    """What adl.nav.request_valid answers, from the sequencing engine (or the simple flow fallback)."""

    continue_: str = "unknown"
    previous: str = "unknown"
    choice: dict[str, str] = field(default_factory=dict)
    jump: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict | None) -> NavContext:
        data = data or {}

        def word(v):
            return v if isinstance(v, str) else ("true" if v else "false") if v is not None else "unknown"

        return cls(word(data.get("continue")), word(data.get("previous")),
                   {k: word(v) for k, v in (data.get("choice") or {}).items()},
                   {k: word(v) for k, v in (data.get("jump") or {}).items()})


class ScoRuntime:
    """One SCO launch: the API state machine and the data model of one edition."""

    NOT_INITIALIZED, RUNNING, TERMINATED = "not_initialized", "running", "terminated"

    def __init__(self, edition: str, values: dict[str, str] | None = None, counts: dict[str, int] | None = None,
                 *, nav: NavContext | dict | None = None, lenient_suspend_data: bool = False,
                 shared_data: list[dict] | None = None):
        self.edition = SCORM12 if edition == SCORM12 else SCORM2004
        table = TABLES[self.edition]
        self.elements: dict[str, dict] = table["elements"]
        self.children: dict[str, str] = table["children"]
        self.arrays: tuple[str, ...] = table["arrays"]
        self.values: dict[str, str] = dict(values or {})
        self.counts: dict[str, int] = dict(counts or {})
        self.nav = nav if isinstance(nav, NavContext) else NavContext.from_dict(nav)
        self.lenient_suspend_data = lenient_suspend_data
        # adl.data maps: [{"id", "store", "readable", "writable"}]
        self.shared_data = [dict(m) for m in (shared_data or [])]
        if self.shared_data:
            self.counts["adl.data"] = len(self.shared_data)
        self.state = self.NOT_INITIALIZED
        self.last_error = 0
        self.diagnostic = ""
        self._containers = self._container_patterns()

    # ----------------------------------------------------------------------------------- the API --
    @property
    def is_12(self) -> bool:
        return self.edition == SCORM12

    def _fail(self, code: int, diagnostic: str = "") -> str:
        self.last_error = code
        self.diagnostic = diagnostic
        return "false"

    def _ok(self, result: str = "true") -> str:
        self.last_error = 0
        self.diagnostic = ""
        return result

    def initialize(self, argument: str = "") -> str:
        if self.state == self.RUNNING:
            return self._fail(101 if self.is_12 else 103)
        if self.state == self.TERMINATED:
            return self._fail(101 if self.is_12 else 104)
        if argument != "":
            return self._fail(201)
        self.state = self.RUNNING
        return self._ok()

    def terminate(self, argument: str = "") -> str:
        if self.state == self.NOT_INITIALIZED:
            return self._fail(301 if self.is_12 else 112)
        if self.state == self.TERMINATED:
            return self._fail(301 if self.is_12 else 113)
        if argument != "":
            return self._fail(201)
        self.state = self.TERMINATED
        return self._ok()

    def commit(self, argument: str = "") -> str:
        if self.state == self.NOT_INITIALIZED:
            return self._fail(301 if self.is_12 else 142)
        if self.state == self.TERMINATED:
            return self._fail(301 if self.is_12 else 143)
        if argument != "":
            return self._fail(201)
        return self._ok()

    def get_last_error(self) -> str:
        return str(self.last_error)

    def get_error_string(self, code: str | int) -> str:
        try:
            return error_table(self.edition).get(int(code), "")
        except (TypeError, ValueError):
            return ""

    def get_diagnostic(self, code: str | int = "") -> str:
        return self.diagnostic or self.get_error_string(code if code != "" else self.last_error)

    def get_value(self, element: str) -> str:
        if self.state == self.NOT_INITIALIZED:
            return self._fail_value(301 if self.is_12 else 122)
        if self.state == self.TERMINATED:
            return self._fail_value(301 if self.is_12 else 123)
        code, value = self._get(element if isinstance(element, str) else "")
        if code:
            return self._fail_value(code)
        return self._ok(value)

    def set_value(self, element: str, value: Any) -> str:
        if self.state == self.NOT_INITIALIZED:
            return self._fail(301 if self.is_12 else 132)
        if self.state == self.TERMINATED:
            return self._fail(301 if self.is_12 else 133)
        code = self._set(element if isinstance(element, str) else "", _as_text(value))
        if code:
            return self._fail(code)
        return self._ok()

    def _fail_value(self, code: int) -> str:
        self._fail(code)
        return ""

    # ------------------------------------------------------------------------------ error codes --
    def _undefined(self) -> int:
        return 201 if self.is_12 else 401

    def _get_failure(self) -> int:
        return 201 if self.is_12 else 301

    def _set_failure(self) -> int:
        return 201 if self.is_12 else 351

    def _reason_code(self, reason: str) -> int:
        if self.is_12:
            return 405
        return {"type": 406, "range": 407, "spm": 351}[reason]

    # ----------------------------------------------------------------------------------- lookup --
    def _container_patterns(self) -> set[str]:
        containers = {"cmi", "adl", "adl.nav", "adl.nav.request_valid"} if not self.is_12 else {"cmi"}
        for pattern in self.elements:
            parts = pattern.split(".")
            for i in range(1, len(parts)):
                containers.add(".".join(parts[:i]))
        return containers

    def count(self, array_path: str) -> int:
        return self.counts.get(array_path, 0)

    def _indices_exist(self, pattern: str, indices: list[int]) -> bool:
        """Every index in the path names an existing record."""
        parts = pattern.split(".")
        seen = 0
        for i, part in enumerate(parts):
            if part != "n":
                continue
            array_path = _concrete(".".join(parts[:i]), indices[:seen])
            if indices[seen] >= self.count(array_path):
                return False
            seen += 1
        return True

    def _known(self, pattern: str) -> bool:
        return pattern in self.elements or pattern in self._containers

    # -------------------------------------------------------------------------------------- get --
    def _get(self, element: str) -> tuple[int, str]:
        if element == "":
            return (201 if self.is_12 else 301), ""
        if not self.is_12 and element.startswith("adl.nav.request_valid."):
            return self._get_request_valid(element[len("adl.nav.request_valid."):])
        pattern, indices = pattern_of(element)
        head, _, keyword = pattern.rpartition(".")
        if keyword == "_version":
            return (0, TABLES[self.edition]["version"]) if head == "cmi" else (self._undefined(), "")
        if keyword == "_children":
            if head in self.children:
                if "n" in head and not self._indices_exist(head, indices):
                    return self._get_failure(), ""
                return 0, self.children[head]
            if self._known(head) or head in self.arrays:
                return (202 if self.is_12 else 301), ""
            return self._undefined(), ""
        if keyword == "_count":
            if head in self.arrays:
                if "n" in head and not self._indices_exist(head, indices):
                    return self._get_failure(), ""
                return 0, str(self.count(_concrete(head, indices)))
            if self._known(head):
                return (203 if self.is_12 else 301), ""
            return self._undefined(), ""
        spec = self.elements.get(pattern)
        if spec is None:
            return self._undefined(), ""
        if spec["access"] == "wo":
            return (404 if self.is_12 else 405), ""
        if indices and not self._indices_exist(pattern, indices):
            return self._get_failure(), ""
        if pattern == "adl.data.n.store":
            mapping = self.shared_data[indices[0]]
            if not mapping.get("readable", True):
                return 405, ""
            store = mapping.get("store")
            return (403, "") if store is None else (0, store)
        if pattern == "adl.data.n.id":
            return 0, self.shared_data[indices[0]]["id"]
        if pattern in ("cmi.completion_status", "cmi.success_status"):
            evaluated = self.evaluated_status(pattern)
            if evaluated is not None:
                return 0, evaluated
        if element in self.values:
            return 0, self.values[element]
        if spec["default"] is not None:
            return 0, spec["default"]
        if self.is_12:
            return 0, ""
        return 403, ""

    def _get_request_valid(self, rest: str) -> tuple[int, str]:
        if rest == "continue":
            return 0, self.nav.continue_
        if rest == "previous":
            return 0, self.nav.previous
        for kind in ("choice", "jump"):
            if rest == kind:
                return 301, ""  # a target is required
            if rest.startswith(kind + "."):
                match = re.match(r"^\{target=([^}\s]+)\}$", rest[len(kind) + 1:])
                if not match:
                    return 301, ""
                mapping = self.nav.choice if kind == "choice" else self.nav.jump
                return 0, mapping.get(match.group(1), "false" if mapping else "unknown")
        return 401, ""

    # -------------------------------------------------------------------------------------- set --
    def _set(self, element: str, value: str) -> int:
        if element == "":
            return 201 if self.is_12 else 351
        if not self.is_12 and element.startswith("adl.nav.request_valid"):
            return 404 if self._get_request_valid(element[len("adl.nav.request_valid."):])[0] in (0, 301) \
                else 401
        pattern, indices = pattern_of(element)
        head, _, keyword = pattern.rpartition(".")
        if keyword in ("_children", "_count", "_version"):
            readable = (keyword == "_version" and head == "cmi") or \
                (keyword == "_children" and head in self.children) or (keyword == "_count" and head in self.arrays)
            if self.is_12:
                return 402 if readable else 201
            return 404 if readable else 401
        spec = self.elements.get(pattern)
        if spec is None:
            # Containers ("cmi", "cmi.score", "cmi.objectives.0"...) are not elements: writes are refused.
            return self._undefined()
        if spec["access"] == "ro":
            return 403 if self.is_12 else 404
        code = self._check_indices(pattern, indices)
        if code:
            return code
        code = self._check_value(element, pattern, indices, spec, value)
        if code:
            return code
        self._store(pattern, indices, element, value)
        return 0

    def _check_indices(self, pattern: str, indices: list[int]) -> int:
        """Index beyond _count → set failure; a new record that does not start with its identifier → 408."""
        if not indices:
            return 0
        parts = pattern.split(".")
        seen = 0
        for i, part in enumerate(parts):
            if part != "n":
                continue
            array_pattern = ".".join(parts[:i])
            array_path = _concrete(array_pattern, indices[:seen])
            index = indices[seen]
            count = self.count(array_path)
            if index > count:
                return self._set_failure()
            if index == count:
                rest = ".".join(parts[i + 1:])
                if seen < len(indices) - 1:  # a deeper index inside a record that does not exist yet
                    return 201 if self.is_12 else 408
                first = _ID_FIRST.get(array_pattern)
                if not self.is_12 and first and rest != first:
                    return 408
                if array_pattern == "adl.data":
                    return 351
            seen += 1
        return 0

    def _check_value(self, element: str, pattern: str, indices: list[int], spec: dict, value: str) -> int:
        kind = spec["type"]["t"]
        if kind == "navrequest":
            return 0 if value in NAV_REQUESTS or _NAV_TARGET.match(value) else 406
        if kind in ("pattern", "response"):
            base = f"cmi.interactions.{indices[0]}"
            interaction_type = self.values.get(base + ".type")
            if interaction_type is None:
                return 408
            if kind == "pattern":
                limit = PATTERN_LIMITS.get(interaction_type, 1)
                if indices[1] >= limit:
                    return 351
            reason = types.check_response(interaction_type, value, pattern=(kind == "pattern"))
            if reason:
                return 406 if reason in ("type", "range") else 351
            if kind == "pattern" and interaction_type == "choice":
                others = [self.values.get(f"{base}.correct_responses.{i}.pattern")
                          for i in range(self.count(base + ".correct_responses")) if i != indices[1]]
                if value in others:
                    return 351
            return 0
        if pattern == "adl.data.n.store" and not self.shared_data[indices[0]].get("writable", True):
            return 404
        if pattern in ("cmi.suspend_data",) and self.lenient_suspend_data:
            return 0 if len(value) <= SUSPEND_DATA_LENIENT_LIMIT else self._reason_code("spm")
        reason = types.check(spec["type"], value)
        if reason:
            return self._reason_code(reason)
        if not self.is_12:
            if pattern == "cmi.objectives.n.id":
                current = self.values.get(element)
                if current is not None and current != value:
                    return 351  # an objective keeps its identifier
                for i in range(self.count("cmi.objectives")):
                    if i != indices[0] and self.values.get(f"cmi.objectives.{i}.id") == value:
                        return 351  # identifiers are unique
            if pattern == "cmi.interactions.n.objectives.n.id":
                base = f"cmi.interactions.{indices[0]}.objectives"
                for i in range(self.count(base)):
                    if i != indices[1] and self.values.get(f"{base}.{i}.id") == value:
                        return 351
        return 0

    def _store(self, pattern: str, indices: list[int], element: str, value: str) -> None:
        parts = pattern.split(".")
        seen = 0
        for i, part in enumerate(parts):
            if part != "n":
                continue
            array_path = _concrete(".".join(parts[:i]), indices[:seen])
            if indices[seen] == self.count(array_path):
                self.counts[array_path] = indices[seen] + 1
            seen += 1
        if pattern == "adl.data.n.store":
            self.shared_data[indices[0]]["store"] = value
            return
        self.values[element] = value

    def evaluated_status(self, element: str) -> str | None:
        """RTE 4th ed. 4.2.4.1 and 4.2.22.1: with a completion threshold (scaled passing score) the LMS
        answers from cmi.progress_measure (cmi.score.scaled): completed/incomplete (passed/failed), or
        unknown while the measure is not set. None: the SCO's own value stands."""
        if self.is_12:
            return None
        if element == "cmi.completion_status":
            limit, measure = self.values.get("cmi.completion_threshold"), self.values.get("cmi.progress_measure")
            words = ("completed", "incomplete")
        else:
            limit, measure = self.values.get("cmi.scaled_passing_score"), self.values.get("cmi.score.scaled")
            words = ("passed", "failed")
        if limit in (None, ""):
            return None
        if measure in (None, ""):
            return "unknown"
        return words[0] if float(measure) >= float(limit) else words[1]

    # --------------------------------------------------------------------------------- helpers --
    def value(self, element: str, default: str | None = None) -> str | None:
        """Read a stored value without the API rules (for the LMS side)."""
        return self.values.get(element, default)

    def records(self, array_path: str) -> list[dict[str, str]]:
        """The records of an array as dicts of their (relative) element names."""
        out = []
        for index in range(self.count(array_path)):
            prefix = f"{array_path}.{index}."
            out.append({key[len(prefix):]: val for key, val in self.values.items() if key.startswith(prefix)})
        return out

    def snapshot(self) -> dict:
        return {"values": dict(self.values), "counts": dict(self.counts)}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
