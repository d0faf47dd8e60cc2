"""The organiser's page states, called directly the way the websocket would: a customer (who
may bid) and an anonymous visitor get every handler refused with no change in the auction
tables; the organiser walks create → lot → CSV import → announce, and on a running auction
filters and pages the ledger and annuls a bid.

The rows are committed (the states open their own sessions) and removed afterwards.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import secrets
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import reflex as rx
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.auctions import organiser_state as st_mod
from cabinet.auctions import queries, service
from cabinet.db import get_engine
from models import (
    AuditEvent,
    Membership,
    Notification,
    NotificationDelivery,
    Organisation,
    User,
    UserRole,
    UserSession,
)
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionBidVoid,
    AuctionForm,
    AuctionLot,
    AuctionParticipant,
    AuctionResult,
    AuctionStatus,
    StepKind,
)
from models.base import utcnow
from tests.integration.handler_calls import state_instance

pytestmark = pytest.mark.db

STATES = [
    st_mod.OrganiserListState,
    st_mod.OrganiserEditState,
    st_mod.OrganiserAuctionState,
]


def _user(s: Session, key: str, tag: str) -> User:
    u = User(
        full_name=f"{key} {tag}",
        email=f"{key}-{tag}@auctions.test",
        phone=f"+7913{secrets.randbelow(10**7):07d}",
        password_hash="x",
        email_confirmed_at=utcnow(),
        phone_confirmed_at=utcnow(),
    )
    s.add(u)
    s.flush()
    return u


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    tag = secrets.token_hex(4)
    eng = get_engine()
    with Session(eng, expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        orgs = [Organisation(name=f"Покупатель {tag} {n}", inn="") for n in range(2)]
        s.add_all(orgs)
        s.flush()
        organiser = _user(s, "organiser", tag)
        bidders = [_user(s, f"bidder{n}", tag) for n in range(2)]
        for org, b in zip(orgs, bidders, strict=True):
            s.add(Membership(user_id=b.id, organisation_id=org.id))
            s.flush()
            grant_role(s, user_id=b.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        grant_role(s, user_id=organiser.id, role_code=BuiltinRole.MANAGER)
        now = utcnow()
        running = Auction(
            title=f"Идущий {tag}",
            organiser_id=organiser.id,
            form=AuctionForm.MIXED,
            status=AuctionStatus.RUNNING,
            starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=2),
            step_kind=StepKind.AMOUNT,
            step_value=Decimal(10),
        )
        s.add(running)
        s.flush()
        lots = [
            AuctionLot(
                auction_id=running.id,
                number=n + 1,
                product=f"Труба {n}",
                quantity=Decimal(5),
                start_price=Decimal(1000),
                effective_end=running.ends_at,
            )
            for n in range(2)
        ]
        s.add_all(lots)
        tokens = {
            "organiser": create_session(s, user_id=organiser.id),
            "bidder": create_session(s, user_id=bidders[0].id),
        }
        s.commit()
        amount = 1000
        for k in range(6):  # 6 bids on lot 1, 1 on lot 2
            service.place_bid(s, actor_id=bidders[k % 2].id, lot_id=lots[0].id, amount=str(amount))
            amount += 10
        service.place_bid(s, actor_id=bidders[0].id, lot_id=lots[1].id, amount="1000")
        users = [organiser, *bidders]
        yield {
            "organiser": organiser,
            "bidders": bidders,
            "running": running,
            "lots": lots,
            "tokens": tokens,
            "tag": tag,
        }
    with Session(eng) as s:
        ids = [u.id for u in users]
        aids = list(s.exec(select(Auction.id).where(col(Auction.organiser_id) == organiser.id)))
        lids = list(s.exec(select(AuctionLot.id).where(col(AuctionLot.auction_id).in_(aids))))
        for model, column, values in [
            (AuctionResult, AuctionResult.auction_id, aids),
            (AuctionBidVoid, AuctionBidVoid.lot_id, lids),
            (AuctionBid, AuctionBid.auction_id, aids),
            (AuctionParticipant, AuctionParticipant.auction_id, aids),
            (AuctionLot, AuctionLot.auction_id, aids),
            (Auction, Auction.id, aids),
            (NotificationDelivery, NotificationDelivery.user_id, ids),
            (Notification, Notification.user_id, ids),
            (UserSession, UserSession.user_id, ids),
            (UserRole, UserRole.user_id, ids),
            (Membership, Membership.user_id, ids),
            (AuditEvent, AuditEvent.actor_id, ids),  # test clean-up only
        ]:
            s.exec(delete(model).where(col(column).in_(values)))  # type: ignore[call-overload]
        s.exec(delete(User).where(col(User.id).in_(ids)))
        s.exec(delete(Organisation).where(col(Organisation.id).in_([o.id for o in orgs])))
        s.commit()


def _instance(cls: type[rx.State], token: str, path: str) -> Any:
    return state_instance(cls, path, token)


def _call(st: Any, name: str, *args: Any) -> Any:
    out = type(st).event_handlers[name].fn(st, *args)
    if inspect.iscoroutine(out):
        out = asyncio.run(out)
    return out


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _snapshot() -> tuple[int, ...]:
    with Session(get_engine()) as s:
        return tuple(
            int(s.exec(select(func.count()).select_from(m)).one())
            for m in (Auction, AuctionLot, AuctionBid, AuctionBidVoid, AuctionResult)
        ) + tuple(
            int(v)
            for v in s.exec(select(func.sum(Auction.version)).select_from(Auction)).all()
            if v is not None
        )


class _Upload:
    def __init__(self, data: bytes, name: str) -> None:
        self.file = io.BytesIO(data)
        self.name = name


def _args(w: dict[str, Any], name: str, cls: type[rx.State]) -> list[Any]:
    lot, bid_lot = w["lots"][0], w["lots"][1]
    by_name: dict[str, Any] = {
        "form": {
            "title": "Взлом",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T12:00",
            "step_value": "1",
            "soft_close_minutes": "2",
            "extension_minutes": "2",
            "reason": "взлом",
            "product": "Труба",
            "quantity": "1",
            "start_price": "1",
            "status": "running",
        },
        "lot_id": lot.id,
        "bid_id": bid_lot.id,
        "value": str(lot.id),
        "name": "form",
        "files": [_Upload(b"product;quantity;price\nX;1;1\n", "x.csv")],
    }
    params = list(inspect.signature(cls.event_handlers[name].fn).parameters)[1:]
    return [by_name[p] for p in params]


@pytest.mark.parametrize("who", ["anonymous", "bidder"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STATES for n in _public_handlers(c)], ids=str
)
def test_organiser_handler_refuses_customers_and_changes_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["tokens"]["bidder"]
    st = _instance(cls, token, f"/admin/auctions/view?id={world['running'].id}")
    if who == "bidder" and "load" in cls.event_handlers:
        _call(st, "load")
        assert st.allowed is False
    if "auction_id" in cls.vars:
        st.auction_id = world["running"].id  # as if a forged page had set it
    before = _snapshot()
    _call(st, name, *_args(world, name, cls))
    assert _snapshot() == before
    text = " ".join(repr(getattr(st, v, "")) for v in cls.vars)
    assert world["bidders"][1].full_name not in text  # no de-anonymised ledger leaks


def test_organiser_walks_create_lot_import_announce(world):
    tok = world["tokens"]["organiser"]
    edit = _instance(st_mod.OrganiserEditState, tok, "/admin/auctions/edit")
    _call(edit, "load")
    assert edit.allowed
    _call(edit, "set_choice", "form", AuctionForm.CLOSED)
    out = _call(
        edit,
        "save",
        {
            "title": f"Новый {world['tag']}",
            "description": "",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T09:00",
            "step_value": "1000",
            "soft_close_minutes": "2",
            "extension_minutes": "2",
        },
    )
    assert edit.errors == {"ends_at": "Окончание должно быть позже начала."}
    out = _call(
        edit,
        "save",
        {
            "title": f"Новый {world['tag']}",
            "description": "Проверка",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T15:00",
            "step_value": "1 000",
            "soft_close_minutes": "2",
            "extension_minutes": "2",
        },
    )
    assert out and edit.errors == {}
    with Session(get_engine()) as s:
        a = s.exec(select(Auction).where(Auction.title == f"Новый {world['tag']}")).one()
        assert a.form == AuctionForm.CLOSED and a.status == AuctionStatus.DRAFT
    view = _instance(st_mod.OrganiserAuctionState, tok, f"/admin/auctions/view?id={a.id}")
    _call(view, "load")
    assert view.allowed and view.info["id"] == str(a.id)
    _call(
        view,
        "add_lot",
        {"product": "Труба 530", "quantity": "10", "unit": "т", "start_price": "1 000 000"},
    )
    assert len(view.lots) == 1 and view.lot_errors == {}
    bad = "Продукция;Количество;Стартовая цена\nТруба;0;100\n".encode()
    _call(view, "upload_lots", [_Upload(bad, "lots.csv")])
    assert view.preview_errors and view.preview_errors[0]["column"] == "Количество"
    _call(view, "confirm_import")
    assert len(view.lots) == 1  # nothing written from a file with errors
    good = "Продукция;Количество;Стартовая цена\nЛист;3;500000\nОтвод;8;90000\n"
    _call(view, "upload_lots", [_Upload(good.encode("cp1251"), "lots.csv")])
    assert view.preview_total == 2 and not view.preview_errors
    _call(view, "confirm_import")
    assert len(view.lots) == 3 and view.preview_name == ""
    _call(view, "open_edit_lot", int(view.lots[0]["id"]))
    assert view.edit_open and view.edit_lot["raw_product"] == "Труба 530"
    _call(
        view,
        "save_lot",
        {"product": "Труба 530×8", "quantity": "11", "unit": "т", "start_price": "990000"},
    )
    assert not view.edit_open and view.lots[0]["product"] == "Труба 530×8"
    _call(view, "announce")
    assert view.info["status"] == AuctionStatus.ANNOUNCED
    _call(view, "cancel", {"reason": ""})
    assert view.dialog_error and view.info["status"] == AuctionStatus.ANNOUNCED
    _call(view, "cancel", {"reason": "Передумали"})
    assert view.info["status"] == AuctionStatus.CANCELLED


def test_ledger_pages_by_keyset_and_filters_by_lot(world):
    oid, aid = world["organiser"].id, world["running"].id
    with Session(get_engine()) as s:
        assert queries.ledger_count(s, actor_id=oid, auction_id=aid) == 7
        first = queries.ledger(s, actor_id=oid, auction_id=aid, limit=4)
        rest = queries.ledger(s, actor_id=oid, auction_id=aid, limit=4, before_id=first[-1].bid_id)
        ids = [r.bid_id for r in first + rest]
        assert len(ids) == 7 and ids == sorted(ids, reverse=True)
        one = queries.ledger(s, actor_id=oid, auction_id=aid, lot_id=world["lots"][1].id)
        assert [r.lot_number for r in one] == [2]


def test_organiser_filters_and_annuls_in_the_ledger(world):
    tok = world["tokens"]["organiser"]
    aid = world["running"].id
    view = _instance(st_mod.OrganiserAuctionState, tok, f"/admin/auctions/view?id={aid}")
    _call(view, "load")
    assert view.ledger_total == 7 and len(view.ledger) == 7 and not view.ledger_more
    assert "bidder1" in " ".join(r["user"] for r in view.ledger)  # de-anonymised
    _call(view, "ledger_next")
    assert len({r["id"] for r in view.ledger}) == 7
    _call(view, "set_ledger_lot", str(world["lots"][1].id))
    assert [r["lot"] for r in view.ledger] == ["№ 2"]
    _call(view, "set_ledger_lot", "all")
    top = view.ledger[0]
    _call(view, "open_annul", int(top["id"]))
    assert view.annul_open
    _call(view, "annul", {"reason": "Ошибка в сумме"})
    row = next(r for r in view.ledger if r["id"] == top["id"])
    assert row["state"] == "Аннулирована" and row["reason"] == "Ошибка в сумме"
