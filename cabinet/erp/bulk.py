"""Batch upserts for the ERP sync, handed to the driver in one call per batch.

SQLAlchemy Core spends tens of microseconds per row on parameter processing for an
`insert().on_conflict_do_update()` executemany; a delta sync of 100,000 rows cannot afford it.
Here each (table, columns, dialect) gets its SQL text once; values are converted by the
columns' own SQLAlchemy bind processors (so a row is stored exactly as Core would store it)
and the batch goes to the driver through `Connection.exec_driver_sql` (driver errors still
arrive as SQLAlchemy's `DBAPIError`, which the sync's row-by-row retry catches):

- **SQLite**: first one `SELECT key, rowid, erp_updated_at, <indexed columns> … WHERE key IN
  (…)` per few hundred rows, then each row the cheapest correct way: a stored newer version
  is left alone; a row whose indexed columns keep their values gets `UPDATE … SET <the other
  columns> WHERE rowid = ? AND (stored version IS NULL OR stored version <= new)`; new rows
  and rows whose indexed values change go through `INSERT … ON CONFLICT (erp_id) DO UPDATE
  SET … WHERE stored version <= new`. SQLite rewrites the entry of every index whose column
  is named in a SET, equal value or not, and an upsert of an existing row costs two key
  lookups: split like this, a change that leaves the indexed columns alone (a status text, a
  consignee, an amount) costs one lookup and writes the row only. The version condition
  stays in the SQL of both writes.
- **PostgreSQL**: the batch is COPYed (binary; psycopg formats COPY rows in C) into a
  temporary staging table of the connection (emptied at commit), then `UPDATE … FROM
  <stage> … WHERE key matches AND stored version <= new` (when its row count falls short of
  the batch, the server names the staged keys without a stored row), then `INSERT …
  SELECT … FROM unnest(<one array per column>) ON CONFLICT (erp_id) DO UPDATE … WHERE stored
  version <= new` for the new rows: a few statements and round trips for thousands of rows.
  Tables whose column types COPY cannot name update from `unnest(…)` instead, with
  `RETURNING key`; the rows it did not touch (new ones, and stored newer ones, which the
  condition leaves alone) go to the upsert. A plain UPDATE of existing rows skips the
  upsert's speculative insertion and tuple lock (half the WAL records).
  PostgreSQL leaves the indexes alone by itself (a HOT update) when no indexed value changes
  and the page has room (fillfactor, migration 0009).

Rows are written in key order (better locality in the key index and, for rows loaded in
key order, in the table). A batch must not hold one key twice (the sync dedupes first).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = "erp_updated_at"
IN_CHUNK = 900  # SQLite: keys per IN (...) list
PROBE_CHUNK = 400  # SQLite: keys per probe (its pages stay in the page cache for the writes)


@dataclass(frozen=True)
class _Plan:
    columns: tuple[str, ...]  # the rows' columns, the constants, the per-row defaults
    n_row: int  # how many of `columns` come from the rows
    tail: tuple[Any, ...]  # constants and scalar defaults, already processed
    per_row: tuple[Callable[[], Any], ...]  # callable defaults (insert only), processed
    procs: tuple[tuple[int, Callable[[Any], Any]], ...]  # for the rows' own columns
    key_index: int
    upsert_sql: str
    split: _Split | None = None  # SQLite, versioned rows with indexed columns
    update_sql: str | None = None  # PostgreSQL, versioned rows: UPDATE … FROM unnest(…)
    stage: _Stage | None = None  # PostgreSQL, versioned rows: COPY, then UPDATE … FROM it


@dataclass(frozen=True)
class _Stage:
    """PostgreSQL: a temporary table (per connection, emptied at commit) that a batch is
    COPYed into in binary — psycopg formats COPY rows in C, several times cheaper than its
    Python array dumper — and the UPDATE that applies it."""

    create_sql: str
    clear_sql: str
    copy_sql: str
    types: tuple[str, ...]  # the COPY's column types (psycopg names)
    update_sql: str  # no RETURNING: its row count says whether every staged row was stored
    missing_sql: str  # the staged keys with no stored row (then inserted by the upsert)


@dataclass(frozen=True)
class _Split:
    """SQLite: how to read the stored state of a batch's rows and write the cheap ones."""

    probe_head: str  # SELECT key, rowid, version, <indexed> FROM t WHERE key IN (
    version_index: int
    indexed: Callable[[Sequence[Any]], tuple[Any, ...]]  # a row's indexed values
    light_sql: str  # UPDATE t SET <not indexed> WHERE rowid = ? AND <version guard>
    light: Callable[[Sequence[Any]], tuple[Any, ...]]  # a row's not indexed values
    light_columns: tuple[str, ...]
    heavy_columns: tuple[str, ...]  # the settable indexed columns, in `indexed` order


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """itemgetter that always returns a tuple."""
    if len(indexes) == 1:
        only = indexes[0]

        def one(values: Sequence[Any]) -> tuple[Any, ...]:
            return (values[only],)

        return one
    getter: Callable[[Sequence[Any]], tuple[Any, ...]] = itemgetter(*indexes)
    return getter


