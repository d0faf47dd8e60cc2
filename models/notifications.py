"""Notifications: in-app messages, the delivery queue, attempts, templates and preferences.

`emit()` (cabinet.notifications.service) writes, in the caller's transaction, one
`Notification` per recipient for the bell and one `NotificationDelivery` per recipient ×
channel. The delivery worker claims queued rows, sends them and records every try in
`notification_attempts`. Templates, channel switches and user preferences are data that staff
and users edit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class NotifyChannel(StrEnum):
    INAPP = "inapp"
    EMAIL = "email"
    SMS = "sms"
    TELEGRAM = "telegram"


class NotifyStatus(StrEnum):
    QUEUED = "queued"  # waiting for the worker (also between retries)
    SENDING = "sending"  # claimed by one worker (lease: claimed_at)
    SENT = "sent"
    FAILED = "failed"  # permanent error, attempts exhausted or interrupted mid-send
    SKIPPED = "skipped"  # channel not configured / no address: recorded, not sent


class AttemptOutcome(StrEnum):
    STARTED = "started"  # written before the send; still "started" = the worker died
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"  # the worker died mid-send: never re-sent automatically


class Notification(SQLModel, table=True):
    """One in-app message for one user (the bell and /notifications)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    event: str = Field(max_length=60)
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=4000)
    link: str = Field(default="", max_length=500)
    created_at: datetime = ts_field(default_now=True)
    read_at: datetime | None = ts_field(nullable=True)


class NotificationDelivery(SQLModel, table=True):
    """One message to one recipient over one channel: the queue row and its final state."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_notification_deliveries_created", "created_at", "id"),
        sa.Index("ix_notification_deliveries_user", "user_id", "status"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    notification_id: int | None = Field(default=None, foreign_key="notifications.id")
    event: str = Field(max_length=60, index=True)
    channel: str = Field(max_length=10, index=True)
    recipient: str = Field(default="", max_length=254)  # e-mail, phone or telegram chat id
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=4000)
    status: str = Field(default=NotifyStatus.QUEUED, max_length=10)
    transport: str = Field(default="", max_length=20)  # local / smtp / http / telegram
    attempts: int = Field(default=0)  # tries in the current round (reset by a resend)
    resends: int = Field(default=0)
    error: str = Field(default="", max_length=1000)
    next_attempt_at: datetime | None = ts_field(nullable=True)
    claimed_at: datetime | None = ts_field(nullable=True)
    sent_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class NotificationAttempt(SQLModel, table=True):
    """Every try to send a delivery, with its outcome and error."""

    __tablename__ = "notification_attempts"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="notification_deliveries.id", index=True)
    number: int = Field(default=1)
    transport: str = Field(default="", max_length=20)
    outcome: str = Field(default=AttemptOutcome.STARTED, max_length=10)
    error: str = Field(default="", max_length=1000)
    started_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)


class NotificationTemplate(SQLModel, table=True):
    """Staff-edited text of one event × channel × language; `{variable}` placeholders."""

    __tablename__ = "notification_templates"
    __table_args__ = (
        sa.UniqueConstraint("event", "channel", "lang", name="uq_notification_template"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=60)
    channel: str = Field(max_length=10)
    lang: str = Field(max_length=5)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=4000)
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = ts_field(default_now=True)


class NotificationChannelSwitch(SQLModel, table=True):
    """Staff turn a channel of an event on or off (no row: on, if the event allows it)."""

    __tablename__ = "notification_channel_switches"
    __table_args__ = (
        sa.UniqueConstraint("event", "channel", name="uq_notification_channel_switch"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=60)
    channel: str = Field(max_length=10)
    enabled: bool = Field(default=True)
    updated_at: datetime = ts_field(default_now=True)


class NotificationPreference(SQLModel, table=True):
    """A user's choice of channels for one event (no row: the event's default channels)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "event", name="uq_notification_preference"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    event: str = Field(max_length=60)
    channels: Any = json_field(nullable=False)  # list of channel names
    updated_at: datetime = ts_field(default_now=True)


class NotificationContact(SQLModel, table=True):
    """Per-user delivery addresses that the users table does not hold (Telegram chat id)."""

    __tablename__ = "notification_contacts"
    __table_args__ = {"extend_existing": True}

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    telegram_chat_id: str = Field(default="", max_length=40)
    updated_at: datetime = ts_field(default_now=True)
