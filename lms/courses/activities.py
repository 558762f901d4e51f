"""The activity-type registry (DESIGN.md §1).

Each kind of thing a course section holds (page, file, url, scorm, cmi5, tincan, lti_link,
training_event, idarathon_challenge, knowledge_resource...) is one subclass of :class:`ActivityType`,
registered once with :func:`register_activity_type`. Core code asks the registry; it never branches on
the type key.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from flask import url_for

if TYPE_CHECKING:  # pragma: no cover
    from .models import Activity

XAPI_ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"


class ActivityType:
    """The interface every activity type implements. Defaults fit a simple, ungraded, inline type."""

    key: ClassVar[str]
    title: ClassVar[Any]                  # lazy translated string
    description: ClassVar[Any] = ""
    icon: ClassVar[str] = "📄"
    graded: ClassVar[bool] = False        # produces a score for the gradebook
    form_class: ClassVar[type | None] = None  # FlaskForm with the type-specific fields
    xapi_activity_type: ClassVar[str] = XAPI_ACTIVITY_TYPES + "module"
    # Completion rules this type can honour ("viewed", "completed", "passed", "grade").
    completion_rules: ClassVar[tuple[str, ...]] = ("viewed",)
    # Hidden from the "add an activity" menu (e.g. types created only through their own area).
    addable: ClassVar[bool] = True

    # -- authoring -----------------------------------------------------------------------------------
    def create(self, activity: Activity, form) -> None:
        """Create the type's own rows for a new activity (flush only)."""

    def update(self, activity: Activity, form) -> None:
        """Apply an edit form to the type's own rows."""

    def fill_form(self, activity: Activity, form) -> None:
        """Prefill the type-specific fields of ``form`` from the type's rows."""

    # -- learners --------------------------------------------------------------------------------------
    def launch_url(self, activity: Activity) -> str:
        """Where a learner goes to view or play the activity."""
        return url_for("courses.view_activity", activity_id=activity.id)

    def view(self, activity: Activity):
        """Render an inline activity (page, file...) inside the course shell; None = redirect to launch_url."""
        return None

    # -- copy, export, import --------------------------------------------------------------------------
    def copy(self, source: Activity, target: Activity) -> None:
        """Copy the type's rows from ``source`` to the freshly created ``target`` (course duplication)."""
        self.import_data(target, self.export_data(source))

    def export_data(self, activity: Activity) -> dict:
        """JSON-able data (and content digests) enough to recreate the activity elsewhere."""
        return {}

    def import_data(self, activity: Activity, data: dict) -> None:
        """Recreate the type's rows from :meth:`export_data` output."""

    def export_files(self, activity: Activity) -> list[str]:
        """Content-addressed blob digests the export archive must carry."""
        return []


activity_types: dict[str, ActivityType] = {}


def register_activity_type(cls: type[ActivityType]) -> type[ActivityType]:
    key = cls.key
    existing = activity_types.get(key)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise RuntimeError(f"activity type {key!r} is registered twice")
    activity_types[key] = cls()
    return cls


def get_activity_type(key: str) -> ActivityType:
    try:
        return activity_types[key]
    except KeyError:
        raise LookupError(f"unknown activity type {key!r}") from None


def unregister_activity_type(key: str) -> None:
    """For tests that plug in a temporary type."""
    activity_types.pop(key, None)
