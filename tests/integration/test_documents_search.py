"""Certificate and document search on a real database: exact and prefix by number and batch
(digits and Cyrillic, byte-wise on both engines), filters, keyset paging through results,
PDFs (generated, or the stored original) and the public QR view."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdf
import pytest

from cabinet.access.service import load_actor
from cabinet.documents import queries as dq
from cabinet.errors import NotFound
from cabinet.files.service import store_upload
from tests.integration.test_orders_scope import (
    World,
    make_certificate,
    make_document,
    make_order,
)
from tests.unit.test_files_rules import PDF

pytestmark = pytest.mark.db


@pytest.fixture
def w(db):
    world = World(db)
    for i, (number, batch) in enumerate(
        [
            ("СК-2026-000201", "П-2026-0419"),
            ("СК-2026-000210", "П-2026-1000"),
            ("СК-2026-001000", "Я-0001"),
            ("СК-2027-000001", "я-0002"),
            ("19-0001", "1900"),
            ("1:-0001", "1:00"),  # right after "19…" in code-point order: must not match "19"
            ("190", "ПАРТИЯ"),
        ]
    ):
        make_certificate(
            db, world.org, number, batch, issued_on=date(2026, 10, 1) + timedelta(days=i)
        )
    return world


def _numbers(db, actor, **kw) -> list[str]:
    return [r.number for r in dq.certificate_registry(db, actor, dq.CertFilters(**kw)).rows]


def _batches(db, actor, **kw) -> list[str]:
    return [r.batch for r in dq.certificate_registry(db, actor, dq.CertFilters(**kw)).rows]


def test_prefix_search_by_number_finds_exactly_the_numbers_starting_with_it(db, w):
    client = load_actor(db, w.client.id)
    assert _numbers(db, client, number="СК-2026-0002") == ["СК-2026-000201", "СК-2026-000210"]
    assert _numbers(db, client, number="ск-2026") == [
        "СК-2026-000101",
        "СК-2026-000201",
        "СК-2026-000210",
        "СК-2026-001000",
    ]
    assert _numbers(db, client, number="19") == ["19-0001", "190"]
    assert _numbers(db, client, number="1:") == ["1:-0001"]
    assert _numbers(db, client, number="СК-2028") == []


def test_exact_search_matches_the_whole_value_only(db, w):
    client = load_actor(db, w.client.id)
    assert _numbers(db, client, number="19", exact=True) == []
    assert _numbers(db, client, number="190", exact=True) == ["190"]
    assert _batches(db, client, batch="п-2026-0417", exact=True) == ["П-2026-0417"]


def test_batch_search_with_cyrillic_letters(db, w):
    client = load_actor(db, w.client.id)
    assert _batches(db, client, batch="П-2026-04") == ["П-2026-0417", "П-2026-0419"]
    # Typed lower case is upper-cased; a stored lower-case batch is found by its own case only.
    assert _batches(db, client, batch="я") == ["Я-0001"]
    assert _batches(db, client, batch="ПАР") == ["ПАРТИЯ"]


def test_search_results_page_by_keyset_without_repeats(db, w):
    client = load_actor(db, w.client.id)
    seen: list[str] = []
    after = ""
    while True:
        page = dq.certificate_registry(
            db, client, dq.CertFilters(number="СК"), after=after, limit=2
        )
        seen += [r.number for r in page.rows]
        if not page.next_after:
            break
        after = page.next_after
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


def test_registry_without_search_is_newest_first_and_filters_apply(db, w):
    client = load_actor(db, w.client.id)
    rows = dq.certificate_registry(db, client, dq.CertFilters()).rows
    dates = [date.fromisoformat("-".join(reversed(r.issued_on.split(".")))) for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert _numbers(db, client, date_from=date(2026, 10, 6), date_to=date(2026, 10, 7)) == [
        "190",
        "1:-0001",
    ]
    assert _numbers(db, client, grade="к5") == _numbers(db, client)  # every demo cert is К52
    assert _numbers(db, client, consignee="ромашка") != []
    assert _numbers(db, client, consignee="нет такого") == []


def test_documents_filter_by_type_delivery_and_order(db, w):
    client = load_actor(db, w.client.id)
    order = make_order(db, w.org, "З-2026-555")
    make_document(db, w.org, "ТН-1", doc_type="waybill", delivery_type="road", order_id=order.id)
    make_document(db, w.org, "АКТ-1", doc_type="act", delivery_type="")

    def numbers(**kw):
        return [r.number for r in dq.document_registry(db, client, dq.DocFilters(**kw)).rows]

    assert numbers(doc_type="waybill") == ["ТН-1"]
    assert numbers(delivery_type="road") == ["ТН-1"]
    assert numbers(order="з-2026-555") == ["ТН-1"]
    assert numbers(order="З-2026-900001") == []  # another organisation's order
    assert numbers(number="АКТ", exact=False) == ["АКТ-1"]


def test_certificate_pdf_is_generated_with_the_qr_link_or_the_stored_original(db, w):
    client = load_actor(db, w.client.id)
    made = dq.certificate_download(db, client, w.cert.id)
    assert made.content_type == "application/pdf" and made.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(made.data)).pages)
    assert "СК-2026-000101" in text and "П-2026-0417" in text
    assert w.cert.public_code in text.replace("\n", "")
    stored = store_upload(
        db,
        actor_id=w.admin.id,
        filename="original.pdf",
        source=io.BytesIO(PDF),
        allowed_types=("pdf",),
        organisation_id=w.org.id,
    )
    w.cert.file_id = stored.id
    db.add(w.cert)
    db.flush()
    original = dq.certificate_download(db, client, w.cert.id)
    assert original.data == PDF and original.filename == "original.pdf"


def test_public_view_shows_only_what_the_producer_discloses(db, w):
    w.cert.disclosed = {"fields": ["grade", "consignee"], "chemistry": {"C": "0,10"}}
    w.cert.heat = "12-3456"
    db.add(w.cert)
    db.flush()
    pub = dq.public_certificate(db, w.cert.public_code)
    labels = {f.label: f.value for f in pub.fields}
    assert labels["Партия"] == "П-2026-0417"
    assert labels["Марка стали"] == "К52"
    assert "Плавка" not in labels  # not chosen
    values = " ".join(labels.values())
    assert "Ромашка" not in values  # the customer/consignee is never shown
    assert pub.groups[0].rows[0].value == "0,10"
    for bad in ("", "short", w.cert.public_code[:-1] + "!", "x" * 40):
        with pytest.raises(NotFound):
            dq.public_certificate(db, bad)
