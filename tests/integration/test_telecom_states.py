"""Every public handler of the telecom page state, called as an anonymous visitor and as a
customer of another organisation, pointed at a victim organisation's SIM card, payment, card
and request — even with the victim's SIM id forced into the state: refused, nothing changes,
none of the victim's data reaches the state. Then the owner walks the same page.

The handlers are called directly on a state instance (the function the websocket would run);
the caller is whatever the session cookie says, resolved from the database. The rows are
committed (the state opens its own sessions) and removed afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.telecom import state as telecom_state
from models import (
    ActivationRequest,
    AuditEvent,
    AutoPayment,
    BlockRequest,
    Membership,
    Notification,
    NotificationDelivery,
    Organisation,
    Payment,
    SavedCard,
    SimCard,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow
from models.telecom import PaymentStatus, SimStatus
from tests.integration.handler_calls import state_instance

pytestmark = pytest.mark.db

CLS = telecom_state.TelecomState
SECRET_LABEL = "Секретный роутер жертвы"


def _user(s: Session, key: str, tag: str) -> User:
    now = utcnow()
    u = User(
        full_name=f"{key} {tag}",
        email=f"{key}-{tag}@telecom.test",
        phone=f"+7908{secrets.randbelow(10**7):07d}",
        password_hash="x",
        email_confirmed_at=now,
        phone_confirmed_at=now,
    )
    s.add(u)
    s.flush()
    return u


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    tag = secrets.token_hex(4)
    n = int(tag, 16)
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        org = Organisation(name=f"Жертва связи {tag}", inn="")
        other = Organisation(name=f"Чужая связь {tag}", inn="")
        s.add_all([org, other])
        s.flush()
        victim = _user(s, "victim", tag)
        stranger = _user(s, "stranger", tag)
        s.add(Membership(user_id=victim.id, organisation_id=org.id))
        s.add(Membership(user_id=stranger.id, organisation_id=other.id))
        s.flush()
        grant_role(s, user_id=victim.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        grant_role(s, user_id=stranger.id, role_code=BuiltinRole.CUSTOMER, organisation_id=other.id)
        tariff = Tariff(name=f"Тариф {tag}", monthly_fee_kopecks=1000)
        tariff2 = Tariff(name=f"Тариф-2 {tag}", monthly_fee_kopecks=2000)
        s.add_all([tariff, tariff2])
        s.flush()
        contract = TelecomContract(number=f"ST-{tag}", organisation_id=org.id or 0)
        s.add(contract)
        s.flush()
        sim = SimCard(
            iccid=f"89702{n:014d}",
            msisdn=f"+7956{n % 10**7:07d}",
            status=SimStatus.ACTIVE,
            contract_id=contract.id,
            tariff_id=tariff.id,
            label=SECRET_LABEL,
            balance_kopecks=77700,
        )
        s.add(sim)
        s.flush()
        card = SavedCard(
            organisation_id=org.id or 0, provider_token=f"pm_st_{tag}", masked_pan="•••• 1111"
        )
        s.add(card)
        s.flush()
        auto = AutoPayment(
            sim_id=sim.id or 0,
            organisation_id=org.id or 0,
            saved_card_id=card.id or 0,
            day_of_month=10,
            amount_kopecks=50000,
            start_period="2099-01",
        )
        pay = Payment(
            sim_id=sim.id or 0,
            organisation_id=org.id,
            amount_kopecks=12300,
            status=PaymentStatus.SUCCEEDED,
            idempotency_key=f"st-{tag}",
        )
        req = TariffChangeRequest(
            sim_id=sim.id or 0,
            organisation_id=org.id or 0,
            from_tariff_id=tariff.id,
            to_tariff_id=tariff2.id or 0,
        )
        s.add_all([auto, pay, req])
        s.flush()
        tokens = {
            "stranger": create_session(s, user_id=stranger.id or 0),
            "victim": create_session(s, user_id=victim.id or 0),
        }
        s.commit()
        w = {
            "org": org,
            "victim": victim,
            "stranger": stranger,
            "sim": sim,
            "card": card,
            "pay": pay,
            "req": req,
            "tariff2": tariff2,
            "tokens": tokens,
        }
        yield w
    with Session(get_engine()) as s:
        ids = [victim.id, stranger.id]
        sim_ids = [sim.id]
        for model, column, values in [
            (AutoPayment, AutoPayment.sim_id, sim_ids),
            (TariffChangeRequest, TariffChangeRequest.sim_id, sim_ids),
            (BlockRequest, BlockRequest.sim_id, sim_ids),
            (ActivationRequest, ActivationRequest.sim_id, sim_ids),
            (Payment, Payment.sim_id, sim_ids),
            (SavedCard, SavedCard.organisation_id, [org.id, other.id]),
            (SimCard, SimCard.id, sim_ids),
            (TelecomContract, TelecomContract.organisation_id, [org.id]),
            (Tariff, Tariff.id, [tariff.id, tariff2.id]),
            (NotificationDelivery, NotificationDelivery.user_id, ids),
            (Notification, Notification.user_id, ids),
            (UserSession, UserSession.user_id, ids),
            (UserRole, UserRole.user_id, ids),
            (Membership, Membership.user_id, ids),
            (AuditEvent, AuditEvent.actor_id, ids),  # test clean-up only
        ]:
            for row in s.exec(select(model).where(col(column).in_(values))).all():
                s.delete(row)
            s.flush()
        for row in [victim, stranger, org, other]:
            s.delete(s.get(type(row), row.id))
        s.commit()


def _count(s: Session, model: Any) -> int:
    return int(s.exec(select(func.count()).select_from(model)).one())


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:
        sim = s.get(SimCard, w["sim"].id)
        card = s.get(SavedCard, w["card"].id)
        auto = s.exec(select(AutoPayment).where(AutoPayment.sim_id == w["sim"].id)).one()
        req = s.get(TariffChangeRequest, w["req"].id)
        assert sim is not None and card is not None and req is not None
        return {
            "payments": _count(s, Payment),
            "tariff_requests": _count(s, TariffChangeRequest),
            "block_requests": _count(s, BlockRequest),
            "activation_requests": _count(s, ActivationRequest),
            "cards": _count(s, SavedCard),
            "sim": (sim.status, sim.balance_kopecks, sim.label, sim.tariff_id),
            "card": card.is_active,
            "auto": (auto.enabled, auto.day_of_month, auto.amount_kopecks, auto.saved_card_id),
            "req": req.status,
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    """The most damaging value for each parameter name."""
    by_name = {
        "form_data": {
            "amount": "500",
            "save_card": "on",
            "card": str(w["card"].id),
            "day": "5",
            "tariff": str(w["tariff2"].id),
            "comment": "чужая заявка",
            "from": "2020-01-01",
        },
        "sim_id": w["sim"].id,
        "card_id": w["card"].id,
        "kind": "tariff",
        "request_id": w["req"].id,
        "enabled": False,
        "value": True,
    }
    params = list(inspect.signature(handler.fn).parameters)[1:]
    return [by_name[p] for p in params]


def _public_handlers() -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in CLS.event_handlers if not n.startswith("_") and n not in own)


def _instance(token: str, path: str) -> Any:
    return state_instance(CLS, path, token)


def _call(st: Any, handler: Any, args: list[Any]) -> list[Any]:
    out = handler.fn(st, *args)
    if inspect.iscoroutine(out):
        return [asyncio.run(out)]
    if inspect.isasyncgen(out):

        async def drain() -> list[Any]:
            return [x async for x in out]

        return asyncio.run(drain())
    return [out]


def _state_text(st: Any) -> str:
    return " ".join(repr(getattr(st, v)) for v in CLS.vars if hasattr(st, v))


def test_every_telecom_handler_is_covered() -> None:
    names = set(_public_handlers())
    assert {"load", "submit_topup", "save_autopay", "remove_card", "submit_block"} <= names
    assert len(names) >= 15


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
@pytest.mark.parametrize("name", _public_handlers())
def test_telecom_handler_refuses_and_changes_nothing(world, who: str, name: str) -> None:  # type: ignore[no-untyped-def]
    token = "" if who == "anonymous" else world["tokens"]["stranger"]
    path = f"/telecom?sim={world['sim'].id}&paid={world['pay'].id}"
    st = _instance(token, path)
    if who == "stranger":
        _call(st, CLS.event_handlers["load"], [])  # a real tab loads the page first
        # Even a state that somehow held the victim's SIM id gets nothing through.
        st.sim = dataclasses.replace(telecom_state.EMPTY_SIM, id=world["sim"].id)
    handler = CLS.event_handlers[name]
    before = _snapshot(world)
    _call(st, handler, _args(world, handler))
    assert _snapshot(world) == before
    text = _state_text(st)
    assert SECRET_LABEL not in text
    assert world["sim"].iccid not in text
    assert "777,00" not in text  # the victim's balance


def test_the_owner_walks_the_page(world) -> None:  # type: ignore[no-untyped-def]
    h = CLS.event_handlers
    st = _instance(world["tokens"]["victim"], f"/telecom?sim={world['sim'].id}")
    _call(st, h["load"], [])
    assert st.sim.id == world["sim"].id and st.sim.label == SECRET_LABEL
    assert st.sim.balance == "777,00 ₽" and st.sim.pending_tariff
    assert [c.masked for c in st.cards] == ["•••• 1111"]
    assert [p.amount for p in st.payments] == ["123,00 ₽"]
    _call(st, h["cancel_request"], ["tariff", world["req"].id])
    assert not st.sim.pending_tariff
    _call(st, h["submit_tariff"], [{"tariff": str(world["tariff2"].id), "comment": "да"}])
    assert st.tariff_error == "" and st.sim.pending_tariff
    _call(st, h["set_block_reason"], ["other"])
    _call(st, h["submit_block"], [{"comment": ""}])
    assert st.block_error == "Опишите причину."
    _call(st, h["save_autopay"], [{"card": str(world["card"].id), "day": "31", "amount": "1"}])
    assert "не меньше" in st.autopay_error
    _call(st, h["save_autopay"], [{"card": str(world["card"].id), "day": "31", "amount": "600"}])
    assert st.sim.autopay_day == 31 and st.sim.autopay_amount == "600,00 ₽"
    _call(st, h["toggle_autopay"], [False])
    assert not st.sim.autopay_enabled
    out = _call(st, h["apply_filters"], [{"status": "succeeded", "kind": "hacked", "from": "x"}])
    target = str(out[0].args[0][1]).strip('"')
    assert target == f"/telecom?sim={world['sim'].id}&status=succeeded"
