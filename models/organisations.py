"""Organisations (counterparties), their contacts, managers and link requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class CounterpartyKind(StrEnum):
    LEGAL = "legal"  # юридическое лицо
    SOLE = "sole"  # индивидуальный предприниматель
    PERSON = "person"  # физическое лицо


class LinkStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class LinkAction(StrEnum):
    """What happened to a link request (its decision history)."""

    CREATE = "create"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    __table_args__ = (
        # One organisation per INN (organisations without an INN are not constrained).
        sa.Index(
            "uq_organisations_inn_set",
            "inn",
            unique=True,
            sqlite_where=sa.text("inn <> ''"),
            postgresql_where=sa.text("inn <> ''"),
        ),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=CounterpartyKind.LEGAL, max_length=10)
    name: str = Field(max_length=300)  # company name or the person's full name
    inn: str = Field(default="", max_length=12, index=True)
    kpp: str = Field(default="", max_length=9)
    ogrn: str = Field(default="", max_length=15)  # OGRN (13) or OGRNIP (15)
    legal_address: str = Field(default="", max_length=500)
    snils: str = Field(default="", max_length=14)
    passport_series: str = Field(default="", max_length=4)
    passport_number: str = Field(default="", max_length=6)
    passport_issued_by: str = Field(default="", max_length=300)
    passport_issued_at: str = Field(default="", max_length=10)
    address: str = Field(default="", max_length=500)
    require_2fa: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)


class Membership(SQLModel, table=True):
    """A contact (user) belongs to an organisation; one user may belong to several."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organisation_id", name="uq_membership"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    position: str = Field(default="", max_length=200)
    created_at: datetime = ts_field(default_now=True)


class ManagerAssignment(SQLModel, table=True):
    """A manager (staff) looks after an organisation and sees only those assigned."""

    __tablename__ = "manager_assignments"
    __table_args__ = (
        sa.UniqueConstraint("manager_id", "organisation_id", name="uq_manager_assignment"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = Field(foreign_key="users.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    created_at: datetime = ts_field(default_now=True)


class LinkRequest(SQLModel, table=True):
    """A user asks to be linked to an organisation (found by INN)."""

    __tablename__ = "link_requests"
    __table_args__ = (
        # At most one pending request per user and organisation (races included).
        sa.Index(
            "uq_link_requests_pending",
            "user_id",
            "organisation_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    status: str = Field(default=LinkStatus.PENDING, max_length=10, index=True)
    message: str = Field(default="", max_length=1000)
    decision_comment: str = Field(default="", max_length=1000)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = ts_field(nullable=True)
    role_code: str = Field(default="", max_length=50)  # role granted on approval
    created_org: bool = Field(default=False)  # the request brought a new organisation
    created_at: datetime = ts_field(default_now=True, index=True)


class LinkRequestEvent(SQLModel, table=True):
    """One step in a link request's decision history (created, approved, rejected, cancelled)."""

    __tablename__ = "link_request_events"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="link_requests.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=10)
    status: str = Field(max_length=10)  # status after the step
    comment: str = Field(default="", max_length=1000)
    at: datetime = ts_field(default_now=True)
