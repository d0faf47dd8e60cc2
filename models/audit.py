"""Append-only audit log: who did what to which object, before/after, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=80, index=True)
    object_type: str = Field(max_length=50, index=True)
    object_id: str = Field(default="", max_length=50)
    before: dict[str, Any] | None = json_field()
    after: dict[str, Any] | None = json_field()
    ip: str = Field(default="", max_length=64)
