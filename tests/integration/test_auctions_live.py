"""The live lot page on a real database, without a browser.

- the live re-read (`read_lot`) is the caller's own `lot_view`: pseudonyms, no organisation;
- followers of a lot (the watch task's core, `live.follow` over the process hub) see a bid
  committed by another connection — as another worker would — and every one of them does;
- the lot page state's handlers: load, a refused bid (message, ledger unchanged), an accepted
  bid, a price offer and its withdrawal, anonymous and stranger callers;
- the lot list's period filter and the calendar's month grid.

The states and the hub open their own sessions, so the rows here are committed and removed
after each test.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import aclosing
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, col, delete, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.accounts.sessions import create_session, resolve_user_id
from cabinet.auctions import live, queries, rules, service
from cabinet.auctions.participant_state import (
    AuctionLotsState,
    LotState,
    live_values,
    month_grid,
    page_values,
    read_lot,
    refusal,
)
from cabinet.db import get_engine
from cabinet.errors import DomainError
from cabinet.formatting import local
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

pytestmark = pytest.mark.db

START = Decimal("100000")
STEP = Decimal("1000")


def _auction(s: Session, organiser_id: int, title: str, *, starts_in: timedelta, hours: int = 2):
    now = utcnow()
    a = Auction(
        title=title,
        organiser_id=organiser_id,
        form=AuctionForm.MIXED,
        status=AuctionStatus.RUNNING if starts_in <= timedelta(0) else AuctionStatus.ANNOUNCED,
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(hours=hours),
        step_kind=StepKind.AMOUNT,
        step_value=STEP,
        soft_close_minutes=2,
        extension_minutes=2,
    )
    s.add(a)
    s.flush()
    lot = AuctionLot(
        auction_id=a.id or 0,
        number=1,
        product=f"Труба 530×8 {title}",
        quantity=Decimal("12.5"),
        unit="т",
        start_price=START,
        currency="RUB",
        delivery_terms="FCA Выкса",
        search_text=rules.search_text(f"Труба 530×8 {title}", "FCA Выкса", title),
        effective_end=a.ends_at,
    )
    s.add(lot)
    s.flush()
    return a, lot


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    tag = secrets.token_hex(4)
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        orgs = {}
        for key, name in (("a", "ООО «Альфа-Трубы»"), ("b", "АО «Бета-Металл»")):
            org = Organisation(name=f"{name} {tag}", inn=f"9{secrets.randbelow(10**9):09d}")
            s.add(org)
            s.flush()
            orgs[key] = org
        users = {}
        for key, org_key, role in (
            ("a", "a", BuiltinRole.CUSTOMER),
            ("b", "b", BuiltinRole.CUSTOMER),
            ("stranger", None, None),
            ("organiser", None, BuiltinRole.MANAGER),
        ):
            u = User(
                full_name=f"Live {key} {tag}",
                email=f"live-{key}-{tag}@test.local",
                phone=f"+79{secrets.randbelow(10**9):09d}",
                password_hash="x",
                email_confirmed_at=utcnow(),
                phone_confirmed_at=utcnow(),
            )
            s.add(u)
            s.flush()
            org = orgs.get(org_key) if org_key else None
            if org is not None:
                s.add(Membership(user_id=u.id, organisation_id=org.id))
                s.flush()
            if role:
                grant_role(s, user_id=u.id, role_code=role, organisation_id=org.id if org else None)
            users[key] = u
        running, lot = _auction(
            s, users["organiser"].id, f"live {tag}", starts_in=-timedelta(minutes=30)
        )
        later, later_lot = _auction(
            s, users["organiser"].id, f"later {tag}", starts_in=timedelta(days=20)
        )
        tokens = {k: create_session(s, user_id=u.id) for k, u in users.items()}
        s.commit()
        yield {
            "users": users,
            "orgs": orgs,
            "tokens": tokens,
            "lot": lot,
            "auction": running,
            "later_lot": later_lot,
            "tag": tag,
        }
    with Session(get_engine()) as s:
        auction_ids = [running.id, later.id]
        lot_ids = [lot.id, later_lot.id]
        user_ids = [u.id for u in users.values()]
        s.exec(delete(AuctionBidVoid).where(col(AuctionBidVoid.lot_id).in_(lot_ids)))
        s.exec(delete(AuctionResult).where(col(AuctionResult.lot_id).in_(lot_ids)))
        s.exec(delete(AuctionBid).where(col(AuctionBid.lot_id).in_(lot_ids)))
        s.exec(
            delete(AuctionParticipant).where(col(AuctionParticipant.auction_id).in_(auction_ids))
        )
        s.exec(delete(AuctionLot).where(col(AuctionLot.id).in_(lot_ids)))
        s.exec(delete(Auction).where(col(Auction.id).in_(auction_ids)))
        s.exec(delete(NotificationDelivery).where(col(NotificationDelivery.user_id).in_(user_ids)))
        s.exec(delete(Notification).where(col(Notification.user_id).in_(user_ids)))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(user_ids)))
        for model in (UserSession, UserRole, Membership):
            s.exec(delete(model).where(col(model.user_id).in_(user_ids)))
        s.exec(delete(User).where(col(User.id).in_(user_ids)))
        s.exec(delete(Organisation).where(col(Organisation.id).in_([o.id for o in orgs.values()])))
        s.commit()


def _bid(w: dict[str, Any], who: str, amount: str) -> service.BidResult:
    with Session(get_engine(), expire_on_commit=False) as s:
        return service.place_bid(s, actor_id=w["users"][who].id, lot_id=w["lot"].id, amount=amount)


def _ledger(lot_id: int) -> int:
    with Session(get_engine()) as s:
        return int(s.exec(select(func.count()).where(AuctionBid.lot_id == lot_id)).one())


def _instance(cls: type[rx.State], token: str, path: str) -> Any:
    st = rx.State(_reflex_internal_init=True).get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    st.router = RouterData.from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "headers": {}}
    )
    return st


def _handler(cls: type[rx.State], name: str):  # type: ignore[no-untyped-def]
    return cls.event_handlers[name].fn


def _run(cls: type[rx.State], name: str, *args: Any) -> Any:
    """An async handler, awaited as the event processor would."""
    return asyncio.run(cls.event_handlers[name].fn(*args))


# --------------------------------------------------------------------------- the live read


def test_the_live_read_is_the_callers_own_view_and_names_nobody(world) -> None:
    w = world
    _bid(w, "b", "100000")
    seen_by_a = read_lot(w["tokens"]["a"], w["lot"].id)
    seen_by_b = read_lot(w["tokens"]["b"], w["lot"].id)
    assert seen_by_a.view is not None and seen_by_b.view is not None
    assert seen_by_a.view.best_participant == "Участник 1"
    assert not seen_by_a.view.my_leading and seen_by_a.view.can_bid
    assert seen_by_b.view.my_leading and seen_by_b.view.my_participant == "Участник 1"
    text = repr(seen_by_a.view)
    assert w["orgs"]["b"].name not in text and "Live b" not in text
    assert read_lot("not-a-session", w["lot"].id).logged_out
    assert read_lot(w["tokens"]["stranger"], w["lot"].id).error  # no bidding organisation


def test_every_follower_sees_a_bid_committed_elsewhere(world) -> None:
    """Twenty followers of one lot in this process; a bid is committed on another connection
    (as another worker would). All of them re-read and see it; the hub reads the versions
    once per poll for all of them."""
    w = world
    lot_id = w["lot"].id
    token = w["tokens"]["a"]
    hub = live.LotHub(poll_seconds=0.02)
    first: dict[int, Decimal | None] = {}
    latest: dict[int, Decimal | None] = {}

    async def follower(n: int, stop: asyncio.Event) -> None:
        views = live.follow(lot_id, lambda _pub: read_lot(token, lot_id), hub=hub, idle_seconds=0.2)
        async with aclosing(views):
            async for fresh in views:
                if fresh is not None and fresh.view is not None:
                    first.setdefault(n, fresh.view.best_amount)
                    latest[n] = fresh.view.best_amount
                if stop.is_set():
                    return

    async def scenario() -> float:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(follower(n, stop)) for n in range(20)]
        while len(first) < 20:
            await asyncio.sleep(0.01)
        polls_before = hub.polls
        t0 = time.perf_counter()
        done = threading.Event()
        threading.Thread(target=lambda: (_bid(w, "b", "100000"), done.set())).start()
        while not (done.is_set() and all(v == Decimal("100000.00") for v in latest.values())):
            await asyncio.sleep(0.005)
            assert time.perf_counter() - t0 < 20, f"followers stuck at {set(latest.values())}"
        took = time.perf_counter() - t0
        stop.set()
        hub_polls = hub.polls - polls_before
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        print(
            f"\n20 followers saw the bid {took * 1000:.0f} ms after it was sent "
            f"({hub_polls} version reads meanwhile)"
        )
        return took

    asyncio.run(scenario())
    assert set(first.values()) == {None}
    assert set(latest.values()) == {Decimal("100000.00")}
    assert hub.watched == []


# --------------------------------------------------------------------------- the page state


def test_lot_page_loads_refuses_a_low_bid_and_accepts_a_good_one(world) -> None:
    w = world
    lot_id = w["lot"].id
    st = _instance(LotState, w["tokens"]["a"], f"/auctions/lot?id={lot_id}")
    events = _handler(LotState, "load")(st)
    assert st.missing == "" and st.can_bid and st.running
    assert st.bid_amount == "100000.00" and st.min_next_value == "100000.00"
    assert st.target_ms > st.server_ms > 0 and st.countdown_label == "До окончания торгов"
    assert isinstance(events, list) and len(events) == 2  # the countdown script + the watch

    _run(LotState, "submit_bid", st, {"amount": "99 999,99"})
    assert "не ниже стартовой цены" in st.bid_error
    assert _ledger(lot_id) == 0 and st.acks == 1

    _run(LotState, "submit_bid", st, {"amount": "100 000"})
    assert st.bid_error == "" and "вы лидируете" in st.notice
    assert st.my_leading and st.my_participant == "Участник 1" and not st.can_bid
    assert st.best_value == "100000.00"  # at once; the rest comes with the next live read
    _handler(LotState, "load")(st)
    assert st.my_leading and st.min_next_value == "101000.00"
    assert [h.participant for h in st.history] == ["Участник 1"] and st.history[0].mine
    assert _ledger(lot_id) == 1 and st.acks == 2

    other = _instance(LotState, w["tokens"]["b"], f"/auctions/lot?id={lot_id}")
    _handler(LotState, "load")(other)
    assert other.best_participant == "Участник 1" and not other.my_leading
    assert other.bid_amount == "101000.00"  # prefilled with the least next bid
    _handler(LotState, "add_steps")(other, 5)
    assert other.bid_amount == "106000.00"
    shown = " ".join(str(getattr(other, v)) for v in LotState.vars if not v.startswith("_"))
    assert w["orgs"]["a"].name not in shown and "Live a" not in shown


def test_price_offer_is_made_changed_and_withdrawn_from_the_page(world) -> None:
    w = world
    lot_id = w["lot"].id
    st = _instance(LotState, w["tokens"]["a"], f"/auctions/lot?id={lot_id}")
    _handler(LotState, "load")(st)
    assert st.can_offer
    _run(LotState, "submit_offer", st, {"amount": "100000"})
    assert "строго ниже стартовой цены" in st.offer_error and st.my_offer == ""
    _run(LotState, "submit_offer", st, {"amount": "95000"})
    assert st.offer_error == "" and st.my_offer.startswith("95")
    _run(LotState, "submit_offer", st, {"amount": "97000"})
    assert st.my_offer.startswith("97") and st.can_withdraw

    other = _instance(LotState, w["tokens"]["b"], f"/auctions/lot?id={lot_id}")
    _handler(LotState, "load")(other)
    assert other.my_offer == "" and other.history == [] and other.best == ""  # hidden

    _run(LotState, "withdraw_offer", st)
    assert st.my_offer == "" and not st.can_withdraw


def test_anonymous_and_strangers_change_nothing_and_see_nothing(world) -> None:
    w = world
    lot_id = w["lot"].id
    anon = _instance(LotState, "", f"/auctions/lot?id={lot_id}")
    _handler(LotState, "load")(anon)
    anon.lot_id = lot_id  # as if a forged state carried the id
    _run(LotState, "submit_bid", anon, {"amount": "200000"})
    _run(LotState, "submit_offer", anon, {"amount": "5000"})
    _run(LotState, "withdraw_offer", anon)
    assert anon.best == "" and anon.history == []

    stranger = _instance(LotState, w["tokens"]["stranger"], f"/auctions/lot?id={lot_id}")
    _handler(LotState, "load")(stranger)
    assert stranger.missing  # no bidding organisation: no lot page
    stranger.lot_id, stranger.missing = lot_id, ""
    _run(LotState, "submit_bid", stranger, {"amount": "200000"})
    assert "организаций" in stranger.bid_error
    assert _ledger(lot_id) == 0

    elsewhere = _instance(LotState, w["tokens"]["a"], f"/?id={lot_id}")
    assert _handler(LotState, "load")(elsewhere) is None  # data, but no live task off the page
    assert elsewhere.can_bid

    forged = _instance(LotState, w["tokens"]["a"], "/auctions/lot?id=2147483647")
    _handler(LotState, "load")(forged)
    assert forged.missing == "Лот не найден." and not forged.can_bid


# --------------------------------------------------------------------------- list and calendar


def test_lot_list_period_filter_keeps_the_scope_and_the_keyset(world) -> None:
    w = world
    lots = _instance(AuctionLotsState, w["tokens"]["a"], "/auctions/lots")
    tag = w["tag"]
    today = local(utcnow()).date()
    for query, expected in (
        (f"q={tag}", {w["lot"].id, w["later_lot"].id}),
        (f"q={tag}&to={today + timedelta(days=3)}", {w["lot"].id}),
        (f"q={tag}&from={today + timedelta(days=19)}", {w["later_lot"].id}),
        (f"q={tag}&from={today + timedelta(days=40)}", set()),
    ):
        lots.router = RouterData.from_router_data(
            {"pathname": "/auctions/lots", "asPath": f"/auctions/lots?{query}", "headers": {}}
        )
        _handler(AuctionLotsState, "load")(lots)
        assert lots.allowed and {r.lot_id for r in lots.rows} == expected, query

    with Session(get_engine()) as s:
        page = live.list_lots(
            s,
            actor_id=w["users"]["a"].id,
            filters=live.LotDateFilters(base=queries.LotFilters(q=tag), ends_from=today),
            limit=1,
        )
        assert len(page.rows) == 1 and page.next_after
        rest = live.list_lots(
            s,
            actor_id=w["users"]["a"].id,
            filters=live.LotDateFilters(base=queries.LotFilters(q=tag), ends_from=today),
            cursor=page.next_after,
            limit=1,
        )
        assert [r.lot_id for r in page.rows + rest.rows] == [w["lot"].id, w["later_lot"].id]

    stranger = _instance(AuctionLotsState, w["tokens"]["stranger"], "/auctions/lots")
    _handler(AuctionLotsState, "load")(stranger)
    assert not stranger.allowed and stranger.rows == []


def test_month_grid_covers_whole_weeks_and_places_auctions_on_their_days() -> None:
    start = utcnow().replace(year=2026, month=12, day=3, hour=9, minute=0)  # 12:00 in Moscow
    item = queries.CalendarItem(
        auction_id=7,
        title="Трубы",
        status="announced",
        status_label="Объявлен",
        form="open",
        form_label="Открытая",
        starts_at=start,
        ends_at=start + timedelta(days=1, hours=2),
        lots=3,
    )
    cells = month_grid(date(2026, 12, 1), [item], today=date(2026, 12, 4))
    assert len(cells) % 7 == 0 and cells[0].iso == "2026-11-30"  # Monday first
    days = {c.iso: c for c in cells}
    assert [e.auction_id for e in days["2026-12-03"].auctions] == [7]
    assert [e.auction_id for e in days["2026-12-04"].auctions] == [7]
    assert days["2026-12-05"].auctions == [] and days["2026-12-04"].today
    assert not days["2026-11-30"].in_month
    assert days["2026-12-03"].auctions[0].time == "12:00→04.12"


# --------------------------------------------------------------------------- shared public part


def _same_page(a: queries.LotView, b: queries.LotView) -> None:
    """Equal as pages: the server clock of the read aside."""
    import dataclasses

    assert dataclasses.replace(a, now=b.now) == b


def test_the_shared_public_part_laid_over_an_older_own_view_is_the_callers_lot_view(
    world,
) -> None:
    """What the watch task pushes between the caller's own reads (their last lot_view + the
    hub's public part) is exactly what lot_view would say now — for the bidder, for the
    outbid, for one who has not bid — and the public part names no organisation."""
    w = world
    lot_id = w["lot"].id
    with Session(get_engine()) as s:
        before = {k: queries.lot_view(s, actor_id=w["users"][k].id, lot_id=lot_id) for k in "ab"}
    _bid(w, "a", "100000")
    first = {k: read_lot(w["tokens"][k], lot_id).view for k in "ab"}
    _bid(w, "b", "101000")
    with Session(get_engine()) as s:
        pub = live.public_lot(s, lot_id)
        now = {k: queries.lot_view(s, actor_id=w["users"][k].id, lot_id=lot_id) for k in "ab"}
    assert pub is not None and pub.best_participant == "Участник 2"
    assert w["orgs"]["a"].name not in repr(pub) and w["orgs"]["b"].name not in repr(pub)
    for k in "ab":
        own = first[k]
        assert own is not None
        # a knows its pseudonym from its own bid; b learns it from its bid (the page sets it)
        _same_page(live.personalise(own, pub, my_participant=now[k].my_participant), now[k])
        assert not live.needs_personal_read(own, pub)
    # b had not bid when its view was read: without its new pseudonym the page still shows
    # the right prices, and b's own next read (after its action) fixes "mine".
    stale = live.personalise(before["b"], pub)
    assert stale.best_amount == now["b"].best_amount and stale.min_next_bid == now["b"].min_next_bid
    # a phase change (here: the auction cancelled) needs the caller's own read
    with Session(get_engine()) as s:
        a = s.get(Auction, w["auction"].id)
        assert a is not None
        a.status = AuctionStatus.CANCELLED
        s.add(a)
        s.commit()
        pub = live.public_lot(s, lot_id)
    assert pub is not None and live.needs_personal_read(now["a"], pub)


def test_a_bid_moves_only_the_live_values_of_every_callers_page(world) -> None:
    """Between two public states of the same phase the watch task assigns only
    `live_values`: everything else on the page is the same before and after a bid — for the
    bidder, for the outbid and for one who has not bid."""
    w = world
    lot_id = w["lot"].id
    _bid(w, "a", "100000")
    own = {k: read_lot(w["tokens"][k], lot_id).view for k in "ab"}
    with Session(get_engine()) as s:
        pub1 = live.public_lot(s, lot_id)
    _bid(w, "b", "101000")
    _bid(w, "a", "103000")
    with Session(get_engine()) as s:
        pub2 = live.public_lot(s, lot_id)
    assert pub1 is not None and pub2 is not None
    for k in "ab":
        view = own[k]
        assert view is not None
        one = page_values(live.personalise(view, pub1))
        two = page_values(live.personalise(view, pub2))
        moved = {name for name in one if one[name] != two[name]}
        assert moved and moved <= set(live_values(view))
        assert live_values(live.personalise(view, pub2)).items() <= two.items()


def test_the_read_only_refusal_says_what_place_bid_would_and_writes_nothing(world) -> None:
    """`refusal` (run on the event loop on SQLite) refuses what the service refuses, lets a
    bid that may win through to `act`, and never adds to the ledger."""
    w = world
    lot_id = w["lot"].id
    _bid(w, "a", "100000")
    before = _ledger(lot_id)
    low = refusal(w["tokens"]["b"], lot_id, "100500")
    assert low is not None and "ниже минимальной" in low.error
    own = refusal(w["tokens"]["a"], lot_id, "200000")
    assert own is not None and "уже лидирует" in own.error
    assert refusal(w["tokens"]["b"], lot_id, "abc") is not None
    assert refusal(w["tokens"]["b"], 10**12, "200000") is not None  # a forged lot id
    gone = refusal("not-a-session", lot_id, "200000")
    assert gone is not None and gone.logged_out
    assert refusal(w["tokens"]["b"], lot_id, "101000") is None  # goes on to place_bid
    assert _ledger(lot_id) == before


def test_the_one_statement_check_agrees_with_the_full_check(world) -> None:
    """`service.quick_refusal` (one statement) decides every common case as the session check
    plus `check_bid` do, and hands every unusual one (UNSURE) to them."""
    w = world
    lot_id = w["lot"].id
    _bid(w, "a", "100000")
    cases = [
        ("b", lot_id, "100500"),  # below the minimum
        ("a", lot_id, "200000"),  # already leading
        ("b", lot_id, "101000"),  # may be accepted
        ("b", lot_id, "abc"),  # not an amount
        ("b", 10**12, "200000"),  # a forged lot id
        ("stranger", lot_id, "200000"),  # no organisation that may bid
        ("nobody", lot_id, "200000"),  # no session
    ]
    with Session(get_engine()) as s:
        for who, lid, amount in cases:
            token = w["tokens"].get(who, "not-a-session")
            quick = service.quick_refusal(s.connection(), token=token, lot_id=lid, amount=amount)
            if quick == service.UNSURE:
                assert who in ("stranger", "nobody") or amount == "abc" or lid != lot_id
                continue
            user_id = resolve_user_id(s, token, touch=False)
            assert user_id is not None
            try:
                service.check_bid(s, actor_id=user_id, lot_id=lid, amount=amount)
                full = None
            except DomainError as e:
                full = e.message
            assert quick == full, (who, amount)
    # The common cases did not fall back.
    with Session(get_engine()) as s:
        below = service.quick_refusal(
            s.connection(), token=w["tokens"]["b"], lot_id=lot_id, amount="100500"
        )
        assert below is not None and "ниже минимальной" in below


def test_only_an_organisation_that_bid_openly_is_told_it_was_outbid(world) -> None:
    """A participant with only a price offer has a pseudonym too, but no open bid to lose:
    an open bid of another organisation must not tell them "your bid was outbid"."""
    w = world
    lot_id = w["lot"].id
    with Session(get_engine(), expire_on_commit=False) as s:
        service.place_offer(s, actor_id=w["users"]["a"].id, lot_id=lot_id, amount="95000")
    _bid(w, "b", "100000")
    with Session(get_engine()) as s:
        offer_only = queries.lot_view(s, actor_id=w["users"]["a"].id, lot_id=lot_id)
    assert offer_only.my_participant and not offer_only.my_bid_openly
    assert live_values(offer_only)["was_leading"] is False
    # Once a has bid openly and b bids over it, a was outbid — also on the live path, where
    # a's own view predates its bid and the public history shows it.
    _bid(w, "a", "101000")
    _bid(w, "b", "102000")
    with Session(get_engine()) as s:
        outbid = queries.lot_view(s, actor_id=w["users"]["a"].id, lot_id=lot_id)
        pub = live.public_lot(s, lot_id)
    assert outbid.my_bid_openly and live_values(outbid)["was_leading"] is True
    assert pub is not None
    assert live_values(live.personalise(offer_only, pub))["was_leading"] is True


def test_the_live_pages_bid_answers_first_and_the_outbid_notice_follows(world) -> None:
    """The page's path (`participant_state.act`): the bid commits and is answered without
    the previous leader's notice; the notice thread writes it right after, once."""
    from cabinet.auctions import participant_state as ps

    w = world
    start = Decimal(str(w["lot"].start_price))
    _bid(w, "a", str(start))
    outcome = ps.act(w["tokens"]["b"], w["lot"].id, "bid", str(start + 1000))
    assert outcome.done is not None and outcome.done.outbid is not None
    ps._NOTICES.submit(lambda: None).result(timeout=10)  # the notice thread has caught up

    def told() -> int:
        with Session(get_engine()) as s:
            return len(
                s.exec(
                    select(Notification).where(
                        Notification.user_id == w["users"]["a"].id,
                        Notification.event == "auctions.outbid",
                    )
                ).all()
            )

    assert told() == 1
    ps._send_outbid_notice(outcome.done.outbid)  # sent again (a retry): still one
    assert told() == 1
