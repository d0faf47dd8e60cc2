"""The registry exports through their handlers, on committed rows: the owner gets their own
organisation's rows as CSV and XLSX, another organisation's customer only theirs, an
anonymous caller nothing. The file is read and written in a thread (cabinet.downloads) while
the worker's event loop goes on."""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.orders.rules import search_text
from cabinet.orders.state import OrdersState
from models import AuditEvent, Membership, Order, Organisation, User, UserRole, UserSession
from models.base import utcnow
from tests.integration.handler_calls import run_counting_loop, state_instance

pytestmark = pytest.mark.db


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    tag = secrets.token_hex(4)
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        orgs = {k: Organisation(name=f"{k} {tag}", inn="") for k in ("own", "other")}
        s.add_all(orgs.values())
        s.flush()
        users, tokens, numbers = [], {}, {}
        for key, org in orgs.items():
            now = utcnow()
            u = User(
                full_name=f"{key} {tag}",
                email=f"{key}-{tag}@export.test",
                phone=f"+7908{secrets.randbelow(10**7):07d}",
                password_hash="x",
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            s.add(u)
            s.flush()
            s.add(Membership(user_id=u.id, organisation_id=org.id))
            grant_role(s, user_id=u.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
            users.append(u.id)
            numbers[key] = [f"EXP-{tag}-{key}-{i}" for i in range(3 if key == "own" else 1)]
            for n, number in enumerate(numbers[key]):
                o = Order(
                    erp_id=f"EXP-{tag}-{key}-{n}",
                    organisation_id=org.id,
                    number=number,
                    status="placed",
                    consignee=org.name,
                    amount=Decimal("1000.00"),
                    created_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
                o.search_text = search_text(o.number, "", "", o.consignee, "")
                s.add(o)
            s.commit()
            tokens[key] = create_session(s, user_id=u.id)
            s.commit()
        yield {"tokens": tokens, "numbers": numbers}
    with Session(get_engine()) as s:
        for row in s.exec(select(Order).where(col(Order.erp_id).startswith(f"EXP-{tag}-"))):
            s.delete(row)
        for model, column in [
            (AuditEvent, AuditEvent.actor_id),
            (UserSession, UserSession.user_id),
            (UserRole, UserRole.user_id),
            (Membership, Membership.user_id),
        ]:
            for row in s.exec(select(model).where(column.in_(users))):  # type: ignore[attr-defined]
                s.delete(row)
        s.flush()
        for uid in users:
            s.delete(s.get(User, uid))
        s.flush()
        for org in orgs.values():
            s.delete(s.get(Organisation, org.id))
        s.commit()


def _export(token: str, kind: str) -> Any:
    st = state_instance(OrdersState, "/orders", token)
    handler = OrdersState.event_handlers[f"export_{kind}"]
    result, ticks = run_counting_loop(lambda: handler.fn(st))
    if "_download" in str(result):
        assert ticks > 1, "the export held up the event loop"  # it awaited its thread
    return result


def _file(spec: Any) -> tuple[str, bytes]:
    args = {str(k): v._var_value for k, v in spec.args}
    _, _, body = args["url"].partition(",")
    return args["filename"], base64.b64decode(body)


def test_the_owner_exports_only_their_organisations_orders(world):
    name, data = _file(_export(world["tokens"]["own"], "csv"))
    text = data.decode("utf-8-sig")
    assert name == "zakazy.csv"
    assert all(n in text for n in world["numbers"]["own"])
    assert world["numbers"]["other"][0] not in text

    name, data = _file(_export(world["tokens"]["own"], "xlsx"))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert name == "zakazy.xlsx"
    assert sorted(r[0] for r in rows[1:]) == sorted(world["numbers"]["own"])


def test_another_organisation_gets_its_own_rows_and_an_anonymous_caller_nothing(world):
    _, data = _file(_export(world["tokens"]["other"], "csv"))
    text = data.decode("utf-8-sig")
    assert world["numbers"]["other"][0] in text
    assert not any(n in text for n in world["numbers"]["own"])

    refused = _export("", "xlsx")
    assert "_download" not in str(refused) and "toast" in str(refused).lower()
