"""Support desk: departments (topics), categories, requests, their message thread and files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class SupportStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # waiting for the customer
    RESOLVED = "resolved"
    CLOSED = "closed"


class MessageKind(StrEnum):
    MESSAGE = "message"  # a reply in the thread, seen by both sides
    NOTE = "note"  # an internal staff note, never shown to the customer
    EVENT = "event"  # a status change or an assignment, written by the service


class SupportDepartment(SQLModel, table=True):
    """A department (topic) a customer may write to."""

    __tablename__ = "support_departments"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    description: str = Field(default="", max_length=500)
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)


class SupportDepartmentMember(SQLModel, table=True):
    """A staff member who works a department's requests."""

    __tablename__ = "support_department_members"
    __table_args__ = (
        sa.UniqueConstraint("department_id", "user_id", name="uq_support_department_member"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="support_departments.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)


class SupportCategory(SQLModel, table=True):
    """What a request is about; decides the response deadline and the default department."""

    __tablename__ = "support_categories"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    response_hours: int = Field(default=24)
    default_department_id: int | None = Field(default=None, foreign_key="support_departments.id")
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)


class SupportRequest(SQLModel, table=True):
    """A customer's request: to a department or to a named employee (their own manager)."""

    __tablename__ = "support_requests"
    __table_args__ = (
        sa.Index("ix_support_requests_status_due", "status", "due_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    author_id: int = Field(foreign_key="users.id", index=True)
    department_id: int | None = Field(
        default=None, foreign_key="support_departments.id", index=True
    )
    addressee_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    category_id: int = Field(foreign_key="support_categories.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    subject: str = Field(max_length=200)
    # Lower-cased subject, author and organisation: case-insensitive search on every engine
    # (SQLite's LIKE folds only ASCII).
    search_text: str = Field(default="", max_length=1000)
    status: str = Field(default=SupportStatus.NEW, max_length=20, index=True)
    # The moment staff must answer by; None while the customer is the one to act.
    due_at: datetime | None = ts_field(nullable=True)
    first_response_at: datetime | None = ts_field(nullable=True)
    resolved_at: datetime | None = ts_field(nullable=True)
    closed_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True, index=True)
    updated_at: datetime = ts_field(default_now=True)


class SupportMessage(SQLModel, table=True):
    """One entry of a request's thread: a reply, an internal note, or a status event."""

    __tablename__ = "support_messages"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="support_requests.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(default=MessageKind.MESSAGE, max_length=10)
    from_staff: bool = Field(default=False)
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    status_from: str = Field(default="", max_length=20)
    status_to: str = Field(default="", max_length=20)
    created_at: datetime = ts_field(default_now=True)


class SupportAttachment(SQLModel, table=True):
    """A stored file attached to a request (through one of its messages)."""

    __tablename__ = "support_attachments"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "file_id", name="uq_support_attachment"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="support_requests.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="support_messages.id", index=True)
    file_id: int = Field(foreign_key="stored_files.id", index=True)
