"""Telecom rules: money, auto-payment periods and month ends, retries, payment outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cabinet.errors import ValidationFailed
from cabinet.telecom import rules
from cabinet.telecom.sandbox import card_outcome, luhn_ok
from models.telecom import PaymentKind, PaymentStatus


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [("500", 50000), ("499,9", 49990), ("499.90", 49990), ("1 234,56 ₽", 123456), ("0,01", 1)],
)
def test_rubles_parse_to_kopecks_without_float(text: str, kopecks: int) -> None:
    assert rules.parse_rubles(text) == kopecks


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,234", "5.999", "1e3"])
def test_bad_amounts_are_refused_with_a_field_error(text: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        rules.parse_rubles(text)
    assert e.value.field == "amount"


def test_amount_limits() -> None:
    assert rules.check_amount(1000, low=1000, high=2000) == 1000
    with pytest.raises(ValidationFailed, match="не меньше"):
        rules.check_amount(999, low=1000, high=2000)
    with pytest.raises(ValidationFailed, match="не больше"):
        rules.check_amount(2001, low=1000, high=2000)


def test_rubles_are_shown_with_kopecks_and_sign() -> None:
    assert rules.format_rub(123456) == "1\u202f234,56 ₽"
    assert rules.format_rub(5) == "0,05 ₽"
    assert rules.format_rub(-500) == "−5,00 ₽"


def test_balance_moves_up_for_payments_and_down_for_refunds() -> None:
    assert rules.apply_to_balance(100, PaymentKind.TOPUP, 50) == 150
    assert rules.apply_to_balance(100, PaymentKind.AUTOPAY, 50) == 150
    assert rules.apply_to_balance(100, PaymentKind.REFUND, 150) == -50
    with pytest.raises(ValueError):
        rules.apply_to_balance(100, PaymentKind.TOPUP, 0)


@pytest.mark.parametrize(
    ("period", "day", "expected"),
    [
        ("2026-02", 31, date(2026, 2, 28)),
        ("2028-02", 31, date(2028, 2, 29)),  # leap year
        ("2026-02", 29, date(2026, 2, 28)),
        ("2026-04", 31, date(2026, 4, 30)),
        ("2026-01", 31, date(2026, 1, 31)),
        ("2026-03", 1, date(2026, 3, 1)),
        ("2026-12", 15, date(2026, 12, 15)),
    ],
)
def test_due_date_falls_back_to_the_last_day_of_a_short_month(
    period: str, day: int, expected: date
) -> None:
    assert rules.due_date(period, day) == expected


def test_periods_roll_over_the_year() -> None:
    assert rules.next_period("2026-12") == "2027-01"
    assert rules.next_period("2026-01") == "2026-02"
    assert rules.period_of(date(2026, 3, 9)) == "2026-03"
    with pytest.raises(ValueError):
        rules.parse_period("2026-13")


def test_is_due_from_the_charge_day_to_the_end_of_that_month_only() -> None:
    start = "2026-01"
    assert rules.is_due(date(2026, 2, 27), day_of_month=31, start_period=start) is None
    assert rules.is_due(date(2026, 2, 28), day_of_month=31, start_period=start) == "2026-02"
    assert rules.is_due(date(2026, 3, 1), day_of_month=31, start_period=start) is None
    assert rules.is_due(date(2026, 3, 31), day_of_month=31, start_period=start) == "2026-03"
    assert rules.is_due(date(2026, 3, 15), day_of_month=10, start_period=start) == "2026-03"
    assert rules.is_due(date(2026, 3, 9), day_of_month=10, start_period=start) is None


def test_nothing_is_due_before_the_start_period() -> None:
    assert rules.is_due(date(2026, 3, 20), day_of_month=10, start_period="2026-04") is None
    assert rules.is_due(date(2026, 4, 10), day_of_month=10, start_period="2026-04") == "2026-04"


def test_turning_on_after_the_charge_day_starts_next_month() -> None:
    assert rules.first_period(date(2026, 3, 20), 10) == "2026-04"
    assert rules.first_period(date(2026, 3, 10), 10) == "2026-03"
    assert rules.first_period(date(2026, 3, 5), 10) == "2026-03"
    assert rules.first_period(date(2026, 12, 31), 30) == "2027-01"
    assert rules.first_period(date(2026, 2, 28), 31) == "2026-02"


def test_next_charge_date_for_the_page() -> None:
    assert rules.next_charge_date(
        date(2026, 1, 31), day_of_month=31, start_period="2026-02"
    ) == date(2026, 2, 28)
    assert rules.next_charge_date(
        date(2026, 3, 20), day_of_month=10, start_period="2026-01"
    ) == date(2026, 4, 10)


def test_day_of_month_is_checked() -> None:
    assert rules.check_day(31) == 31
    for bad in (0, 32, -1):
        with pytest.raises(ValidationFailed):
            rules.check_day(bad)


def test_retries_back_off_then_give_up() -> None:
    now = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert rules.next_retry(1, now) == now + timedelta(hours=1)
    assert rules.next_retry(2, now) == now + timedelta(hours=6)
    assert rules.next_retry(3, now) == now + timedelta(hours=24)
    assert rules.next_retry(rules.MAX_AUTOPAY_ATTEMPTS, now) is None


def test_provider_words_map_to_payment_statuses() -> None:
    assert rules.provider_status("succeeded") == PaymentStatus.SUCCEEDED
    assert rules.provider_status("canceled") == PaymentStatus.DECLINED
    assert rules.provider_status("pending") == PaymentStatus.PENDING
    assert rules.provider_status("something new") == PaymentStatus.PENDING


def test_decline_reasons_are_russian_with_a_fallback() -> None:
    assert rules.decline_message("insufficient_funds") == "Недостаточно средств на карте."
    assert rules.decline_message("???") == "Банк отклонил платёж."


def test_phone_numbers_and_cards_are_shown_masked() -> None:
    assert rules.format_msisdn("+79161234567") == "+7 916 123-45-67"
    assert rules.format_msisdn("+4930123") == "+4930123"
    assert rules.mask_pan("4242") == "•••• 4242"


def test_sandbox_test_cards() -> None:
    assert luhn_ok("4242424242424242")
    assert not luhn_ok("4242424242424241")
    assert card_outcome("4242424242424242") == ""
    assert card_outcome("4000000000000002") == "insufficient_funds"
    assert card_outcome("1234") == "invalid_card_number"


def test_status_and_kind_labels_speak_both_languages() -> None:
    from cabinet.telecom import rules as tr

    for labels in (
        tr.SIM_STATUS_LABELS,
        tr.PAYMENT_STATUS_LABELS,
        tr.PAYMENT_KIND_LABELS,
        tr.REQUEST_STATUS_LABELS,
    ):
        assert labels and all(ru and en and ru != en for ru, en in labels.values())
