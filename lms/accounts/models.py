"""Users and administrations."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import IdMixin, JSONType, Model, TimestampMixin, UTCDateTime, UUIDMixin
from lms.core.db import enum_column as _enum
from lms.core.i18n import _l, localized


class SiteRole(enum.Enum):
    administrator = "administrator"
    manager = "manager"          # manages the users of one administration
    instructor = "instructor"    # authors courses (ENSA trainers)
    learner = "learner"

    @property
    def title(self):
        return {
            SiteRole.administrator: _l("Administrator"),
            SiteRole.manager: _l("Manager"),
            SiteRole.instructor: _l("Instructor"),
            SiteRole.learner: _l("Learner"),
        }[self]


class Gender(enum.Enum):
    female = "female"
    male = "male"
    unspecified = "unspecified"  # "prefer not to say"

    @property
    def title(self):
        return {Gender.female: _l("Woman"), Gender.male: _l("Man"),
                Gender.unspecified: _l("Prefer not to say")}[self]


class AdministrationLevel(enum.Enum):
    central = "central"
    local = "local"

    @property
    def title(self):
        return {AdministrationLevel.central: _l("Central"), AdministrationLevel.local: _l("Local")}[self]




class Administration(IdMixin, TimestampMixin, Model):
    """A beneficiary organisation: ministry → agencies/bodies; central or local level."""

    __tablename__ = "administration"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)  # {"ar": ..., "fr": ..., "en": ...}
    acronym: Mapped[str | None] = mapped_column(String(32))
    logo_digest: Mapped[str | None] = mapped_column(String(64))  # content-addressed image
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id"), index=True)
    level: Mapped[AdministrationLevel] = mapped_column(_enum(AdministrationLevel, "administration_level"),
                                                      default=AdministrationLevel.central)
    parent: Mapped[Administration | None] = relationship(remote_side="Administration.id", back_populates="children")
    children: Mapped[list[Administration]] = relationship(back_populates="parent")

    @property
    def display_name(self) -> str:
        return localized(self.name)

    def __repr__(self) -> str:
        return f"<Administration {self.code}>"


class User(IdMixin, UUIDMixin, TimestampMixin, UserMixin, Model):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[SiteRole] = mapped_column(_enum(SiteRole, "site_role"), default=SiteRole.learner)
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administration.id"), index=True)
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender, "gender"))
    job_title: Mapped[str | None] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(8), default="ar")
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change: invalidates reset links and other sessions.
    session_version: Mapped[int] = mapped_column(default=1)

    administration: Mapped[Administration | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def get_id(self) -> str:  # Flask-Login: the cookie names the user and the password generation
        return f"{self.id}:{self.session_version}"

    @property
    def is_administrator(self) -> bool:
        return self.role == SiteRole.administrator

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"
