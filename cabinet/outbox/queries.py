"""Reads of the outbox: newest first, filtered by channel and recipient, keyset-paged.

Both functions reload the caller and require OUTBOX_VIEW: the outbox holds confirmation
codes, so only staff who hold the permission read it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound
from cabinet.formatting import fmt_dt_seconds as fmt_dt
from cabinet.pagination import DEFAULT_LIMIT, Page, SortSpec, fetch_page
from models import OutboxMessage
from models.messaging import Channel

OUTBOX_SPEC = SortSpec("outbox", id=OutboxMessage.id, key=OutboxMessage.created_at, descending=True)
CHANNELS = frozenset(c.value for c in Channel)
MAX_RECIPIENT = 254
PREVIEW_CHARS = 90


def _preview(msg: Any) -> str:
    text = " ".join((msg.subject or msg.body or "").split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _row(msg: Any) -> dict[str, str]:
    return {
        "id": str(msg.id),
        "created": fmt_dt(msg.created_at),
        "channel": msg.channel,
        "recipient": msg.recipient,
        "subject": msg.subject,
        "preview": _preview(msg),
        "transport": msg.transport,
        "status": msg.status,
        "attempts": str(msg.attempts),
        "error": msg.error,
    }


def normalise_recipient(text: str) -> str:
    """Lower case without spaces; a phone typed with dashes or brackets loses them."""
    value = "".join(str(text or "").split()).lower()
    if value and set(value) <= set("+0123456789-()"):
        value = value.replace("-", "").replace("(", "").replace(")", "")
    return value[:MAX_RECIPIENT]


def list_messages(
    session: Session,
    *,
    actor_id: int,
    channel: str = "",
    recipient: str = "",
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    """One page of outgoing messages, newest first.

    `recipient` matches any part of the address or phone, case-insensitive ("ivanov@",
    "@example.ru", "9991234567"); bodies are not searched.
    """
    require(load_actor(session, actor_id), Perm.OUTBOX_VIEW)
    stmt = select(OutboxMessage)
    if channel in CHANNELS:
        stmt = stmt.where(OutboxMessage.channel == channel)
    who = normalise_recipient(recipient)
    if who:
        escaped = who.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(OutboxMessage.recipient).ilike(f"%{escaped}%", escape="\\"))
    page = fetch_page(
        session, stmt, OUTBOX_SPEC, after=after, before=before, limit=limit, scalars=True
    )
    return Page(
        rows=[_row(m) for m in page.rows], next_after=page.next_after, prev_before=page.prev_before
    )


def get_message(session: Session, *, actor_id: int, message_id: int) -> dict[str, str]:
    """One message with its whole body."""
    require(load_actor(session, actor_id), Perm.OUTBOX_VIEW)
    msg = session.get(OutboxMessage, message_id) if 0 < message_id < 2**31 else None
    if msg is None:
        raise NotFound("Сообщение не найдено.")
    row = _row(msg)
    row["body"] = msg.body
    row["sent"] = fmt_dt(msg.sent_at)
    return row
