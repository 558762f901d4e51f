"""Challenge types: one class per kind of challenge, registered once (the CTFd plugin shape).

A type decides what a team hands in and how the consolidated score is formed from the jury's average
and, for automatically scored kinds, the score it computes itself. Adding a kind means adding a class
here or in another module with ``@register_challenge_type``; no code elsewhere branches on the key.
"""
from __future__ import annotations

import csv
import io
from typing import Any, ClassVar

from lms.core.errors import DomainError
from lms.core.i18n import _, _l
from lms.core.storage import storage


class ChallengeType:
    key: ClassVar[str]
    title: ClassVar[Any]
    description: ClassVar[Any] = ""
    # File kinds a submission may carry, with whether each is required.
    file_kinds: ClassVar[dict[str, bool]] = {"deliverable": False, "pitch_deck": False}

    def validate_submission(self, challenge, files: dict[str, list], link_url: str | None) -> None:
        """Refuse an incomplete submission before anything is stored (DomainError)."""
        for kind, required in self.file_kinds.items():
            if required and not files.get(kind):
                raise DomainError(_("This challenge requires a file of kind: %(kind)s.", kind=FILE_KIND_TITLES[kind]),
                                  code="file_required", field=kind)

    def auto_score(self, challenge, submission) -> float | None:
        """A 0..1 score computed from the submission, or None when only the jury scores."""
        return None

    def combine(self, challenge, jury_score: float | None, auto_score: float | None) -> float | None:
        """The consolidated 0..100 score of a team from the jury average (0..100) and the auto score (0..1)."""
        return jury_score

    def settings_summary(self, challenge) -> list[tuple[str, str]]:
        return []


FILE_KIND_TITLES = {"deliverable": _l("Deliverable"), "pitch_deck": _l("Pitch deck"), "data": _l("Predictions file")}

challenge_types: dict[str, ChallengeType] = {}


def register_challenge_type(cls: type[ChallengeType]) -> type[ChallengeType]:
    existing = challenge_types.get(cls.key)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise RuntimeError(f"challenge type {cls.key!r} is registered twice")
    challenge_types[cls.key] = cls()
    return cls


def get_challenge_type(key: str) -> ChallengeType:
    try:
        return challenge_types[key]
    except KeyError:
        raise LookupError(f"unknown challenge type {key!r}") from None


@register_challenge_type
class StandardChallenge(ChallengeType):
    """Deliverables and a pitch, judged by the jury on the rubric."""

    key = "standard"
    title = _l("Standard challenge")
    description = _l("Teams hand in deliverables and a pitch; the jury scores them on the rubric.")
    file_kinds = {"deliverable": False, "pitch_deck": True}


@register_challenge_type
class DataChallenge(ChallengeType):
    """Teams upload a predictions CSV (``id,label``) compared with the organisers' hidden answer key.

    The automatic score is the share of ids labelled correctly; the final score mixes it with the jury's
    average with the weight ``settings["auto_weight"]`` (0..1, default 0.5).
    """

    key = "data"
    title = _l("Data challenge (automatically scored)")
    description = _l("Teams upload a predictions file scored automatically against a hidden answer key, "
                     "and pitch their approach to the jury.")
    file_kinds = {"data": True, "pitch_deck": False}

    @staticmethod
    def _read_labels(data: bytes) -> dict[str, str]:
        text = data.decode("utf-8-sig", errors="replace")
        rows = csv.reader(io.StringIO(text))
        labels = {}
        for index, row in enumerate(rows):
            if len(row) < 2:
                continue
            if index == 0 and row[0].strip().lower() == "id":
                continue
            labels[row[0].strip()] = row[1].strip()
        return labels

    def validate_submission(self, challenge, files, link_url) -> None:
        super().validate_submission(challenge, files, link_url)
        for upload in files.get("data", []):
            if not upload.filename.lower().endswith(".csv"):
                raise DomainError(_("The predictions file must be a CSV file (id,label)."), code="bad_predictions",
                                  field="data")

    def auto_score(self, challenge, submission) -> float | None:
        key_digest = (challenge.settings or {}).get("answer_key")
        data_files = [f for f in submission.files if f.kind == "data"]
        if not key_digest or not data_files:
            return None
        with storage.open_blob(key_digest) as handle:
            expected = self._read_labels(handle.read())
        with storage.open_blob(data_files[-1].digest) as handle:
            predicted = self._read_labels(handle.read())
        if not expected:
            return None
        correct = sum(1 for key, label in expected.items() if predicted.get(key) == label)
        return correct / len(expected)

    def combine(self, challenge, jury_score, auto_score):
        weight = float((challenge.settings or {}).get("auto_weight", 0.5))
        if auto_score is None and jury_score is None:
            return None
        auto_part = (auto_score or 0.0) * 100
        return round(weight * auto_part + (1 - weight) * (jury_score or 0.0), 4)

    def settings_summary(self, challenge):
        weight = float((challenge.settings or {}).get("auto_weight", 0.5))
        return [(_("Weight of the automatic score"), f"{round(weight * 100)} %")]
