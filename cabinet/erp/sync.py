"""The ERP delta sync: pull each entity's changes since its watermark and upsert them.

One run, safe with several workers and after a crash:

1. **lease** — one conditional UPDATE claims the `erp_sync_leases` row ("sync") if nobody
   holds it or the holder's lease lapsed; the holder renews it after every batch. Two
   workers, or two clicks on "run now", never run at once.
2. **entities in dependency order** — organisations, contracts, orders (+ lines, events,
   vehicles, services), invoices (+ payment schedule, operations), documents, certificates.
3. **a batch = one ERP page = one transaction** — rows are parsed (`rules.parse`); malformed
   ones are recorded as `SyncIssue` and skipped; the rest are upserted by `cabinet.erp.bulk`
   (one statement per batch and table, straight through the driver) on the key `erp_id` so
   that an older version never overwrites a newer one (`stored.erp_updated_at <=
   excluded.erp_updated_at`) and replaying a page is harmless. The entity's watermark (the
   ERP's cursor after the page) is written in the same transaction: it moves only with a
   committed batch. If the batch hits a database error, it is retried row by row in
   savepoints and only the failing rows are skipped. Nested rows (an order's lines, events,
   vehicles, services; an invoice's payment plan and operations) come as the parent's whole
   list: the ones it no longer names are deleted with the batch (`_drop_unlisted`), unless
   the parent itself was an older version than the stored one. While a batch is written, a worker
   thread already reads (and, except on SQLite, parses) the next page (`_ReadAhead`).
   On SQLite, documents and certificates — the bulk of a delta — take a shorter way: their
   pages after an entity's first are read and parsed by a forked process (`_ChildReader`,
   a GIL of its own), the common row validated and converted for the driver in one pass
   (`fastrows`), and a batch of stored rows whose indexed values and parents stay is written
   by one conditional UPDATE per row (`bulk.update_in_place`), every check inside SQLite; a
   batch it cannot take whole goes the full way above.
4. A run that dies half-way (ERP error, dropped connection, killed worker) keeps every
   committed batch; the next run resumes at the watermark and converges to the same state.
5. SQLite file databases: the run writes through a connection of its own whose automatic WAL
   checkpoint is off for the run, and a thread (`_Checkpointer`, its own connection) copies
   the committed batches from the WAL into the database file (a PASSIVE checkpoint) every
   few seconds while the next batches are written, and once more after the last batch, in
   the background (the next run waits for it). Each batch is committed (durable as with the
   engine's `synchronous=NORMAL`) before it is checkpointed, so this changes when pages are
   copied, never what is committed.

Organisations are the platform's table: upserted by INN (the unique index), mapped to their
ERP key in `erp_organisations`.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import logging
import multiprocessing
import os
import pickle
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import Session, col, select

from cabinet.erp import fastrows, rules
from cabinet.erp.bulk import (
    IN_CHUNK,
    bind_processor,
    bind_rows,
    ids_by_key,
    in_place_fields,
    update_in_place,
    upsert,
)
from cabinet.erp.client import ChangeFeed, ErpError, Page
from models.base import utcnow
from models.documents import Certificate, ShippingDocument
from models.erp import (
    ErpOrganisation,
    ErpWatermark,
    SyncIssue,
    SyncLease,
    SyncRun,
    SyncStatus,
    SyncTrigger,
)
from models.finance import Contract, FinanceOperation, Invoice, PaymentScheduleItem
from models.orders import Order, OrderEvent, OrderLine, OrderService, OrderVehicle
from models.organisations import Organisation

log = logging.getLogger(__name__)

LEASE_NAME = "sync"
INTERRUPTED = "Прервана: работник остановился до конца прогона."

CHILD_TABLES: dict[str, Any] = {
    "lines": OrderLine.__table__,  # type: ignore[attr-defined]
    "events": OrderEvent.__table__,  # type: ignore[attr-defined]
    "vehicles": OrderVehicle.__table__,  # type: ignore[attr-defined]
    "services": OrderService.__table__,  # type: ignore[attr-defined]
    "schedule": PaymentScheduleItem.__table__,  # type: ignore[attr-defined]
    "operations": FinanceOperation.__table__,  # type: ignore[attr-defined]
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the lease ------------------------------------------------------------------------------
def claim_lease(session: Session, *, holder: str, now: datetime, name: str = LEASE_NAME) -> bool:
    """Take the run lock iff nobody holds it or the holder's lease has lapsed."""
    conn = session.connection()
    table = SyncLease.__table__  # type: ignore[attr-defined]
    conn.execute(_insert(conn, table).values(name=name, holder="").on_conflict_do_nothing())
    L = SyncLease  # noqa: N806
    result = conn.execute(
        sa.update(table)
        .where(
            col(L.name) == name,
            sa.or_(col(L.holder) == "", col(L.expires_at).is_(None), col(L.expires_at) < now),
        )
        .values(holder=holder, expires_at=now + rules.LEASE, requested_at=None)
    )
    session.commit()
    return bool(result.rowcount)


def renew_lease(session: Session, *, holder: str, now: datetime, run_id: int | None) -> bool:
    L = SyncLease  # noqa: N806
    result = session.connection().execute(
        sa.update(SyncLease.__table__)  # type: ignore[attr-defined]
        .where(col(L.name) == LEASE_NAME, col(L.holder) == holder)
        .values(expires_at=now + rules.LEASE, run_id=run_id)
    )
    return bool(result.rowcount)


def release_lease(session: Session, *, holder: str) -> None:
    L = SyncLease  # noqa: N806
    session.connection().execute(
        sa.update(SyncLease.__table__)  # type: ignore[attr-defined]
        .where(col(L.name) == LEASE_NAME, col(L.holder) == holder)
        .values(holder="", expires_at=None, run_id=None)
    )
    session.commit()


class LeaseLost(Exception):
    pass


# -- upserts --------------------------------------------------------------------------------
def _insert(conn: Connection, table: Any) -> Any:
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def _ids_by_erp(conn: Connection, table: Any, erp_ids: Iterable[str]) -> dict[str, int]:
    return ids_by_key(conn, table, {k for k in erp_ids if k})


# -- one run's counters ---------------------------------------------------------------------
@dataclass
class Failure:
    erp_id: str
    reason: str
    raw: Any


@dataclass
class EntityStats:
    rows_in: int = 0
    updated: int = 0
    failed: int = 0


