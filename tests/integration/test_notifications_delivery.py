"""The notification queue against real local servers: aiosmtpd, the HTTP SMS gateway and a
Telegram-compatible Bot API server."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from cabinet.notifications import delivery, rules
from cabinet.notifications.service import emit, resend, save_preferences
from cabinet.settings import Settings
from models import NotificationAttempt, NotificationDelivery, OutboxMessage, User
from models.base import utcnow
from models.notifications import AttemptOutcome, NotifyStatus
from tests.fakes.sms_gateway import FakeSMSGateway
from tests.fakes.smtp_server import FakeSMTP, free_port
from tests.fakes.telegram_server import UNKNOWN_CHAT, FakeTelegram

pytestmark = pytest.mark.db

_seq = itertools.count(1)
LOCAL = Settings(smtp_host="", sms_gateway_url="", telegram_bot_token="")
CTX = {"organisation": 'ООО "Ромашка"', "decision": "одобрен", "comment": "Проверили."}


def make_user(db: Session, *, chat: str = "", channels: list[str] | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Уведомляемов {n}",
        email=f"notify{n}@test.local",
        phone=f"+7904{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    assert user.id is not None
    if channels is not None or chat:
        save_preferences(
            db,
            actor_id=user.id,
            choices={"links.decided": channels or ["inapp", "email"]},
            telegram_chat_id=chat or None,
        )
    return user


def queued(db: Session, user: User, channel: str) -> NotificationDelivery:
    return db.exec(
        select(NotificationDelivery).where(
            NotificationDelivery.user_id == user.id, NotificationDelivery.channel == channel
        )
    ).one()


def attempts(db: Session, row: NotificationDelivery) -> list[NotificationAttempt]:
    return list(
        db.exec(
            select(NotificationAttempt)
            .where(NotificationAttempt.delivery_id == row.id)
            .order_by(col(NotificationAttempt.number))
        ).all()
    )


@pytest.fixture
def smtp():
    with FakeSMTP() as server:
        yield server


@pytest.fixture
def gateway():
    with FakeSMSGateway(token="sms-token") as gw:
        yield gw


@pytest.fixture
def telegram():
    with FakeTelegram() as tg:
        yield tg


@pytest.fixture
def servers(smtp, gateway, telegram) -> Settings:
    return Settings(
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_from="cabinet@test.local",
        sms_gateway_url=gateway.url,
        sms_gateway_token=gateway.token,
        telegram_api_url=telegram.url,
        telegram_bot_token=telegram.token,
        http_timeout_seconds=1.0,
    )


def test_emit_queues_one_row_per_allowed_and_chosen_channel(db: Session):
    user = make_user(db, chat="5551234", channels=["inapp", "email", "sms", "telegram"])
    default_user = make_user(db)

    emit(db, event="links.decided", recipient_ids=[user.id, default_user.id], context=CTX)
    db.flush()

    rows = db.exec(select(NotificationDelivery)).all()
    by_user = {(r.user_id, r.channel): r for r in rows}
    assert {c for u, c in by_user if u == user.id} == {"inapp", "email", "sms", "telegram"}
    assert {c for u, c in by_user if u == default_user.id} == {"inapp", "email"}
    assert by_user[(user.id, "telegram")].recipient == "5551234"
    assert by_user[(user.id, "sms")].recipient == user.phone
    assert by_user[(user.id, "inapp")].status == NotifyStatus.SENT
    assert by_user[(user.id, "email")].status == NotifyStatus.QUEUED
    assert 'ООО "Ромашка"' in by_user[(user.id, "email")].subject


def test_all_channels_delivered_to_the_real_local_servers(db, servers, smtp, gateway, telegram):
    user = make_user(db, chat="777000", channels=["inapp", "email", "sms", "telegram"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX, link="/organisations")
    db.commit()

    report = delivery.deliver_due(db, config=servers)

    assert len(report.sent) == 3 and not report.failed
    assert smtp.messages[0]["To"] == user.email
    assert "Ромашка" in smtp.messages[0]["Subject"]
    assert "/organisations" in smtp.messages[0].get_content()
    assert gateway.messages[0]["to"] == user.phone
    assert telegram.messages[0]["chat_id"] == "777000"
    for channel in ("email", "sms", "telegram"):
        row = queued(db, user, channel)
        db.refresh(row)
        assert (row.status, row.attempts) == (NotifyStatus.SENT, 1)
        assert [a.outcome for a in attempts(db, row)] == [AttemptOutcome.SENT]


def test_without_settings_email_goes_to_the_outbox_sms_to_the_log_telegram_skipped(db):
    user = make_user(db, chat="42", channels=["email", "sms", "telegram"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()

    report = delivery.deliver_due(db, config=LOCAL)

    assert len(report.sent) == 2 and len(report.skipped) == 1
    outbox = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).one()
    assert (outbox.transport, outbox.status) == ("local", "sent")
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == user.phone)).one()
    tg = queued(db, user, "telegram")
    db.refresh(tg)
    assert tg.status == NotifyStatus.SKIPPED and "не настроен" in tg.error
    assert [a.outcome for a in attempts(db, tg)] == [AttemptOutcome.SKIPPED]


def test_a_5xx_is_retried_with_backoff_then_sent(db, servers, gateway, telegram):
    user = make_user(db, chat="100", channels=["sms", "telegram"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    gateway.fail_next(2, status=503)
    telegram.fail_next(1, status=502)
    now = utcnow()

    first = delivery.deliver_due(db, config=servers, now=now)
    assert len(first.retrying) == 2
    sms = queued(db, user, "sms")
    db.refresh(sms)
    assert sms.status == NotifyStatus.QUEUED and "503" in sms.error
    assert sms.next_attempt_at == now + rules.backoff(1)
    assert delivery.deliver_due(db, config=servers, now=now).worked == 0  # not due yet

    second = delivery.deliver_due(db, config=servers, now=now + timedelta(seconds=31))
    third = delivery.deliver_due(db, config=servers, now=now + timedelta(minutes=5))

    assert len(second.sent) == 1 and len(third.sent) == 1
    db.refresh(sms)
    assert (sms.status, sms.attempts) == (NotifyStatus.SENT, 3)
    assert [a.outcome for a in attempts(db, sms)] == ["retry", "retry", "sent"]
    assert len(gateway.messages) == 1 and len(telegram.messages) == 1


def test_a_timeout_is_retried(db, servers, telegram):
    user = make_user(db, chat="101", channels=["telegram"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    telegram.delay = 1.5  # longer than http_timeout_seconds=1.0

    report = delivery.deliver_due(db, config=servers)

    assert len(report.retrying) == 1
    row = queued(db, user, "telegram")
    db.refresh(row)
    assert row.status == NotifyStatus.QUEUED and "таймаут" in row.error


def test_a_permanent_failure_is_recorded_with_its_reason(db, servers, smtp):
    user = make_user(db, chat=UNKNOWN_CHAT, channels=["email", "telegram"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    smtp.fail_next(1, code=550)

    report = delivery.deliver_due(db, config=servers)

    assert len(report.failed) == 2
    email, tg = queued(db, user, "email"), queued(db, user, "telegram")
    db.refresh(email)
    db.refresh(tg)
    assert email.status == NotifyStatus.FAILED and "550" in email.error
    assert tg.status == NotifyStatus.FAILED and "chat not found" in tg.error
    assert [a.outcome for a in attempts(db, tg)] == [AttemptOutcome.FAILED]


def test_attempts_are_capped_then_failed(db, gateway):
    config = Settings(sms_gateway_url=gateway.url, sms_gateway_token=gateway.token)
    user = make_user(db, channels=["sms"])
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    gateway.fail_next(10, status=500)
    now = utcnow()
    for step in range(rules.MAX_ATTEMPTS):
        delivery.deliver_due(db, config=config, now=now + timedelta(hours=step))
    row = queued(db, user, "sms")
    db.refresh(row)
    assert (row.status, row.attempts) == (NotifyStatus.FAILED, rules.MAX_ATTEMPTS)
    assert len(attempts(db, row)) == rules.MAX_ATTEMPTS


def test_smtp_server_down_is_transient(db):
    config = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), http_timeout_seconds=1.0)
    user = make_user(db)
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    report = delivery.deliver_due(db, config=config)
    assert len(report.retrying) == 1


def test_restart_with_stale_claims_never_sends_twice(db, servers, smtp):
    users = [make_user(db) for _ in range(2)]
    emit(db, event="links.decided", recipient_ids=[u.id for u in users], context=CTX)
    db.commit()
    now = utcnow()
    # A worker claims both e-mails, begins sending the first, and dies.
    claimed = delivery.claim(db, limit=10, now=now)
    assert len(claimed) == 2
    begun = delivery.begin_attempt(
        db, delivery_id=claimed[0], claimed_at=now, now=now, transport="smtp"
    )
    assert begun is not None
    # Another worker before the lease expires: nothing to take.
    assert delivery.deliver_due(db, config=servers, now=now + timedelta(minutes=1)).worked == 0
    # After the lease: the started one is failed (result unknown), the other is sent once.
    later = now + rules.LEASE + timedelta(seconds=1)
    report = delivery.deliver_due(db, config=servers, now=later)
    assert report.unknown == [claimed[0]] and report.requeued == [claimed[1]]
    assert report.sent == [claimed[1]]
    assert len(smtp.messages) == 1
    dead = db.get(NotificationDelivery, claimed[0])
    db.refresh(dead)
    assert dead.status == NotifyStatus.FAILED and "неизвестен" in dead.error
    assert [a.outcome for a in attempts(db, dead)] == [AttemptOutcome.UNKNOWN]
    # And again later: nothing more is sent.
    assert delivery.deliver_due(db, config=servers, now=later + timedelta(hours=2)).worked == 0
    assert len(smtp.messages) == 1


def test_a_lost_claim_is_not_sent(db, servers, smtp):
    user = make_user(db)
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    now = utcnow()
    [row_id] = delivery.claim(db, limit=10, now=now)
    stale = now - timedelta(seconds=1)  # not this worker's claim stamp
    assert (
        delivery.begin_attempt(db, delivery_id=row_id, claimed_at=stale, now=now, transport="smtp")
        is None
    )
    assert smtp.messages == []


def test_resend_of_failed_requeues_and_delivers(db, servers, smtp):
    from cabinet.access.rules import BuiltinRole
    from cabinet.access.service import ensure_builtin_roles, grant_role

    staff = make_user(db)
    ensure_builtin_roles(db)
    grant_role(db, user_id=staff.id, role_code=BuiltinRole.OPERATOR)
    user = make_user(db)
    emit(db, event="links.decided", recipient_ids=[user.id], context=CTX)
    db.commit()
    smtp.fail_next(1, code=554)
    delivery.deliver_due(db, config=servers)
    row = queued(db, user, "email")
    db.refresh(row)
    assert row.status == NotifyStatus.FAILED

    done = resend(db, actor_id=staff.id, delivery_ids=[row.id, row.id])
    assert done == [row.id]
    assert resend(db, actor_id=staff.id, delivery_ids=[row.id]) == []  # queued: left alone
    delivery.deliver_due(db, config=servers)

    db.refresh(row)
    assert (row.status, row.resends) == (NotifyStatus.SENT, 1)
    assert [a.outcome for a in attempts(db, row)] == ["failed", "sent"]
    assert len(smtp.messages) == 1
    assert resend(db, actor_id=staff.id, delivery_ids=[row.id]) == []  # sent: never again
