"""Outgoing e-mail and SMS.

Every message is first written to `outbox_messages` inside the caller's transaction. Without
SMTP / SMS-gateway settings that row *is* the delivery (status sent, transport local): staff
read the local outbox and SMS log on /admin/outbox, and tests read codes from it. With
settings the row starts `queued` and `deliver_pending()` sends it after the commit:

- claim: the worker moves due `queued` rows to `sending` in one short transaction
  (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; every engine: an UPDATE that only
  matches rows still `queued`), so two workers never take the same row;
- send outside any transaction (smtplib / httpx);
- record `sent`, or back to `queued` with a backoff for transient failures (timeouts,
  connection errors, HTTP 5xx/429, SMTP 4xx), or `failed` with the reason.

A row left in `sending` by a worker that died mid-send is never sent again: after
`STALE_CLAIM` it is marked failed ("result unknown"), so nothing is delivered twice.

This queue carries the one-time codes (accounts) and other direct mail. Notifications
(cabinet.notifications) have their own queue per recipient × channel and use the transports
here: `smtp_send`, `sms_send`, `telegram_send` take any message with recipient/subject/body,
and without settings `send_email` / `send_sms` write the local outbox / SMS log row.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from cabinet.settings import Settings, settings
from models import OutboxMessage
from models.base import utcnow
from models.messaging import Channel, DeliveryStatus, Transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
STALE_CLAIM = timedelta(minutes=10)
WORKER_INTERVAL_SECONDS = 5.0
BATCH_SIZE = 50


def _transport(channel: Channel, config: Settings) -> Transport:
    if channel == Channel.EMAIL and config.smtp_host:
        return Transport.SMTP
    if channel == Channel.SMS and config.sms_gateway_url:
        return Transport.HTTP
    return Transport.LOCAL


def _new_row(
    channel: Channel, config: Settings, *, recipient: str, subject: str = "", body: str
) -> OutboxMessage:
    transport = _transport(channel, config)
    local = transport == Transport.LOCAL
    now = utcnow()
    return OutboxMessage(
        channel=channel,
        transport=transport,
        status=DeliveryStatus.SENT if local else DeliveryStatus.QUEUED,
        sent_at=now if local else None,
        next_attempt_at=None if local else now,
        created_at=now,
        recipient=recipient,
        subject=subject,
        body=body,
    )


def send_email(
    session: Session, *, to: str, subject: str, body: str, config: Settings | None = None
) -> OutboxMessage:
    """Queue an e-mail in the caller's transaction (no commit)."""
    msg = _new_row(
        Channel.EMAIL, config or settings, recipient=to, subject=subject[:300], body=body[:10000]
    )
    session.add(msg)
    return msg


def send_sms(
    session: Session, *, to: str, body: str, config: Settings | None = None
) -> OutboxMessage:
    """Queue an SMS in the caller's transaction (no commit)."""
    msg = _new_row(Channel.SMS, config or settings, recipient=to, body=body[:1000])
    session.add(msg)
    return msg


# --- transports -----------------------------------------------------------------------------