@dataclass
class RunReport:
    run_id: int | None = None
    status: str = SyncStatus.RUNNING
    rows_in: int = 0
    rows_updated: int = 0
    rows_failed: int = 0
    error: str = ""
    entities: dict[str, EntityStats] = field(default_factory=dict)
    seconds: float = 0.0
    lag_seconds: int | None = None


@dataclass
class _Ctx:
    conn: Connection
    now: datetime
    org_ids: dict[str, int]  # ERP organisation key -> organisations.id
    org_owner: dict[int, str]  # organisations.id -> ERP key
    # contracts/orders already looked up in this run: ERP key -> id (parents come from an
    # earlier entity of the run or an earlier run, committed; a sync never deletes them)
    parents: dict[str, dict[str, int]] = field(default_factory=dict)
    # SQLite: per entity, whether its next batch tries `bulk.update_in_place` first (None:
    # never — other databases). Off after a batch it could not take whole, on again after
    # a batch whose rows were all updated in place by `upsert`.
    in_place: dict[str, bool] | None = None


def _parent_ids(ctx: _Ctx, table: Any, erp_ids: Iterable[str]) -> dict[str, int]:
    """The ids of the parents the rows name, looked up once per run: the cache is shared by
    the entities of a wave synced side by side (each key maps to the same committed id, so
    two threads that look up the same key at once only write the same value twice)."""
    known = ctx.parents.setdefault(table.name, {})
    missing = {k for k in erp_ids if k and k not in known}
    if missing:
        known.update(_ids_by_erp(ctx.conn, table, missing))
    return known


# -- appliers: parsed rows -> tables; return the rows that could not be stored --------------
def _dedupe(rows: list[dict[str, Any]], key: str = "erp_id") -> list[dict[str, Any]]:
    last: dict[Any, dict[str, Any]] = {}
    for row in rows:
        last[row[key]] = row
    return list(last.values())


def _apply_organisations(ctx: _Ctx, rows: list[dict[str, Any]]) -> list[Failure]:
    failures: list[Failure] = []
    by_inn: dict[str, dict[str, Any]] = {}
    for row in _dedupe(rows):
        other = by_inn.get(row["inn"])
        if other is not None and other["erp_id"] != row["erp_id"]:
            failures.append(Failure(row["erp_id"], f"ИНН {row['inn']} повторяется в ERP", row))
            continue
        by_inn[row["inn"]] = row
    if not by_inn:
        return failures
    org_table = Organisation.__table__  # type: ignore[attr-defined]
    existing: dict[str, int] = dict(
        ctx.conn.execute(
            sa.select(org_table.c.inn, org_table.c.id).where(org_table.c.inn.in_(list(by_inn)))
        ).all()
    )
    good: list[dict[str, Any]] = []
    for inn, row in by_inn.items():
        owner = ctx.org_owner.get(existing.get(inn, -1))
        if owner is not None and owner != row["erp_id"]:
            failures.append(Failure(row["erp_id"], f"ИНН {inn} уже сопоставлен с {owner}", row))
            continue
        good.append(row)
    if not good:
        return failures
    ins = _insert(ctx.conn, org_table)
    values = [
        {
            "kind": r["kind"],
            "name": r["name"],
            "inn": r["inn"],
            "kpp": r["kpp"],
            "ogrn": r["ogrn"],
            "legal_address": r["legal_address"],
            "created_at": ctx.now,
        }
        for r in good
    ]
    ctx.conn.execute(
        ins.on_conflict_do_update(
            index_elements=["inn"],
            index_where=sa.text("inn <> ''"),
            set_={c: ins.excluded[c] for c in ("kind", "name", "kpp", "ogrn", "legal_address")},
        ),
        values,
    )
    ids: dict[str, int] = dict(
        ctx.conn.execute(
            sa.select(org_table.c.inn, org_table.c.id).where(
                org_table.c.inn.in_([r["inn"] for r in good])
            )
        ).all()
    )
    mapping = [
        {
            "erp_id": r["erp_id"],
            "organisation_id": ids[r["inn"]],
            "erp_updated_at": r["erp_updated_at"],
        }
        for r in good
    ]
    # An ERP key that moved to another INN: free its old organisation first.
    old = [
        oid
        for oid, key in ctx.org_owner.items()
        if key in {m["erp_id"] for m in mapping} and oid not in ids.values()
    ]
    for oid in old:
        ctx.org_owner.pop(oid, None)
    upsert(ctx.conn, ErpOrganisation.__table__, mapping, newer_only=False)  # type: ignore[attr-defined]
    for m in mapping:
        ctx.org_ids[m["erp_id"]] = m["organisation_id"]
        ctx.org_owner[m["organisation_id"]] = m["erp_id"]
    return failures


def _resolve(
    ctx: _Ctx,
    rows: list[dict[str, Any]],
    *,
    contracts: bool = False,
    orders: bool = False,
) -> tuple[list[dict[str, Any]], list[Failure]]:
    """Organisation/contract/order keys -> ids; rows whose parents are unknown fail."""
    contract_ids = (
        _parent_ids(ctx, Contract.__table__, (r.get("_contract", "") for r in rows))  # type: ignore[attr-defined]
        if contracts
        else {}
    )
    order_ids = (
        _parent_ids(ctx, Order.__table__, (r.get("_order", "") for r in rows))  # type: ignore[attr-defined]
        if orders
        else {}
    )
    good, failures = [], []
    for row in _dedupe(rows):
        org_id = ctx.org_ids.get(row["_org"])
        if org_id is None:
            failures.append(Failure(row["erp_id"], f"нет организации {row['_org']}", row))
            continue
        row["organisation_id"] = org_id
        if contracts:
            key = row.get("_contract", "")
            if key and key not in contract_ids:
                failures.append(Failure(row["erp_id"], f"нет договора {key}", row))
                continue
            row["contract_id"] = contract_ids.get(key)
        if orders:
            key = row.get("_order", "")
            if key and key not in order_ids:
                failures.append(Failure(row["erp_id"], f"нет заказа {key}", row))
                continue
            row["order_id"] = order_ids.get(key)
        good.append(row)
    return good, failures