_PLANS: dict[tuple[Any, ...], _Plan] = {}


def _indexed_columns(table: Any) -> set[str]:
    names: set[str] = set()
    for index in table.indexes:
        names.update(c.name for c in index.columns)
    for constraint in table.constraints:
        names.update(c.name for c in getattr(constraint, "columns", ()))
    return names


def _is_json(table: Any, name: str) -> bool:
    return isinstance(table.c[name].type, sa.JSON)


def _pg_array(table: Any, name: str, dialect: Any) -> str:
    """The placeholder of one column's array: binary (`%b`, psycopg's fast path; its text
    array dumper escapes every element in Python), numeric as text; JSON travels as text."""
    if _is_json(table, name):
        return "%b::text[]"
    sql_type = re.sub(r"\s+COLLATE\s+\S+", "", table.c[name].type.compile(dialect=dialect))
    return f"%t::{sql_type}[]" if sql_type.startswith("NUMERIC") else f"%b::{sql_type}[]"


# SQL type (as the dialect compiles it, without length/collation) -> psycopg's type name
_PG_COPY_TYPES = {
    "VARCHAR": "varchar",
    "TEXT": "text",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "NUMERIC": "numeric",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "BOOLEAN": "bool",
    "JSON": "text",  # JSON travels as its text (bind_rows / upsert dump it) and is cast
}


def _pg_copy_type(table: Any, name: str, dialect: Any) -> str | None:
    sql_type = re.sub(r"\s+COLLATE\s+\S+", "", table.c[name].type.compile(dialect=dialect))
    return _PG_COPY_TYPES.get(re.sub(r"\(.*\)", "", sql_type).strip())


def _pg_stage(
    table: Any,
    columns: Sequence[str],
    settable: Sequence[str],
    key: str,
    dialect: Any,
) -> _Stage | None:
    types = [_pg_copy_type(table, c, dialect) for c in columns]
    if None in types:
        return None
    q = dialect.identifier_preparer.quote
    tname = q(table.name)
    # the name follows the columns and their types: a connection that outlived a migration
    # keeps its old stage under the old name
    shape = ",".join(f"{c} {table.c[c].type.compile(dialect=dialect)}" for c in columns)
    digest = hashlib.sha1(shape.encode()).hexdigest()[:10]  # noqa: S324 - a name, not a secret
    stage = q(f"erp_stage_{table.name[:30]}_{digest}")
    picks = ", ".join(f"{q(c)}::text AS {q(c)}" if _is_json(table, c) else q(c) for c in columns)
    sets = ", ".join(
        f"{q(c)} = s.{q(c)}::json" if _is_json(table, c) else f"{q(c)} = s.{q(c)}" for c in settable
    )
    return _Stage(
        create_sql=(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "  # noqa: S608
            f"AS SELECT {picks} FROM {tname} WITH NO DATA"
        ),
        clear_sql=f"DELETE FROM {stage}",  # noqa: S608
        copy_sql=(f"COPY {stage} ({', '.join(q(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"),
        types=tuple(t for t in types if t is not None),
        update_sql=(
            f"UPDATE {tname} AS t SET {sets} FROM {stage} AS s "  # noqa: S608
            f"WHERE t.{q(key)} = s.{q(key)} AND "
            f"(t.{q(VERSION)} IS NULL OR t.{q(VERSION)} <= s.{q(VERSION)})"
        ),
        missing_sql=(
            f"SELECT s.{q(key)} FROM {stage} AS s WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {tname} AS t WHERE t.{q(key)} = s.{q(key)})"
        ),
    )


