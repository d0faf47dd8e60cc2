"""Notifications services and queries on a real database: templates, switches, preferences,
the bell, statistics, the failed list and who may see what."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import Session, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.notifications import delivery, queries
from cabinet.notifications.catalog import EVENTS
from cabinet.notifications.rules import TemplateError
from cabinet.notifications.service import (
    emit,
    mark_all_read,
    mark_read,
    resend,
    reset_template,
    save_preferences,
    save_template,
    seed_default_templates,
    set_channel_enabled,
)
from cabinet.settings import Settings
from models import AuditEvent, NotificationDelivery, NotificationTemplate, User

pytestmark = pytest.mark.db

_seq = itertools.count(1)
CTX = {"organisation": 'ООО "Ромашка"', "decision": "одобрен", "comment": ""}


def make_user(db: Session, role: str | None = None, *, lang: str = "ru") -> User:
    n = next(_seq)
    user = User(
        full_name=f"Сервисов {n}",
        email=f"notify-svc{n}@test.local",
        phone=f"+7905{n:07d}",
        password_hash="x",
        lang=lang,
    )
    db.add(user)
    db.flush()
    if role:
        ensure_builtin_roles(db)
        grant_role(db, user_id=user.id, role_code=role)
    return user


def deliveries(db: Session, user: User) -> dict[str, NotificationDelivery]:
    rows = db.exec(select(NotificationDelivery).where(NotificationDelivery.user_id == user.id))
    return {r.channel: r for r in rows}


def test_unknown_variable_is_refused_when_the_template_is_saved(db):
    admin = make_user(db, BuiltinRole.ADMIN)
    with pytest.raises(TemplateError) as err:
        save_template(
            db,
            actor_id=admin.id,
            event="links.decided",
            channel="email",
            lang="ru",
            subject="Запрос: {decision}",
            body="Здравствуйте, {user_name}! Баланс: {balance}",
        )
    assert "{balance}" in err.value.message and err.value.field == "body"
    assert db.exec(select(NotificationTemplate)).all() == []


def test_a_saved_template_is_used_by_emit_and_audited(db):
    admin = make_user(db, BuiltinRole.ADMIN)
    customer = make_user(db)
    save_template(
        db,
        actor_id=admin.id,
        event="links.decided",
        channel="email",
        lang="ru",
        subject="Решение: {decision} ({organisation})",
        body="{user_name}, ваш запрос {decision}. {link}",
    )
    emit(db, event="links.decided", recipient_ids=[customer.id], context=CTX, link="/x")
    db.flush()
    email = deliveries(db, customer)["email"]
    assert email.subject == 'Решение: одобрен (ООО "Ромашка")'
    assert email.body.startswith(f"{customer.full_name}, ваш запрос одобрен.")
    assert email.body.endswith("/x")
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "notifications.template_saved")
    ).first()


def test_english_speakers_get_the_english_template(db):
    customer = make_user(db, lang="en")
    emit(db, event="links.decided", recipient_ids=[customer.id], context=CTX)
    db.flush()
    assert deliveries(db, customer)["email"].subject.startswith("Link request to")


def test_a_channel_switched_off_by_staff_is_not_queued_nor_selectable(db):
    admin = make_user(db, BuiltinRole.ADMIN)
    customer = make_user(db)
    save_preferences(db, actor_id=customer.id, choices={"links.decided": ["email", "sms"]})
    set_channel_enabled(db, actor_id=admin.id, event="links.decided", channel="sms", enabled=False)

    emit(db, event="links.decided", recipient_ids=[customer.id], context=CTX)
    db.flush()

    assert set(deliveries(db, customer)) == {"email"}
    row = next(
        r
        for r in queries.my_preferences(db, actor_id=customer.id)["rows"]
        if r["event"] == "links.decided"
    )
    assert (row["email"], row["sms"], row["inapp"]) == ("on", "", "off")


def test_preferences_keep_only_what_the_event_allows(db):
    customer = make_user(db)
    save_preferences(
        db,
        actor_id=customer.id,
        choices={"links.decided": ["sms", "pigeon"], "no.such": ["email"]},
        telegram_chat_id=" 123456 ",
    )
    prefs = queries.my_preferences(db, actor_id=customer.id)
    assert prefs["telegram_chat_id"] == "123456"
    row = next(r for r in prefs["rows"] if r["event"] == "links.decided")
    assert (row["sms"], row["email"]) == ("on", "off")
    with pytest.raises(ValidationFailed):
        save_preferences(db, actor_id=customer.id, choices={}, telegram_chat_id="drop table")


def test_customers_may_not_edit_templates_or_see_statistics(db):
    customer = make_user(db, BuiltinRole.CUSTOMER)
    operator = make_user(db, BuiltinRole.OPERATOR)
    with pytest.raises(PermissionDenied):
        save_template(
            db,
            actor_id=customer.id,
            event="links.decided",
            channel="email",
            lang="ru",
            subject="x",
            body="y",
        )
    with pytest.raises(PermissionDenied):
        set_channel_enabled(
            db, actor_id=operator.id, event="links.decided", channel="sms", enabled=False
        )
    for fn in (queries.delivery_stats, queries.list_failed):
        with pytest.raises(PermissionDenied):
            fn(db, actor_id=customer.id)
    with pytest.raises(PermissionDenied):
        queries.template_editor(
            db, actor_id=customer.id, event="links.decided", channel="email", lang="ru"
        )
    with pytest.raises(PermissionDenied):
        resend(db, actor_id=customer.id, delivery_ids=[1])
    assert queries.delivery_stats(db, actor_id=operator.id)["totals"]["sent"] >= 0


def test_a_user_reads_and_marks_only_own_notifications(db):
    alice, bob = make_user(db), make_user(db)
    emit(db, event="support.status_changed", recipient_ids=[alice.id], context={"status": "x"})
    emit(db, event="links.decided", recipient_ids=[alice.id, bob.id], context=CTX)
    db.commit()

    assert queries.unread_count(db, user_id=alice.id) == 2
    page = queries.list_notifications(db, actor_id=bob.id)
    assert len(page.rows) == 1
    alice_note = queries.list_notifications(db, actor_id=alice.id).rows[0]
    with pytest.raises(NotFound):
        mark_read(db, actor_id=bob.id, notification_id=int(alice_note["id"]))
    mark_read(db, actor_id=alice.id, notification_id=int(alice_note["id"]))
    assert queries.unread_count(db, user_id=alice.id) == 1
    assert mark_all_read(db, actor_id=alice.id) == 1
    assert queries.unread_count(db, user_id=alice.id) == 0
    assert queries.unread_count(db, user_id=bob.id) == 1


def test_notification_list_pages_by_keyset(db):
    user = make_user(db)
    for i in range(5):
        emit(db, event="support.status_changed", recipient_ids=[user.id], context={"status": i})
    db.commit()
    first = queries.list_notifications(db, actor_id=user.id, limit=2)
    second = queries.list_notifications(db, actor_id=user.id, limit=2, after=first.next_after)
    third = queries.list_notifications(db, actor_id=user.id, limit=2, after=second.next_after)
    ids = [r["id"] for p in (first, second, third) for r in p.rows]
    assert len(ids) == 5 == len(set(ids)) and not third.has_next


def test_statistics_count_by_day_status_and_channel_and_failed_list_filters(db):
    operator = make_user(db, BuiltinRole.OPERATOR)
    ok, broken = make_user(db), make_user(db)
    save_preferences(db, actor_id=broken.id, choices={"links.decided": ["telegram"]})
    emit(db, event="links.decided", recipient_ids=[ok.id, broken.id], context=CTX)
    db.commit()
    delivery.deliver_due(db, config=Settings(smtp_host="", sms_gateway_url=""))

    stats = queries.delivery_stats(db, actor_id=operator.id)
    assert stats["totals"]["sent"] >= 2 and stats["totals"]["skipped"] >= 1
    assert sum(d["telegram"] for d in stats["by_channel"]) >= 1
    assert len(stats["by_status"]) == 14

    failed = queries.list_failed(db, actor_id=operator.id, recipient=broken.full_name.upper())
    assert [r["user"] for r in failed.rows] == [broken.full_name]
    assert queries.list_failed(db, actor_id=operator.id, recipient=ok.email).rows == []
    assert queries.list_failed(db, actor_id=operator.id, recipient="100%_").rows == []


def test_seeding_default_templates_is_idempotent(db):
    first = seed_default_templates(db)
    assert first == sum(len(s.allowed) * 2 for s in EVENTS.values())
    assert seed_default_templates(db) == 0


def test_preview_renders_sample_data_or_explains_the_error(db):
    good = queries.preview("links.decided", "email", "О {organisation}", "Привет, {user_name}")
    assert good["subject"] == 'О ООО "Ромашка"' and good["error"] == ""
    bad = queries.preview("links.decided", "sms", "", "Баланс {balance}")
    assert "{balance}" in bad["error"]


def test_reset_puts_the_shipped_text_back(db):
    admin = make_user(db, BuiltinRole.ADMIN)
    save_template(
        db,
        actor_id=admin.id,
        event="links.decided",
        channel="sms",
        lang="ru",
        subject="",
        body="Своё: {decision}",
    )
    tpl = reset_template(db, actor_id=admin.id, event="links.decided", channel="sms", lang="ru")
    assert tpl.body == EVENTS["links.decided"].ru.short
    with pytest.raises(NotFound):
        reset_template(db, actor_id=admin.id, event="links.decided", channel="fax", lang="ru")
