"""The fast readers of documents and certificates (`cabinet.erp.fastrows`, SQLite's and
PostgreSQL's) give, row for row, exactly what `rules.parse` followed by `bulk.bind_rows`
gives for that database — or decline the row (`Unsure`), and they decline every row
`rules.parse` finds malformed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from cabinet.erp import fastrows, rules
from cabinet.erp.bulk import bind_processor, bind_rows
from models.documents import Certificate, ShippingDocument
from tests.fakes.erp_server import ErpData

TABLES = {
    "documents": ShippingDocument.__table__,  # type: ignore[attr-defined]
    "certificates": Certificate.__table__,  # type: ignore[attr-defined]
}


@pytest.fixture(scope="module", params=["sqlite://", "postgresql+psycopg://"])
def dialect(request: pytest.FixtureRequest) -> Iterator[Any]:
    engine = sa.create_engine(request.param)  # never connected: the dialect is enough
    yield engine.dialect
    engine.dispose()


def _json_text(dialect: Any) -> Callable[[Any], Any] | None:
    return bind_processor(TABLES["certificates"], "disclosed", dialect)


def _slow(dialect: Any, entity: str, row: Any) -> dict[str, Any] | None:
    """rules.parse + bind_rows, or None for a malformed row."""
    try:
        parsed = rules.parse(entity, row)
    except rules.MalformedRow:
        return None
    bind_rows(dialect, TABLES[entity], [parsed])
    return parsed


def _fast(dialect: Any, entity: str, row: Any) -> dict[str, Any] | None:
    readers = fastrows.readers(dialect)
    assert readers is not None
    read, _ = readers[entity]
    try:
        return read(row, _json_text(dialect))
    except fastrows.Unsure:
        return None


def _agree(dialect: Any, entity: str, row: Any) -> bool:
    """True when the fast reader took the row (and then agrees with the slow way)."""
    fast, slow = _fast(dialect, entity, row), _slow(dialect, entity, row)
    if fast is None:
        return False
    assert slow is not None, f"accepted a malformed row: {row!r}"
    assert list(fast) == list(slow)  # the same columns, in the same order
    assert fast == slow
    assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()]  # 64 != 64.0
    return True


@pytest.mark.parametrize("entity", ["documents", "certificates"])
def test_every_generated_row_reads_the_same_both_ways(dialect: Any, entity: str):
    data = ErpData(orgs=20, orders=120, documents=600)
    for i in range(0, data.count(entity), 7):
        data.touch(entity, i, consignee="  ООО «С пробелами»  ", quantity=" 12.5 ")
    rows, _, _ = data.changes(entity, "", 10_000)
    assert rows
    assert all(_agree(dialect, entity, row) for row in rows)


@pytest.mark.parametrize("entity", ["documents", "certificates"])
def test_broken_generated_rows_are_never_taken(dialect: Any, entity: str):
    data = ErpData(orgs=20, orders=120, documents=300)
    data.malformed[entity] = set(range(30))
    rows, _, _ = data.changes(entity, "", 30)
    for row in rows:
        _agree(dialect, entity, row)  # asserts inside: never a malformed row taken


def _base(entity: str) -> dict[str, Any]:
    data = ErpData(orgs=20, orders=120, documents=300)
    rows, _, _ = data.changes(entity, "", 1)
    return dict(rows[0])


# (field, value): unusual values, each either taken with the slow way's result or declined
ODD_VALUES: list[tuple[str, Any]] = [
    ("updated_at", "2026-11-30T10:15:00+03:00"),  # another zone: stored in UTC
    ("updated_at", "2026-11-30T10:15:00"),  # no zone: malformed
    ("updated_at", "2026-11-30 10:15:00.5+00:00"),
    ("updated_at", "вчера"),
    ("updated_at", 1764496500),
    ("updated_at", None),
    ("erp_id", ""),
    ("erp_id", "   "),
    ("erp_id", 12345),
    ("erp_id", "X" * 65),
    ("organisation", None),
    ("order", None),
    ("order", ""),
    ("order", 17),
    ("number", None),
    ("number", "N" * 41),
    ("number", "  СК-1  "),
    ("consignee", None),
    ("consignee", ""),
    ("consignee", 5),
    ("consignee", "К" * 301),
    ("consignee", ["список"]),
    ("currency", ""),
    ("currency", "EURO"),
    ("amount", None),
    ("amount", ""),
    ("amount", 100),
    ("amount", 100.5),
    ("amount", True),
    ("amount", " 1e3 "),
    ("amount", "1e15"),
    ("amount", "NaN"),
    ("amount", "Infinity"),
    ("amount", "1_000.5"),
    ("amount", "двести"),
    ("quantity", "0.0005"),
    ("quantity", -3),
    ("quantity", {"t": 1}),
    ("doc_date", "2026-11-30T23:59:00+05:00"),  # the first ten characters, as rules read it
    ("doc_date", "2026-W48-1"),
    ("doc_date", "20261130"),
    ("doc_date", "2026-02-30"),
    ("doc_date", None),
    ("issued_on", "2026-11-30"),
    ("issued_on", ""),
    ("doc_type", ""),
    ("doc_type", None),
    ("doc_type", "накладная"),
    ("doc_type", ["upd"]),
    ("delivery_type", "rail"),
    ("delivery_type", "air"),
    ("unit", ""),
    ("unit", "кг"),
    ("disclosed", None),
    ("disclosed", {}),
    ("disclosed", {"fields": ["grade"], "note": "Плавка №1 — «ГОСТ»"}),
    ("disclosed", "текст"),
    ("disclosed", [1, 2]),
]


@pytest.mark.parametrize("entity", ["documents", "certificates"])
@pytest.mark.parametrize(("field", "value"), ODD_VALUES)
def test_odd_values_are_read_the_same_or_declined(
    dialect: Any, entity: str, field: str, value: Any
):
    row = _base(entity)
    row[field] = value
    _agree(dialect, entity, row)
    row.pop(field)  # and the field left out altogether
    _agree(dialect, entity, row)


@pytest.mark.parametrize("row", [None, [], "text", 5, {"erp_id": "X"}])
def test_garbage_is_declined(dialect: Any, row: Any):
    for entity in ("documents", "certificates"):
        assert _fast(dialect, entity, row) is None


def test_the_common_values_are_taken(dialect: Any):
    """The point of it: the generator's ordinary rows go the fast way."""
    for entity in ("documents", "certificates"):
        assert _agree(dialect, entity, _base(entity))


def test_a_database_without_fast_readers_goes_the_usual_way():
    from sqlalchemy.dialects import mysql

    assert fastrows.readers(mysql.dialect()) is None
