"""The admin users-list page query at 100,000 users: p50 / p99 at the database (target p99 <= 1 ms).

Builds a throwaway database (a temp SQLite file; plus PostgreSQL when DATABASE_URL or
--database-url points at one: a temporary schema there, dropped at the end), migrates it with
alembic, inserts N users, then times the exact statement `cabinet.admin.queries.list_users`
runs through `cabinet.pagination.fetch_page` — keyset, LIMIT 51, no OFFSET — for the first
page, a page deep in the list (cursor in the middle) and the last pages, plus a few filtered
variants. "At the database" = execute + fetch the rows over the DB-API cursor, the SQL
compiled once (for PostgreSQL also the server's own execution time from EXPLAIN ANALYZE,
without the client round trip). Prints the query plan (EXPLAIN QUERY PLAN / EXPLAIN) to show the index is used.

    python bench/bench_admin_list.py
    python bench/bench_admin_list.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test

Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    os.environ["DATABASE_URL"] = url
    command.upgrade(cfg, "head")


def _fill(engine: Any, n: int) -> None:
    import sqlalchemy as sa

    from models import User
    from models.base import utcnow

    now = utcnow()
    table = User.__table__
    batch = 10_000
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for start in range(0, n, batch):
            conn.execute(
                sa.insert(table),
                [
                    {
                        **_extra_defaults(),
                        "full_name": f"Пользователь {i:06d}",
                        "email": f"user{i:06d}@bench.example",
                        "phone": f"+7900{i:07d}",
                        "password_hash": "x",
                        "email_confirmed_at": now if i % 11 else None,
                        "phone_confirmed_at": now,
                        "is_blocked": i % 97 == 0,
                        "twofa_method": "",
                        "totp_secret": "",
                        "failed_logins": 0,
                        "lang": "ru",
                        "created_at": now,
                    }
                    for i in range(start, min(n, start + batch))
                ],
            )
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE users"))
        else:
            conn.execute(sa.text("ANALYZE"))
    print(f"  inserted {n:,} users in {time.perf_counter() - t0:.1f} s")


def _extra_defaults() -> dict[str, Any]:
    """NOT NULL columns other modules may have added to users (their Python defaults)."""
    from models import User

    out: dict[str, Any] = {}
    for name, field in User.model_fields.items():
        col = User.__table__.c.get(name)
        if col is None or col.nullable or col.primary_key:
            continue
        if field.default is not None and not callable(field.default):
            out[name] = field.default
    for key in ("full_name", "email", "phone", "password_hash", "created_at"):
        out.pop(key, None)
    return out


def _compile(engine: Any, stmt: Any) -> tuple[str, Any]:
    compiled = stmt.compile(dialect=engine.dialect)
    params = compiled.construct_params()
    if engine.dialect.paramstyle in ("qmark", "numeric"):
        positions = compiled.positiontup or []
        return str(compiled), tuple(
            compiled.binds[name].type.bind_processor(engine.dialect)(params[name])
            if compiled.binds[name].type.bind_processor(engine.dialect)
            else params[name]
            for name in positions
        )
    processed = {}
    for name, value in params.items():
        proc = compiled.binds[name].type.bind_processor(engine.dialect)
        processed[name] = proc(value) if proc else value
    return str(compiled), processed


def _time(engine: Any, stmt: Any, runs: int) -> tuple[list[float], int, str, Any]:
    sql, params = _compile(engine, stmt)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for _ in range(min(20, runs)):  # warm the page cache and the plan
            cur.execute(sql, params)
            cur.fetchall()
        samples = []
        rows = 0
        for _ in range(runs):
            t0 = time.perf_counter()
            cur.execute(sql, params)
            rows = len(cur.fetchall())
            samples.append((time.perf_counter() - t0) * 1000)
        cur.close()
    finally:
        raw.close()
    return samples, rows, sql, params


def _server_times(engine: Any, sql: str, params: Any, runs: int) -> list[float]:
    """PostgreSQL's own execution time of the statement (EXPLAIN ANALYZE, timing off)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        out = []
        for _ in range(runs):
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
            out.append(float(cur.fetchone()[0][0]["Execution Time"]))
        cur.close()
        return out
    finally:
        raw.close()