def _current_parents(
    ctx: _Ctx, table: Any, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The upserted parents whose stored version is the one the batch brought, and their
    ids. A parent the upsert left alone (the stored version is newer: an old page replayed,
    a late delivery) takes its nested rows with it: they are neither written nor removed."""
    stored: dict[str, tuple[int, datetime | None]] = {}
    keys = sorted({r["erp_id"] for r in rows})
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        query = sa.select(table.c.erp_id, table.c.id, table.c.erp_updated_at).where(
            table.c.erp_id.in_(chunk)
        )
        stored.update((k, (i, v)) for k, i, v in ctx.conn.execute(query))
    current = []
    for row in rows:
        got = stored.get(row["erp_id"])
        if got is None:
            continue
        version, new = got[1], row.get("erp_updated_at")
        if version is not None and new is not None and version > new:
            continue
        current.append(row)
    return current, {k: v[0] for k, v in stored.items()}


def _apply_children(
    ctx: _Ctx,
    parent_table: Any,
    parents: list[dict[str, Any]],
    parent_ids: dict[str, int],
    parent_key: str,
    extra: Callable[[dict[str, Any]], dict[str, Any]],
    const: dict[str, Any] | None = None,
) -> None:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for parent in parents:
        pid = parent_ids[parent["erp_id"]]
        more = extra(parent)
        for kind, children in parent["_children"].items():
            rows = grouped.setdefault(kind, [])
            for child in children:
                child[parent_key] = pid
                child["organisation_id"] = parent["organisation_id"]
                child.update(more)
                rows.append(child)
    for kind, rows in grouped.items():
        upsert(ctx.conn, CHILD_TABLES[kind], _dedupe(rows), const=const)
    for kind in {kind for parent in parents for kind in parent["_children"]}:
        _drop_unlisted(ctx, kind, parent_table, parents, parent_ids, parent_key)


DROP_CHUNK = 20_000  # parameters per DELETE (parents and the children they keep)


def _drop_unlisted(
    ctx: _Ctx,
    kind: str,
    parent_table: Any,
    parents: list[dict[str, Any]],
    parent_ids: dict[str, int],
    parent_key: str,
) -> None:
    """Delete the ERP's rows of `kind` that the batch's parents no longer list (a line taken
    off an order, a payment plan replaced). Only rows older than their parent's stored
    version go: when the batch's parent was an older version (the upsert left the stored
    one alone), the rows of the newer version stay. The portal's own rows (no `erp_id`:
    an order's timeline lines about change requests) are never touched."""
    table = CHILD_TABLES[kind]
    stored_version = (
        sa.select(parent_table.c.erp_updated_at)
        .where(parent_table.c.id == table.c[parent_key])
        .scalar_subquery()
    )
    chunk_ids: list[int] = []
    chunk_kept: list[str] = []

    def flush() -> None:
        if chunk_ids:
            ctx.conn.execute(
                sa.delete(table).where(
                    table.c[parent_key].in_(chunk_ids),
                    table.c.erp_id.is_not(None),
                    table.c.erp_id.not_in(chunk_kept),
                    sa.or_(
                        table.c.erp_updated_at.is_(None),
                        table.c.erp_updated_at < stored_version,
                    ),
                )
            )
        chunk_ids.clear()
        chunk_kept.clear()

    for parent in parents:
        children = parent["_children"].get(kind)
        if children is None:
            continue
        if len(chunk_ids) + len(chunk_kept) + 1 + len(children) > DROP_CHUNK:
            flush()
        chunk_ids.append(parent_ids[parent["erp_id"]])
        chunk_kept.extend(c["erp_id"] for c in children)
    flush()


def _apply_contracts(ctx: _Ctx, rows: list[dict[str, Any]]) -> list[Failure]:
    good, failures = _resolve(ctx, rows)
    upsert(ctx.conn, Contract.__table__, good, const={"updated_at": ctx.now})  # type: ignore[attr-defined]
    return failures


def _apply_orders(ctx: _Ctx, rows: list[dict[str, Any]]) -> list[Failure]:
    good, failures = _resolve(ctx, rows, contracts=True)
    table = Order.__table__  # type: ignore[attr-defined]
    upsert(ctx.conn, table, good, const={"updated_at": ctx.now})
    current, ids = _current_parents(ctx, table, good)
    _apply_children(ctx, table, current, ids, "order_id", lambda _p: {})
    return failures


def _apply_invoices(ctx: _Ctx, rows: list[dict[str, Any]]) -> list[Failure]:
    good, failures = _resolve(ctx, rows, contracts=True, orders=True)
    table = Invoice.__table__  # type: ignore[attr-defined]
    upsert(ctx.conn, table, good, const={"updated_at": ctx.now})
    current, ids = _current_parents(ctx, table, good)
    _apply_children(
        ctx,
        table,
        current,
        ids,
        "invoice_id",
        lambda p: {"contract_id": p["contract_id"]},
        const={"updated_at": ctx.now},
    )
    return failures


def _in_place_spec(entity: str) -> dict[str, Any]:
    """How the appliers (and the reader process, packing rows for them) call
    `bulk.update_in_place` for `entity`: every batch writes `updated_at` (a constant);
    a certificate's public code is made once, on insert."""
    return {
        "refs": {"order_id": (Order.__table__, "_order")},  # type: ignore[attr-defined]
        "keep": ("public_code",) if entity == "certificates" else (),
    }


def _in_place(ctx: _Ctx, entity: str, table: Any, parsed: Parsed, **kw: Any) -> bool:
    """SQLite: the whole batch updated in place (`bulk.update_in_place`: stored rows, newer
    versions, same organisation, order and indexed values), or False and nothing to undo
    for the full path that follows (it writes the same values again where they were)."""
    if ctx.in_place is None or not ctx.in_place.get(entity, True):
        return False
    spec = _in_place_spec(entity)
    if isinstance(parsed, _Packed):  # from a reader process: deduped, organisations known
        if not parsed.values:
            return True
        done = update_in_place(ctx.conn, table, parsed.values, columns=parsed.columns, **spec, **kw)
    else:
        rows = _dedupe(parsed)
        known = ctx.org_ids
        if not all(row["_org"] in known for row in rows):
            return False  # the full path reports the unknown organisation
        for row in rows:
            row["organisation_id"] = known[row["_org"]]
        done = update_in_place(ctx.conn, table, rows, **spec, **kw)
    ctx.in_place[entity] = done
    return done


def _after_full(ctx: _Ctx, entity: str, written: int) -> None:
    """A batch that `upsert` could take entirely in place (no new rows, no indexed values
    changed): the next one tries `update_in_place` again."""
    if ctx.in_place is not None and written == 0:
        ctx.in_place[entity] = True


