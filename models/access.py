"""Roles (built-in and custom), their permissions, and who holds which role."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class Role(SQLModel, table=True):
    __tablename__ = "roles"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True, index=True)
    name: str = Field(max_length=200, unique=True)  # two admins at once cannot both win
    description: str = Field(default="", max_length=1000)
    is_builtin: bool = Field(default=False)
    created_at: datetime = ts_field(default_now=True)


class RolePermission(SQLModel, table=True):
    __tablename__ = "role_permissions"
    __table_args__ = (
        sa.UniqueConstraint("role_id", "permission", name="uq_role_permission"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="roles.id", index=True)
    permission: str = Field(max_length=80)


class UserRole(SQLModel, table=True):
    """A role held by a user: platform-wide (organisation_id NULL) or in one organisation."""

    __tablename__ = "user_roles"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role_id", "organisation_id", name="uq_user_role"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    role_id: int = Field(foreign_key="roles.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    created_at: datetime = ts_field(default_now=True)
