"""Orders and documents at scale: load through the ERP sync, search, registry pages, delta sync.

For each database (SQLite in a temp file; PostgreSQL in the database `cabinet_bench`, or the
one given with --database-url), the script migrates an empty schema, loads the fake ERP's data
set through `cabinet.erp.sync.run_sync` (the production path, the generator read in-process),
then measures:

- document search by exact number and by number prefix (shipping documents and quality
  certificates, one organisation's scope): p95 "at the database" — one SQL statement through
  the driver, the same range the app uses (`number >= p AND number < p_next` on the
  (organisation_id, number) index); on PostgreSQL also the server's own Execution Time;
- the first registry page (50 rows, keyset on (date, id), one organisation): p99;
- a registry page through the app's query functions (`cabinet.documents.queries
  .document_registry` / `certificate_registry`, `cabinet.orders.queries.order_registry`,
  scoped by a customer Actor, rows mapped): p95;
- a delta sync of 100,000 changed rows (documents and certificates touched in the ERP; the
  pages are read beforehand, the portal's side is timed): seconds and rows/s, then
  `--delta-repeat` - 1 more runs over other rows (a busy machine: look at all of them). A run
  ends with its last batch committed; on SQLite its thread then copies the rest of the WAL
  into the database file, which the script waits for before the next run and prints apart
  ("WAL copy after the run"; PostgreSQL's checkpointer does the same out of sight);
- the machine's load average, which these figures depend on.

Prints a side-by-side table; never asserts.

    python bench/bench_orders.py                       # 9,000 / 100,000 / 2,000,000
    python bench/bench_orders.py --documents 200000    # what fits a busy 2-core box
    python bench/bench_orders.py --only sqlite
    python bench/bench_orders.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_bench
    python bench/bench_orders.py --only sqlite --sqlite-path /tmp/orders.db   # keep the file
    python bench/bench_orders.py --only sqlite --sqlite-path /tmp/orders.db --reuse --no-measure
        # delta syncs only, on the database loaded before (PostgreSQL: --only pg --reuse)

With --reuse the schema is migrated to head but not reset or loaded: the data set must be the
one of the same --orgs/--orders/--documents (the generator is deterministic; the delta's
touches get later change times than every earlier run's, so its pages hold only them).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DEFAULT = "postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_bench"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


def _ensure_pg_database(url: str) -> None:
    """Create the bench database if it is missing (through `runuser -u postgres` when root)."""
    name = url.rsplit("/", 1)[-1]
    try:
        import psycopg

        psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
        return
    except Exception:
        pass
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "createdb", "-O", "cabinet", name],
        check=False,
        capture_output=True,
    )


def _reset(engine: Any) -> None:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    else:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _load(engine: Any, data: Any, batch: int) -> tuple[float, float, int]:
    from sqlmodel import Session

    from cabinet.erp import sync
    from models.erp import SyncTrigger
    from tests.fakes.erp_server import DirectFeed

    last = {"t": 0.0}

    def progress(entity: str, rows: int, seconds: float) -> None:
        if seconds - last["t"] >= 30:
            last["t"] = seconds
            print(f"    {entity:<14} {rows:>10,} rows  {seconds:7.0f} s", flush=True)

    t0, c0 = time.perf_counter(), time.process_time()
    with Session(engine, expire_on_commit=False) as s:
        report = sync.run_sync(
            s, DirectFeed(data), trigger=SyncTrigger.BENCH, batch=batch, progress=progress
        )
    assert report is not None, "lease held"
    if report.status == "failed":
        raise SystemExit(f"load failed: {report.error}")
    return time.perf_counter() - t0, time.process_time() - c0, report.rows_in


def _measure(engine: Any, data: Any, n: int, pg_url: str | None) -> dict[str, float]:
    import sqlalchemy as sa
    from sqlmodel import Session

    from cabinet.access.rules import Actor, Perm
    from cabinet.documents import queries as dq
    from cabinet.orders import queries as oq
    from models.documents import Certificate, ShippingDocument
    from models.erp import ErpOrganisation
    from models.orders import Order

    res: dict[str, float] = {}
    rng = random.Random(7)
    with Session(engine) as s:
        org_map = dict(
            s.exec(sa.select(ErpOrganisation.erp_id, ErpOrganisation.organisation_id)).all()
        )
    # Samples: (organisation id, number / batch) of existing rows, spread over the table.
    n_docs, n_certs = data.count("documents"), data.count("certificates")
    doc_samples, cert_samples = [], []
    for _ in range(n):
        k = rng.randrange(n_docs)
        row = data.current("documents", k)
        doc_samples.append((org_map[row["organisation"]], row["number"]))
        k = rng.randrange(n_certs)
        row = data.current("certificates", k)
        cert_samples.append((org_map[row["organisation"]], row["number"], row["batch"]))
    orgs = [o for o, *_ in doc_samples]

    D = ShippingDocument.__table__  # noqa: N806
    C = Certificate.__table__  # noqa: N806
    O = Order.__table__  # noqa: N806, E741
    cols_d = [D.c.id, D.c.number, D.c.doc_date, D.c.doc_type]
    cols_c = [C.c.id, C.c.number, C.c.batch, C.c.issued_on]

    def prefix_range(col: Any, p: str) -> Any:
        return sa.and_(col >= p, col < p[:-1] + chr(ord(p[-1]) + 1))

    stmts: dict[str, Callable[[int], Any]] = {
        "doc exact number": lambda i: (
            sa.select(*cols_d)
            .where(D.c.organisation_id == doc_samples[i][0], D.c.number == doc_samples[i][1])
            .limit(50)
        ),
        "doc number prefix": lambda i: (
            sa.select(*cols_d)
            .where(
                D.c.organisation_id == doc_samples[i][0],
                prefix_range(D.c.number, doc_samples[i][1][:9]),
            )
            .order_by(D.c.number, D.c.id)
            .limit(50)
        ),
        "cert exact number": lambda i: (
            sa.select(*cols_c)
            .where(C.c.organisation_id == cert_samples[i][0], C.c.number == cert_samples[i][1])
            .limit(50)
        ),
        "cert batch prefix": lambda i: (
            sa.select(*cols_c)
            .where(
                C.c.organisation_id == cert_samples[i][0],
                prefix_range(C.c.batch, cert_samples[i][2][:8]),
            )
            .order_by(C.c.batch, C.c.id)
            .limit(50)
        ),
        "doc registry 1st page": lambda i: (
            sa.select(*cols_d)
            .where(D.c.organisation_id == orgs[i])
            .order_by(D.c.doc_date.desc(), D.c.id.desc())
            .limit(51)
        ),
        "order registry 1st page": lambda i: (
            sa.select(O.c.id, O.c.number, O.c.status)
            .where(O.c.organisation_id == orgs[i])
            .order_by(O.c.created_at.desc(), O.c.id.desc())
            .limit(51)
        ),
    }
    with engine.connect() as conn:
        for name, make in stmts.items():
            for i in range(min(20, n)):  # warm-up
                conn.execute(make(i)).all()
            times = []
            for i in range(n):
                stmt = make(i)
                t0 = time.perf_counter()
                conn.execute(stmt).all()
                times.append((time.perf_counter() - t0) * 1000)
            res[f"{name} p95"] = pct(times, 95)
            res[f"{name} p99"] = pct(times, 99)
            if engine.dialect.name == "postgresql":
                server = []
                for i in range(min(n, 100)):
                    compiled = make(i).compile(engine, compile_kwargs={"literal_binds": True})
                    plan = conn.execute(sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}"))
                    server.append(float(plan.scalar()[0]["Execution Time"]))
                res[f"{name} server p95"] = pct(server, 95)
                res[f"{name} server p99"] = pct(server, 99)

    def actor(org: int) -> Actor:
        perms = frozenset({Perm.ORDERS_VIEW, Perm.FINANCE_VIEW})
        return Actor(
            id=0,
            full_name="bench",
            email="",
            org_perms={org: perms},
            member_org_ids=frozenset({org}),
        )

    app_calls: dict[str, Callable[[Any, int], Any]] = {
        "app: documents page": lambda s, i: dq.document_registry(
            s, actor(orgs[i]), dq.DocFilters()
        ),
        "app: doc number search": lambda s, i: dq.document_registry(
            s, actor(doc_samples[i][0]), dq.DocFilters(number=doc_samples[i][1], exact=True)
        ),
        "app: cert batch prefix": lambda s, i: dq.certificate_registry(
            s, actor(cert_samples[i][0]), dq.CertFilters(batch=cert_samples[i][2][:8])
        ),
        "app: orders page": lambda s, i: oq.order_registry(s, actor(orgs[i]), oq.Filters()),
    }
    with Session(engine) as s:
        for name, call in app_calls.items():
            for i in range(min(10, n)):
                call(s, i)
            times = []
            for i in range(n):
                t0 = time.perf_counter()
                call(s, i)
                times.append((time.perf_counter() - t0) * 1000)
            res[f"{name} p95"] = pct(times, 95)
    return res


class _Replay:
    """Pages read from the ERP beforehand, replayed: the delta sync timed without the fake
    ERP's own cost of generating rows."""

    def __init__(self, pages: dict[tuple[str, str], Any]) -> None:
        self.pages = pages

    def changes(self, entity: str, since: str, limit: int) -> Any:
        return self.pages[(entity, since)]


