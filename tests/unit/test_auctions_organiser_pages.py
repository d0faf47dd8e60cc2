"""The organiser's pages build without a server and carry the ids tests and screenshots use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cabinet.auctions import organiser_pages as pages
from cabinet.auctions.organiser_state import input_local, parse_local
from cabinet.errors import ValidationFailed

PAGES = [pages.list_page, pages.edit_page, pages.auction_page]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "auc-new",
        "auc-table",
        "auc-title",
        "auc-starts_at",
        "auc-save",
        "auc-announce",
        "auc-cancel",
        "auc-lots",
        "auc-lot-add",
        "auc-import",
        "auc-import-confirm",
        "auc-ledger",
        "auc-results",
    ):
        assert stable_id in rendered, stable_id


def test_datetime_local_round_trip_in_moscow_time():
    at = parse_local("2026-12-15T10:00", "starts_at")
    assert at.astimezone(UTC) == datetime(2026, 12, 15, 7, 0, tzinfo=UTC)
    assert input_local(at) == "2026-12-15T10:00"


@pytest.mark.parametrize(
    "bad", ["", "завтра", "2026-13-01T10:00", "1900-01-01T00:00", "2026-12-15T10:00+05:00"]
)
def test_bad_datetime_local_is_refused(bad):
    with pytest.raises(ValidationFailed):
        parse_local(bad, "starts_at")
