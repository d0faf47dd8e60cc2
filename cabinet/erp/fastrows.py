"""Driver values for the two largest entities, straight from the ERP's rows.

A delta sync of 100,000 shipping documents and certificates spends half of its Python on
turning each ERP row into what the driver gets: `rules.parse` (validation into typed values)
and then `bulk.bind_rows` (the columns' SQLAlchemy bind processors: dates and timestamps to
text, numbers to float, JSON to text). For the common row — every field of the type the ERP
documents, within its limits — `document` and `certificate` here do both in one pass, without
the typed values in between. A row they are not sure about (a missing or non-text field, a
text too long, a value not in its list, anything unusual) raises `Unsure`, and the caller
takes it the usual way (`rules.parse`, then `bulk.bind_rows`), so the rules and their
messages live in `rules.py` only. `tests/unit/test_erp_fastrows.py` checks that both ways
give the same values, row for row.

Two sets of readers: `READERS` for SQLite (dates, timestamps and JSON as text, numbers as
floats: what its bind processors make) and `PG_READERS` for PostgreSQL (typed values —
dates, UTC timestamps, Decimals — and JSON as text, what psycopg's COPY takes); `readers`
picks them by dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cabinet.erp.rules import DELIVERY_TYPES, DOC_TYPES

_LIMIT = Decimal("1e15")


class Unsure(Exception):
    """Not the common case: parse this row with `rules.parse`."""


def _text(row: dict[str, Any], key: str, limit: int) -> str:
    """`rules._s` for a text or an absent field (an int, which `_s` also takes, is unsure)."""
    value = row.get(key)
    if value.__class__ is str:
        text: str = value.strip()
        if len(text) > limit:
            raise Unsure
        return text
    if value is None:
        return ""
    raise Unsure


def _required(row: dict[str, Any], key: str, limit: int) -> str:
    value = row.get(key)
    if value.__class__ is not str or not value:
        raise Unsure
    text: str = value.strip()
    if len(text) > limit:
        raise Unsure
    return text


def _decimal(row: dict[str, Any], key: str) -> Decimal | None:
    """An optional number (`rules._dec`), as PostgreSQL's NUMERIC column gets it."""
    value = row.get(key)
    if value is None or value == "":
        return None
    if value.__class__ is not str and value.__class__ is not int:
        raise Unsure
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Unsure from None
    if not number.is_finite() or abs(number) >= _LIMIT:
        raise Unsure
    return number


def _number(row: dict[str, Any], key: str) -> float | None:
    """An optional number, as SQLite's NUMERIC column gets it (a float)."""
    number = _decimal(row, key)
    return None if number is None else float(number)


def _moment(row: dict[str, Any], key: str) -> datetime:
    """A required ISO timestamp with its zone (`rules._dt`): an aware datetime in UTC."""
    value = row.get(key)
    if value.__class__ is not str or not value:
        raise Unsure
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Unsure from None
    if parsed.tzinfo is None:
        raise Unsure
    return parsed.astimezone(UTC)


def _date(row: dict[str, Any], key: str) -> date:
    """A required ISO date (`rules._date`)."""
    value = row.get(key)
    if value.__class__ is not str or not value:
        raise Unsure
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise Unsure from None


def _timestamp(row: dict[str, Any], key: str) -> str:
    """`_moment` as SQLite stores it (UTC text, no zone)."""
    return _moment(row, key).isoformat(" ", "microseconds")[:26]


def _day(row: dict[str, Any], key: str) -> str:
    """`_date` as SQLite stores it (ISO text)."""
    return _date(row, key).isoformat()


def _choice(row: dict[str, Any], key: str, allowed: frozenset[str], default: str) -> str:
    value = row.get(key)
    if value is None or value == "":
        return default
    if value.__class__ is not str or value not in allowed:
        raise Unsure
    return str(value)


Reader = Callable[[Any, Callable[[Any], Any] | None], dict[str, Any]]


def _readers(
    timestamp: Callable[[dict[str, Any], str], Any],
    day: Callable[[dict[str, Any], str], Any],
    number: Callable[[dict[str, Any], str], Any],
) -> dict[str, tuple[Reader, str | None]]:
    """The document and certificate readers of one database: how it takes a timestamp, a
    date and a number."""

    def document(row: Any, _json_text: Callable[[Any], Any] | None) -> dict[str, Any]:
        """`bind_rows(rules.parse_document(row))` for the common row, else `Unsure` (no JSON
        column: `_json_text` is not used)."""
        if row.__class__ is not dict:
            raise Unsure
        return {
            "erp_id": _required(row, "erp_id", 64),
            "erp_updated_at": timestamp(row, "updated_at"),
            "_org": _required(row, "organisation", 64),
            "_order": _text(row, "order", 64),
            "doc_type": _choice(row, "doc_type", DOC_TYPES, "upd"),
            "number": _required(row, "number", 40),
            "doc_date": day(row, "doc_date"),
            "delivery_type": _choice(row, "delivery_type", DELIVERY_TYPES, ""),
            "consignee": _text(row, "consignee", 300),
            "product_code": _text(row, "product_code", 40),
            "amount": number(row, "amount"),
            "currency": _text(row, "currency", 3) or "RUB",
        }

    def certificate(row: Any, json_text: Callable[[Any], Any] | None) -> dict[str, Any]:
        """`bind_rows(rules.parse_certificate(row))` for the common row, else `Unsure`.
        `json_text`: the `disclosed` column's own bind processor (`bulk.bind_processor`)."""
        if row.__class__ is not dict or json_text is None:
            raise Unsure
        disclosed = row.get("disclosed")
        if disclosed is not None and disclosed.__class__ is not dict:
            raise Unsure
        return {
            "erp_id": _required(row, "erp_id", 64),
            "erp_updated_at": timestamp(row, "updated_at"),
            "_org": _required(row, "organisation", 64),
            "_order": _text(row, "order", 64),
            "number": _required(row, "number", 40),
            "batch": _text(row, "batch", 40),
            "heat": _text(row, "heat", 40),
            "product_code": _text(row, "product_code", 40),
            "product_name": _text(row, "product_name", 300),
            "grade": _text(row, "grade", 60),
            "dimensions": _text(row, "dimensions", 100),
            "standard": _text(row, "standard", 100),
            "quantity": number(row, "quantity"),
            "unit": _text(row, "unit", 10) or "т",
            "issued_on": day(row, "issued_on"),
            "consignee": _text(row, "consignee", 300),
            "producer": _text(row, "producer", 300),
            "disclosed": json_text(disclosed),
        }

    # entity -> (the fast reader, the JSON column it serialises with that column's processor)
    return {"documents": (document, None), "certificates": (certificate, "disclosed")}


READERS = _readers(_timestamp, _day, _number)  # SQLite
PG_READERS = _readers(_moment, _date, _decimal)  # PostgreSQL


def readers(dialect: Any) -> dict[str, tuple[Reader, str | None]] | None:
    """The fast readers for `dialect`'s database; None: none (the rows go the usual way)."""
    return {"sqlite": READERS, "postgresql": PG_READERS}.get(dialect.name)
