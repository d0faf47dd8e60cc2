"""Several delivery workers on one queue at the same time: every message is sent exactly once.

Each worker has its own connection (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the
conditional UPDATE under the write lock). The data is committed, because the workers must see
it, and deleted again at the end.
"""

from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cabinet.notifications import delivery
from cabinet.notifications.service import emit, save_preferences
from cabinet.settings import Settings
from models import (
    Notification,
    NotificationAttempt,
    NotificationDelivery,
    NotificationPreference,
    User,
)
from tests.fakes.sms_gateway import FakeSMSGateway
from tests.fakes.smtp_server import FakeSMTP

pytestmark = pytest.mark.db

USERS = 30
WORKERS = 4


@pytest.fixture
def queue(migrated_engine):
    tag = secrets.token_hex(3)
    with Session(migrated_engine) as s:
        users = [
            User(
                full_name=f"Очередь {i}",
                email=f"queue-{tag}-{i}@test.local",
                phone=f"+79{secrets.randbelow(10**9):09d}",
                password_hash="x",
            )
            for i in range(USERS)
        ]
        s.add_all(users)
        s.commit()
        ids = [u.id for u in users]
        for uid in ids:
            save_preferences(s, actor_id=uid, choices={"links.decided": ["email", "sms"]})
        emit(s, event="links.decided", recipient_ids=ids, context={"organisation": "Q"})
        s.commit()
    yield ids
    with Session(migrated_engine) as s:
        rows = select(NotificationDelivery.id).where(col(NotificationDelivery.user_id).in_(ids))
        s.exec(delete(NotificationAttempt).where(col(NotificationAttempt.delivery_id).in_(rows)))
        s.exec(delete(NotificationDelivery).where(col(NotificationDelivery.user_id).in_(ids)))
        s.exec(delete(Notification).where(col(Notification.user_id).in_(ids)))
        s.exec(delete(NotificationPreference).where(col(NotificationPreference.user_id).in_(ids)))
        s.exec(delete(User).where(col(User.id).in_(ids)))
        s.commit()


def test_parallel_workers_send_each_message_exactly_once(migrated_engine, queue):
    with FakeSMTP() as smtp, FakeSMSGateway(token="t") as gw:
        config = Settings(
            smtp_host=smtp.host, smtp_port=smtp.port, sms_gateway_url=gw.url, sms_gateway_token="t"
        )
        reports: list[delivery.Report] = []
        errors: list[BaseException] = []
        start = threading.Barrier(WORKERS)

        def work() -> None:
            try:
                with Session(migrated_engine, expire_on_commit=False) as s:
                    start.wait()
                    while True:
                        report = delivery.deliver_due(s, config=config, limit=5)
                        reports.append(report)
                        if not report.worked:
                            return
            except BaseException as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert errors == []
    sent = [i for r in reports for i in r.sent]
    assert len(sent) == len(set(sent)) == USERS * 2
    assert len(smtp.messages) == USERS and len({m["To"] for m in smtp.messages}) == USERS
    assert len(gw.messages) == USERS and len({m["to"] for m in gw.messages}) == USERS
    with Session(migrated_engine) as s:
        statuses = s.exec(
            select(NotificationDelivery.status, NotificationDelivery.attempts).where(
                col(NotificationDelivery.user_id).in_(queue),
                NotificationDelivery.channel != "inapp",
            )
        ).all()
    assert statuses and all(row == ("sent", 1) for row in statuses)
