"""Every orders, finance and documents page builds without a server, with the stable ids the
end-to-end tests use."""

from __future__ import annotations

import pytest

from cabinet.documents import pages as documents
from cabinet.finance import pages as finance
from cabinet.orders import pages as orders

PAGES = [
    orders.orders_page,
    orders.order_page,
    finance.finance_page,
    finance.invoices_page,
    finance.contract_page,
    documents.certificates_page,
    documents.documents_page,
    documents.trace_page,
]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_for_end_to_end_tests_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "orders-tab-in_progress",
        "orders-export-csv",
        "order-cancel",
        "order-req-comment",
        "order-req-submit",
        "order-pending",
        "certs-batch",
        "certs-apply",
        "certs-list",
        "trace-found",
        "trace-missing",
        "fin-ageing",
        "inv-export-xlsx",
    ):
        assert stable_id in rendered, stable_id
