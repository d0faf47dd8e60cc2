"""Reads of the notifications module, scoped to the caller. Plain dicts for the pages.

In-app notifications: only the caller's own. Templates: NOTIFY_TEMPLATES_MANAGE. Delivery
statistics and the failed-deliveries list: NOTIFY_STATS_VIEW. Lists page with the keyset pager.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound, ValidationFailed
from cabinet.formatting import fmt_dt
from cabinet.notifications import rules
from cabinet.notifications.catalog import ALL_CHANNELS, CHANNEL_LABELS, EVENTS, LANGS, get_event
from cabinet.notifications.service import switched_off, templates_of
from cabinet.pagination import DEFAULT_LIMIT, Page, SortSpec, fetch_page
from models import Notification, NotificationAttempt, NotificationDelivery, User
from models.notifications import NotificationContact, NotificationPreference, NotifyStatus

NOTES_SPEC = SortSpec(
    "notifications", id=Notification.id, key=Notification.created_at, descending=True
)
FAILED_SPEC = SortSpec(
    "notify-failed",
    id=NotificationDelivery.id,
    key=NotificationDelivery.created_at,
    descending=True,
)
STATUSES = (
    NotifyStatus.SENT,
    NotifyStatus.FAILED,
    NotifyStatus.SKIPPED,
    NotifyStatus.QUEUED,
    NotifyStatus.SENDING,
)
NOT_DELIVERED = (NotifyStatus.FAILED, NotifyStatus.SKIPPED)
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 14


# --------------------------------------------------------------------------- in-app


def unread_count(session: Session, *, user_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        ).one()
    )


def list_notifications(
    session: Session,
    *,
    actor_id: int,
    unread_only: bool = False,
    after: str = "",
    before: str = "",
    limit: int = 20,
) -> Page[dict[str, str]]:
    """The caller's own notifications, newest first."""
    load_actor(session, actor_id)
    stmt = select(Notification).where(Notification.user_id == actor_id)
    if unread_only:
        stmt = stmt.where(col(Notification.read_at).is_(None))
    page = fetch_page(
        session, stmt, NOTES_SPEC, after=after, before=before, limit=limit, scalars=True
    )
    return Page(
        rows=[
            {
                "id": str(n.id),
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "event": n.event,
                "created": fmt_dt(n.created_at),
                "unread": "1" if n.read_at is None else "",
            }
            for n in page.rows
        ],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


# --------------------------------------------------------------------------- preferences


def my_preferences(session: Session, *, actor_id: int) -> dict[str, Any]:
    """Rows per event: for each channel "on" / "off" (selectable) or "" (not offered)."""
    actor = load_actor(session, actor_id)
    prefs = {
        p.event: set(p.channels or [])
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == actor_id)
        ).all()
    }
    rows = []
    for event, spec in EVENTS.items():
        if spec.audience == "staff" and not actor.is_staff:
            continue  # sent to staff only: nothing for a customer to choose
        selectable = rules.selectable_channels(spec, switched_off=switched_off(session, event))
        chosen = prefs.get(event, set(spec.default))
        row = {"event": event, "title_ru": spec.title_ru, "title_en": spec.title_en}
        for ch in ALL_CHANNELS:
            row[ch] = ("on" if ch in chosen else "off") if ch in selectable else ""
        rows.append(row)
    contact = session.get(NotificationContact, actor_id)
    return {"rows": rows, "telegram_chat_id": contact.telegram_chat_id if contact else ""}


# --------------------------------------------------------------------------- templates


def template_editor(
    session: Session, *, actor_id: int, event: str, channel: str, lang: str
) -> dict[str, Any]:
    """Everything the template page shows for one event × channel × language."""
    require(load_actor(session, actor_id), Perm.NOTIFY_TEMPLATES_MANAGE)
    if event not in EVENTS:
        raise NotFound("Событие не найдено.")
    spec = get_event(event)
    if channel not in spec.allowed:
        channel = next(c for c in ALL_CHANNELS if c in spec.allowed)
    lang = lang if lang in LANGS else "ru"
    subject, body = templates_of(session, event)[(channel, lang)]
    off = switched_off(session, event)
    return {
        "event": event,
        "channel": channel,
        "lang": lang,
        "subject": subject,
        "body": body,
        "variables": list(spec.variables),
        "switches": [
            {
                "channel": ch,
                "label": CHANNEL_LABELS[ch][0],
                "enabled": "1" if ch not in off else "",
            }
            for ch in ALL_CHANNELS
            if ch in spec.allowed
        ],
        "events": [{"value": e, "label": s.title_ru} for e, s in EVENTS.items()],
    }


def preview(event: str, channel: str, subject: str, body: str) -> dict[str, str]:
    """The template filled with the event's sample data, or the validation error."""
    spec = get_event(event)
    try:
        rules.validate_template(spec, channel, subject, body)
    except ValidationFailed as e:
        return {"subject": "", "body": "", "error": e.message, "field": e.field or ""}
    subj, text = rules.render_message(spec, channel, subject, body, spec.sample_context())
    return {"subject": subj, "body": text, "error": "", "field": ""}


# --------------------------------------------------------------------------- statistics


