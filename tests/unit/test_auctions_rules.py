"""Auction rules without a database: amounts, steps, the three forms, soft close, winners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cabinet.auctions import rules
from cabinet.auctions.rules import BidInfo, BidRefused, LotState
from cabinet.errors import ValidationFailed
from models.auctions import AuctionForm, AuctionStatus, BidKind, StepKind

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
D = Decimal


def lot(**over: object) -> LotState:
    base: dict[str, object] = {
        "form": AuctionForm.MIXED,
        "auction_status": AuctionStatus.RUNNING,
        "starts_at": NOW - timedelta(hours=1),
        "effective_end": NOW + timedelta(hours=1),
        "closed": False,
        "start_price": D("100000.00"),
        "best_amount": None,
        "best_org_id": None,
        "open_bids": 0,
        "step_kind": StepKind.AMOUNT,
        "step_value": D("1000"),
    }
    base.update(over)
    return LotState(**base)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100000", D("100000.00")),
        ("1 250 000,50", D("1250000.50")),
        ("1\u00a0000", D("1000.00")),
        (D("5.1"), D("5.10")),
        (7, D("7.00")),
        ("0.01", D("0.01")),
    ],
)
def test_parse_amount_accepts_money(text: object, expected: Decimal) -> None:
    assert rules.parse_amount(text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "  ",
        "abc",
        "NaN",
        "nan",
        "Infinity",
        "-1",
        "0",
        "0.001",
        "1.005",
        "1e40",
        "99999999999999",
        1.5,
        True,
        None,
        [1],
        "1" * 50,
        D("NaN"),
        D("-0.01"),
    ],
)
def test_parse_amount_refuses_forged_values(bad: object) -> None:
    with pytest.raises(ValidationFailed):
        rules.parse_amount(bad)


@pytest.mark.parametrize(
    ("kind", "value", "base", "step"),
    [
        (StepKind.AMOUNT, D("1000"), D("100000"), D("1000.00")),
        (StepKind.PERCENT, D("1"), D("100000"), D("1000.00")),
        (StepKind.PERCENT, D("2.5"), D("123456.78"), D("3086.42")),  # rounded up
        (StepKind.PERCENT, D("0.01"), D("1.00"), D("0.01")),  # never below a kopeck
    ],
)
def test_step_amount(kind: str, value: Decimal, base: Decimal, step: Decimal) -> None:
    assert rules.step_amount(kind, value, base) == step


def test_min_next_bid_is_start_price_first_then_best_plus_step() -> None:
    kw = {"start_price": D("100000"), "step_kind": StepKind.AMOUNT, "step_value": D("500")}
    assert rules.min_next_bid(best_amount=None, **kw) == D("100000.00")  # type: ignore[arg-type]
    assert rules.min_next_bid(best_amount=D("120000"), **kw) == D("120500.00")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    ("form", "kind", "allowed"),
    [
        (AuctionForm.OPEN, BidKind.OPEN, True),
        (AuctionForm.OPEN, BidKind.OFFER, False),
        (AuctionForm.CLOSED, BidKind.OPEN, False),
        (AuctionForm.CLOSED, BidKind.OFFER, True),
        (AuctionForm.MIXED, BidKind.OPEN, True),
        (AuctionForm.MIXED, BidKind.OFFER, True),
        (AuctionForm.MIXED, "withdraw", False),
    ],
)
def test_forms_allow_kinds(form: str, kind: str, allowed: bool) -> None:
    assert rules.allows(form, kind) is allowed


@pytest.mark.parametrize(
    ("state", "amount", "ok"),
    [
        (lot(), D("100000"), True),
        (lot(), D("99999.99"), False),
        (lot(best_amount=D("100000"), best_org_id=2, open_bids=1), D("101000"), True),
        (lot(best_amount=D("100000"), best_org_id=2, open_bids=1), D("100999.99"), False),
        (lot(best_amount=D("100000"), best_org_id=1, open_bids=1), D("500000"), False),  # own
        (lot(form=AuctionForm.CLOSED), D("100000"), False),
        (lot(form=AuctionForm.OPEN), D("100000"), True),
    ],
)
def test_check_open_bid(state: LotState, amount: Decimal, ok: bool) -> None:
    if ok:
        rules.check_open_bid(state, org_id=1, amount=amount, now=NOW)
    else:
        with pytest.raises(BidRefused):
            rules.check_open_bid(state, org_id=1, amount=amount, now=NOW)


@pytest.mark.parametrize(
    ("state", "amount", "ok"),
    [
        (lot(), D("99999.99"), True),
        (lot(), D("100000"), False),  # strictly below the start price
        (lot(), D("150000"), False),
        (lot(best_amount=D("100000"), best_org_id=2, open_bids=1), D("50000"), False),
        (lot(form=AuctionForm.OPEN), D("50000"), False),
        (lot(form=AuctionForm.CLOSED), D("50000"), True),
        # the best was annulled: no active open bids again, offers are allowed
        (lot(best_amount=None, open_bids=0), D("50000"), True),
    ],
)
def test_check_offer(state: LotState, amount: Decimal, ok: bool) -> None:
    if ok:
        rules.check_offer(state, amount=amount, now=NOW)
    else:
        with pytest.raises(BidRefused):
            rules.check_offer(state, amount=amount, now=NOW)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (lot(auction_status=AuctionStatus.CANCELLED), "отменён"),
        (lot(auction_status=AuctionStatus.ANNOUNCED), "не начались"),
        (lot(auction_status=AuctionStatus.DRAFT), "не начались"),
        (lot(starts_at=NOW + timedelta(seconds=1)), "не начались"),
        (lot(auction_status=AuctionStatus.FINISHED), "завершены"),
        (lot(closed=True), "завершены"),
        (lot(effective_end=NOW), "завершены"),  # the end itself is already too late
        (lot(effective_end=NOW - timedelta(seconds=1)), "завершены"),
    ],
)
def test_nothing_is_accepted_outside_the_running_window(state: LotState, message: str) -> None:
    for check in (
        lambda: rules.check_open_bid(state, org_id=1, amount=D("100000"), now=NOW),
        lambda: rules.check_offer(state, amount=D("50000"), now=NOW),
        lambda: rules.check_withdraw(state, NOW),
    ):
        with pytest.raises(BidRefused, match=message):
            check()


# --------------------------------------------------------------------------- soft close


END = NOW + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("bid_at", "window", "ext", "expected"),
    [
        (END - timedelta(minutes=5), 2, 2, END),  # outside the window
        (END - timedelta(minutes=2), 2, 2, END),  # exactly 2 minutes before: already 2 left
        (END - timedelta(minutes=1), 2, 2, END + timedelta(minutes=1)),  # to bid + 2 min
        (END - timedelta(seconds=1), 2, 2, END + timedelta(minutes=2) - timedelta(seconds=1)),
        (END - timedelta(minutes=1), 2, 5, END + timedelta(minutes=4)),
        (END - timedelta(minutes=1), 0, 2, END),  # soft close off
        (END - timedelta(minutes=1), 2, 0, END),
        (END - timedelta(minutes=3), 5, 1, END),  # never moves the end earlier
    ],
)
def test_soft_close(bid_at: datetime, window: int, ext: int, expected: datetime) -> None:
    got = rules.soft_close_end(
        now=bid_at, effective_end=END, window_minutes=window, extension_minutes=ext
    )
    assert got == expected


def test_repeated_last_minute_bids_keep_extending() -> None:
    end = END
    t = END - timedelta(seconds=30)
    for _ in range(5):
        end = rules.soft_close_end(now=t, effective_end=end, window_minutes=2, extension_minutes=2)
        assert end == t + timedelta(minutes=2)
        t = end - timedelta(seconds=10)


# --------------------------------------------------------------------------- winner


def b(id: int, seq: int, kind: str, amount: str, org: int = 1, active: bool = True) -> BidInfo:
    return BidInfo(
        id=id, seq=seq, kind=kind, amount=D(amount), organisation_id=org, user_id=org, active=active
    )


@pytest.mark.parametrize(
    ("bids", "winner"),
    [
        ([], None),
        ([b(1, 1, BidKind.OPEN, "100")], 1),
        ([b(1, 1, BidKind.OPEN, "100"), b(2, 2, BidKind.OPEN, "110")], 2),
        # open bids always lead over offers, even a much higher-looking offer cannot exist
        ([b(1, 1, BidKind.OFFER, "99"), b(2, 2, BidKind.OPEN, "100")], 2),
        # no open bids: the highest offer at its own price
        (
            [
                b(1, 1, BidKind.OFFER, "80"),
                b(2, 2, BidKind.OFFER, "95"),
                b(3, 3, BidKind.OFFER, "90"),
            ],
            2,
        ),
        # ties go to the earlier one
        ([b(1, 1, BidKind.OFFER, "95"), b(2, 2, BidKind.OFFER, "95")], 1),
        ([b(5, 2, BidKind.OPEN, "100"), b(4, 1, BidKind.OPEN, "100")], 4),
        # inactive (withdrawn, replaced, annulled) rows never win
        ([b(1, 1, BidKind.OPEN, "100"), b(2, 2, BidKind.OPEN, "200", active=False)], 1),
        ([b(1, 1, BidKind.OPEN, "100", active=False), b(2, 2, BidKind.OFFER, "90")], 2),
        ([b(1, 1, BidKind.OFFER, "90", active=False)], None),
    ],
)
def test_decide_winner(bids: list[BidInfo], winner: int | None) -> None:
    got = rules.decide_winner(bids)
    assert (got.id if got else None) == winner


def test_best_open_ignores_offers_and_voided() -> None:
    bids = [
        b(1, 1, BidKind.OFFER, "90"),
        b(2, 2, BidKind.OPEN, "100"),
        b(3, 3, BidKind.OPEN, "120", active=False),
    ]
    best = rules.best_open(bids)
    assert best is not None and best.id == 2
    assert rules.best_open([bids[0]]) is None


# --------------------------------------------------------------------------- forms of the organiser


def fields(**over: object) -> rules.AuctionFields:
    base: dict[str, object] = {
        "title": "  Трубы   ОМК ",
        "description": "",
        "starts_at": NOW,
        "ends_at": NOW + timedelta(hours=3),
        "form": AuctionForm.MIXED,
        "step_kind": StepKind.AMOUNT,
        "step_value": D("1000"),
        "soft_close_minutes": 2,
        "extension_minutes": 2,
    }
    base.update(over)
    return rules.AuctionFields(**base)  # type: ignore[arg-type]


def test_validate_auction_normalises_title() -> None:
    assert rules.validate_auction(fields()).title == "Трубы ОМК"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"title": ""}, "title"),
        ({"ends_at": NOW}, "ends_at"),
        ({"ends_at": NOW + timedelta(days=91)}, "ends_at"),
        ({"form": "auction"}, "form"),
        ({"step_kind": "x"}, "step_value"),
        ({"step_value": D("0")}, "step_value"),
        ({"step_kind": StepKind.PERCENT, "step_value": D("51")}, "step_value"),
        ({"soft_close_minutes": -1}, "soft_close_minutes"),
        ({"extension_minutes": 61}, "extension_minutes"),
    ],
)
def test_validate_auction_refuses(over: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        rules.validate_auction(fields(**over))
    assert e.value.field == field


def test_validate_lot() -> None:
    f = rules.validate_lot("Труба 1020×12", "15,5", "", "2 000 000", "руб", "CPT Москва")
    assert f.quantity == D("15.500") and f.unit == "т" and f.currency == "RUB"
    assert f.start_price == D("2000000.00")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "1", "т", "100", "RUB", ""), "product"),
        (("Труба", "0", "т", "100", "RUB", ""), "quantity"),
        (("Труба", "1.0001", "т", "100", "RUB", ""), "quantity"),
        (("Труба", "1", "т", "-100", "RUB", ""), "start_price"),
        (("Труба", "1", "т", "100", "BTC", ""), "currency"),
    ],
)
def test_validate_lot_refuses(args: tuple[str, ...], field: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        rules.validate_lot(*args)
    assert e.value.field == field


def test_fmt_money() -> None:
    assert rules.fmt_money(D("1234567.5"), "RUB") == "1\u00a0234\u00a0567,50 ₽"
    assert rules.fmt_money(None) == "—"
    assert rules.pseudonym(3) == "Участник 3"


def test_a_lot_row_carries_codes_the_page_names_in_either_language() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from cabinet.auctions import queries
    from cabinet.auctions.participant_state import LOT_CLOSED, _lot_row

    def row(**over: object) -> queries.LotRow:
        base: dict[str, object] = dict(
            lot_id=1,
            auction_id=2,
            auction_title="Торги",
            number=1,
            product="Труба",
            quantity=Decimal("5"),
            unit="т",
            start_price=Decimal("100"),
            currency="RUB",
            delivery_terms="",
            best_amount=None,
            open_bids=0,
            effective_end=datetime(2026, 12, 1, tzinfo=UTC),
            starts_at=datetime(2026, 11, 30, tzinfo=UTC),
            status="running",
            status_label="Идут торги",
            form="mixed",
            form_label="Смешанная",
            closed=False,
            version=0,
        )
        base.update(over)
        return queries.LotRow(**base)  # type: ignore[arg-type]

    fresh = _lot_row(row())
    assert (fresh.badge, fresh.form, fresh.has_bid, fresh.price_note) == (
        "running",
        "mixed",
        False,
        "стартовая цена",
    )
    closed = _lot_row(row(closed=True, best_amount=Decimal("120"), open_bids=3))
    assert closed.badge == LOT_CLOSED and closed.status_label == "Лот закрыт"
    assert closed.has_bid and closed.open_bids == 3 and closed.price_note == "ставок: 3"
