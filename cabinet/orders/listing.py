"""Shared pieces of the orders, finance and documents registries: organisation scope as a
WHERE clause, keyset sort specs whose keys are dates or Decimals, URL-filter parsing.
No Reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, false

from cabinet.pagination import Cursor, SortSpec


def scoped(stmt: Any, column: Any, scope: frozenset[int] | None, org: int | None = None) -> Any:
    """Restrict `stmt` to organisations in `scope` (None = all) and, if given, to `org`."""
    if org is not None:
        if scope is not None and org not in scope:
            return stmt.where(false())
        return stmt.where(col(column) == org)
    if scope is None:
        return stmt
    if not scope:
        return stmt.where(false())
    if len(scope) == 1:
        return stmt.where(col(column) == next(iter(scope)))
    return stmt.where(col(column).in_(sorted(scope)))


@dataclass(frozen=True)
class CodecSortSpec(SortSpec):
    """A SortSpec whose key is a `date` or a `Decimal`: the signed cursor carries it as text."""

    codec: str = "date"  # "date" | "decimal"

    def _load(self, value: Any) -> Any:
        if value is None:
            return None
        if self.codec == "date":
            return date.fromisoformat(str(value))
        return Decimal(str(value))

    def dump(self, value: Any) -> Any:
        if value is None:
            return None
        return value.isoformat() if self.codec == "date" else str(value)

    def after(self, cursor: Cursor, *, backward: bool = False) -> ColumnElement[bool]:
        try:
            key = self._load(cursor.key)
        except (ValueError, InvalidOperation):
            from cabinet.pagination import InvalidCursor

            raise InvalidCursor() from None
        return super().after(Cursor(key=key, id=cursor.id), backward=backward)

    def key_of(self, row: Any) -> tuple[Any, int]:
        key, row_id = super().key_of(row)
        return self.dump(key), row_id


def parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def parse_amount(value: object) -> Decimal | None:
    raw = str(value or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")[:20]
    if not raw:
        return None
    try:
        d = Decimal(raw)
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0 or d >= Decimal("1e15"):
        return None
    return d.quantize(Decimal("0.01"))


def parse_id(value: object) -> int | None:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and 0 < len(raw) < 10 else None


def day_start(d: date | None, *, end: bool = False) -> datetime | None:
    """Midnight UTC of `d` (of the next day with end=True): a half-open datetime range."""
    if d is None:
        return None
    moment = datetime.combine(d, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


def clip(value: object, n: int) -> str:
    return " ".join(str(value or "").split())[:n]
