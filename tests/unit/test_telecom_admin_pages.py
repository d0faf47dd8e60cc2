"""Every telecom admin page builds (Vars, ids and buttons fit together) without a server."""

from __future__ import annotations

import pytest

from cabinet.telecom import admin_pages as pages

PAGES = [
    pages.sims_page,
    pages.sim_page,
    pages.import_page,
    pages.subscribers_page,
    pages.subscriber_page,
    pages.partners_page,
    pages.partner_page,
    pages.payments_page,
    pages.tariffs_page,
    pages.requests_page,
    pages.blocks_page,
    pages.admins_page,
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.__name__)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_for_end_to_end_tests_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "req-comment",
        "req-decide",
        "req-table",
        "sim-status",
        "sim-block",
        "sim-unblock",
        "telecom-csv",
        "import-run",
        "import-progress",
        "partner-period-profit",
        "tariff-add",
        "admins-grant",
    ):
        assert stable_id in rendered, stable_id
