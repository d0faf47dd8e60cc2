"""Telecom operator admin: CSV import rows/s at 100,000 rows, and the partner profit query at
1,000,000 payments.

Builds a throwaway database (a temp SQLite file; or PostgreSQL with --database-url, in a
temporary schema dropped at the end), migrates it with alembic, then:

1. writes a 100,000-row SIM card CSV as Russian Excel does (Windows-1251, semicolons) and runs
   it through the services the import page calls: `start_import` (keep the file),
   `check_import` (parse, Luhn, phone numbers, duplicates, database checks — the preview) and
   `run_import` (one transaction); prints seconds and rows/s of each phase;
2. inserts 1,000,000 payments over 20 partners' SIM cards (70% succeeded, the rest declined,
   failed or refunded, spread over two years) and times `admin_queries.partner_profit` — the
   SQL sum behind the partner card — for the whole history and for one month; prints median
   and p95 in milliseconds and the query plan.

    python bench/bench_telecom.py
    python bench/bench_telecom.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test

Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _migrate(engine: Any, url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    else:
        command.upgrade(cfg, "head")


def _csv(n: int, tariff: str, partner: str) -> bytes:
    from stdnum import luhn

    lines = ["ICCID;Номер телефона;Тариф;Партнёр;Статус"]
    for i in range(n):
        body = f"8970177{i:011d}"
        lines.append(
            f"{body}{luhn.calc_check_digit(body)};8 (977) {i // 10000:03d}-{i % 10000 // 100:02d}"
            f"-{i % 100:02d};{tariff};{partner if i % 3 else ''};на складе"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _admin(engine: Any) -> int:
    from sqlmodel import Session

    from cabinet.access.service import ensure_builtin_roles, grant_role
    from models import User

    with Session(engine) as s:
        ensure_builtin_roles(s)
        user = User(
            full_name="Бенч Админ",
            email="bench@example.ru",
            phone="+79990000000",
            password_hash="x",
        )
        s.add(user)
        s.flush()
        grant_role(s, user_id=user.id, role_code="admin")
        s.commit()
        return int(user.id)


def bench_import(engine: Any, admin_id: int, n: int) -> None:
    from sqlmodel import Session

    from cabinet.telecom import admin_service as svc
    from models.telecom import Partner, Tariff

    with Session(engine) as s:
        s.add(Tariff(name="Бенч-тариф", monthly_fee_kopecks=350_00))
        s.add(Partner(name="ООО Бенч-Партнёр"))
        s.commit()
    data = _csv(n, "Бенч-тариф", "ООО Бенч-Партнёр")
    print(f"CSV import, {n} rows, {len(data) / 1e6:.1f} MB (Windows-1251, ';'):")
    with Session(engine, expire_on_commit=False) as s:
        t0 = time.perf_counter()
        job = svc.start_import(s, actor_id=admin_id, filename="bench.csv", data=data)
        t1 = time.perf_counter()
        status = svc.check_import(s, actor_id=admin_id, job_id=job)
        t2 = time.perf_counter()
        created = svc.run_import(s, actor_id=admin_id, job_id=job)
        t3 = time.perf_counter()
    print(f"  upload (size/type check, keep file): {t1 - t0:.2f} s")
    print(f"  check + preview ({status}):            {t2 - t1:.2f} s  {n / (t2 - t1):,.0f} rows/s")
    print(f"  write, one transaction ({created}):   {t3 - t2:.2f} s  {n / (t3 - t2):,.0f} rows/s")
    print(f"  whole import:                         {t3 - t1:.2f} s  {n / (t3 - t1):,.0f} rows/s")


def _payments(engine: Any, n: int, partners: int = 20, sims: int = 20_000) -> list[int]:
    import sqlalchemy as sa

    from models.telecom import Partner, Payment, SimCard

    rnd = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        pids = []
        for i in range(partners):
            pid = conn.execute(
                sa.insert(Partner.__table__).values(  # type: ignore[attr-defined]
                    name=f"Партнёр {i}",
                    inn="",
                    contact_name="",
                    contact_email="",
                    contact_phone="",
                    profit_share_percent=10,
                    is_active=True,
                    note="",
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            pids.append(int(pid))
        rows = [
            {
                "iccid": f"8970166{i:012d}",
                "msisdn": f"+7966{i:07d}",
                "status": "active",
                "partner_id": pids[i % partners],
                "label": "",
                "balance_kopecks": 0,
                "block_reason": "",
                "search_text": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(sims)
        ]
        conn.execute(sa.insert(SimCard.__table__), rows)  # type: ignore[attr-defined]
        first_sim = conn.execute(sa.select(sa.func.min(SimCard.id))).scalar_one()
    statuses = ["succeeded"] * 7 + ["declined", "failed", "refunded"]
    t0 = time.perf_counter()
    chunk = 20_000
    for start in range(0, n, chunk):
        batch = []
        for j in range(start, min(n, start + chunk)):
            sim = rnd.randrange(sims)
            when = now - timedelta(seconds=rnd.randrange(2 * 365 * 24 * 3600))
            batch.append(
                {
                    "sim_id": first_sim + sim,
                    "partner_id": pids[sim % partners],
                    "kind": "topup" if j % 4 else "autopay",
                    "amount_kopecks": rnd.randrange(100_00, 2000_00),
                    "status": rnd.choice(statuses),
                    "idempotency_key": f"b{j}",
                    "provider_payment_id": "",
                    "confirmation_url": "",
                    "decline_reason": "",
                    "save_card": False,
                    "attempts": 1,
                    "created_at": when,
                    "updated_at": when,
                }
            )
        with engine.begin() as conn:
            conn.execute(sa.insert(Payment.__table__), batch)  # type: ignore[attr-defined]
    print(f"{n} payments inserted in {time.perf_counter() - t0:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return pids


def _time(label: str, fn: Any, runs: int) -> None:
    fn()  # warm
    values = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        values.append((time.perf_counter() - t0) * 1000)
    print(
        f"  {label:<42} median {statistics.median(values):7.2f} ms   p95 {pct(values, 95):7.2f} ms"
    )


def bench_profit(engine: Any, n: int, runs: int) -> None:
    import sqlalchemy as sa
    from sqlmodel import Session

    from cabinet.access.rules import Actor, Perm
    from cabinet.telecom import admin_queries as aq

    pids = _payments(engine, n)
    actor = Actor(
        id=1,
        full_name="bench",
        email="bench@example.ru",
        global_perms=frozenset({Perm.TELECOM_VIEW, Perm.ORGS_ALL}),
    )
    now = datetime.now(UTC)
    month = (now - timedelta(days=200), now - timedelta(days=170))
    print(f"Partner profit at {n} payments ({n // len(pids)} per partner on average):")
    with Session(engine) as s:
        _time("whole history", lambda: aq.partner_profit(s, actor, pids[3]), runs)
        _time(
            "one month",
            lambda: aq.partner_profit(s, actor, pids[3], start=month[0], end=month[1]),
            runs,
        )
        _time(
            "partner card (counts + both sums)",
            lambda: aq.partner_detail(s, actor, pids[3], start=month[0], end=month[1]),
            max(5, runs // 3),
        )
        hint = (
            " INDEXED BY ix_telecom_payments_partner_profit"
            if engine.dialect.name == "sqlite"
            else ""
        )
        stmt = (
            f"SELECT coalesce(sum(amount_kopecks), 0) FROM telecom_payments{hint} WHERE partner_id = "
            f"{pids[3]} AND status = 'succeeded' AND kind != 'refund' AND created_at >= "
            f"'{month[0].isoformat()}' AND created_at < '{month[1].isoformat()}'"
        )
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        plan = s.execute(sa.text(explain + stmt)).all()
        print("  plan (one month):")
        for row in plan:
            print("   ", " ".join(str(c) for c in row if c is not None))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=100_000, help="CSV rows to import")
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-telecom-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    schema = ""
    opts: dict[str, Any] = {}
    import sqlalchemy as sa

    if url.startswith("postgresql"):
        schema = f"bench_{secrets.token_hex(4)}"
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        opts = {"connect_args": {"options": f"-csearch_path={schema}"}}
    os.environ["DATABASE_URL"] = url
    os.environ["DATA_DIR"] = str(tmp / "data")
    engine = sa.create_engine(url, **opts)
    try:
        load = os.getloadavg()
        print(f"{engine.dialect.name}; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
        _migrate(engine, url)
        admin_id = _admin(engine)
        bench_import(engine, admin_id, args.rows)
        bench_profit(engine, args.payments, args.runs)
    finally:
        engine.dispose()
        if schema:
            with sa.create_engine(url).begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
