"""Keyset pagination: opaque signed cursors and the "rows after / before this row" query.

A list is ordered by (sort key, id), both ascending or both descending; `id` breaks ties, so
rows with equal sort keys are neither skipped nor repeated. A page is read with LIMIT n+1 to
learn whether another page follows — never OFFSET, never a whole table. The cursor names the
boundary row's (key, id); it is signed with the secret key, so a tampered cursor is refused
instead of steering the query. The URL carries it as `after=` (next page) or `before=`
(previous page, read with the order reversed), next to the list's filters, so any page can be
bookmarked.

No Reflex and no business rules here: queries.py modules build a `select(...)` with their
scope and filters and hand it to `fetch_page`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from cabinet.errors import ValidationFailed
from cabinet.settings import settings

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_MAX_TOKEN = 600
_SIG_BYTES = 12
_VERSION = 1


class InvalidCursor(ValidationFailed):
    default = "Ссылка на страницу списка повреждена или устарела."


@dataclass(frozen=True)
class SortSpec:
    """One ordering of one list: `key` then `id`, both in the same direction.

    `name` is signed into every cursor, so a cursor of one list (or ordering) cannot be
    replayed against another. `key=None` orders by `id` alone. The key column must be NOT NULL.
    """

    name: str
    id: Any  # the id column, e.g. User.id
    key: Any = None  # the sort column, e.g. Organisation.name; None: by id only
    descending: bool = False

    def order_by(self, *, backward: bool = False) -> list[Any]:
        desc = self.descending != backward
        cols = [self.id] if self.key is None else [self.key, self.id]
        return [c.desc() if desc else c.asc() for c in cols]

    def after(self, cursor: Cursor, *, backward: bool = False) -> ColumnElement[bool]:
        """WHERE clause: rows strictly after `cursor` in this order (before it if `backward`)."""
        smaller = self.descending != backward
        id_value = sa.literal(cursor.id, type_=self.id.type)
        if self.key is None:
            by_id: ColumnElement[bool] = self.id < id_value if smaller else self.id > id_value
            return by_id
        left = sa.tuple_(self.key, self.id)
        right = sa.tuple_(sa.literal(cursor.key, type_=self.key.type), id_value)
        return left < right if smaller else left > right

    def key_of(self, row: Any) -> tuple[Any, int]:
        """(sort key, id) of a result row (an ORM object or a Row with labelled columns)."""
        row_id = getattr(row, self.id.key)
        return (None if self.key is None else getattr(row, self.key.key)), row_id


@dataclass(frozen=True)
class Cursor:
    key: Any
    id: int


@dataclass
class Page(Generic[T]):
    rows: list[T] = field(default_factory=list)
    next_after: str = ""  # cursor for `after=`; "" when this is the last page
    prev_before: str = ""  # cursor for `before=`; "" when this is the first page

    @property
    def has_next(self) -> bool:
        return bool(self.next_after)

    @property
    def has_prev(self) -> bool:
        return bool(self.prev_before)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(spec_name: str, payload: bytes, secret: str | None) -> bytes:
    key = (secret if secret is not None else settings.secret_key).encode()
    msg = spec_name.encode() + b"\x00" + payload
    return hmac.new(key, msg, hashlib.sha256).digest()[:_SIG_BYTES]


def _dump_key(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"unsupported sort key type: {type(value).__name__}")


def _load_key(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"dt"} or not isinstance(value["dt"], str):
            raise InvalidCursor()
        try:
            return datetime.fromisoformat(value["dt"])
        except ValueError as exc:
            raise InvalidCursor() from exc
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise InvalidCursor()


def encode_cursor(spec_name: str, key: Any, row_id: int, *, secret: str | None = None) -> str:
    """An opaque, signed, URL-safe token naming the row (key, id) of list `spec_name`."""
    payload = json.dumps(
        [_VERSION, _dump_key(key), int(row_id)], separators=(",", ":"), ensure_ascii=False
    ).encode()
    return f"{_b64(payload)}.{_b64(_sign(spec_name, payload, secret))}"


def decode_cursor(token: str, spec_name: str, *, secret: str | None = None) -> Cursor:
    """The (key, id) inside `token`; InvalidCursor if it was altered or made for another list."""
    if not token or len(token) > _MAX_TOKEN or token.count(".") != 1:
        raise InvalidCursor()
    body, sig = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(sig)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor() from exc
    if not hmac.compare_digest(given, _sign(spec_name, payload, secret)):
        raise InvalidCursor()
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise InvalidCursor() from exc
    if (
        not isinstance(data, list)
        or len(data) != 3
        or data[0] != _VERSION
        or not isinstance(data[2], int)
        or isinstance(data[2], bool)
    ):
        raise InvalidCursor()
    return Cursor(key=_load_key(data[1]), id=data[2])


def clamp_limit(limit: int | str | None, default: int = DEFAULT_LIMIT) -> int:
    try:
        value = int(limit) if limit not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return max(1, min(MAX_LIMIT, value))


def fetch_page(
    session: Session,
    stmt: Any,
    spec: SortSpec,
    *,
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
    secret: str | None = None,
    scalars: bool = False,
    key_of: Callable[[Any], tuple[Any, int]] | None = None,
) -> Page[Any]:
    """One page of `stmt` (a filtered, scoped select without ORDER BY/LIMIT) in `spec` order.

    `after`: the page following that cursor; `before`: the page preceding it; neither: the
    first page. Reads at most `limit + 1` rows. `scalars=True` for `select(Model)` statements.
    """
    limit = clamp_limit(limit)
    get_key = key_of or spec.key_of

    def run(query: Any) -> list[Any]:
        result = session.execute(query)
        return list(result.scalars().all() if scalars else result.all())

    def token(row: Any) -> str:
        key, row_id = get_key(row)
        return encode_cursor(spec.name, key, row_id, secret=secret)

    cursor: Cursor | None
    if before:
        cursor = decode_cursor(before, spec.name, secret=secret)
        rows = run(
            stmt.where(spec.after(cursor, backward=True))
            .order_by(*spec.order_by(backward=True))
            .limit(limit + 1)
        )
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        if not more_before and len(rows) < limit:
            # Reached the start with a short page: show the (full) first page instead.
            return fetch_page(
                session, stmt, spec, limit=limit, secret=secret, scalars=scalars, key_of=key_of
            )
        return Page(
            rows=rows,
            next_after=token(rows[-1]) if rows else "",
            prev_before=token(rows[0]) if rows and more_before else "",
        )

    query = stmt
    cursor = None
    if after:
        cursor = decode_cursor(after, spec.name, secret=secret)
        query = query.where(spec.after(cursor))
    rows = run(query.order_by(*spec.order_by()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    prev = ""
    if cursor is not None:
        prev = (
            token(rows[0])
            if rows
            else encode_cursor(spec.name, cursor.key, cursor.id, secret=secret)
        )
    return Page(rows=rows, next_after=token(rows[-1]) if more else "", prev_before=prev)


def page_params(query: dict[str, str] | Any) -> tuple[str, str]:
    """(`after`, `before`) cursors from a URL query mapping (only one of them is used)."""
    after = str(query.get("after", "") or "")[:_MAX_TOKEN]
    before = "" if after else str(query.get("before", "") or "")[:_MAX_TOKEN]
    return after, before


__all__: Sequence[str] = [
    "DEFAULT_LIMIT",
    "Cursor",
    "InvalidCursor",
    "Page",
    "SortSpec",
    "clamp_limit",
    "decode_cursor",
    "encode_cursor",
    "fetch_page",
    "page_params",
]
