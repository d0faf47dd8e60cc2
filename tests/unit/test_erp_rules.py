"""ERP rules: row parsing (every generated row parses; broken ones are MalformedRow),
backoff, schedule, lag, tokens and the rate-limit window; the fake ERP's feed contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from stdnum.ru import inn as inn_check
from stdnum.ru import ogrn as ogrn_check

from cabinet.erp import rules
from tests.fakes.erp_server import ErpData, company_inn

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> ErpData:
    return ErpData(orgs=20, orders=120, documents=300)


@pytest.mark.parametrize("entity", rules.ENTITIES)
def test_every_generated_row_parses(data: ErpData, entity: str):
    rows, _, _ = data.changes(entity, "", 10_000)
    assert len(rows) == data.count(entity)
    for row in rows:
        parsed = rules.parse(entity, row)
        assert parsed["erp_id"] == row["erp_id"]
        assert parsed["erp_updated_at"].tzinfo is not None


@pytest.mark.parametrize("entity", rules.ENTITIES)
def test_broken_rows_are_malformed_not_crashes(entity: str):
    broken = ErpData(orgs=20, orders=120, documents=300)
    broken.malformed[entity] = {0, 1, 2, 3, 4, 5}
    rows, _, _ = broken.changes(entity, "", 6)
    failures = 0
    for row in rows:
        try:
            parsed = rules.parse(entity, row)
        except rules.MalformedRow as e:
            failures += 1
            assert e.reason
        else:  # a reference to an unknown organisation is caught by the sync, not the parser
            assert parsed.get("_org") == "ORG-99999999"
    assert failures >= 4


@pytest.mark.parametrize(
    "row",
    [None, [], "text", {"erp_id": "X"}, {"erp_id": "X", "updated_at": "2026-01-01T00:00:00"}],
)
def test_garbage_is_malformed(row: object):
    with pytest.raises(rules.MalformedRow):
        rules.parse("orders", row)


def test_order_parsing_keeps_money_exact_and_children(data: ErpData):
    row = data.current("orders", 7)
    parsed = rules.parse_order(row)
    assert isinstance(parsed["amount"], Decimal)
    assert parsed["amount"] == sum(line["amount"] for line in parsed["_children"]["lines"])
    assert parsed["search_text"] == parsed["search_text"].lower()
    assert row["number"] in parsed["search_text"]


def test_generated_organisations_have_valid_unique_inn_and_ogrn():
    inns = set()
    for i in range(3, 3000):
        inn, kpp, ogrn = company_inn(i)
        assert inn_check.is_valid(inn) and ogrn_check.is_valid(ogrn) and len(kpp) == 9
        inns.add(inn)
    assert len(inns) == 2997


def test_feed_is_ordered_and_resumes_after_the_cursor(data: ErpData):
    first, cursor, more = data.changes("documents", "", 50)
    rest, _, _ = data.changes("documents", cursor, 10_000)
    assert more and len(first) + len(rest) == data.count("documents")
    keys = [(r["updated_at"], r["erp_id"]) for r in first + rest]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_a_touched_row_moves_to_the_end_of_the_feed_once():
    data = ErpData(orgs=5, orders=30, documents=10)
    _, cursor, _ = data.changes("orders", "", 1000)
    data.touch("orders", 3, status="completed")
    data.touch("orders", 3, status="cancelled")
    rows, _, _ = data.changes("orders", cursor, 1000)
    assert [r["erp_id"] for r in rows] == ["ORD-00000003"]
    assert rows[0]["status"] == "cancelled"
    everything, _, _ = data.changes("orders", "", 1000)
    assert len(everything) == 30


def test_backoff_grows_and_is_capped():
    waits = [rules.backoff(n) for n in range(1, 12)]
    assert waits[0] == timedelta(seconds=30) and waits == sorted(waits)
    assert waits[-1] == timedelta(minutes=30)


def test_retry_only_transient_and_below_the_limit():
    assert rules.should_retry(1, transient=True)
    assert not rules.should_retry(1, transient=False)
    assert not rules.should_retry(rules.OUTBOUND_MAX_ATTEMPTS, transient=True)


def test_sync_due_on_interval_or_request():
    assert rules.sync_due(last_started=None, now=NOW, interval_seconds=1200, requested=False)
    recent = NOW - timedelta(minutes=5)
    assert not rules.sync_due(last_started=recent, now=NOW, interval_seconds=1200, requested=False)
    assert rules.sync_due(last_started=recent, now=NOW, interval_seconds=1200, requested=True)
    old = NOW - timedelta(minutes=20)
    assert rules.sync_due(last_started=old, now=NOW, interval_seconds=1200, requested=False)


def test_lag():
    assert rules.lag_seconds(None, NOW) is None
    assert rules.lag_seconds(NOW - timedelta(minutes=3), NOW) == 180
    assert rules.lag_seconds(NOW + timedelta(seconds=5), NOW) == 0


def test_tokens_are_random_and_only_their_hash_is_kept():
    a, b = rules.new_token(), rules.new_token()
    assert a.secret != b.secret and a.secret.startswith(rules.TOKEN_PREFIX)
    assert a.token_hash == rules.hash_token(a.secret) and len(a.token_hash) == 64
    assert a.secret.startswith(a.prefix) and len(a.prefix) == rules.TOKEN_SHOWN
    assert rules.token_name_error("") and rules.token_name_error("x" * 101)
    assert rules.token_name_error("1С") is None


def test_rate_window_counts_within_a_minute_and_resets():
    start, count, ok = rules.rate_window(window_start=None, count=0, now=NOW, limit=2)
    assert (start, count, ok) == (NOW, 1, True)
    start, count, ok = rules.rate_window(window_start=start, count=count, now=NOW, limit=2)
    assert (count, ok) == (2, True)
    _, _, ok = rules.rate_window(window_start=start, count=count, now=NOW, limit=2)
    assert not ok
    later = NOW + timedelta(seconds=60)
    assert rules.rate_window(window_start=start, count=count, now=later, limit=2) == (
        later,
        1,
        True,
    )
