"""SCORM packages as imported: one package per activity, immutable versions, and the item tree of each
version. Attempts and run-time data (the player) and sequencing state live in their own modules, imported
at the end of this file so the app factory sees the whole area."""
from __future__ import annotations

import importlib
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, db, utcnow
from lms.core.i18n import _l


class ScormPackage(IdMixin, TimestampMixin, Model):
    """The SCORM content of one activity. Uploading again adds a version; older versions stay, so an attempt
    keeps playing the version it started on (``keep_version_for_attempts``)."""

    __tablename__ = "scorm_package"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), unique=True)
    version_number: Mapped[int] = mapped_column(default=0)  # number of the newest version
    # True: attempts in progress stay on the version they started with; False: they move to the newest.
    keep_version_for_attempts: Mapped[bool] = mapped_column(default=True)

    activity: Mapped["Activity"] = relationship("Activity")  # noqa: F821
    versions: Mapped[list[ScormPackageVersion]] = relationship(
        back_populates="package", order_by="ScormPackageVersion.number", cascade="all, delete-orphan")

    @property
    def latest_version(self) -> ScormPackageVersion | None:
        return self.version(self.version_number)

    def version(self, number: int) -> ScormPackageVersion | None:
        for version in self.versions:
            if version.number == number:
                return version
        return None

    @classmethod
    def for_activity(cls, activity_id: int) -> ScormPackage | None:
        return db.session.scalar(select(cls).where(cls.activity_id == activity_id))

    def __repr__(self) -> str:
        return f"<ScormPackage activity={self.activity_id} v{self.version_number}>"


