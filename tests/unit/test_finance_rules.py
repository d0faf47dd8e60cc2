"""Finance arithmetic: ageing buckets by days past due, outstanding, credit headroom, money."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cabinet.finance import rules
from cabinet.finance.rules import ageing, bucket_of, credit_unused, days_overdue, fmt_money

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, None),
        (0, None),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
        (3650, "d90_plus"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert bucket_of(days) == bucket


def test_days_overdue_counts_whole_days_after_the_due_date():
    assert days_overdue(TODAY, TODAY) == 0
    assert days_overdue(TODAY - timedelta(days=1), TODAY) == 1
    assert days_overdue(TODAY + timedelta(days=3), TODAY) == 0
    assert days_overdue(None, TODAY) == 0


def test_ageing_sums_outstanding_per_bucket_from_due_dates_against_today():
    items = [
        (TODAY - timedelta(days=1), Decimal("100.00")),
        (TODAY - timedelta(days=30), Decimal("50.50")),
        (TODAY - timedelta(days=45), Decimal("10.00")),
        (TODAY - timedelta(days=61), Decimal("7.00")),
        (TODAY - timedelta(days=200), Decimal("1.00")),
        (TODAY, Decimal("999.00")),  # due today: not overdue
        (TODAY + timedelta(days=10), Decimal("999.00")),
        (None, Decimal("999.00")),
        (TODAY - timedelta(days=10), Decimal("0.00")),
    ]
    assert ageing(items, TODAY) == {
        "d1_30": Decimal("150.50"),
        "d31_60": Decimal("10.00"),
        "d61_90": Decimal("7.00"),
        "d90_plus": Decimal("1.00"),
    }


def test_the_same_invoice_moves_to_older_buckets_as_days_pass():
    due = date(2026, 8, 1)
    seen = [bucket_of(days_overdue(due, due + timedelta(days=d))) for d in (0, 1, 31, 61, 91)]
    assert seen == [None, "d1_30", "d31_60", "d61_90", "d90_plus"]


def test_outstanding_never_negative():
    assert rules.outstanding(Decimal("100"), Decimal("40")) == Decimal("60")
    assert rules.outstanding(Decimal("100"), Decimal("140")) == Decimal("0.00")


def test_credit_unused_is_limit_minus_debt_not_below_zero():
    assert credit_unused(Decimal("1000"), Decimal("300")) == Decimal("700")
    assert credit_unused(Decimal("1000"), Decimal("-50")) == Decimal("1000")  # prepaid
    assert credit_unused(Decimal("1000"), Decimal("5000")) == Decimal("0.00")
    assert rules.credit_used_percent(Decimal("1000"), Decimal("250")) == 25
    assert rules.credit_used_percent(Decimal("0"), Decimal("250")) == 0
    assert rules.credit_used_percent(Decimal("100"), Decimal("250")) == 100


def test_invoice_display_status_marks_open_past_due_invoices_overdue():
    past = TODAY - timedelta(days=3)
    assert rules.invoice_display_status("issued", past, Decimal("1"), TODAY) == "overdue"
    assert rules.invoice_display_status("partial", past, Decimal("1"), TODAY) == "overdue"
    assert rules.invoice_display_status("paid", past, Decimal("0"), TODAY) == "paid"
    assert rules.invoice_display_status("issued", TODAY, Decimal("1"), TODAY) == "issued"


def test_money_is_grouped_with_a_comma_and_the_currency_sign():
    assert fmt_money(Decimal("1234567.8")) == "1 234 567,80 ₽"
    assert fmt_money(Decimal("0")) == "0,00 ₽"
    assert fmt_money(Decimal("-15.005")) == "−15,01 ₽"
    assert fmt_money(Decimal("10"), "EUR") == "10,00 €"
    assert fmt_money(None) == ""


def test_month_start():
    assert rules.month_start(TODAY) == date(2026, 11, 1)


def test_every_status_and_operation_label_speaks_both_languages() -> None:
    from cabinet.finance import rules as fin

    for labels in (
        fin.INVOICE_STATUS_LABELS,
        fin.CONTRACT_STATUS_LABELS,
        fin.OPERATION_LABELS,
        fin.SCHEDULE_LABELS,
    ):
        assert labels and all(ru and en and ru != en for ru, en in labels.values())
