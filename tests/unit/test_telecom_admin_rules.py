"""Operator admin rules: forms, delete rules, profit rounding, periods, decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cabinet.errors import ValidationFailed
from cabinet.telecom import admin_rules as ar
from models.telecom import RequestStatus, SimStatus


@pytest.mark.parametrize(
    ("paid", "share", "profit"),
    [(0, "10", 0), (1000_00, "10", 100_00), (1500_05, "10", 150_01), (1, "50", 1), (3, "12.5", 0)],
)
def test_partner_profit_is_rounded_half_up_to_kopecks(paid, share, profit):
    assert ar.partner_profit_kopecks(paid, Decimal(share)) == profit


@pytest.mark.parametrize(
    ("kw", "refused"),
    [
        ({"contract_id": None, "status": SimStatus.INACTIVE, "payments": 0}, False),
        ({"contract_id": None, "status": SimStatus.BLOCKED, "payments": 0}, False),
        ({"contract_id": 5, "status": SimStatus.INACTIVE, "payments": 0}, True),
        ({"contract_id": None, "status": SimStatus.ACTIVE, "payments": 0}, True),
        ({"contract_id": None, "status": SimStatus.INACTIVE, "payments": 1}, True),
    ],
)
def test_only_stock_sims_without_payments_may_be_deleted(kw, refused):
    assert bool(ar.sim_delete_refusal(**kw)) is refused


def test_tariff_form_parses_money_and_unlimited_allowances():
    data = ar.check_tariff(
        name=" Безлимит ", description="", fee="1 299,90", minutes="", sms="100", internet_gb="∞"
    )
    assert (data.name, data.monthly_fee_kopecks) == ("Безлимит", 1299_90)
    assert (data.minutes, data.sms, data.internet_gb) == (None, 100, None)
    with pytest.raises(ValidationFailed) as err:
        ar.check_tariff(name="X1", description="", fee="12.345", minutes="", sms="", internet_gb="")
    assert err.value.field == "fee"


def test_partner_form_checks_inn_email_phone_and_share():
    data = ar.check_partner(
        name="ООО Дилер",
        inn="7707083893",
        contact_name="",
        contact_email="Sales@Example.com",
        contact_phone="8 916 123-45-67",
        share="12,5 %",
    )
    assert data.contact_phone == "+79161234567"
    assert data.profit_share_percent == Decimal("12.50")
    for kw, field in (
        ({"inn": "7707083890"}, "inn"),
        ({"contact_email": "нет"}, "contact_email"),
        ({"share": "101"}, "share"),
    ):
        base = {
            "name": "ООО",
            "inn": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "share": "0",
        }
        with pytest.raises(ValidationFailed) as err:
            ar.check_partner(**{**base, **kw})
        assert err.value.field == field


def test_period_covers_whole_local_days_in_utc():
    start, end = ar.period_bounds(date(2026, 4, 1), date(2026, 4, 30), "Europe/Moscow")
    assert start == datetime(2026, 3, 31, 21, tzinfo=UTC)
    assert end == datetime(2026, 4, 30, 21, tzinfo=UTC)
    with pytest.raises(ValidationFailed):
        ar.period_bounds(date(2026, 5, 1), date(2026, 4, 1), "Europe/Moscow")
    assert ar.parse_day("29.11.2026", field="x") == date(2026, 11, 29)
    assert ar.parse_day("", field="x") is None


@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("decision", [ar.APPROVE, ar.REJECT])
def test_only_pending_requests_are_decided_and_rejection_needs_a_comment(status, decision):
    if status != RequestStatus.PENDING:
        with pytest.raises(ValidationFailed):
            ar.check_decision(status, decision, "комментарий")
        return
    if decision == ar.REJECT:
        with pytest.raises(ValidationFailed) as err:
            ar.check_decision(status, decision, "  ")
        assert err.value.field == "comment"
        assert ar.check_decision(status, decision, "нет")[0] == RequestStatus.REJECTED
    else:
        assert ar.check_decision(status, decision, "")[0] == RequestStatus.APPROVED


@pytest.mark.parametrize(
    ("old", "new", "activated", "steps", "refused"),
    [
        ("inactive", "", False, (), False),  # an empty status keeps the stored one
        ("active", "active", True, (), False),
        ("inactive", "active", False, ("activate",), False),
        ("inactive", "blocked", False, ("block",), False),
        ("active", "blocked", True, ("block",), False),
        ("blocked", "active", True, ("unblock",), False),  # unblocking an activated card
        ("blocked", "active", False, ("unblock", "activate"), False),
        ("blocked", "inactive", False, ("unblock",), False),
        ("blocked", "inactive", True, (), True),  # would come back active, not inactive
        ("active", "inactive", True, (), True),  # only a block takes an active card out
    ],
)
def test_import_status_steps_follow_the_manual_actions(old, new, activated, steps, refused):
    got, error = ar.import_status_steps(old, new, activated=activated)
    assert got == steps
    assert bool(error) is refused