def _apply_documents(ctx: _Ctx, parsed: Parsed) -> list[Failure]:
    table = ShippingDocument.__table__  # type: ignore[attr-defined]
    const = {"updated_at": ctx.now}
    if _in_place(ctx, "documents", table, parsed, const=const):
        return []
    good, failures = _resolve(ctx, _dedupe(_dicts(parsed)), orders=True)
    _after_full(ctx, "documents", upsert(ctx.conn, table, good, const=const, bound=True))
    return failures


def _apply_certificates(ctx: _Ctx, parsed: Parsed) -> list[Failure]:
    # The QR page's code (the column's default, `new_public_code`) is made on insert only;
    # a sync never changes it.
    table = Certificate.__table__  # type: ignore[attr-defined]
    const = {"updated_at": ctx.now}
    keep = ("public_code",)
    if _in_place(ctx, "certificates", table, parsed, const=const):
        return []
    good, failures = _resolve(ctx, _dedupe(_dicts(parsed)), orders=True)
    written = upsert(ctx.conn, table, good, keep=keep, const=const, bound=True)
    _after_full(ctx, "certificates", written)
    return failures


# Entities whose pages are converted to the driver's values in the read-ahead thread
# (`bulk.bind_rows`); their appliers upsert with `bound=True`.
BOUND_TABLES: dict[str, Any] = {
    "documents": ShippingDocument.__table__,  # type: ignore[attr-defined]
    "certificates": Certificate.__table__,  # type: ignore[attr-defined]
}


APPLIERS: dict[str, Callable[[_Ctx, list[dict[str, Any]]], list[Failure]]] = {
    "organisations": _apply_organisations,
    "contracts": _apply_contracts,
    "orders": _apply_orders,
    "invoices": _apply_invoices,
    "documents": _apply_documents,
    "certificates": _apply_certificates,
}


# -- the run --------------------------------------------------------------------------------
def _load_org_map(session: Session) -> tuple[dict[str, int], dict[int, str]]:
    rows = session.exec(select(ErpOrganisation.erp_id, ErpOrganisation.organisation_id)).all()
    return dict(rows), {o: e for e, o in rows}


def _watermark(session: Session, entity: str) -> ErpWatermark:
    wm = session.get(ErpWatermark, entity, populate_existing=True)
    return wm if wm is not None else ErpWatermark(entity=entity, cursor="")


def _raw_text(raw: Any) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False, default=str)[:2000]
    except (TypeError, ValueError):
        return repr(raw)[:2000]


def _apply_batch(session: Session, ctx: _Ctx, entity: str, parsed: Parsed) -> list[Failure]:
    """Apply a page; on a database error, retry row by row in savepoints."""
    apply = APPLIERS[entity]
    try:
        with session.begin_nested():
            return apply(ctx, parsed)  # type: ignore[arg-type]  # packed: BOUND_TABLES only
    except (IntegrityError, StatementError, DBAPIError):
        log.warning("erp sync: %s batch failed, retrying row by row", entity, exc_info=True)
    failures: list[Failure] = []
    for row in _dicts(parsed):
        try:
            with session.begin_nested():
                failures += apply(ctx, [row])
        except (IntegrityError, StatementError, DBAPIError) as e:
            reason = str(getattr(e, "orig", e)).splitlines()[0][:300]
            failures.append(Failure(row.get("erp_id", ""), f"ошибка базы: {reason}", row))
    return failures


def _relaxed_commit(session: Session) -> None:
    """PostgreSQL: this batch's COMMIT does not wait for its WAL to reach the disk
    (`synchronous_commit = off`, this transaction only). A server crash may then lose the
    last batches committed in the previous fraction of a second — together with their
    watermark, which lives in the same transaction, so the next run reads those pages again.
    Never a half-applied batch. (SQLite: the engine's WAL + synchronous=NORMAL.)"""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


@dataclass
class _Packed:
    """A parsed page as its columns and one tuple of values per row: what a reader process
    sends (a tuple pickles and unpickles in about half the time of a dict). Keys are unique
    (the last version of a row in the page kept), and `organisation_id` is filled in from
    the run's organisation map (None: unknown, left to the full path to report)."""

    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]

    @classmethod
    def of(
        cls, rows: list[dict[str, Any]], org_ids: dict[str, int], first: Sequence[str] = ()
    ) -> _Packed:
        """`rows` packed, `first` (`bulk.in_place_fields`) the first columns: those tuples
        go to SQLite as they are."""
        rows = sorted(_dedupe(rows), key=itemgetter("erp_id"))  # the order they are written in
        for row in rows:
            row["organisation_id"] = org_ids.get(row["_org"])
        if not rows:
            return cls((), [])
        columns = tuple(first) + tuple(c for c in rows[0] if c not in first)
        pick = itemgetter(*columns)
        return cls(columns, [pick(row) for row in rows])

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, v, strict=True)) for v in self.values]

    def __len__(self) -> int:
        return len(self.values)


Parsed = list[dict[str, Any]] | _Packed


def _dicts(rows: Parsed) -> list[dict[str, Any]]:
    return rows.dicts() if isinstance(rows, _Packed) else rows


@dataclass
class _PageIn:
    page: Page  # its `rows` may be left out (read in another process): see `n_rows`
    parsed: Parsed  # the rows as table columns (driver values: BOUND_TABLES)
    failures: list[Failure]  # the malformed rows
    newest: datetime | None  # the newest change time among the parsed rows
    n_rows: int = -1  # rows the ERP sent (-1: len(page.rows))

    def __post_init__(self) -> None:
        if self.n_rows < 0:
            self.n_rows = len(self.page.rows)


def _read_page(feed: ChangeFeed, entity: str, since: str, batch: int, dialect: Any) -> _PageIn:
    """One page from the ERP, parsed; malformed rows become failures (never an exception)."""
    return _parse_page(feed.changes(entity, since, batch), entity, dialect)


def _parse_page(page: Page, entity: str, dialect: Any) -> _PageIn:
    table = BOUND_TABLES.get(entity)
    fast = fastrows.readers(dialect) if table is not None else None
    if fast is not None:
        return _parse_page_fast(page, entity, dialect, table, fast)
    parsed: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for raw in page.rows:
        try:
            parsed.append(rules.parse(entity, raw))
        except rules.MalformedRow as e:
            failures.append(Failure(rules.erp_id_of(raw), e.reason, raw))
    newest = max(
        (p["erp_updated_at"] for p in parsed if p.get("erp_updated_at")),
        default=None,
    )
    if table is not None:
        bind_rows(dialect, table, parsed)
    return _PageIn(page, parsed, failures, newest)


