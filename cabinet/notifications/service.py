"""Writers of the notifications module.

`emit()` is the API every other module calls: it adds rows in the CALLER's transaction and
does not commit, so a notification exists exactly when the business change does. The other
functions are user actions (one transaction each, audited where staff change something).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound, ValidationFailed
from cabinet.notifications import rules
from cabinet.notifications.catalog import (
    ALL_CHANNELS,
    EVENTS,
    LANGS,
    default_template,
    get_event,
)
from cabinet.settings import settings
from models import User
from models.base import utcnow
from models.notifications import (
    Notification,
    NotificationChannelSwitch,
    NotificationContact,
    NotificationDelivery,
    NotificationPreference,
    NotificationTemplate,
    NotifyChannel,
    NotifyStatus,
)

MAX_RESEND = 200  # deliveries re-queued by one click


# --------------------------------------------------------------------------- lookups


def switched_off(session: Session, event: str) -> set[str]:
    """Channels staff turned off for `event`."""
    return set(
        session.exec(
            select(NotificationChannelSwitch.channel).where(
                NotificationChannelSwitch.event == event,
                col(NotificationChannelSwitch.enabled).is_(False),
            )
        ).all()
    )


def templates_of(session: Session, event: str) -> dict[tuple[str, str], tuple[str, str]]:
    """{(channel, lang): (subject, body)}: saved templates over the shipped defaults."""
    spec = get_event(event)
    found = {
        (t.channel, t.lang): (t.subject, t.body)
        for t in session.exec(
            select(NotificationTemplate).where(NotificationTemplate.event == event)
        ).all()
    }
    return {
        (ch, lang): found.get((ch, lang)) or default_template(event, ch, lang)
        for ch in spec.allowed
        for lang in LANGS
    }


def absolute_link(link: str) -> str:
    if not link:
        return settings.public_url
    if link.startswith("/"):
        return settings.public_url.rstrip("/") + link
    return link


# --------------------------------------------------------------------------- emit


def emit(
    session: Session,
    *,
    event: str,
    recipient_ids: Iterable[int],
    context: Mapping[str, object],
    link: str = "",
) -> None:
    """Notify users of `event`. Adds rows in the caller's transaction; does not commit.

    For each recipient (blocked users are skipped): one in-app `Notification` when the
    in-app channel applies, and one `NotificationDelivery` per channel the event allows, staff
    left on and the user chose (their default if they never chose). The texts are rendered now
    from the current templates, so the queue holds what will be sent. `link` is a portal path
    ("/support/request?id=5") or an absolute URL; templates see it as `{link}`.
    """
    spec = get_event(event)
    ids = sorted({int(i) for i in recipient_ids})
    if not ids:
        return
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    off = switched_off(session, event)
    prefs = {
        p.user_id: list(p.channels or [])
        for p in session.exec(
            select(NotificationPreference).where(
                col(NotificationPreference.user_id).in_(ids),
                NotificationPreference.event == event,
            )
        ).all()
    }
    chats = {
        c.user_id: c.telegram_chat_id
        for c in session.exec(
            select(NotificationContact).where(col(NotificationContact.user_id).in_(ids))
        ).all()
    }
    texts = templates_of(session, event)
    full_link = absolute_link(link)
    now = utcnow()
    for user in users:
        if user.is_blocked or user.id is None:
            continue
        lang = user.lang if user.lang in LANGS else "ru"
        ctx = {**context, "user_name": user.full_name, "link": full_link}
        for channel in rules.effective_channels(spec, switched_off=off, chosen=prefs.get(user.id)):
            subject, body = rules.render_message(spec, channel, *texts[(channel, lang)], ctx)
            row = NotificationDelivery(
                user_id=user.id,
                event=event,
                channel=channel,
                subject=subject,
                body=body,
                created_at=now,
                updated_at=now,
                next_attempt_at=now,
            )
            if channel == NotifyChannel.INAPP:
                note = Notification(
                    user_id=user.id,
                    event=event,
                    title=subject or spec.title_ru,
                    body=body,
                    link=link[:500],
                    created_at=now,
                )
                session.add(note)
                session.flush()
                row.notification_id = note.id
                row.recipient = str(user.id)
                row.status, row.transport, row.sent_at = NotifyStatus.SENT, "inapp", now
                row.next_attempt_at = None
            else:
                row.recipient = {
                    NotifyChannel.EMAIL: user.email,
                    NotifyChannel.SMS: user.phone,
                    NotifyChannel.TELEGRAM: chats.get(user.id, ""),
                }.get(NotifyChannel(channel), "")
                if not row.recipient:
                    row.status, row.next_attempt_at = NotifyStatus.SKIPPED, None
                    row.error = "Нет адреса получателя для этого канала."
            session.add(row)


# --------------------------------------------------------------------------- in-app


def mark_read(session: Session, *, actor_id: int, notification_id: int) -> None:
    """Mark one of the caller's own notifications read (someone else's: not found)."""
    load_actor(session, actor_id)
    note = session.get(Notification, notification_id) if 0 < notification_id < 2**31 else None
    if note is None or note.user_id != actor_id:
        raise NotFound("Уведомление не найдено.")
    if note.read_at is None:
        note.read_at = utcnow()
        session.add(note)
    session.commit()


def mark_all_read(session: Session, *, actor_id: int) -> int:
    load_actor(session, actor_id)
    result = session.exec(
        update(Notification)
        .where(col(Notification.user_id) == actor_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    session.commit()
    return int(result.rowcount or 0)


# --------------------------------------------------------------------------- user preferences


def save_preferences(
    session: Session,
    *,
    actor_id: int,
    choices: Mapping[str, Iterable[str]],
    telegram_chat_id: str | None = None,
) -> None:
    """The caller's channels per event (restricted to what each event lets them choose) and,
    optionally, their Telegram chat id."""
    load_actor(session, actor_id)
    for event, channels in choices.items():
        if event not in EVENTS:
            continue
        spec = EVENTS[event]
        picked = rules.clean_choice(spec, channels, switched_off=switched_off(session, event))
        pref = session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id == actor_id, NotificationPreference.event == event
            )
        ).first()
        if pref is None:
            pref = NotificationPreference(user_id=actor_id, event=event, channels=picked)
        pref.channels, pref.updated_at = picked, utcnow()
        session.add(pref)
    if telegram_chat_id is not None:
        chat = rules_chat_id(telegram_chat_id)
        contact = session.get(NotificationContact, actor_id) or NotificationContact(
            user_id=actor_id
        )
        contact.telegram_chat_id, contact.updated_at = chat, utcnow()
        session.add(contact)
    session.commit()


def rules_chat_id(value: str) -> str:
    """A Telegram chat id: an integer (groups are negative) or @channelname."""
    text = "".join(str(value or "").split())
    if not text:
        return ""
    if text.startswith("@") and 5 <= len(text) <= 33 and text[1:].replace("_", "").isalnum():
        return text
    digits = text[1:] if text.startswith("-") else text
    if digits.isdigit() and len(digits) <= 20:
        return text
    raise ValidationFailed(
        "Chat id Telegram — это число (например, 123456789) или @имя_канала.",
        field="telegram_chat_id",
    )


# --------------------------------------------------------------------------- staff: templates


def save_template(
    session: Session,
    *,
    actor_id: int,
    event: str,
    channel: str,
    lang: str,
    subject: str,
    body: str,
    ip: str = "",
) -> NotificationTemplate:
    """Save one template; unknown variables are refused HERE, not when sending."""
    actor = require(load_actor(session, actor_id), Perm.NOTIFY_TEMPLATES_MANAGE)
    if event not in EVENTS:
        raise NotFound("Событие не найдено.")
    if lang not in LANGS:
        raise ValidationFailed("Неизвестный язык.", field="lang")
    if channel not in ALL_CHANNELS:
        raise ValidationFailed("Неизвестный канал.", field="channel")
    subject = " ".join(str(subject or "").split())
    body = str(body or "").replace("\r\n", "\n").strip()
    rules.validate_template(EVENTS[event], channel, subject, body)
    tpl = session.exec(
        select(NotificationTemplate).where(
            NotificationTemplate.event == event,
            NotificationTemplate.channel == channel,
            NotificationTemplate.lang == lang,
        )
    ).first()
    before = None
    if tpl is None:
        tpl = NotificationTemplate(event=event, channel=channel, lang=lang)
    else:
        before = {"subject": tpl.subject, "body": tpl.body}
    tpl.subject, tpl.body = subject, body
    tpl.updated_by, tpl.updated_at = actor.id, utcnow()
    session.add(tpl)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="notifications.template_saved",
        object_type="notification_template",
        object_id=f"{event}/{channel}/{lang}",
        before=before,
        after={"subject": subject, "body": body},
        ip=ip,
    )
    session.commit()
    return tpl


def reset_template(
    session: Session, *, actor_id: int, event: str, channel: str, lang: str, ip: str = ""
) -> NotificationTemplate:
    """Put the shipped text back (saved and audited like any edit)."""
    if event not in EVENTS or channel not in EVENTS[event].allowed or lang not in LANGS:
        require(load_actor(session, actor_id), Perm.NOTIFY_TEMPLATES_MANAGE)
        raise NotFound("Шаблон не найден.")
    subject, body = default_template(event, channel, lang)
    return save_template(
        session,
        actor_id=actor_id,
        event=event,
        channel=channel,
        lang=lang,
        subject=subject,
        body=body,
        ip=ip,
    )


def set_channel_enabled(
    session: Session, *, actor_id: int, event: str, channel: str, enabled: bool, ip: str = ""
) -> None:
    """Staff switch a channel of an event on or off."""
    actor = require(load_actor(session, actor_id), Perm.NOTIFY_TEMPLATES_MANAGE)
    if event not in EVENTS:
        raise NotFound("Событие не найдено.")
    if channel not in EVENTS[event].allowed:
        raise ValidationFailed("Этот канал не разрешён для события.", field="channel")
    row = session.exec(
        select(NotificationChannelSwitch).where(
            NotificationChannelSwitch.event == event, NotificationChannelSwitch.channel == channel
        )
    ).first()
    was = True if row is None else row.enabled
    row = row or NotificationChannelSwitch(event=event, channel=channel)
    row.enabled, row.updated_at = bool(enabled), utcnow()
    session.add(row)
    audit.record(
        session,
        actor_id=actor.id,
        action="notifications.channel_switched",
        object_type="notification_event",
        object_id=f"{event}/{channel}",
        before={"enabled": was},
        after={"enabled": bool(enabled)},
        ip=ip,
    )
    session.commit()


def seed_default_templates(session: Session) -> int:
    """Store the shipped texts for every event × allowed channel × language that has no row
    yet. Idempotent; commits. Without it emit() still uses the same defaults."""
    have = set(
        session.exec(
            select(
                NotificationTemplate.event, NotificationTemplate.channel, NotificationTemplate.lang
            )
        ).all()
    )
    added = 0
    for event, spec in EVENTS.items():
        for channel in ALL_CHANNELS:
            if channel not in spec.allowed:
                continue
            for lang in LANGS:
                if (event, channel, lang) in have:
                    continue
                subject, body = default_template(event, channel, lang)
                session.add(
                    NotificationTemplate(
                        event=event, channel=channel, lang=lang, subject=subject, body=body
                    )
                )
                added += 1
    session.commit()
    return added


# --------------------------------------------------------------------------- staff: resend


def resend(
    session: Session, *, actor_id: int, delivery_ids: Iterable[int], ip: str = ""
) -> list[int]:
    """Put failed or skipped deliveries back in the queue (a fresh round of attempts).

    Sent, queued and in-flight rows are left alone, so a resend never duplicates a message.
    Returns the ids re-queued; each is audited.
    """
    actor = require(load_actor(session, actor_id), Perm.NOTIFY_STATS_VIEW)
    ids = sorted({int(i) for i in delivery_ids if 0 < int(i) < 2**31})[:MAX_RESEND]
    if not ids:
        raise ValidationFailed("Выберите доставки для повторной отправки.")
    now = utcnow()
    rows = session.exec(
        select(NotificationDelivery)
        .where(
            col(NotificationDelivery.id).in_(ids),
            col(NotificationDelivery.status).in_([NotifyStatus.FAILED, NotifyStatus.SKIPPED]),
            NotificationDelivery.channel != NotifyChannel.INAPP,
        )
        .with_for_update()
    ).all()
    done: list[int] = []
    for row in rows:
        assert row.id is not None
        before: dict[str, Any] = {"status": row.status, "error": row.error}
        row.status, row.attempts, row.resends = NotifyStatus.QUEUED, 0, row.resends + 1
        row.next_attempt_at, row.claimed_at, row.updated_at = now, None, now
        session.add(row)
        audit.record(
            session,
            actor_id=actor.id,
            action="notifications.resend",
            object_type="notification_delivery",
            object_id=row.id,
            before=before,
            after={"status": NotifyStatus.QUEUED},
            ip=ip,
        )
        done.append(row.id)
    session.commit()
    return done