def _plan(engine: Any, sql: str, params: Any) -> list[str]:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            lines = [str(r[-1]) for r in cur.fetchall()]
        else:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [str(r[0]) for r in cur.fetchall()]
        cur.close()
        return lines
    finally:
        raw.close()


def _scenarios(engine: Any) -> list[tuple[str, Any]]:
    import sqlalchemy as sa

    from cabinet.admin import queries
    from cabinet.pagination import decode_cursor
    from models import User

    spec = queries.USERS_SPEC
    limit = 50

    def page(stmt: Any, after: str = "") -> Any:
        query = stmt
        if after:
            query = query.where(spec.after(decode_cursor(after, spec.name)))
        return query.order_by(*spec.order_by()).limit(limit + 1)

    from cabinet.pagination import encode_cursor

    with engine.connect() as conn:
        max_id = conn.execute(sa.select(sa.func.max(User.id))).scalar_one()
    middle = encode_cursor(spec.name, None, max_id // 2)
    deep = encode_cursor(spec.name, None, 120)
    base = queries.users_statement()
    return [
        ("first page", page(base)),
        ("deep page (cursor mid-list)", page(base, middle)),
        ("near the end (cursor id 120)", page(base, deep)),
        ("status=blocked, first page", page(queries.users_statement(status="blocked"))),
        ("status=blocked, mid cursor", page(queries.users_statement(status="blocked"), middle)),
        ("search e-mail 'user050000@'", page(queries.users_statement(q="user050000@"))),
        ("search 'user0500' (mail+name)", page(queries.users_statement(q="user0500"))),
        ("search phone '+7900005000'", page(queries.users_statement(q="+7900005000"))),
        ("search name 'Пользователь 0500'", page(queries.users_statement(q="Пользователь 0500"))),
    ]


def run(url: str, n: int, runs: int) -> None:
    from cabinet.db import make_engine

    print(f"\n== {url.split('@')[-1] if '@' in url else url}")
    engine = make_engine(url)
    _fill(engine, n)
    for label, stmt in _scenarios(engine):
        samples, rows, sql, params = _time(engine, stmt, runs)
        extra = ""
        if engine.dialect.name == "postgresql":
            server = _server_times(engine, sql, params, runs)
            extra = (
                f"   | server execution p50 {statistics.median(server):6.3f} ms"
                f"  p99 {pct(server, 99):6.3f} ms"
            )
        print(
            f"  {label:<30} p50 {statistics.median(samples):6.3f} ms   p99 {pct(samples, 99):6.3f} ms"
            f"   rows {rows:>2}   (n={runs}){extra}"
        )
        if label in (
            "first page",
            "deep page (cursor mid-list)",
            "status=blocked, mid cursor",
            "search e-mail 'user050000@'",
            "search phone '+7900005000'",
        ):
            for plan_line in _plan(engine, sql, params):
                print(f"      plan: {plan_line}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("-n", type=int, default=100_000, help="users to create")
    parser.add_argument("--runs", type=int, default=1000, help="timed runs per query")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cabinet-bench-admin-"))
    os.environ.setdefault("DATA_DIR", str(tmp / "data"))
    sqlite_url = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["DATABASE_URL"] = sqlite_url

    print(f"admin users list: {args.n:,} users, keyset pages of 50 (LIMIT 51), {args.runs} runs")
    _migrate(sqlite_url)
    run(sqlite_url, args.n, args.runs)

    pg_url = args.database_url
    if pg_url.startswith("postgresql"):
        import sqlalchemy as sa

        schema = f"bench_admin_{secrets.token_hex(4)}"
        admin_engine = sa.create_engine(pg_url)
        with admin_engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in pg_url else "?"
        url = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
        try:
            _migrate(url)
            run(url, args.n, args.runs)
        finally:
            with admin_engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin_engine.dispose()
    else:
        print("\n(PostgreSQL: pass --database-url or set DATABASE_URL=postgresql+psycopg://...)")


if __name__ == "__main__":
    main()
