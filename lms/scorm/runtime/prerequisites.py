"""SCORM 1.2 ``adlcp:prerequisites``: the AICC script subset the CAM allows, evaluated against the
learner's lesson statuses.

Grammar (whitespace ignored, case-insensitive status values)::

    expr    := or
    or      := and ("|" and)*
    and     := unary ("&" unary)*
    unary   := "~" unary | primary
    primary := "(" expr ")" | N "*" "{" expr ("," expr)* "}" | IDENT [("=" | "<>") STATUS]

An identifier alone is true when the item is passed or completed; ``N*{a,b,c}`` is true when at least N
of the members are; ``id = status`` / ``id <> status`` compare the item's status with ``passed``,
``completed``, ``browsed``, ``failed``, ``incomplete``, ``not attempted`` (or their initials P C B F I N).

A script that cannot be parsed, or that names an item the package does not have, must not lock the
learner out: :func:`prerequisites_met` then answers True (and logs).
"""
from __future__ import annotations

import logging
import re
from typing import Callable

log = logging.getLogger(__name__)

STATUSES = {"passed": "passed", "p": "passed", "completed": "completed", "c": "completed",
            "browsed": "browsed",
            "b": "browsed", "failed": "failed", "f": "failed", "incomplete": "incomplete", "i": "incomplete",
            "not attempted": "not attempted", "n": "not attempted"}
DONE = ("passed", "completed")

_TOKEN = re.compile(r'\s*(?:(?P<num>\d+)\s*\*|(?P<op><>|[&|~(){},=])|"(?P<quoted>[^"]*)"'
                    r"|(?P<ident>[^\s&|~(){},=<>\"*]+))")


class PrerequisiteSyntaxError(ValueError):
    pass


def _tokens(script: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    script = script.strip()
    while pos < len(script):
        match = _TOKEN.match(script, pos)
        if not match or match.end() == pos:
            raise PrerequisiteSyntaxError(f"unexpected character at {pos}: {script[pos:pos + 10]!r}")
        pos = match.end()
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        # trailing spaces are consumed by the next match's leading \s*
        while pos < len(script) and script[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, script: str, status_of: Callable[[str], str | None]):
        self.tokens = _tokens(script)
        self.pos = 0
        self.status_of = status_of
        self.names: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise PrerequisiteSyntaxError(f"expected {value or 'a term'} at token {self.pos}")
        self.pos += 1
        return token

    def parse(self) -> bool:
        value = self.expr()
        if self.peek() is not None:
            raise PrerequisiteSyntaxError(f"unexpected {self.peek()[1]!r}")
        return value

    def expr(self) -> bool:
        value = self.conjunction()
        while self.peek() == ("op", "|"):
            self.take("|")
            right = self.conjunction()
            value = value or right
        return value

    def conjunction(self) -> bool:
        value = self.unary()
        while self.peek() == ("op", "&"):
            self.take("&")
            right = self.unary()
            value = value and right
        return value

    def unary(self) -> bool:
        if self.peek() == ("op", "~"):
            self.take("~")
            return not self.unary()
        return self.primary()

    def primary(self) -> bool:
        token = self.peek()
        if token is None:
            raise PrerequisiteSyntaxError("the script ends too early")
        if token == ("op", "("):
            self.take("(")
            value = self.expr()
            self.take(")")
            return value
        if token[0] == "num":
            self.take()
            needed = int(token[1])
            self.take("{")
            members = [self.expr()]
            while self.peek() == ("op", ","):
                self.take(",")
                members.append(self.expr())
            self.take("}")
            return sum(members) >= needed
        if token[0] == "ident":
            self.take()
            return self.comparison(token[1])
        raise PrerequisiteSyntaxError(f"unexpected {token[1]!r}")

    def comparison(self, name: str) -> bool:
        self.names.append(name)
        status = self.status_of(name) or "not attempted"
        token = self.peek()
        if token not in (("op", "="), ("op", "<>")):
            return status in DONE
        self.take()
        kind, word = self.take()
        if kind not in ("ident", "quoted"):
            raise PrerequisiteSyntaxError(f"expected a status after {token[1]}")
        word = word.lower()
        if word == "not" and self.peek() and self.peek()[1].lower() == "attempted":
            self.take()
            word = "not attempted"
        if word not in STATUSES:
            raise PrerequisiteSyntaxError(f"unknown status {word!r}")
        equal = status == STATUSES[word]
        return equal if token[1] == "=" else not equal


def evaluate(script: str, status_of: Callable[[str], str | None]) -> bool:
    """Evaluate a prerequisite script; raises :class:`PrerequisiteSyntaxError` when it cannot be parsed."""
    return _Parser(script, status_of).parse()


def referenced(script: str) -> list[str]:
    """The identifiers a script names (for validation)."""
    parser = _Parser(script, lambda name: None)
    parser.parse()  # every operand is parsed (no short cut), so every name is seen
    return parser.names


def prerequisites_met(script: str | None, status_of: Callable[[str], str | None], known: set[str]) -> bool:
    """True when the item may be launched. Empty, unparsable scripts, and scripts naming unknown items
    are ignored (the learner is not locked out by a broken manifest)."""
    if not script or not script.strip():
        return True
    try:
        names = referenced(script)
        unknown = [name for name in names if name not in known]
        if unknown:
            log.warning("prerequisites %r name unknown items %s: ignored", script, unknown)
            return True
        return evaluate(script, status_of)
    except PrerequisiteSyntaxError as error:
        log.warning("prerequisites %r cannot be parsed (%s): ignored", script, error)
        return True