def bind_processor(table: Any, name: str, dialect: Any) -> Callable[[Any], Any] | None:
    if dialect.name == "postgresql" and _is_json(table, name):
        return json.dumps  # what psycopg's Json wrapper sends for Core (None -> JSON null)
    proc: Callable[[Any], Any] | None = (
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    )
    return proc


def _then(fn: Callable[[], Any], proc: Callable[[Any], Any]) -> Any:
    return proc(fn())


def _plan(
    dialect: Any,
    table: Any,
    row_columns: tuple[str, ...],
    const_columns: tuple[str, ...],
    key: str,
    keep: tuple[str, ...],
    newer_only: bool,
) -> _Plan:
    cache_key = (dialect.name, table.name, row_columns, const_columns, key, keep, newer_only)
    plan = _PLANS.get(cache_key)
    if plan is not None:
        return plan
    unknown = [c for c in row_columns + const_columns if c not in table.c]
    if unknown:
        raise KeyError(f"{table.name}: no columns {unknown}")
    # Python-side column defaults, as Core would fill them on INSERT (and only there).
    given = set(row_columns + const_columns)
    scalar_defaults: list[tuple[str, Any]] = []
    callable_defaults: list[tuple[str, Callable[[], Any]]] = []
    for column in table.c:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            scalar_defaults.append((column.name, default.arg))
        elif default.is_callable:
            callable_defaults.append((column.name, partial(default.arg, None)))
    columns = (
        row_columns
        + const_columns
        + tuple(n for n, _ in scalar_defaults)
        + tuple(n for n, _ in callable_defaults)
    )
    insert_only = {key, *keep, *(n for n, _ in scalar_defaults), *(n for n, _ in callable_defaults)}
    procs = []
    for i, name in enumerate(row_columns):
        proc = bind_processor(table, name, dialect)
        if proc is not None:
            procs.append((i, proc))
    tail = []
    for name, value in scalar_defaults:
        proc = bind_processor(table, name, dialect)
        tail.append(proc(value) if proc is not None else value)
    per_row: list[Callable[[], Any]] = []
    for name, fn in callable_defaults:
        proc = bind_processor(table, name, dialect)
        per_row.append(fn if proc is None else partial(_then, fn, proc))

    q = dialect.identifier_preparer.quote
    tname = q(table.name)
    col_list = ", ".join(q(c) for c in columns)
    settable = [c for c in columns if c not in insert_only]
    versioned = newer_only and VERSION in table.c and VERSION in settable
    guard = (
        f" WHERE {tname}.{q(VERSION)} IS NULL OR {tname}.{q(VERSION)} <= excluded.{q(VERSION)}"
        if versioned
        else ""
    )
    split = None
    update_sql = None
    stage = None
    if dialect.name == "postgresql":
        arrays = ", ".join(_pg_array(table, c, dialect) for c in columns)
        names = [f"c{i}" for i in range(len(columns))]
        picks = ", ".join(
            f"{n}::json AS {q(c)}" if _is_json(table, c) else f"{n} AS {q(c)}"
            for n, c in zip(names, columns, strict=True)
        )
        # names come from the table metadata, values travel as parameters
        source = f"SELECT {picks} FROM unnest({arrays}) AS u({', '.join(names)})"  # noqa: S608
        if versioned:
            # the UPDATE leaves the insert-only callable defaults (the last columns) out
            n_base = len(columns) - len(callable_defaults)
            arrays_u = ", ".join(_pg_array(table, c, dialect) for c in columns[:n_base])
            picks_u = ", ".join(
                f"{n}::json AS {q(c)}" if _is_json(table, c) else f"{n} AS {q(c)}"
                for n, c in zip(names, columns[:n_base], strict=False)
            )
            source_u = f"SELECT {picks_u} FROM unnest({arrays_u}) AS u({', '.join(names[:n_base])})"  # noqa: S608
            sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in settable)
            update_sql = (
                f"UPDATE {tname} AS t SET {sets} FROM ({source_u}) AS s "  # noqa: S608
                f"WHERE t.{q(key)} = s.{q(key)} AND "
                f"(t.{q(VERSION)} IS NULL OR t.{q(VERSION)} <= s.{q(VERSION)}) "
                f"RETURNING t.{q(key)}"
            )
            stage = _pg_stage(table, columns[:n_base], settable, key, dialect)
    else:
        source = "VALUES (" + ", ".join("?" for _ in columns) + ")"
        indexed = _indexed_columns(table)
        heavy = [c for c in settable if c in indexed]
        light = [c for c in settable if c not in indexed]
        if versioned and heavy and light:
            version = columns.index(VERSION)
            split = _Split(
                probe_head=(
                    f"SELECT {q(key)}, rowid, {q(VERSION)}, "  # noqa: S608
                    f"{', '.join(q(c) for c in heavy)} FROM {tname} WHERE {q(key)} IN ("
                ),
                version_index=version,
                indexed=_getter([columns.index(c) for c in heavy]),
                light_sql=(
                    f"UPDATE {tname} SET {', '.join(f'{q(c)} = ?' for c in light)} "  # noqa: S608
                    f"WHERE rowid = ? AND ({q(VERSION)} IS NULL OR {q(VERSION)} <= ?)"
                ),
                light=_getter([columns.index(c) for c in light]),
                light_columns=tuple(light),
                heavy_columns=tuple(heavy),
            )
    if settable:
        action = "DO UPDATE SET " + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in settable)
        action += guard
    else:
        action = "DO NOTHING"
    upsert_sql = f"INSERT INTO {tname} ({col_list}) {source} ON CONFLICT ({q(key)}) {action}"
    plan = _Plan(
        columns=columns,
        n_row=len(row_columns),
        tail=tuple(tail),
        per_row=tuple(per_row),
        procs=tuple(procs),
        key_index=columns.index(key),
        upsert_sql=upsert_sql,
        split=split,
        update_sql=update_sql,
        stage=stage,
    )
    _PLANS[cache_key] = plan
    return plan