def _delta(
    engine: Any, data: Any, changed: int, batch: int, *, seed: int = 11, parallel: bool = True
) -> tuple[float, float, int, float]:
    from sqlmodel import Session, select

    from cabinet.erp import rules, sync
    from models.erp import ErpWatermark, SyncTrigger
    from tests.fakes.erp_server import DirectFeed

    rng = random.Random(seed)
    half = changed // 2
    for k in rng.sample(range(data.count("documents")), min(half, data.count("documents"))):
        data.touch("documents", k, consignee='ООО "Получатель после изменения"')
    rest = changed - half
    for k in rng.sample(range(data.count("certificates")), min(rest, data.count("certificates"))):
        data.touch("certificates", k, consignee='ООО "Получатель после изменения"')
    # Read every page the run will ask for (the ERP's side), then time the portal's side.
    feed, pages = DirectFeed(data), {}
    with Session(engine) as s:
        marks = {w.entity: w.cursor for w in s.exec(select(ErpWatermark)).all()}
    for entity in rules.ENTITIES:
        since = marks.get(entity, "")
        while True:
            page = feed.changes(entity, since, batch)
            pages[(entity, since)] = page
            if not page.has_more or not page.rows:
                break
            since = page.next
    t0, c0 = time.perf_counter(), time.process_time()
    with Session(engine, expire_on_commit=False) as s:
        report = sync.run_sync(
            s, _Replay(pages), trigger=SyncTrigger.BENCH, batch=batch, parallel=parallel
        )
    assert report is not None
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    sync.settle()  # SQLite: the run's last WAL copy, which goes on after the run returned
    return seconds, cpu, report.rows_in, time.perf_counter() - t1


