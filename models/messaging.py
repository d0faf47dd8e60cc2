"""Outgoing messages. Without SMTP/SMS settings they stay here as the local outbox/SMS log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import ts_field


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10, index=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(default="", max_length=300)
    body: str = Field(max_length=10000)
    transport: str = Field(default="local", max_length=20)  # local | smtp | http
    status: str = Field(default="sent", max_length=20)
    error: str = Field(default="", max_length=1000)
    created_at: datetime = ts_field(default_now=True, index=True)