class ScormPackageVersion(IdMixin, Model):
    """One uploaded package. Files are under ``storage.package_dir(digest)`` and never change."""

    __tablename__ = "scorm_package_version"
    __table_args__ = (UniqueConstraint("package_id", "number"),)

    package_id: Mapped[int] = mapped_column(ForeignKey("scorm_package.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()  # 1, 2, ...
    digest: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the zip; names the package folder
    scorm_version: Mapped[str] = mapped_column(String(10))  # "1.2", "2004-2", "2004-3", "2004-4"
    title: Mapped[str] = mapped_column(String(500), default="")
    organization: Mapped[str] = mapped_column(String(255))  # identifier of the organization played
    manifest: Mapped[dict] = mapped_column(JSONType)  # lms.scorm.manifest.Manifest.to_dict()
    manifest_xml: Mapped[str] = mapped_column(Text)  # imsmanifest.xml as uploaded (decoded)
    report: Mapped[dict] = mapped_column(JSONType)  # lms.scorm.package.Report.to_dict()
    activity_tree: Mapped[dict | None] = mapped_column(JSONType)  # the sequencing engine's tree, when built
    file_count: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int] = mapped_column(default=0)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    package: Mapped[ScormPackage] = relationship(back_populates="versions")
    items: Mapped[list[ScormItem]] = relationship(back_populates="version", order_by="ScormItem.position",
                                                  cascade="all, delete-orphan")

    @property
    def is_scorm_2004(self) -> bool:
        return self.scorm_version != "1.2"

    @property
    def version_label(self) -> str:
        return {"1.2": "SCORM 1.2", "2004-2": "SCORM 2004 2nd Edition", "2004-3": "SCORM 2004 3rd Edition",
                "2004-4": "SCORM 2004 4th Edition"}.get(self.scorm_version, self.scorm_version)

    def parsed_manifest(self):
        """The stored manifest as a :class:`lms.scorm.manifest.Manifest` (without lxml elements)."""
        from .manifest import manifest_from_dict

        return manifest_from_dict(self.manifest)

    def parsed_report(self):
        from .package import Report

        return Report.from_dict(self.report)

    def organization_items(self, organization: str | None = None) -> list[ScormItem]:
        """Items of the played organization (or another one), in tree order."""
        organization = organization or self.organization
        return [item for item in self.items if item.organization == organization]

    def launchable_items(self, organization: str | None = None) -> list[ScormItem]:
        return [item for item in self.organization_items(organization) if item.launch_url]

    def item(self, identifier: str, organization: str | None = None) -> ScormItem | None:
        organization = organization or self.organization
        for item in self.items:
            if item.identifier == identifier and item.organization == organization:
                return item
        return None

    @property
    def organizations(self) -> list[tuple[str, str]]:
        """(identifier, title) of every organization in the manifest, for choosing which one to play."""
        return [(org["identifier"], org.get("title") or org["identifier"])
                for org in self.manifest.get("organizations", [])]

    def __repr__(self) -> str:
        return f"<ScormPackageVersion {self.package_id} v{self.number} {self.scorm_version}>"


class ScormItem(IdMixin, Model):
    """One ``<item>`` of an organization: a SCO, an asset, or a cluster (no launch URL). The run-time values
    the manifest gives the item are copied here for the player."""

    __tablename__ = "scorm_item"
    __table_args__ = (UniqueConstraint("version_id", "organization", "identifier"),
                      Index("ix_scorm_item_version_position", "version_id", "position"))

    version_id: Mapped[int] = mapped_column(ForeignKey("scorm_package_version.id", ondelete="CASCADE"))
    organization: Mapped[str] = mapped_column(String(255))
    identifier: Mapped[str] = mapped_column(String(255))
    parent_identifier: Mapped[str | None] = mapped_column(String(255))  # None: child of the organization
    position: Mapped[int] = mapped_column()  # pre-order index within the version (all organizations)
    depth: Mapped[int] = mapped_column(default=0)  # 0 for the organization's direct children
    title: Mapped[str] = mapped_column(String(500), default="")
    scorm_type: Mapped[str | None] = mapped_column(String(5))  # "sco", "asset", None for a cluster
    resource_identifier: Mapped[str | None] = mapped_column(String(255))
    launch_url: Mapped[str | None] = mapped_column(Text)  # package-relative (or absolute external) URL
    launch_path: Mapped[str | None] = mapped_column(Text)  # the package file behind launch_url
    parameters: Mapped[str | None] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(default=True)
    mastery_score: Mapped[float | None] = mapped_column(Float)  # 1.2 masteryscore, 0..100
    scaled_passing_score: Mapped[float | None] = mapped_column(Float)  # 2004, -1..1
    max_time_allowed: Mapped[str | None] = mapped_column(String(64))
    time_limit_action: Mapped[str | None] = mapped_column(String(32))
    data_from_lms: Mapped[str | None] = mapped_column(Text)
    prerequisites: Mapped[str | None] = mapped_column(Text)
    completion_threshold: Mapped[dict | None] = mapped_column(JSONType)
    hide_lms_ui: Mapped[list] = mapped_column(JSONType, default=list)
    shared_data: Mapped[list] = mapped_column(JSONType, default=list)

    version: Mapped[ScormPackageVersion] = relationship(back_populates="items")

    @property
    def is_sco(self) -> bool:
        return self.scorm_type == "sco"

    @property
    def is_external(self) -> bool:
        return bool(self.launch_url) and self.launch_path is None

    def __repr__(self) -> str:
        return f"<ScormItem {self.identifier} {self.scorm_type}>"


ScormSco = ScormItem  # the name the issue uses; every item (SCO, asset, cluster) is a row

VERSION_POLICY_CHOICES = [(True, _l("Attempts in progress stay on the version they started with")),
                          (False, _l("Attempts in progress move to the newest version"))]

# The player/run-time and the sequencing engine keep their models in their own modules.
for _module in ("lms.scorm.runtime_models", "lms.scorm.runtime.models", "lms.scorm.player_models",
                "lms.scorm.sequencing.models"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as _error:
        if _error.name is None or not _module.startswith(_error.name):
            raise
