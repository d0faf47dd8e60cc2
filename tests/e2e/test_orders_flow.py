"""Orders and documents in Chromium: a customer finds a quality certificate by the start of its
batch number, downloads its PDF, and the certificate's QR page opens without login showing the
batch but not the customer; a customer of another organisation finds nothing. A customer asks to
cancel an order and the order shows the request as pending."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.e2e.helpers import Viewport, engine, session_token

pytestmark = pytest.mark.e2e

BATCH = "П-2026-0417"  # cabinet/orders/demo.py: a certificate of ООО «Ромашка»


def _certificate() -> tuple[int, str]:
    from models import Certificate

    with Session(engine()) as s:
        c = s.exec(select(Certificate).where(Certificate.batch == BATCH)).one()
        return c.id or 0, c.public_code


def test_find_certificate_by_batch_download_it_and_open_its_qr_page_without_login(
    open_page,
) -> None:  # type: ignore[no-untyped-def]
    cert_id, code = _certificate()
    client = open_page()
    client.use_session(session_token("client@demo.local"))
    client.goto("/documents/certificates")
    client.fill("certs-batch", "п-2026-04")  # the start of the batch, typed in lower case
    client.click("certs-apply")
    client.page.wait_for_url("**batch=*")
    client.wait_id_text(f"cert-batch-{cert_id}", BATCH)
    client.shot("orders-certificates-found")

    with client.page.expect_download() as info:
        client.click(f"cert-pdf-{cert_id}")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    href = client.by_id(f"cert-qr-{cert_id}").get_attribute("href") or ""
    assert href.endswith(f"/trace?c={code}")

    visitor = open_page()  # no session cookie: an anonymous visitor
    visitor.goto(f"/trace?c={code}")
    visitor.by_id("trace-found").wait_for()
    shown = visitor.text()
    assert BATCH in shown
    assert "Ромашка" not in shown and "₽" not in shown
    visitor.shot("orders-trace-public")

    visitor.goto("/trace?c=nothing-like-a-code")
    visitor.by_id("trace-missing").wait_for()


def test_another_organisations_customer_finds_no_certificate(open_page) -> None:  # type: ignore[no-untyped-def]
    stranger = open_page()
    stranger.use_session(session_token("other@demo.local"))
    stranger.goto(f"/documents/certificates?batch={BATCH}&exact=1")
    stranger.by_id("certs-list-empty").wait_for()


def test_customer_asks_to_cancel_an_order_and_it_shows_pending(open_page) -> None:  # type: ignore[no-untyped-def]
    from models import Order

    with Session(engine()) as s:
        order = s.exec(select(Order).where(Order.erp_id == "DEMO-7707083893-O6")).one()
        order_id = order.id
    client = open_page()
    client.use_session(session_token("client@demo.local"))
    client.goto("/orders?tab=in_progress")
    client.click(f"order-open-{order_id}")
    client.wait_path("/orders/view")
    client.click("order-cancel")
    client.fill("order-req-comment", "Заказ больше не нужен")
    client.click("order-req-submit")
    client.by_id("order-pending").wait_for()
    assert client.by_id("order-cancel").count() == 0
    client.shot("orders-detail-pending")


def test_customer_exports_the_orders_registry_as_xlsx_and_csv(open_page) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    from models import Order

    with Session(engine()) as s:
        org = s.exec(select(Order).where(Order.erp_id == "DEMO-7707083893-O6")).one()
        numbers = set(
            s.exec(select(Order.number).where(Order.organisation_id == org.organisation_id)).all()
        )
    client = open_page()
    client.use_session(session_token("client@demo.local"))
    client.goto("/orders")
    with client.page.expect_download() as info:
        client.click("orders-export-xlsx")
    download = info.value
    assert download.suggested_filename == "zakazy.xlsx"
    sheet = load_workbook(BytesIO(Path(download.path()).read_bytes())).active
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported and exported <= numbers  # the organisation's orders, no one else's

    with client.page.expect_download() as info:
        client.click("orders-export-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Номер") and all(n in text for n in exported)


def test_on_a_phone_the_filters_unfold_from_one_button(open_page) -> None:  # type: ignore[no-untyped-def]
    phone = open_page(Viewport.PHONE)
    phone.use_session(session_token("client@demo.local"))
    phone.goto("/orders")
    phone.by_id("orders-q").wait_for()
    assert not phone.by_id("orders-number").is_visible()  # folded: the search box only
    phone.click("orders-more")
    phone.by_id("orders-number").wait_for(state="visible")
    phone.fill("orders-number", "З-2026-100002")
    phone.click("orders-apply")
    phone.page.wait_for_url("**number=*")
    phone.page.locator("text=З-2026-100002 >> visible=true").first.wait_for()
    phone.shot("orders-phone-filters")