def _parse_page_fast(
    page: Page,
    entity: str,
    dialect: Any,
    table: Any,
    readers: dict[str, tuple[fastrows.Reader, str | None]],
) -> _PageIn:
    """Documents and certificates: the common rows by `fastrows` (validated and converted
    for the driver in one pass), the others by `rules.parse` + `bind_rows`."""
    read, json_column = readers[entity]
    json_text = bind_processor(table, json_column, dialect) if json_column else None
    parsed: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for raw in page.rows:
        try:
            parsed.append(read(raw, json_text))
        except fastrows.Unsure:
            try:
                row = rules.parse(entity, raw)
            except rules.MalformedRow as e:
                failures.append(Failure(rules.erp_id_of(raw), e.reason, raw))
                continue
            bind_rows(dialect, table, [row])
            parsed.append(row)
    # SQLite's UTC text sorts like the times it stands for
    stamps = [p["erp_updated_at"] for p in parsed if p["erp_updated_at"]]
    newest = max(stamps) if stamps else None
    if isinstance(newest, str):
        newest = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    return _PageIn(page, parsed, failures, newest)


class _ReadAhead:
    """The change feed read one page ahead: while a batch is written, a worker thread asks
    the ERP for the next page and (`parse_ahead`) parses it and converts its values for the
    driver (no database involved; psycopg lets go of the GIL while the server works, so this
    runs on the other core). On SQLite the page is parsed when it is taken: SQLite gives the
    GIL back for every row it steps through, so a parsing thread and the writes would only
    take turns, each waiting for the other (measured: slower). Instead, with `child`, an
    entity of `BOUND_TABLES` whose first page came back full has the rest of its pages read
    and parsed by a process of its own (`_ChildReader`), which has a GIL of its own, and
    then the pages of the entities in `then` ((entity, cursor) in the order they are synced)
    that follow it. The
    watermark still moves only with a committed batch: a page read ahead and never applied
    (the run stopped) is simply asked for again by the next run. An ERP error of a page read
    ahead surfaces when that page is taken, i.e. after the batch before it committed, as
    without it."""

    def __init__(
        self,
        feed: ChangeFeed,
        batch: int,
        dialect: Any,
        *,
        parse_ahead: bool,
        child: bool,
        org_ids: dict[str, int] | None = None,
        then: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.feed, self.batch, self.dialect = feed, batch, dialect
        self.org_ids = org_ids or {}
        self.then = list(then)
        self.parse_ahead = parse_ahead
        # Linux only: macOS's system libraries do not survive a fork of a threaded process
        self.child_allowed = child and sys.platform.startswith("linux")
        self.child: _ChildReader | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.ahead: tuple[str, str, Future[_PageIn | Page]] | None = None

    def _read(self, entity: str, since: str) -> _PageIn | Page:
        if self.parse_ahead:
            return _read_page(self.feed, entity, since, self.batch, self.dialect)
        return self.feed.changes(entity, since, self.batch)

    def get(self, entity: str, since: str) -> _PageIn:
        if self.child is not None:
            if self.child.follows(entity, since):
                return self.child.get()
            self.child.close()
            self.child = None
        ahead, self.ahead = self.ahead, None
        got: _PageIn | Page
        if ahead is not None and ahead[:2] == (entity, since):
            got = ahead[2].result()
        else:
            if ahead is not None:
                ahead[2].cancel()
            got = self._read(entity, since)
        result = got if isinstance(got, _PageIn) else _parse_page(got, entity, self.dialect)
        page = result.page
        if page.has_more and page.rows:
            if self.child_allowed and entity in BOUND_TABLES:
                names = [e for e, _ in self.then]
                later = self.then[names.index(entity) + 1 :] if entity in names else []
                self.child = _ChildReader.start(
                    self.feed, [(entity, page.next), *later], self.batch, self.dialect, self.org_ids
                )
                if self.child is not None:
                    return result
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="erp-feed")
            future = self.pool.submit(self._read, entity, page.next)
            self.ahead = (entity, page.next, future)
        return result

    def close(self) -> None:
        """Stop reading ahead; waits for a request already sent (at most the HTTP timeout)."""
        self.ahead = None
        if self.child is not None:
            self.child.close()
            self.child = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class _ChildReader:
    """The pages of a `route` of entities, each from its cursor on (one entity after the
    other, in the order the run syncs them), read from the ERP and parsed (validated and
    converted for the driver) by a forked process, which sends each `_PageIn` (without the
    ERP's raw rows, its rows `_Packed`) through a pipe; the pipe's buffer keeps it about a
    page ahead. The run's process then spends its GIL on the writes only. The child
    inherits the feed (asking it for a fresh copy of its connection, `for_child`, when it
    has one) and touches no database. An ERP error in the child arrives as that ErpError when its page is taken;
    a child that dies arrives as a transient ErpError — the run fails and the next resumes
    at the watermark, as after any interruption."""

    def __init__(self, process: Any, receive: Any, route: Sequence[tuple[str, str]]) -> None:
        self.process, self.receive = process, receive
        self.route = list(route)
        self.entity, self.expect = self.route.pop(0)
        self.done = False

    @classmethod
    def start(
        cls,
        feed: ChangeFeed,
        route: Sequence[tuple[str, str]],
        batch: int,
        dialect: Any,
        org_ids: dict[str, int],
    ) -> _ChildReader | None:
        """The reader, or None when no process can be started here (the caller then reads
        in a thread)."""
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        process = context.Process(
            target=_child_read,
            args=(feed, route, batch, dialect, org_ids, send),
            name=f"erp-feed-{route[0][0]}",
            daemon=True,
        )
        try:
            process.start()
        except (AssertionError, OSError):  # e.g. inside a daemonic process; out of memory
            log.warning("erp sync: no reader process, reading in a thread", exc_info=True)
            receive.close()
            send.close()
            return None
        send.close()
        return cls(process, receive, route)

    def follows(self, entity: str, since: str) -> bool:
        return not self.done and (entity, since) == (self.entity, self.expect)

    def get(self) -> _PageIn:
        try:
            message = self.receive.recv()
        except (EOFError, OSError):
            self.done = True
            raise ErpError(CHILD_DIED, transient=True) from None
        if message[0] == "error":
            self.done = True
            raise ErpError(message[1], transient=message[2])
        got: _PageIn = message[1]
        self.expect = got.page.next
        if not got.page.has_more or not got.n_rows:  # this entity's last page: the next one
            if self.route:
                self.entity, self.expect = self.route.pop(0)
            else:
                self.done = True
        return got

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.receive.close()


