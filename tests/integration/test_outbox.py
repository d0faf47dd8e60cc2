"""The outbox page's queries: permission, newest first, filters, keyset pages, one message."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import event

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.errors import NotFound, PermissionDenied
from cabinet.messaging import send_email, send_sms
from cabinet.outbox import queries
from cabinet.pagination import InvalidCursor
from cabinet.settings import Settings
from models import OutboxMessage, User
from models.base import utcnow

pytestmark = pytest.mark.db

LOCAL = Settings(smtp_host="", sms_gateway_url="")
_seq = itertools.count(1)


def make_user(db, role: str | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Почтовиков {n}",
        email=f"outbox-staff{n}@test.local",
        phone=f"+7903{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if role:
        ensure_builtin_roles(db)
        grant_role(db, user_id=user.id, role_code=role)
    return user


@pytest.fixture
def operator(db) -> User:
    return make_user(db, BuiltinRole.OPERATOR)


def seed(db, tag: str, n_email: int, n_sms: int) -> list[OutboxMessage]:
    """Messages with distinct creation times, oldest first."""
    start = utcnow() - timedelta(hours=1)
    rows = []
    for i in range(n_email):
        rows.append(
            send_email(
                db,
                to=f"{tag}.user{i}@example.ru",
                subject=f"Код {i}",
                body=f"Ваш код: {i:06d}",
                config=LOCAL,
            )
        )
    for i in range(n_sms):
        rows.append(send_sms(db, to=f"+7000{tag[-3:]}{i:04d}", body=f"SMS код {i}", config=LOCAL))
    for k, row in enumerate(rows):
        row.created_at = start + timedelta(seconds=k)
    db.flush()
    return rows


def test_a_customer_cannot_read_the_outbox(db):
    customer = make_user(db)
    seed(db, "cust001", 1, 0)
    with pytest.raises(PermissionDenied):
        queries.list_messages(db, actor_id=customer.id)
    msg = send_sms(db, to="+79990000000", body="код 1", config=LOCAL)
    db.flush()
    with pytest.raises(PermissionDenied):
        queries.get_message(db, actor_id=customer.id, message_id=msg.id)


def test_newest_first_and_filtered_by_channel_and_recipient(db, operator):
    rows = seed(db, "flt123", 3, 2)

    emails = queries.list_messages(db, actor_id=operator.id, channel="email", recipient="flt123.")
    assert [r["recipient"] for r in emails.rows] == [
        "flt123.user2@example.ru",
        "flt123.user1@example.ru",
        "flt123.user0@example.ru",
    ]
    assert {r["channel"] for r in emails.rows} == {"email"}
    assert emails.rows[0]["status"] == "sent" and emails.rows[0]["transport"] == "local"

    sms = queries.list_messages(db, actor_id=operator.id, channel="sms", recipient="+7000123")
    assert [r["id"] for r in sms.rows] == [str(rows[4].id), str(rows[3].id)]

    one = queries.list_messages(db, actor_id=operator.id, recipient="FLT123.USER1@")
    assert [r["id"] for r in one.rows] == [str(rows[1].id)]

    phone_typed_loosely = queries.list_messages(
        db, actor_id=operator.id, recipient="+7 (000) 123-0001"
    )
    assert [r["id"] for r in phone_typed_loosely.rows] == [str(rows[4].id)]


def test_like_wildcards_in_the_filter_are_literal(db, operator):
    seed(db, "wild77", 2, 0)
    page = queries.list_messages(db, actor_id=operator.id, recipient="wild77%user")
    assert page.rows == []
    page = queries.list_messages(db, actor_id=operator.id, recipient="wild77_user")
    assert page.rows == []


def test_keyset_pages_walk_forward_and_back_without_offset(db, operator):
    rows = seed(db, "page42", 7, 0)
    newest_first = [str(r.id) for r in reversed(rows)]
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.get_bind(), "before_cursor_execute", capture)
    try:
        seen = []
        page = queries.list_messages(db, actor_id=operator.id, recipient="page42.", limit=3)
        seen += [r["id"] for r in page.rows]
        assert not page.has_prev and page.has_next
        page2 = queries.list_messages(
            db, actor_id=operator.id, recipient="page42.", limit=3, after=page.next_after
        )
        seen += [r["id"] for r in page2.rows]
        page3 = queries.list_messages(
            db, actor_id=operator.id, recipient="page42.", limit=3, after=page2.next_after
        )
        seen += [r["id"] for r in page3.rows]
        assert not page3.has_next
        assert seen == newest_first
        back = queries.list_messages(
            db, actor_id=operator.id, recipient="page42.", limit=3, before=page3.prev_before
        )
        assert [r["id"] for r in back.rows] == [r["id"] for r in page2.rows]
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", capture)
    lists = [s for s in statements if "FROM outbox_messages" in s and "ORDER BY" in s]
    assert len(lists) == 4
    # Every page is one bounded, keyset-conditioned read (SQLite adds "OFFSET 0" to LIMIT).
    assert all("LIMIT" in s for s in lists)
    keyset = "(outbox_messages.created_at, outbox_messages.id)"
    assert all(keyset in s for s in lists[1:])


def test_a_tampered_cursor_is_refused(db, operator):
    with pytest.raises(InvalidCursor):
        queries.list_messages(db, actor_id=operator.id, after="abc.def")


def test_open_one_message_shows_the_whole_body(db, operator):
    [msg] = seed(db, "body01", 1, 0)
    msg.body = "Здравствуйте!\nВаш код подтверждения: 424242\n" + "x" * 500
    db.flush()

    row = queries.get_message(db, actor_id=operator.id, message_id=msg.id)

    assert row["body"] == msg.body
    assert row["recipient"] == "body01.user0@example.ru"
    assert row["subject"] == "Код 0"
    with pytest.raises(NotFound):
        queries.get_message(db, actor_id=operator.id, message_id=10**12)
