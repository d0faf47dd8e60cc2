"""Finance on a real database: ageing buckets from due dates against today, amount due, credit
headroom, debt since the start of the month per contract, invoice tabs and keyset paging."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cabinet.access.service import load_actor
from cabinet.finance import queries as fq
from tests.integration.test_orders_scope import (
    TODAY,
    World,
    make_contract,
    make_invoice,
    make_order,
)

pytestmark = pytest.mark.db


@pytest.fixture
def w(db):
    world = World(db)  # one invoice of 100,00 due 10 days ago (bucket 1–30)
    c = make_contract(db, world.org, "РМ-2", credit_limit=Decimal("1000000.00"))
    world.c2 = c
    for days, amount, paid, status in [
        (31, "200.00", "0", "issued"),
        (75, "300.00", "100.00", "partial"),
        (120, "400.00", "0", "issued"),
        (-5, "500.00", "0", "issued"),  # not due yet
        (15, "600.00", "600.00", "paid"),
        (15, "700.00", "0", "cancelled"),
    ]:
        make_invoice(
            db,
            world.org,
            f"СЧ-{days}-{status}",
            due_days_ago=days,
            amount=Decimal(amount),
            paid_amount=Decimal(paid),
            status=status,
            contract_id=c.id,
        )
    # Issued this month (after the 1st), partly paid: the contract's "debt since the 1st".
    make_invoice(
        db,
        world.org,
        "СЧ-MONTH",
        due_days_ago=-20,
        issued_on=TODAY - timedelta(days=2),
        amount=Decimal("50.00"),
        paid_amount=Decimal("20.00"),
        status="partial",
        contract_id=c.id,
    )
    return world


def test_overview_ageing_amount_due_and_credit(db, w):
    ov = fq.overview(db, load_actor(db, w.client.id), today=TODAY)
    buckets = {b.key: b.amount for b in ov.buckets}
    assert buckets == {
        "d1_30": "100,00 ₽",
        "d31_60": "200,00 ₽",
        "d61_90": "200,00 ₽",
        "d90_plus": "400,00 ₽",
    }
    assert ov.overdue_total == "900,00 ₽"
    assert ov.amount_due == "1 430,00 ₽"  # 100 + 200 + 200 + 400 + 500 + 30
    assert ov.credit_limit == "1 100 000,00 ₽"  # both active contracts
    assert ov.credit_unused == "1 098 570,00 ₽"
    assert ov.has_overdue
    # both languages travel with the rows (the page picks one)
    assert [(b.label, b.label_en) for b in ov.buckets][-1] == ("Более 90 дней", "Over 90 days")
    assert len(ov.months) == 6 and all(m.month and m.month_en for m in ov.months)
    assert ov.months[-1].month_en.startswith(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )


def test_contract_card_debt_since_the_first_of_the_month(db, w):
    view = fq.contract_view(db, load_actor(db, w.client.id), w.c2.id, today=TODAY)
    assert view.row.month_debt == "530,00 ₽"  # СЧ-MONTH 30 + the one due in 5 days (issued 04.11)
    assert view.overdue_total == "800,00 ₽"
    assert view.row.status_label == "Действует"
    assert view.row.valid == "01.01.2026 — 31.12.2026"
    assert view.payment_terms_days == w.c2.payment_terms_days


def test_invoice_tabs_and_paging(db, w):
    client = load_actor(db, w.client.id)

    def numbers(**kw):
        return {
            r.number
            for r in fq.invoice_registry(db, client, fq.InvoiceFilters(**kw), today=TODAY).rows
        }

    assert numbers(tab="overdue") == {"СЧ-101", "СЧ-31-issued", "СЧ-75-partial", "СЧ-120-issued"}
    assert numbers(tab="paid") == {"СЧ-15-paid"}
    assert numbers(tab="cancelled") == {"СЧ-15-cancelled"}
    assert "СЧ--5-issued" in numbers(tab="open")
    assert numbers(amount_min=Decimal("450"), amount_max=Decimal("650")) == {
        "СЧ--5-issued",
        "СЧ-15-paid",
    }
    for sort in fq.INVOICE_SORTS:
        seen, after = [], ""
        while True:
            page = fq.invoice_registry(
                db, client, fq.InvoiceFilters(sort=sort), after=after, limit=3, today=TODAY
            )
            seen += [r.number for r in page.rows]
            if not page.next_after:
                break
            after = page.next_after
        assert len(seen) == len(set(seen)) == 8, sort


def test_orders_that_need_attention_say_why_in_both_languages(db, w):
    late = make_order(db, w.org, "З-ПОЗДНО", planned_shipment_on=TODAY - timedelta(days=3))
    unpaid = make_order(db, w.org, "З-ДОЛГ")
    make_invoice(db, w.org, "СЧ-ДОЛГ", due_days_ago=4, order_id=unpaid.id)

    ov = fq.overview(db, load_actor(db, w.client.id), today=TODAY)

    why = {a.number: (a.reason, a.reason_en) for a in ov.attention}
    day = (TODAY - timedelta(days=3)).strftime("%d.%m.%Y")
    assert why[late.number] == (
        f"Плановая дата отгрузки {day} прошла",
        f"Planned shipment date {day} has passed",
    )
    assert why[unpaid.number] == (
        "Просрочена оплата по счёту № СЧ-ДОЛГ",
        "Invoice No. СЧ-ДОЛГ is overdue",
    )