def _widen(pipe: Any) -> None:
    """Linux: a pipe buffer of 1 MiB (from 64 KiB), so a page of several MB crosses in a
    few writes instead of ~80 hand-overs between the processes."""
    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), size, 1 << 20)


CHILD_DIED = "Чтение страниц ERP прервалось: процесс чтения завершился раньше времени."


BACKGROUND_NICE = 10  # the writes are the run's critical path: the reader only keeps a page ahead


def _child_read(
    feed: ChangeFeed,
    route: Sequence[tuple[str, str]],
    batch: int,
    dialect: Any,
    org_ids: dict[str, int],
    send: Any,
) -> None:
    """The reader process: each entity's pages from its cursor on, parsed and pickled here
    while a thread pushes the previous one down the pipe (as fast as the run takes them),
    until the last entity's last page or an error."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=1)

    def pump() -> None:
        while (item := outbox.get()) is not None:
            try:
                send.send_bytes(item)
            except OSError:  # the run stopped reading (it ended, or its process died)
                os._exit(0)

    pumping = threading.Thread(target=pump, name="erp-feed-pipe", daemon=True)
    pumping.start()

    def put(message: tuple[Any, ...]) -> None:
        outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    renew = getattr(feed, "for_child", None)
    try:
        if renew is not None:
            feed = renew()
        for entity, since in route:
            _child_pages(feed, entity, since, batch, dialect, org_ids, put)
    except ErpError as e:
        put(("error", e.reason, e.transient))
    except Exception as e:  # reported to the run, which fails and is retried
        put(("error", f"Чтение страниц ERP: {type(e).__name__}: {e}"[:500], True))
    outbox.put(None)
    pumping.join()


def _child_pages(
    feed: ChangeFeed,
    entity: str,
    since: str,
    batch: int,
    dialect: Any,
    org_ids: dict[str, int],
    put: Callable[[tuple[Any, ...]], None],
) -> None:
    """One entity's pages in the reader process, up to its last page."""
    while True:
        page = feed.changes(entity, since, batch)
        got = _parse_page(page, entity, dialect)
        got.n_rows, got.page = len(page.rows), Page([], page.next, page.has_more)
        rows = _dicts(got.parsed)
        first: tuple[str, ...] = ()
        if rows:
            first = in_place_fields(
                dialect,
                BOUND_TABLES[entity],
                [*rows[0], "organisation_id"],
                const=("updated_at",),
                **_in_place_spec(entity),
            )
        got.parsed = _Packed.of(rows, org_ids, first)
        put(("page", got))
        if not page.has_more or not page.rows:
            return
        since = page.next


CHECKPOINT_SECONDS = 5.0  # SQLite: a run's writing between two copies of the WAL


class _Checkpointer:
    """SQLite: a thread that runs `PRAGMA wal_checkpoint(PASSIVE)` on its own connection
    after each `CHECKPOINT_SECONDS` of the run's writing, and once after its last batch.
    SQLite works without the GIL, so a copy overlaps the sync's Python work on another core
    instead of stalling a batch's COMMIT (the automatic checkpoint runs inside the commit
    that crosses its threshold). Copying after every batch was slower: the copies' reads,
    writes and fsyncs took the other core from the reader process. The interval bounds the
    WAL of a long run (a load) to what 5 s of writing adds, at most about 1 GB here
    (PostgreSQL's default max_wal_size). The last copy is not waited for (`close`): the
    run's rows are committed and read by everyone from the WAL meanwhile, as PostgreSQL's
    checkpointer writes a commit's pages after it. A PASSIVE checkpoint never blocks
    readers or the writer; a failed one is only logged (the next one, or any later
    automatic checkpoint, copies the same frames)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wake = threading.Event()
        self.stopping = False
        self.last = time.monotonic()
        self.thread = threading.Thread(target=self._loop, name="erp-checkpoint", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        # Linux: a thread's own priority. The batches' writes are the run's critical path;
        # the copy catches up between them (and after the last one).
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        try:
            raw = self.engine.raw_connection()
        except Exception:
            log.warning("erp sync: checkpoint connection failed", exc_info=True)
            return
        try:
            while True:
                self.wake.wait()
                self.wake.clear()
                try:
                    raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except Exception:
                    log.warning("erp sync: WAL checkpoint failed", exc_info=True)
                if self.stopping:
                    return
        finally:
            raw.close()

    def poke(self) -> None:
        """A batch committed: a copy when `CHECKPOINT_SECONDS` passed since the last one."""
        now = time.monotonic()
        if now - self.last >= CHECKPOINT_SECONDS:
            self.last = now
            self.wake.set()

    def close(self) -> None:
        """One last checkpoint (the run's last pages), then the thread ends — in the
        background: `settle` waits for it (the next run does, first)."""
        self.stopping = True
        self.wake.set()
        with _LATE_LOCK:
            _LATE.append(self.thread)


_LATE: list[threading.Thread] = []  # checkpoint threads of finished runs
_LATE_LOCK = threading.Lock()


def settle() -> None:
    """Wait until the last WAL copy of every finished run is done (the next run, a test or a
    benchmark that wants the database file quiet)."""
    with _LATE_LOCK:
        late = list(_LATE)
        _LATE.clear()
    for thread in late:
        thread.join()


def _sqlite_file_engine(session: Session) -> Engine | None:
    """The engine of a SQLite file the run may write through a connection of its own: not
    when the caller's session holds writes of its own (uncommitted, or not yet flushed) —
    the run must see them, and its own connection would wait for their write lock. Then
    the run goes on in the caller's session, as on other databases."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    database = bind.url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    if session.new or session.dirty or session.deleted:
        return None
    if session.in_transaction():
        raw = session.connection().connection.dbapi_connection
        if getattr(raw, "in_transaction", True):  # sqlite3: a BEGIN not yet committed
            return None
    return bind


def run_sync(
    session: Session,
    feed: ChangeFeed,
    *,
    trigger: str = SyncTrigger.SCHEDULE,
    actor_id: int | None = None,
    batch: int = 2000,
    entities: Sequence[str] = rules.ENTITIES,
    holder: str | None = None,
    progress: Callable[[str, int, float], None] | None = None,
    parallel: bool = True,
) -> RunReport | None:
    """One sync run; None when another run holds the lease.

    On a SQLite file database bound to an engine the run uses a connection of its own (see
    `_Checkpointer`); otherwise it runs in `session`."""
    kwargs: dict[str, Any] = {
        "trigger": trigger,
        "actor_id": actor_id,
        "batch": batch,
        "entities": entities,
        "holder": holder,
        "progress": progress,
        "parallel": parallel,
    }
    with _frozen_heap():
        engine = _sqlite_file_engine(session)
        if engine is None:
            return _run(session, feed, checkpointer=None, **kwargs)
        settle()
        return _run_own_connection(engine, feed, kwargs)


_FROZEN = [0]  # runs under way in this process (`_frozen_heap`)
_FROZEN_LOCK = threading.Lock()


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """The objects that exist when a run starts are left out of the garbage collections
    its own allocations trigger (`gc.freeze`, undone when the last run of the process ends).
    A run makes hundreds of thousands of row dicts and tuples: their collections then cost
    what the run allocated, not what the process (a web worker, the benchmark's prepared
    pages) held already — a full collection over such a heap took 0.3–0.7 s of a run."""
    with _FROZEN_LOCK:
        _FROZEN[0] += 1
        if _FROZEN[0] == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _FROZEN_LOCK:
            _FROZEN[0] -= 1
            if _FROZEN[0] == 0:
                gc.unfreeze()


def _run_own_connection(
    engine: Engine, feed: ChangeFeed, kwargs: dict[str, Any]
) -> RunReport | None:
    """SQLite file: the run on a connection of its own, its automatic checkpoint off."""
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        conn.commit()
        checkpointer = _Checkpointer(engine)
        try:
            with Session(bind=conn, expire_on_commit=False) as own:
                return _run(own, feed, checkpointer=checkpointer, **kwargs)
        finally:
            checkpointer.close()
            conn.rollback()
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(before or 1000)}")
            conn.commit()


