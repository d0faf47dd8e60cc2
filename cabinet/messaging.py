"""Outgoing e-mail and SMS.

Every message is first written to `outbox_messages` inside the caller's transaction. Without
SMTP / SMS-gateway settings that row *is* the delivery: staff read the local outbox and SMS
log on an admin page, and tests read codes from it. With settings, `deliver_pending()` sends
queued rows after the commit (the notifications module replaces this with its queue).
"""

from __future__ import annotations

from sqlmodel import Session

from cabinet.settings import settings
from models import OutboxMessage
from models.messaging import Channel


def _transport(channel: Channel) -> str:
    if channel == Channel.EMAIL and settings.smtp_host:
        return "smtp"
    if channel == Channel.SMS and settings.sms_gateway_url:
        return "http"
    return "local"


def send_email(session: Session, *, to: str, subject: str, body: str) -> OutboxMessage:
    transport = _transport(Channel.EMAIL)
    msg = OutboxMessage(
        channel=Channel.EMAIL,
        recipient=to,
        subject=subject[:300],
        body=body[:10000],
        transport=transport,
        status="sent" if transport == "local" else "queued",
    )
    session.add(msg)
    return msg


def send_sms(session: Session, *, to: str, body: str) -> OutboxMessage:
    transport = _transport(Channel.SMS)
    msg = OutboxMessage(
        channel=Channel.SMS,
        recipient=to,
        body=body[:1000],
        transport=transport,
        status="sent" if transport == "local" else "queued",
    )
    session.add(msg)
    return msg
