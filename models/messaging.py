"""Outgoing messages. Without SMTP/SMS settings they stay here as the local outbox/SMS log.

A row is written in the caller's transaction. Rows for a configured transport start
`queued`; the delivery worker (cabinet.messaging.deliver_pending) claims them (`sending`),
sends, and records `sent` or `failed` with the number of attempts and the last error.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Transport(StrEnum):
    LOCAL = "local"  # no settings: the row is the delivery (outbox / SMS log)
    SMTP = "smtp"
    HTTP = "http"  # SMS gateway over HTTP


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting for the worker (also between retries)
    SENDING = "sending"  # claimed by one worker
    SENT = "sent"
    FAILED = "failed"  # permanent failure, attempts exhausted, or interrupted mid-send


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_created_id", "created_at", "id"),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10, index=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(default="", max_length=300)
    body: str = Field(max_length=10000)
    transport: str = Field(default=Transport.LOCAL, max_length=20)
    status: str = Field(default=DeliveryStatus.SENT, max_length=20)
    error: str = Field(default="", max_length=1000)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = ts_field(nullable=True)
    claimed_at: datetime | None = ts_field(nullable=True)
    sent_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True, index=True)
