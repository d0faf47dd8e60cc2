"""Maintenance journals: a subscriber's service objects, typed journals, entries with versions,
and the two-party signatures over each version.

- `JournalType` is reference data (fire alarm, security alarm, ...), edited by operator admins.
- `ServiceObject` belongs to a subscriber (a platform `Organisation`).
- `ObjectPerson` says who works on an object: operator staff assigned to it (they write
  entries), and the responsible persons of the operator and of the subscriber (they sign).
- `Journal`: one active journal per object and type, enforced by a partial unique index;
  opening a new one archives the previous, which stays readable.
- `JournalEntry` is the record of one piece of work; its content lives in `EntryVersion`
  rows (never changed once the entry left the draft state). `canonical` is the deterministic
  byte form of the version that gets signed.
- `EntrySignature` links a version, a side and a signer to the e-signature module's signature
  (by id and public code). Withdrawn signatures stay, with `withdrawn_at` set.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class EntryState(StrEnum):
    DRAFT = "draft"
    AWAITING = "awaiting"  # awaiting signatures (none yet on the current version)
    PARTIAL = "partial"  # one side signed the current version
    SIGNED = "signed"  # both sides signed the current version


class Side(StrEnum):
    OPERATOR = "operator"
    SUBSCRIBER = "subscriber"


class PersonRole(StrEnum):
    STAFF = "staff"  # operator staff assigned to the object: writes entries
    OPERATOR_RESPONSIBLE = "operator_responsible"  # signs for the operator
    SUBSCRIBER_RESPONSIBLE = "subscriber_responsible"  # signs for the subscriber


class JournalStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class JournalType(SQLModel, table=True):
    __tablename__ = "journal_types"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=200, unique=True)
    description: str = Field(default="", max_length=500)
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)


class ServiceObject(SQLModel, table=True):
    """A subscriber's site the operator services."""

    __tablename__ = "service_objects"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name", name="uq_service_object_name"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=500)
    systems: str = Field(default="", max_length=500)  # systems served, comma-separated
    is_active: bool = Field(default=True)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class ObjectPerson(SQLModel, table=True):
    """A user's part in one object: assigned staff or a responsible person of one side."""

    __tablename__ = "service_object_people"
    __table_args__ = (
        sa.UniqueConstraint("object_id", "user_id", "role", name="uq_service_object_person"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    object_id: int = Field(foreign_key="service_objects.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=30)  # PersonRole
    assigned_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class Journal(SQLModel, table=True):
    __tablename__ = "journals"
    __table_args__ = (
        # One active journal per object and type, whatever the application does.
        sa.Index(
            "uq_journals_active_per_type",
            "object_id",
            "type_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    object_id: int = Field(foreign_key="service_objects.id", index=True)
    type_id: int = Field(foreign_key="journal_types.id", index=True)
    status: str = Field(default=JournalStatus.ACTIVE, max_length=20)
    opened_by: int | None = Field(default=None, foreign_key="users.id")
    opened_at: datetime = ts_field(default_now=True)
    archived_by: int | None = Field(default=None, foreign_key="users.id")
    archived_at: datetime | None = ts_field(nullable=True)


class JournalEntry(SQLModel, table=True):
    __tablename__ = "journal_entries"
    __table_args__ = (
        sa.UniqueConstraint("journal_id", "number", name="uq_journal_entry_number"),
        sa.Index("ix_journal_entries_journal_work", "journal_id", "work_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    journal_id: int = Field(foreign_key="journals.id", index=True)
    number: int  # 1, 2, ... inside the journal
    state: str = Field(default=EntryState.DRAFT, max_length=20, index=True)
    version: int = Field(default=1)  # the current version number
    work_at: datetime = ts_field()  # copy of the current version's, for filters and order
    author_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class EntryVersion(SQLModel, table=True):
    __tablename__ = "journal_entry_versions"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "version", name="uq_journal_entry_version"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entries.id", index=True)
    version: int
    work_at: datetime = ts_field()
    work_kind: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    findings: str = Field(default="", max_length=4000)
    attachments: list[dict[str, object]] | None = json_field()  # [{id, filename, sha256, size}]
    canonical: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))  # the signed form
    sha256: str = Field(max_length=64)
    author_id: int = Field(foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class EntryFile(SQLModel, table=True):
    """A stored file attached to an entry (read rule: whoever may see the entry)."""

    __tablename__ = "journal_entry_files"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "file_id", name="uq_journal_entry_file"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entries.id", index=True)
    file_id: int = Field(foreign_key="stored_files.id", index=True)
    added_by: int = Field(foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class EntrySignature(SQLModel, table=True):
    """One side's signature over one version. One per version and side, ever."""

    __tablename__ = "journal_entry_signatures"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "side", name="uq_journal_signature_side"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entries.id", index=True)
    version_id: int = Field(foreign_key="journal_entry_versions.id", index=True)
    version: int
    side: str = Field(max_length=20)  # Side
    user_id: int = Field(foreign_key="users.id", index=True)
    # The e-signature module's signature (migration 0011 added the foreign key).
    signature_id: int | None = Field(default=None, foreign_key="esign_signatures.id", index=True)
    signature_code: str = Field(max_length=100, index=True)
    certificate_serial: str = Field(default="", max_length=100)
    signed_at: datetime = ts_field()
    withdrawn_at: datetime | None = ts_field(nullable=True)