def _run(
    session: Session,
    feed: ChangeFeed,
    *,
    checkpointer: _Checkpointer | None,
    trigger: str,
    actor_id: int | None,
    batch: int,
    entities: Sequence[str],
    holder: str | None,
    progress: Callable[[str, int, float], None] | None,
    parallel: bool,
) -> RunReport | None:
    holder = holder or worker_name()
    started = time.perf_counter()
    if not claim_lease(session, holder=holder, now=utcnow()):
        return None
    report = RunReport()
    try:
        # Runs left "running" by a dead worker: we hold the lease, so none is alive.
        stale = session.exec(select(SyncRun).where(SyncRun.status == SyncStatus.RUNNING)).all()
        for old in stale:
            old.status, old.last_error, old.finished_at = SyncStatus.FAILED, INTERRUPTED, utcnow()
            session.add(old)
        run = SyncRun(trigger=trigger, started_by_id=actor_id, worker=holder[:100])
        session.add(run)
        session.commit()
        report.run_id = run.id
        org_ids, org_owner = _load_org_map(session)
        shared = _Shared(
            run_id=run.id or 0,
            holder=holder,
            report=report,
            org_ids=org_ids,
            org_owner=org_owner,
            batch=batch,
            started=started,
            progress=progress,
        )
        parents: dict[str, dict[str, int]] = {}
        engine = _parallel_engine(session) if parallel else None
        for wave in rules.waves(entities):
            if engine is not None and len(wave) > 1:
                _sync_side_by_side(engine, feed, wave, shared, parents)
                continue
            _sync_wave(session, feed, wave, shared, parents, checkpointer)
        report.status = SyncStatus.PARTIAL if report.rows_failed else SyncStatus.OK
    except (ErpError, LeaseLost, DBAPIError) as e:
        session.rollback()
        report.status = SyncStatus.FAILED
        report.error = getattr(e, "reason", None) or f"{type(e).__name__}: {e}"
        log.warning("erp sync run failed: %s", report.error)
    except Exception as e:
        session.rollback()
        report.status = SyncStatus.FAILED
        report.error = f"{type(e).__name__}: {e}"
        log.exception("erp sync run crashed")
    finally:
        report.seconds = time.perf_counter() - started
        _finish(session, report, holder=holder)  # `run_sync` then closes the checkpointer
    return report


@dataclass
class _Shared:
    """What the entity loops of one run share — with each other when a wave of entities
    runs side by side (`_sync_side_by_side`): the counters (under `lock`) and a stop flag
    raised by the first loop that fails."""

    run_id: int
    holder: str
    report: RunReport
    org_ids: dict[str, int]  # read-only once the organisations are done
    org_owner: dict[int, str]
    batch: int
    started: float
    progress: Callable[[str, int, float], None] | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    in_place: dict[str, bool] = field(default_factory=dict)  # SQLite: see `_Ctx.in_place`


def _sync_wave(
    session: Session,
    feed: ChangeFeed,
    wave: Sequence[str],
    shared: _Shared,
    parents: dict[str, dict[str, int]],
    checkpointer: _Checkpointer | None,
) -> None:
    """The entities of a wave one after the other in `session`, their pages taken from one
    `_ReadAhead`: on SQLite a reader process started for one entity goes on with the next
    ones of the wave (`then`: their cursors, which no other entity's batches move), so the
    next entity's first page is ready when the previous entity's last batch is written."""
    dialect = session.get_bind().dialect
    sqlite = dialect.name == "sqlite"
    then = [(e, _watermark(session, e).cursor) for e in wave if e in BOUND_TABLES] if sqlite else []
    pages = _ReadAhead(
        feed,
        shared.batch,
        dialect,
        parse_ahead=not sqlite,
        child=sqlite,
        org_ids=shared.org_ids,
        then=then,
    )
    try:
        for entity in wave:
            _sync_entity(session, feed, entity, shared, parents, checkpointer, pages)
    finally:
        pages.close()


class _Stopped(Exception):
    """Another entity of the same wave failed: this one ends at its last committed batch."""