class DeliveryError(Exception):
    """A send failed. `transient` failures are retried with backoff."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Message(Protocol):
    """What a transport needs: an OutboxMessage row, or a notifications `Outgoing`."""

    id: int | None
    recipient: str
    subject: str
    body: str


@dataclass
class Outgoing:
    """A message handed to a transport by another queue (notifications)."""

    id: int | None
    recipient: str
    subject: str
    body: str
    ref: str = ""  # Message-ID tag, e.g. "notification-12"


def smtp_send(msg: Message, config: Settings) -> None:
    """Send one e-mail over SMTP (STARTTLS when smtp_tls, login when smtp_user is set)."""
    email = EmailMessage()
    email["From"] = config.smtp_from
    email["To"] = msg.recipient
    email["Subject"] = msg.subject
    email["Message-ID"] = make_msgid(idstring=getattr(msg, "ref", "") or f"outbox-{msg.id}")
    email.set_content(msg.body)
    try:
        with smtplib.SMTP(
            config.smtp_host, config.smtp_port, timeout=config.http_timeout_seconds
        ) as smtp:
            if config.smtp_tls:
                smtp.starttls(context=ssl.create_default_context())
            if config.smtp_user:
                smtp.login(config.smtp_user, config.smtp_password)
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as e:
        codes = [code for code, _ in e.recipients.values()]
        raise DeliveryError(
            f"SMTP: адресат отклонён {codes}", transient=all(400 <= c < 500 for c in codes)
        ) from e
    except smtplib.SMTPResponseException as e:
        text = e.smtp_error.decode(errors="replace") if isinstance(e.smtp_error, bytes) else ""
        raise DeliveryError(
            f"SMTP {e.smtp_code}: {text}", transient=400 <= e.smtp_code < 500
        ) from e
    except smtplib.SMTPServerDisconnected as e:
        raise DeliveryError(f"SMTP: {type(e).__name__}: {e}", transient=True) from e
    except smtplib.SMTPException as e:
        raise DeliveryError(f"SMTP: {type(e).__name__}: {e}", transient=False) from e
    except OSError as e:  # timeout, connection refused, DNS, TLS handshake
        raise DeliveryError(f"SMTP: {type(e).__name__}: {e}", transient=True) from e


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def http_client() -> httpx.Client:
    """One pooled client per process: keep-alive connections, and no new SSL context per
    message (httpx.post builds one each call, about 30 ms)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(limits=httpx.Limits(max_connections=20))
        return _client


def sms_send(msg: Message, config: Settings) -> None:
    """POST one SMS row to the gateway: JSON {"to", "text"}, bearer token."""
    headers = {"Authorization": f"Bearer {config.sms_gateway_token}"}
    try:
        resp = http_client().post(
            config.sms_gateway_url,
            json={"to": msg.recipient, "text": msg.body},
            headers=headers,
            timeout=config.http_timeout_seconds,
        )
    except httpx.TimeoutException as e:
        raise DeliveryError(f"SMS-шлюз: таймаут ({type(e).__name__})", transient=True) from e
    except httpx.TransportError as e:
        raise DeliveryError(f"SMS-шлюз: {type(e).__name__}: {e}", transient=True) from e
    if resp.is_success:
        return
    detail = resp.text[:300]
    transient = resp.status_code >= 500 or resp.status_code in (408, 429)
    raise DeliveryError(f"SMS-шлюз {resp.status_code}: {detail}", transient=transient)


def _http_error(name: str, resp: httpx.Response) -> DeliveryError:
    transient = resp.status_code >= 500 or resp.status_code in (408, 429)
    return DeliveryError(f"{name} {resp.status_code}: {resp.text[:300]}", transient=transient)


def telegram_send(msg: Message, config: Settings) -> None:
    """Bot API sendMessage to the chat id in `msg.recipient` (httpx, JSON)."""
    url = f"{config.telegram_api_url.rstrip('/')}/bot{config.telegram_bot_token}/sendMessage"
    text = f"{msg.subject}\n\n{msg.body}" if msg.subject else msg.body
    try:
        resp = http_client().post(
            url,
            json={"chat_id": msg.recipient, "text": text[:4096], "disable_web_page_preview": True},
            timeout=config.http_timeout_seconds,
        )
    except httpx.TimeoutException as e:
        raise DeliveryError(f"Telegram: таймаут ({type(e).__name__})", transient=True) from e
    except httpx.TransportError as e:
        raise DeliveryError(f"Telegram: {type(e).__name__}: {e}", transient=True) from e
    if resp.is_success:
        try:
            ok = bool(resp.json().get("ok"))
        except ValueError:
            ok = False
        if ok:
            return
        raise DeliveryError(f"Telegram: ответ без ok: {resp.text[:300]}", transient=False)
    raise _http_error("Telegram", resp)


Sender = Callable[[Message, Settings], None]

SENDERS: dict[str, Sender] = {Transport.SMTP: smtp_send, Transport.HTTP: sms_send}


def _configured(transport: str, config: Settings) -> bool:
    if transport == Transport.SMTP:
        return bool(config.smtp_host)
    if transport == Transport.HTTP:
        return bool(config.sms_gateway_url)
    return False