_BINDERS: dict[tuple[Any, ...], tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def bind_rows(dialect: Any, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Convert the rows' table columns in place to what the driver gets (the columns' bind
    processors, as `upsert` would), so that this Python work can run ahead, in the thread
    that reads the next page, while the database writes the current one; then `upsert(…,
    bound=True)`. Every row has the first row's keys."""
    if not rows:
        return
    columns = table_columns(rows[0])
    cache_key = (dialect.name, table.name, columns)
    procs = _BINDERS.get(cache_key)
    if procs is None:
        found = []
        for name in columns:
            proc = bind_processor(table, name, dialect) if name in table.c else None
            if proc is not None:
                found.append((name, proc))
        procs = _BINDERS[cache_key] = tuple(found)
    for row in rows:
        for name, proc in procs:
            row[name] = proc(row[name])


def table_columns(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A parsed row's table columns: every key but the `_`-prefixed references."""
    return tuple(k for k in row if not k.startswith("_"))


def _values(
    conn: Connection,
    table: Any,
    plan: _Plan,
    rows: Sequence[Mapping[str, Any]],
    row_columns: tuple[str, ...],
    const: Mapping[str, Any],
    bound: bool,
) -> list[tuple[Any, ...]]:
    """The rows as driver values in `plan.columns` order (without the per-row callable
    defaults), sorted by key."""
    const_values = []
    for name, value in const.items():
        proc = bind_processor(table, name, conn.dialect)
        const_values.append(proc(value) if proc is not None else value)
    tail = (*const_values, *plan.tail)
    pick = itemgetter(*row_columns)
    procs = () if bound else plan.procs
    values: list[tuple[Any, ...]] = []
    single = len(row_columns) == 1
    if procs:
        for r in rows:
            w = [pick(r)] if single else list(pick(r))
            for i, proc in procs:
                w[i] = proc(w[i])
            values.append((*w, *tail))
    elif single:
        values = [(v, *tail) for v in map(pick, rows)]
    else:
        values = [v + tail for v in map(pick, rows)]
    values.sort(key=itemgetter(plan.key_index))
    return values


def upsert(
    conn: Connection,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str = "erp_id",
    keep: Iterable[str] = (),
    newer_only: bool = True,
    const: Mapping[str, Any] | None = None,
    bound: bool = False,
) -> int:
    """INSERT … ON CONFLICT (key) DO UPDATE every row; returns how many rows went that way
    (the others were updated in place: SQLite's light UPDATE, PostgreSQL's staged one).

    Columns: the row's keys that do not start with `_` (every row has the first row's
    keys), then `const` (one value for all rows), then the table's Python-side defaults for
    the columns not given (written on insert only, as Core does; callable ones are called
    only for the rows that are inserted). With `newer_only`, a stored row whose
    `erp_updated_at` is newer than the row's stays as it is. `keep` columns are written on
    insert only. `bound`: the rows' values were already converted by `bind_rows`."""
    if not rows:
        return 0
    const = dict(const or {})
    row_columns = tuple(c for c in table_columns(rows[0]) if c not in const)
    plan = _plan(conn.dialect, table, row_columns, tuple(const), key, tuple(keep), newer_only)
    values = _values(conn, table, plan, rows, row_columns, const, bound)
    per_row = plan.per_row

    def with_defaults(vs: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The insert-only callable defaults (a certificate's public code), for the rows
        that may be inserted."""
        if not per_row:
            return vs
        return [v + tuple(fn() for fn in per_row) for v in vs]

    if conn.dialect.name == "postgresql":
        if plan.stage is not None:
            new_keys = _staged_update(conn, plan.stage, values)
            values = [v for v in values if v[plan.key_index] in new_keys] if new_keys else []
        elif plan.update_sql is not None:
            arrays = tuple(list(col) for col in zip(*values, strict=True))
            done = {r[0] for r in conn.exec_driver_sql(plan.update_sql, arrays).all()}
            values = [v for v in values if v[plan.key_index] not in done]
        if not values:
            return 0
        values = with_defaults(values)
        conn.exec_driver_sql(plan.upsert_sql, tuple(list(col) for col in zip(*values, strict=True)))
        return len(values)
    if plan.split is None:
        conn.exec_driver_sql(plan.upsert_sql, with_defaults(values))
        return len(values)
    split, key_index = plan.split, plan.key_index
    n_full = 0
    version_index, indexed, light = split.version_index, split.indexed, split.light
    for start in range(0, len(values), PROBE_CHUNK):
        chunk = values[start : start + PROBE_CHUNK]
        probe = split.probe_head + ", ".join("?" * len(chunk)) + ")"
        stored = {
            r[0]: r for r in conn.exec_driver_sql(probe, tuple(v[key_index] for v in chunk)).all()
        }
        full: list[tuple[Any, ...]] = []
        cheap: list[tuple[Any, ...]] = []
        for v in chunk:
            old = stored.get(v[key_index])
            if old is None:
                full.append(v)
                continue
            new_version, old_version = v[version_index], old[2]
            if old_version is not None and (new_version is None or old_version > new_version):
                continue  # the stored row is newer: an older version never wins
            if indexed(v) == old[3:]:
                cheap.append((*light(v), old[1], new_version))
            else:
                full.append(v)
        if cheap:
            conn.exec_driver_sql(split.light_sql, cheap)
        if full:
            conn.exec_driver_sql(plan.upsert_sql, with_defaults(full))
            n_full += len(full)
    return n_full


_IN_PLACE: dict[tuple[Any, ...], tuple[str, tuple[str, ...], tuple[str, ...]] | None] = {}


def _in_place_plan(
    dialect: Any,
    table: Any,
    columns: Iterable[str],
    refs: Mapping[str, tuple[Any, str]],
    key: str,
    keep: tuple[str, ...],
    const: tuple[str, ...],
) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(SQL, the row fields its parameters take in order, the constant columns written as
    literals) of `update_in_place` for rows of `columns`; None when the table has no such
    update (no versions, or no indexed or no plain columns to split by)."""
    given = set(table_columns(dict.fromkeys(columns))) - set(const) - set(refs)
    if not given <= set(table.c.keys()):
        return None  # `upsert` names the unknown columns
    row_columns = tuple(c for c in table.c.keys() if c in given)  # noqa: SIM118 - one order
    ref_fields = tuple(f for _, f in refs.values())
    cache_key = (dialect.name, table.name, row_columns, const, key, keep, tuple(refs), ref_fields)
    if cache_key not in _IN_PLACE:
        split = _plan(dialect, table, row_columns, const, key, keep, True).split
        _IN_PLACE[cache_key] = (
            None
            if split is None
            else _in_place_sql(dialect, table, split, row_columns, const, key, refs)
        )
    return _IN_PLACE[cache_key]


def in_place_fields(
    dialect: Any,
    table: Any,
    columns: Iterable[str],
    *,
    refs: Mapping[str, tuple[Any, str]],
    key: str = "erp_id",
    keep: Iterable[str] = (),
    const: Iterable[str] = (),
) -> tuple[str, ...]:
    """The row fields `update_in_place` binds, in its parameters' order (empty: the table
    has no such update): rows packed with these columns first go to SQLite as they are."""
    plan = _in_place_plan(dialect, table, columns, refs, key, tuple(keep), tuple(const))
    return () if plan is None else plan[1]


def update_in_place(
    conn: Connection,
    table: Any,
    rows: Sequence[Mapping[str, Any]] | Sequence[tuple[Any, ...]],
    *,
    refs: Mapping[str, tuple[Any, str]],
    key: str = "erp_id",
    keep: Iterable[str] = (),
    const: Mapping[str, Any] | None = None,
    columns: tuple[str, ...] | None = None,
) -> bool:
    """SQLite: the common case of a delta — rows already stored, a newer version, no indexed
    value changed — as ONE conditional `UPDATE … WHERE key = ?` per row (executemany), every
    check in its WHERE: the version guard, each indexed column unchanged, and each reference
    in `refs` ({column: (parent table, the row's field with the parent's key)}) still naming
    the stored parent, looked up by SQLite itself (`column IS (SELECT id FROM parent WHERE
    erp_id = ?)`). No probe, no parent lookups in Python: a row costs SQLite one key lookup
    and the write of its own record. The rows' values must be the driver's (`bind_rows`):
    dicts, or with `columns` tuples of the values of those columns — when `columns` begin
    with `in_place_fields`, the tuples go to the driver as they are. `const` values (one
    for the whole batch: the sync's `updated_at`) are written into the statement as SQL
    literals, so that no row needs them appended.

    True when every row was updated that way. Otherwise (a new row, an indexed value or a
    parent changed, an older version, an unknown parent) some rows were left alone and the
    caller applies the whole batch with `upsert`, which does the same to the rows updated
    here (their stored version is now the batch's: the `<=` guard lets the same values be
    written again) and the right thing to the others. Same columns and values as `upsert`'s
    light UPDATE; a table without versions or indexed columns returns False at once."""
    if not rows:
        return True
    if conn.dialect.name != "sqlite":
        return False
    const = dict(const or {})
    names = rows[0] if columns is None else columns
    plan = _in_place_plan(conn.dialect, table, names, refs, key, tuple(keep), tuple(const))
    if plan is None:
        return False
    sql, fields, const_columns = plan
    for i, name in enumerate(const_columns):
        proc = bind_processor(table, name, conn.dialect)
        literal = _sql_literal(proc(const[name]) if proc is not None else const[name])
        if literal is None:
            return False
        sql = sql.replace(f"?C{i}?", literal)
    n = len(fields)
    try:
        if columns is None:
            params = list(map(itemgetter(*fields), rows))
        elif columns[:n] == fields:
            params = list(rows) if len(columns) == n else list(map(itemgetter(slice(n)), rows))
        else:
            params = list(map(itemgetter(*[columns.index(f) for f in fields]), rows))
    except (KeyError, ValueError):  # a field the rows do not have: not this way
        return False
    params.sort(key=itemgetter(fields.index(key)))
    done = conn.exec_driver_sql(sql, params).rowcount
    return bool(done == len(params))


def _sql_literal(value: Any) -> str | None:
    """A driver value as an SQLite literal; None for a type not written this way."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _in_place_sql(
    dialect: Any,
    table: Any,
    split: _Split,
    row_columns: tuple[str, ...],
    const_columns: tuple[str, ...],
    key: str,
    refs: Mapping[str, tuple[Any, str]],
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """`update_in_place`'s SQL, the row fields its parameters take (in order) and the
    constant columns, marked `?C<i>?` in the SQL for their literals. Numbered parameters
    (`?N`) let a row's values go in as one tuple."""
    q = dialect.identifier_preparer.quote
    fields: list[str] = []
    consts: list[str] = []

    def param(column: str) -> str:
        if column in row_columns or column not in const_columns:
            if column not in fields:
                fields.append(column)
            return f"?{fields.index(column) + 1}"
        if column not in consts:
            consts.append(column)
        return f"?C{consts.index(column)}?"

    sets = ", ".join(f"{q(c)} = {param(c)}" for c in split.light_columns)
    where = [
        f"{q(key)} = {param(key)}",
        f"({q(VERSION)} IS NULL OR {q(VERSION)} <= {param(VERSION)})",
    ]
    where += [f"{q(c)} IS {param(c)}" for c in split.heavy_columns]
    where += [
        f"{q(c)} IS (SELECT {q('id')} FROM {q(parent.name)} "  # noqa: S608 - names from metadata
        f"WHERE {q(key)} = NULLIF({param(f)}, ''))"
        for c, (parent, f) in refs.items()
    ]
    sql = f"UPDATE {q(table.name)} SET {sets} WHERE {' AND '.join(where)}"  # noqa: S608
    return sql, tuple(fields), tuple(consts)


def _staged_update(conn: Connection, stage: _Stage, values: list[tuple[Any, ...]]) -> set[Any]:
    """PostgreSQL: COPY the batch into its staging table, UPDATE the stored rows from it;
    the keys of the rows not stored yet (to be inserted). When the UPDATE's row count says
    every staged row was updated — a delta of existing rows, the common case — nothing
    more is asked; otherwise the server names the staged keys without a stored row (a
    stored row the UPDATE left alone is newer: the upsert would leave it alone too). A
    driver error arrives as SQLAlchemy's DBAPIError, like the others."""
    # one round trip: the stage (once per connection; IF NOT EXISTS) emptied of the rows of
    # an earlier savepoint of this transaction
    conn.exec_driver_sql(f"{stage.create_sql}; {stage.clear_sql}")
    raw = conn.connection.dbapi_connection
    try:
        with raw.cursor() as cur, cur.copy(stage.copy_sql) as copy:  # type: ignore[union-attr]
            copy.set_types(list(stage.types))
            for v in values:
                copy.write_row(v)
    except conn.dialect.loaded_dbapi.Error as e:
        raise sa.exc.DBAPIError(stage.copy_sql, None, e) from e
    updated = conn.exec_driver_sql(stage.update_sql).rowcount
    if updated == len(values):
        return set()
    return {r[0] for r in conn.exec_driver_sql(stage.missing_sql).all()}


def ids_by_key(
    conn: Connection, table: Any, keys: Iterable[str], *, key: str = "erp_id"
) -> dict[str, int]:
    """{key: id} of the stored rows among `keys`: on PostgreSQL one `= ANY(array)` query, on
    SQLite `IN (…)` lists of a few hundred keys."""
    wanted = sorted(keys)
    if not wanted:
        return {}
    q = conn.dialect.identifier_preparer.quote
    head = f"SELECT {q(key)}, {q('id')} FROM {q(table.name)} WHERE {q(key)}"  # noqa: S608
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(f"{head} = ANY(%b::varchar[])", (wanted,)).all()
        return dict(rows)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = tuple(wanted[start : start + IN_CHUNK])
        rows = conn.exec_driver_sql(f"{head} IN ({', '.join('?' * len(chunk))})", chunk).all()
        found.update(rows)
    return found