def _sync_entity(
    session: Session,
    feed: ChangeFeed,
    entity: str,
    shared: _Shared,
    parents: dict[str, dict[str, int]],
    checkpointer: _Checkpointer | None,
    reader: _ReadAhead | None = None,
) -> None:
    """One entity's pages, from its watermark to the ERP's end of changes: one committed
    batch per page (rows, issues, watermark, counters and the lease renewal together).
    `reader`: the wave's (`_sync_wave`), closed by it; otherwise one of the entity's own."""
    report = shared.report
    with shared.lock:
        stats = report.entities.setdefault(entity, EntityStats())
    run = session.get(SyncRun, shared.run_id)
    if run is None:  # pragma: no cover - the run row was committed by this run
        raise LeaseLost("run row missing")
    dialect = session.get_bind().dialect
    sqlite = dialect.name == "sqlite"
    # SQLite gives the GIL back for every row it steps through, so a page parsed in the
    # read-ahead thread would only take turns with the writes: there the thread only fetches.
    pages = reader or _ReadAhead(
        feed,
        shared.batch,
        dialect,
        parse_ahead=not sqlite,
        child=sqlite,
        org_ids=shared.org_ids,
    )
    try:
        while True:
            if shared.stop.is_set():
                raise _Stopped()
            _relaxed_commit(session)
            wm = _watermark(session, entity)
            got = pages.get(entity, wm.cursor)
            page, parsed, failures, newest = got.page, got.parsed, got.failures, got.newest
            now = utcnow()
            ctx = _Ctx(
                session.connection(),
                now,
                shared.org_ids,
                shared.org_owner,
                parents,
                in_place=shared.in_place if sqlite else None,
            )
            failures += _apply_batch(session, ctx, entity, parsed)
            for f in failures:
                session.add(
                    SyncIssue(
                        run_id=shared.run_id,
                        entity=entity,
                        erp_id=f.erp_id[:64],
                        error=f.reason[:500],
                        payload=_raw_text(f.raw),
                    )
                )
            wm.cursor = page.next
            if newest is not None and (wm.last_updated_at is None or newest > wm.last_updated_at):
                wm.last_updated_at = newest
            wm.rows_total += got.n_rows - len(failures)
            wm.updated_at = now
            session.add(wm)
            with shared.lock:
                stats.rows_in += got.n_rows
                stats.failed += len(failures)
                stats.updated += got.n_rows - len(failures)
                _store_counters(run, report)
            session.add(run)
            if not renew_lease(session, holder=shared.holder, now=now, run_id=shared.run_id):
                session.rollback()
                raise LeaseLost("lease lost")
            session.commit()  # the batch, its issues and the watermark together
            if checkpointer is not None:
                checkpointer.poke()
            if shared.progress is not None:
                shared.progress(entity, stats.rows_in, time.perf_counter() - shared.started)
            if not page.has_more or not got.n_rows:
                break
    finally:
        if reader is None:
            pages.close()


def _parallel_engine(session: Session) -> Engine | None:
    """The engine a wave of independent entities may sync through, side by side, each on a
    connection of its own: PostgreSQL only (its server works on each connection's batch in
    a process of its own; SQLite has one writer anyway), and only when the run's session is
    bound to an engine — a session bound to a connection (a test's outer transaction, a
    caller's unfinished work) may hold what the other connections would not see."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    return bind


def _sync_side_by_side(
    engine: Engine,
    feed: ChangeFeed,
    wave: Sequence[str],
    shared: _Shared,
    parents: dict[str, dict[str, int]],
) -> None:
    """The entities of one wave (none needs another's rows) synced at once, each in a
    thread with its own session and connection; every guarantee of a batch holds per
    thread (one transaction, watermark inside it, the lease renewed in it). The first
    failure stops the others at their next batch and is raised here."""

    def one(entity: str) -> None:
        try:
            with Session(bind=engine, expire_on_commit=False) as own:  # closing rolls back
                _sync_entity(own, feed, entity, shared, parents, None)
        except _Stopped:
            pass
        except BaseException:
            shared.stop.set()
            raise

    with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="erp-sync") as pool:
        futures = [pool.submit(one, entity) for entity in wave]
    errors = [e for e in (f.exception() for f in futures) if e is not None]
    if errors:
        raise errors[0]


def _store_counters(run: SyncRun, report: RunReport) -> None:
    report.rows_in = sum(s.rows_in for s in report.entities.values())
    report.rows_updated = sum(s.updated for s in report.entities.values())
    report.rows_failed = sum(s.failed for s in report.entities.values())
    run.rows_in, run.rows_updated, run.rows_failed = (
        report.rows_in,
        report.rows_updated,
        report.rows_failed,
    )
    run.entities = {
        k: {"in": v.rows_in, "updated": v.updated, "failed": v.failed}
        for k, v in report.entities.items()
    }


def _finish(session: Session, report: RunReport, *, holder: str) -> None:
    now = utcnow()
    newest = session.exec(select(sa.func.max(ErpWatermark.last_updated_at))).one()
    if isinstance(newest, str):  # SQLite aggregates skip the column type
        newest = datetime.fromisoformat(newest).replace(tzinfo=now.tzinfo)
    report.lag_seconds = rules.lag_seconds(newest, now)
    if report.run_id is not None:
        run = session.get(SyncRun, report.run_id, populate_existing=True)
        if run is not None:
            _store_counters(run, report)
            run.status = report.status
            run.last_error = report.error[:2000]
            run.finished_at = now
            run.duration_ms = int(report.seconds * 1000)
            run.lag_seconds = report.lag_seconds
            session.add(run)
            session.commit()
    release_lease(session, holder=holder)


# -- scheduling -----------------------------------------------------------------------------
def is_due(session: Session, *, now: datetime, interval_seconds: int) -> bool:
    lease = session.get(SyncLease, LEASE_NAME, populate_existing=True)
    requested = lease is not None and lease.requested_at is not None
    last = session.exec(select(sa.func.max(SyncRun.started_at))).one()
    if isinstance(last, str):
        last = datetime.fromisoformat(last).replace(tzinfo=now.tzinfo)
    session.commit()
    return rules.sync_due(
        last_started=last, now=now, interval_seconds=interval_seconds, requested=requested
    )


def requested_by(session: Session) -> int | None:
    lease = session.get(SyncLease, LEASE_NAME, populate_existing=True)
    return lease.requested_by_id if lease is not None and lease.requested_at else None
