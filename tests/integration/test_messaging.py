"""Outgoing e-mail and SMS against real local servers: aiosmtpd and a Starlette SMS gateway."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, col, delete, select

from cabinet.messaging import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    backoff,
    deliver_pending,
    send_email,
    send_sms,
)
from cabinet.settings import Settings
from models import OutboxMessage
from models.base import utcnow
from models.messaging import DeliveryStatus, Transport
from tests.fakes.sms_gateway import FakeSMSGateway
from tests.fakes.smtp_server import FakeSMTP, free_port

pytestmark = pytest.mark.db

LOCAL = Settings(smtp_host="", sms_gateway_url="")


@pytest.fixture
def smtp():
    with FakeSMTP() as server:
        yield server


@pytest.fixture
def gateway():
    with FakeSMSGateway(token="secret-token") as gw:
        yield gw


def smtp_settings(server: FakeSMTP, **extra) -> Settings:
    return Settings(
        smtp_host=server.host, smtp_port=server.port, smtp_from="cabinet@test.local", **extra
    )


def sms_settings(gw: FakeSMSGateway, **extra) -> Settings:
    return Settings(
        sms_gateway_url=gw.url,
        sms_gateway_token=gw.token,
        http_timeout_seconds=extra.pop("timeout", 2.0),
        **extra,
    )


def test_without_settings_the_row_is_the_local_delivery(db: Session):
    email = send_email(db, to="a@example.com", subject="Код", body="Код: 123456", config=LOCAL)
    sms = send_sms(db, to="+79990000001", body="Код: 654321", config=LOCAL)
    db.commit()

    report = deliver_pending(db, config=LOCAL)

    assert report.sent == [] and report.failed == []
    for row in (email, sms):
        db.refresh(row)
        assert (row.status, row.transport, row.attempts) == ("sent", "local", 0)


def test_email_is_sent_over_smtp(db: Session, smtp: FakeSMTP):
    config = smtp_settings(smtp)
    row = send_email(
        db, to="ivanov@example.com", subject="Подтверждение", body="Ваш код: 246810", config=config
    )
    db.commit()
    assert (row.status, row.transport) == ("queued", "smtp")

    report = deliver_pending(db, config=config)

    assert report.sent == [row.id]
    db.refresh(row)
    assert (row.status, row.attempts, row.error) == ("sent", 1, "")
    assert row.sent_at is not None
    [received] = smtp.messages
    assert received["To"] == "ivanov@example.com"
    assert received["From"] == "cabinet@test.local"
    assert received["Subject"] == "Подтверждение"
    assert "Ваш код: 246810" in received.get_content()


def test_smtp_login_is_used_when_a_user_is_set(db: Session):
    with FakeSMTP(user="mailer", password="pw-1") as server:
        config = smtp_settings(server, smtp_user="mailer", smtp_password="pw-1")
        row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
        db.commit()
        deliver_pending(db, config=config)
        db.refresh(row)
        assert row.status == "sent"
        assert server.logins == ["mailer"]
        assert len(server.messages) == 1


def test_wrong_smtp_password_is_a_permanent_failure(db: Session):
    with FakeSMTP(user="mailer", password="pw-1") as server:
        config = smtp_settings(server, smtp_user="mailer", smtp_password="wrong")
        row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
        db.commit()
        report = deliver_pending(db, config=config)
        db.refresh(row)
        assert report.failed == [row.id]
        assert row.status == "failed"
        assert "535" in row.error
        assert server.messages == []


def test_smtp_temporary_error_is_retried_after_backoff(db: Session, smtp: FakeSMTP):
    config = smtp_settings(smtp)
    smtp.fail_next(1, code=451)
    row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
    db.commit()

    first = deliver_pending(db, config=config)
    db.refresh(row)
    assert first.retrying == [row.id]
    assert (row.status, row.attempts) == ("queued", 1)
    assert "451" in row.error
    assert row.next_attempt_at is not None

    # Not due yet: nothing happens.
    assert deliver_pending(db, config=config).sent == []
    assert smtp.messages == []

    later = row.next_attempt_at + timedelta(seconds=1)
    second = deliver_pending(db, config=config, now=later)
    db.refresh(row)
    assert second.sent == [row.id]
    assert (row.status, row.attempts, row.error) == ("sent", 2, "")
    assert len(smtp.messages) == 1


def test_smtp_permanent_error_fails_at_once(db: Session, smtp: FakeSMTP):
    config = smtp_settings(smtp)
    smtp.fail_next(1, code=554)
    row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
    db.commit()

    report = deliver_pending(db, config=config)

    db.refresh(row)
    assert report.failed == [row.id]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "554" in row.error


def test_unreachable_smtp_server_is_retried_then_fails_after_the_limit(db: Session):
    config = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), http_timeout_seconds=1)
    row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
    db.commit()

    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_pending(db, config=config, now=now)
        db.refresh(row)
        assert row.attempts == attempt
        now += backoff(attempt) + timedelta(seconds=1)

    assert row.status == "failed"
    assert "ConnectionRefusedError" in row.error
    # A failed row is never picked up again.
    assert deliver_pending(db, config=config, now=now + timedelta(days=1)).sent == []


def test_sms_is_posted_to_the_gateway_with_the_bearer_token(db: Session, gateway):
    config = sms_settings(gateway)
    row = send_sms(db, to="+79991234567", body="Код подтверждения: 135790", config=config)
    db.commit()
    assert (row.status, row.transport) == ("queued", "http")

    report = deliver_pending(db, config=config)

    db.refresh(row)
    assert report.sent == [row.id]
    assert (row.status, row.attempts) == ("sent", 1)
    assert gateway.messages == [{"to": "+79991234567", "text": "Код подтверждения: 135790"}]


def test_sms_gateway_500_is_retried_and_sent_once(db: Session, gateway):
    config = sms_settings(gateway)
    gateway.fail_next(2, status=500)
    row = send_sms(db, to="+79991234567", body="hello", config=config)
    db.commit()

    now = utcnow()
    for _ in range(3):
        deliver_pending(db, config=config, now=now)
        db.refresh(row)
        now = (row.next_attempt_at or now) + timedelta(seconds=1)

    assert (row.status, row.attempts) == ("sent", 3)
    assert gateway.requests == 3
    assert len(gateway.messages) == 1
    # Nothing is sent twice: later runs find nothing to do.
    deliver_pending(db, config=config, now=now + timedelta(hours=2))
    assert gateway.requests == 3


def test_sms_gateway_timeout_is_transient(db: Session, gateway):
    config = sms_settings(gateway, timeout=0.3)
    gateway.delay = 1.0
    row = send_sms(db, to="+79991234567", body="hello", config=config)
    db.commit()

    report = deliver_pending(db, config=config)

    db.refresh(row)
    assert report.retrying == [row.id]
    assert row.status == "queued"
    assert "таймаут" in row.error


def test_sms_gateway_4xx_is_a_permanent_failure(db: Session, gateway):
    config = sms_settings(gateway)
    config = config.model_copy(update={"sms_gateway_token": "wrong"})
    row = send_sms(db, to="+79991234567", body="hello", config=config)
    db.commit()

    report = deliver_pending(db, config=config)

    db.refresh(row)
    assert report.failed == [row.id]
    assert row.status == "failed"
    assert "401" in row.error
    assert gateway.messages == []


def test_queued_row_without_its_transport_configured_fails_with_a_reason(db: Session, smtp):
    row = send_email(db, to="a@example.com", subject="s", body="b", config=smtp_settings(smtp))
    db.commit()

    report = deliver_pending(db, config=LOCAL)

    db.refresh(row)
    assert report.failed == [row.id]
    assert "не настроен" in row.error


def test_a_row_left_sending_by_a_dead_worker_is_not_sent_again(db: Session, smtp):
    config = smtp_settings(smtp)
    row = send_email(db, to="a@example.com", subject="s", body="b", config=config)
    db.commit()
    row.status = DeliveryStatus.SENDING
    row.claimed_at = utcnow() - STALE_CLAIM - timedelta(minutes=1)
    db.add(row)
    db.commit()

    report = deliver_pending(db, config=config)

    db.refresh(row)
    assert report.expired == [row.id]
    assert row.status == "failed"
    assert "неизвестен" in row.error
    assert smtp.messages == []


def test_two_workers_never_send_the_same_row(migrated_engine, gateway):
    """Committed rows, two workers in parallel threads with their own connections."""
    config = sms_settings(gateway)
    gateway.delay = 0.05
    with Session(migrated_engine) as s:
        rows = [send_sms(s, to=f"+7999000{i:04d}", body=f"m{i}", config=config) for i in range(12)]
        s.commit()
        ids = [r.id for r in rows]
    reports = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(migrated_engine, expire_on_commit=False) as s:
                reports.append(deliver_pending(s, config=config, limit=4))
                reports.append(deliver_pending(s, config=config, limit=4))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        sent = [i for r in reports for i in r.sent]
        assert sorted(sent) == sorted(ids)  # each row once, by exactly one worker
        assert len(gateway.messages) == 12
        assert sorted(m["text"] for m in gateway.messages) == sorted(f"m{i}" for i in range(12))
        with Session(migrated_engine) as s:
            statuses = s.exec(
                select(OutboxMessage.status).where(col(OutboxMessage.id).in_(ids))
            ).all()
            assert set(statuses) == {"sent"}
    finally:
        with Session(migrated_engine) as s:
            s.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))  # type: ignore[call-overload]
            s.commit()


def test_transport_values_are_the_documented_ones():
    assert {t.value for t in Transport} == {"local", "smtp", "http"}