def run_one(label: str, url: str, args: argparse.Namespace) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    from cabinet.db import make_engine
    from tests.fakes.erp_server import ErpData

    engine = make_engine(url)
    data = ErpData(orgs=args.orgs, orders=args.orders, documents=args.documents)
    print(
        f"[{label}] migrate + load {args.orgs:,} orgs, {args.orders:,} orders, "
        f"{args.documents:,} documents through the sync …",
        flush=True,
    )
    res: dict[str, float] = {}
    if args.reuse:
        _migrate(url)
        print(f"[{label}] reusing the loaded database", flush=True)
    else:
        _reset(engine)
        _migrate(url)
        seconds, cpu, rows = _load(engine, data, args.batch)
        print(
            f"[{label}] loaded {rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s)",
            flush=True,
        )
        res["load rows/s"] = rows / seconds
        res["load s"] = seconds
        res["load cpu s (this process)"] = cpu
        res["load average, after load"] = os.getloadavg()[0]
        import sqlalchemy as sa

        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
    if not args.no_measure:
        res.update(_measure(engine, data, args.samples, url if "postgresql" in url else None))
    if args.delta_repeat < 1:
        engine.dispose()
        return res
    res["load average, before delta"] = os.getloadavg()[0]
    delta_s, delta_cpu, delta_rows, late = _delta(
        engine, data, args.changed, args.batch, parallel=not args.serial
    )
    res["delta sync s"] = delta_s
    res["delta cpu s (this process)"] = delta_cpu
    res["delta: WAL copy after the run s"] = late
    res["delta rows"] = delta_rows
    res["delta rows/s"] = delta_rows / delta_s
    for i in range(1, args.delta_repeat):
        more_s, more_cpu, _, late = _delta(
            engine, data, args.changed, args.batch, seed=11 + i, parallel=not args.serial
        )
        res[f"delta sync s, run {i + 1}"] = more_s
        res[f"delta cpu s, run {i + 1}"] = more_cpu
        res[f"delta: WAL copy after the run s, run {i + 1}"] = late
    res["load average, after delta"] = os.getloadavg()[0]
    engine.dispose()
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=9_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=2_000_000)
    parser.add_argument("--changed", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument(
        "--delta-repeat", type=int, default=3, help="delta syncs in a row (other rows each)"
    )
    parser.add_argument("--only", choices=["sqlite", "pg"])
    parser.add_argument(
        "--sqlite-path", default="", help="SQLite file to build and keep (default: a temp dir)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the database loaded before: no reset, no load"
    )
    parser.add_argument(
        "--no-measure", action="store_true", help="skip the query samples (delta syncs only)"
    )
    parser.add_argument(
        "--serial",
        action="store_true",
        help="PostgreSQL: sync the last wave's entities one after the other (as before)",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    if args.only != "pg":
        if args.sqlite_path:
            path = Path(args.sqlite_path).resolve()
            results["SQLite"] = run_one("SQLite", f"sqlite:///{path}", args)
        else:
            if args.reuse:
                raise SystemExit("--reuse needs --sqlite-path for SQLite (or --only pg)")
            with tempfile.TemporaryDirectory(prefix="bench-orders-") as tmp:
                results["SQLite"] = run_one("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if args.only != "sqlite":
        url = args.database_url or PG_DEFAULT
        _ensure_pg_database(url)
        try:
            results["PostgreSQL"] = run_one("PostgreSQL", url, args)
        except Exception as e:
            print(f"[PostgreSQL] skipped: {type(e).__name__}: {e}")

    labels = list(results)
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    print()
    print(
        f"{args.orgs:,} organisations, {args.orders:,} orders, {args.documents:,} documents "
        f"(half shipping documents, half certificates); {args.samples} samples; ms unless noted"
    )
    print(f"{'measure':<36}" + "".join(f"{lab:>14}" for lab in labels))
    for k in keys:
        cells = []
        for lab in labels:
            v = results[lab].get(k)
            cells.append(f"{'—':>14}" if v is None else f"{v:>14,.2f}")
        print(f"{k:<36}" + "".join(cells))
    print(
        "targets: search p95 ≤ 5 ms and first page p99 ≤ 1 ms at the database; "
        "page through the app p95 ≤ 50 ms; delta sync of 100,000 rows ≤ 2 s"
    )


if __name__ == "__main__":
    main()
