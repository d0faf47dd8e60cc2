"""The "My applications" and staff registry list queries at 100,000 applications.

Builds a throwaway database (a temp SQLite file; or PostgreSQL with --database-url, in a
temporary schema dropped at the end), migrates it with alembic, inserts N applications spread
over 200 organisations (the measured applicant's organisation holds 20% of them), then times
`cabinet.applications.queries.my_applications` and `registry` — the functions the pages call:
keyset page of 21 rows, joins, row mapping — for the first page, a page deep in the list,
and filtered variants. Prints median / p95 in milliseconds and the plan of the first page.

    python bench/bench_applications_list.py
    python bench/bench_applications_list.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test

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
from datetime import timedelta
from decimal import Decimal
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
    command.upgrade(cfg, "head")


STATUSES = [
    "submitted",
    "under_review",
    "returned",
    "accepted",
    "contract_sent",
    "invoice_issued",
    "paid",
    "grid_works",
    "applicant_works",
    "inspection",
    "completed",
    "completed",
    "draft",
]
OBJECTS = ["Склад", "Жилой дом", "Котельная", "Цех", "Гараж", "Офис", "Магазин", "Насосная"]


def _fill(engine: Any, n: int) -> tuple[int, int]:
    """Organisations, two users, N applications. Returns (applicant org id, user id)."""
    import sqlalchemy as sa

    from cabinet.applications.rules import STAFF_DAYS
    from models import Application, Organisation, User
    from models.base import utcnow

    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(User.__table__),
            [
                {
                    "full_name": name,
                    "email": f"{name}@bench.example",
                    "phone": f"+7900000000{i}",
                    "password_hash": "x",
                    "is_blocked": False,
                    "twofa_method": "",
                    "totp_secret": "",
                    "failed_logins": 0,
                    "lang": "ru",
                    "created_at": now,
                }
                for i, name in enumerate(("applicant", "manager"))
            ],
        )
        user_id = conn.execute(sa.select(User.__table__.c.id).order_by("id")).scalars().first()
        conn.execute(
            sa.insert(Organisation.__table__),
            [
                {
                    "kind": "legal",
                    "name": f"ООО Организация {i:03d}",
                    "inn": f"77{i:08d}",
                    "kpp": "",
                    "ogrn": "",
                    "legal_address": "",
                    "snils": "",
                    "passport_series": "",
                    "passport_number": "",
                    "passport_issued_by": "",
                    "passport_issued_at": "",
                    "address": "",
                    "require_2fa": False,
                    "is_active": True,
                    "created_at": now,
                }
                for i in range(200)
            ],
        )
        org_ids = list(
            conn.execute(sa.select(Organisation.__table__.c.id).order_by("id")).scalars()
        )
        table = Application.__table__
        batch = 5_000
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                org = org_ids[0] if i % 5 == 0 else org_ids[i % len(org_ids)]
                status = STATUSES[i % len(STATUSES)]
                created = now - timedelta(minutes=n - i)
                obj = f"{OBJECTS[i % len(OBJECTS)]} {i}"
                rows.append(
                    {
                        "number": "" if status == "draft" else f"ТП-2026-{i:06d}",
                        "organisation_id": org,
                        "applicant_id": user_id,
                        "assignee_id": None,
                        "applicant_kind": "legal",
                        "object_name": obj,
                        "object_address": f"г. Магнитогорск, ул. Ленина, {i % 300}",
                        "cadastral_number": "74:33:0123456:123",
                        "max_power_kw": Decimal(15 + i % 500),
                        "existing_power_kw": None,
                        "voltage": "10",
                        "reliability": "III",
                        "reason": "new",
                        "stages": "",
                        "search_text": f"тп-2026-{i:06d} | {obj.lower()} | г. магнитогорск",
                        "status": status,
                        "version": 1,
                        "status_changed_at": created,
                        # about 2% overdue; the rest due in the coming days
                        "due_at": None
                        if status not in STAFF_DAYS
                        else (now - timedelta(days=1) if i % 50 == 0 else now + timedelta(days=3)),
                        "submitted_at": created,
                        "completed_at": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            conn.execute(sa.insert(table), rows)
    return org_ids[0], user_id or 0


def _time(label: str, fn: Any, runs: int) -> None:
    fn()  # warm
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        page = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    print(
        f"  {label:<44} rows {len(page.rows):>3}   median {statistics.median(samples):7.2f} ms"
        f"   p95 {pct(samples, 95):7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-apps-"))
    schema = ""
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        schema = f"bench_{secrets.token_hex(4)}"
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url_opts = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        url_opts = {}
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DATA_DIR", str(tmp / "data"))

    import sqlalchemy as sa
    from sqlmodel import Session

    engine = sa.create_engine(url, **url_opts)
    try:
        if schema:
            from alembic.config import Config

            from alembic import command

            cfg = Config(str(ROOT / "alembic.ini"))
            cfg.set_main_option("script_location", str(ROOT / "alembic"))
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                cfg.attributes["database_url"] = url
                command.upgrade(cfg, "head")
        else:
            _migrate(url)
        t0 = time.perf_counter()
        org_id, user_id = _fill(engine, args.n)
        print(
            f"{engine.dialect.name}: {args.n} applications inserted in {time.perf_counter() - t0:.1f} s"
        )
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))

        from cabinet.access.rules import Actor, Perm
        from cabinet.applications import queries
        from cabinet.applications.queries import Filters

        applicant = Actor(
            id=user_id,
            full_name="applicant",
            email="applicant@bench.example",
            org_perms={org_id: frozenset({Perm.APPLICATIONS_CREATE})},
            member_org_ids=frozenset({org_id}),
        )
        staff = Actor(
            id=user_id + 1,
            full_name="manager",
            email="manager@bench.example",
            global_perms=frozenset({Perm.APPLICATIONS_PROCESS, Perm.ORGS_VIEW, Perm.ORGS_ALL}),
        )
        with Session(engine) as s:
            first = queries.my_applications(s, applicant, Filters())
            deep_after = first.next_after
            for _ in range(300):  # walk ~6,000 rows in to get a deep cursor
                page = queries.my_applications(s, applicant, Filters(), after=deep_after)
                if not page.next_after:
                    break
                deep_after = page.next_after
            print(f"My applications (organisation with {args.n // 5} applications):")
            _time("first page", lambda: queries.my_applications(s, applicant, Filters()), args.runs)
            _time(
                "page ~6,000 rows deep",
                lambda: queries.my_applications(s, applicant, Filters(), after=deep_after),
                args.runs,
            )
            _time(
                "tab 'in progress'",
                lambda: queries.my_applications(s, applicant, Filters(tab="active")),
                args.runs,
            )
            _time(
                "status = inspection",
                lambda: queries.my_applications(s, applicant, Filters(status="inspection")),
                args.runs,
            )
            _time(
                "object search 'котельная 99'",
                lambda: queries.my_applications(s, applicant, Filters(object="котельная 99")),
                args.runs,
            )
            _time(
                "sort by status change",
                lambda: queries.my_applications(s, applicant, Filters(sort="changed")),
                args.runs,
            )
            print(f"Staff registry (all {args.n} applications in scope):")
            _time("first page", lambda: queries.registry(s, staff, Filters()), args.runs)
            _time(
                "overdue only",
                lambda: queries.registry(s, staff, Filters(overdue=True)),
                args.runs,
            )
            _time(
                "unassigned, status submitted",
                lambda: queries.registry(s, staff, Filters(assignee="none", status="submitted")),
                args.runs,
            )
            _time(
                "number search '012345'",
                lambda: queries.registry(s, staff, Filters(number="012345")),
                args.runs,
            )
    finally:
        engine.dispose()
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