def parse_range(date_from: str, date_to: str, *, today: date | None = None) -> tuple[date, date]:
    """A validated [from, to] day range (UTC); defaults to the last two weeks."""
    today = today or datetime.now(UTC).date()

    def parse(text: str) -> date | None:
        try:
            return date.fromisoformat(str(text or "")[:10]) if text else None
        except ValueError as e:
            raise ValidationFailed("Дата в формате ГГГГ-ММ-ДД.", field="from") from e

    end = parse(date_to) or today
    start = parse(date_from) or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_RANGE_DAYS:
        start = end - timedelta(days=MAX_RANGE_DAYS - 1)
    return start, end


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    lo = datetime(start.year, start.month, start.day, tzinfo=UTC)
    hi = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    return lo, hi


def delivery_stats(
    session: Session, *, actor_id: int, date_from: str = "", date_to: str = "", channel: str = ""
) -> dict[str, Any]:
    """Deliveries per day by status and by channel, and totals, for a date range."""
    require(load_actor(session, actor_id), Perm.NOTIFY_STATS_VIEW)
    start, end = parse_range(date_from, date_to)
    lo, hi = _day_bounds(start, end)
    D = NotificationDelivery  # noqa: N806
    day = (
        func.date(D.created_at)
        if session.get_bind().dialect.name == "sqlite"
        else sa.cast(func.timezone("UTC", D.created_at), sa.Date)
    )
    stmt = (
        select(day.label("day"), D.status, D.channel, func.count().label("n"))
        .where(D.created_at >= lo, D.created_at < hi)
        .group_by(day, D.status, D.channel)
    )
    if channel in ALL_CHANNELS:
        stmt = stmt.where(D.channel == channel)
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    by_status = {d: {s.value: 0 for s in STATUSES} for d in days}
    by_channel = {d: dict.fromkeys(ALL_CHANNELS, 0) for d in days}
    totals = {s.value: 0 for s in STATUSES}
    channel_totals = dict.fromkeys(ALL_CHANNELS, 0)
    for d, status, ch, n in session.exec(stmt).all():
        key = d.isoformat() if isinstance(d, date) else str(d)[:10]
        if key not in by_status:
            continue
        by_status[key][status] = by_status[key].get(status, 0) + n
        by_channel[key][ch] = by_channel[key].get(ch, 0) + n
        totals[status] = totals.get(status, 0) + n
        channel_totals[ch] = channel_totals.get(ch, 0) + n
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "by_status": [{"day": d[8:10] + "." + d[5:7], **by_status[d]} for d in days],
        "by_channel": [{"day": d[8:10] + "." + d[5:7], **by_channel[d]} for d in days],
        "totals": totals,
        "channel_totals": channel_totals,
    }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_failed(
    session: Session,
    *,
    actor_id: int,
    recipient: str = "",
    channel: str = "",
    event: str = "",
    date_from: str = "",
    date_to: str = "",
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    """Deliveries that did not arrive (failed or skipped), newest first, per customer:
    `recipient` matches the customer's name, e-mail or phone, or the delivery address."""
    require(load_actor(session, actor_id), Perm.NOTIFY_STATS_VIEW)
    D = NotificationDelivery  # noqa: N806
    stmt = (
        select(D, User.full_name)
        .join(User, col(User.id) == D.user_id)
        .where(col(D.status).in_(NOT_DELIVERED))
    )
    if channel in ALL_CHANNELS:
        stmt = stmt.where(D.channel == channel)
    if event in EVENTS:
        stmt = stmt.where(D.event == event)
    if date_from or date_to:
        lo, hi = _day_bounds(*parse_range(date_from, date_to))
        stmt = stmt.where(D.created_at >= lo, D.created_at < hi)
    who = " ".join(str(recipient or "").split())[:100]
    if who:
        # PostgreSQL's ILIKE folds Cyrillic case; SQLite's only folds ASCII, so there the
        # typed text is also tried in lower and title case.
        variants = (
            {who}
            if session.get_bind().dialect.name != "sqlite"
            else {
                who,
                who.lower(),
                who.title(),
            }
        )
        fields = (User.full_name, User.email, User.phone, D.recipient)
        stmt = stmt.where(
            sa.or_(*(col(f).ilike(_like(v), escape="\\") for f in fields for v in sorted(variants)))
        )

    def key_of(row: Any) -> tuple[Any, int]:
        return row[0].created_at, row[0].id

    page = fetch_page(
        session, stmt, FAILED_SPEC, after=after, before=before, limit=limit, key_of=key_of
    )
    rows = []
    for d, name in page.rows:
        rows.append(
            {
                "id": str(d.id),
                "created": fmt_dt(d.created_at),
                "user": name,
                "recipient": d.recipient,
                "channel": d.channel,
                "event": EVENTS[d.event].title_ru if d.event in EVENTS else d.event,
                "status": d.status,
                "error": d.error,
                "attempts": str(d.attempts),
                "resends": str(d.resends),
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def delivery_attempts(session: Session, *, actor_id: int, delivery_id: int) -> list[dict[str, str]]:
    require(load_actor(session, actor_id), Perm.NOTIFY_STATS_VIEW)
    return [
        {
            "number": str(a.number),
            "transport": a.transport,
            "outcome": a.outcome,
            "error": a.error,
            "started": fmt_dt(a.started_at),
        }
        for a in session.exec(
            select(NotificationAttempt)
            .where(NotificationAttempt.delivery_id == delivery_id)
            .order_by(col(NotificationAttempt.id))
        ).all()
    ]