# --- the worker -----------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... capped at one hour."""
    return min(BACKOFF_BASE * (1 << max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)  # stale claims marked failed


def _claim(session: Session, *, limit: int, now: datetime) -> list[int]:
    """Move up to `limit` due queued rows to `sending`; return the ids this worker owns.

    One UPDATE statement: it only matches rows still `queued`, so a row is claimed once.
    On PostgreSQL the inner SELECT takes row locks with SKIP LOCKED, so workers skip each
    other's rows instead of waiting; on SQLite the statement takes the write lock at once.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            col(OutboxMessage.status) == DeliveryStatus.QUEUED,
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(due.scalar_subquery()),
            col(OutboxMessage.status) == DeliveryStatus.QUEUED,
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now)
        .returning(col(OutboxMessage.id))
    ).all()
    session.commit()
    return sorted(row[0] for row in claimed)


def _expire_stale(session: Session, *, now: datetime) -> list[int]:
    """Rows stuck in `sending` (worker died mid-send): fail them, never send twice."""
    expired = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == DeliveryStatus.SENDING,
            col(OutboxMessage.claimed_at) < now - STALE_CLAIM,
        )
        .values(
            status=DeliveryStatus.FAILED,
            error="Отправка прервана: результат неизвестен, повторно не отправлено.",
        )
        .returning(col(OutboxMessage.id))
    ).all()
    session.commit()
    return [row[0] for row in expired]


def deliver_pending(
    session: Session,
    *,
    config: Settings | None = None,
    limit: int = BATCH_SIZE,
    max_attempts: int = MAX_ATTEMPTS,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send due queued messages once. Safe to run in several workers at the same time.

    `config` points the transports at servers (tests pass a Settings for local fakes);
    `now` lets a caller step over a backoff delay.
    """
    config = config or settings
    now = now or utcnow()
    report = DeliveryReport(expired=_expire_stale(session, now=now))
    for msg_id in _claim(session, limit=limit, now=now):
        msg = session.get(OutboxMessage, msg_id, populate_existing=True)
        if msg is None:  # pragma: no cover - deleted between claim and send
            continue
        msg.attempts += 1
        try:
            if not _configured(msg.transport, config):
                raise DeliveryError(f"Транспорт «{msg.transport}» не настроен.", transient=False)
            SENDERS[msg.transport](msg, config)
        except DeliveryError as e:
            msg.error = e.reason[:1000]
            if e.transient and msg.attempts < max_attempts:
                msg.status = DeliveryStatus.QUEUED
                msg.next_attempt_at = now + backoff(msg.attempts)
                report.retrying.append(msg_id)
            else:
                msg.status = DeliveryStatus.FAILED
                report.failed.append(msg_id)
        except Exception as e:  # a bug in a sender must not leave the row claimed
            log.exception("sending outbox message %s failed", msg_id)
            msg.error = f"{type(e).__name__}: {e}"[:1000]
            msg.status = DeliveryStatus.FAILED
            report.failed.append(msg_id)
        else:
            msg.status = DeliveryStatus.SENT
            msg.sent_at = utcnow()
            msg.error = ""
            report.sent.append(msg_id)
        msg.claimed_at = None
        session.add(msg)
        session.commit()
    return report


def any_transport_configured(config: Settings | None = None) -> bool:
    config = config or settings
    return bool(config.smtp_host or config.sms_gateway_url)


async def delivery_loop(
    interval: float = WORKER_INTERVAL_SECONDS, config: Settings | None = None
) -> None:
    """The app's background task: deliver queued messages every `interval` seconds.

    Registered with `app.register_lifespan_task` in cabinet/cabinet.py; every worker process
    runs one, claiming keeps them apart. Without transport settings it returns at once.
    """
    from cabinet.db import session_scope

    if not any_transport_configured(config):
        return

    def run_once() -> DeliveryReport:
        with session_scope() as s:
            return deliver_pending(s, config=config)

    while True:
        try:
            report = await asyncio.to_thread(run_once)
            if report.sent or report.failed or report.retrying:
                log.info(
                    "outbox: sent %d, retrying %d, failed %d",
                    len(report.sent),
                    len(report.retrying),
                    len(report.failed),
                )
        except Exception:
            log.exception("outbox delivery run failed")
        await asyncio.sleep(interval)
