"""Login round trip with argon2: p50 / p95 / p99 (target p95 <= 300 ms).

Times `cabinet.accounts.service.login` (throttle checks, user lookup, argon2 verify, session
row, audit event, commit) for a demo user, each call in its own database session as a page
event would do it; and, for comparison, the bare argon2 verify.

    python bench/bench_login.py                    # a fresh SQLite database in a temp folder
    python bench/bench_login.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_bench

The database is migrated and the demo users are loaded (idempotent). Prints; never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(label: str, samples: list[float]) -> str:
    return (
        f"  {label:<28} p50 {statistics.median(samples):7.1f} ms   p95 {pct(samples, 95):7.1f} ms"
        f"   p99 {pct(samples, 99):7.1f} ms   (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temp SQLite file")
    parser.add_argument("-n", type=int, default=100, help="measured logins")
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cabinet-bench-login-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ.setdefault("DATA_DIR", str(tmp / "data"))
    sys.path.insert(0, str(ROOT))

    from alembic.config import Config

    from alembic import command
    from cabinet.access.rules import BuiltinRole
    from cabinet.accounts.passwords import hash_password, verify_password
    from cabinet.db import get_engine, session_scope
    from cabinet.demo import DEMO_PASSWORD, USERS, load_demo

    customer = next(u for u in USERS if u.role == BuiltinRole.CUSTOMER)

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    command.upgrade(cfg, "head")
    with session_scope() as s:
        load_demo(s)

    try:
        from cabinet.accounts.service import login as service_login
    except ImportError:  # before the accounts service existed: verify + session row + commit
        service_login = None

    def login_once() -> None:
        with session_scope() as s:
            if service_login is not None:
                service_login(
                    s,
                    login=customer.phone,
                    password=DEMO_PASSWORD,
                    ip="127.0.0.1",
                    user_agent="bench",
                )
                return
            from sqlmodel import select

            from cabinet.accounts.sessions import create_session
            from models import User

            user = s.exec(select(User).where(User.phone == customer.phone)).one()
            assert verify_password(DEMO_PASSWORD, user.password_hash)
            assert user.id is not None
            create_session(s, user_id=user.id, ip="127.0.0.1", user_agent="bench")
            s.commit()

    # Logins and bare verifies alternate, so both see the same machine load.
    stored = hash_password(DEMO_PASSWORD)
    logins: list[float] = []
    verifies: list[float] = []
    load_before = os.getloadavg()[0]
    for i in range(args.warmup + args.n):
        t0 = time.perf_counter()
        login_once()
        t1 = time.perf_counter()
        verify_password(DEMO_PASSWORD, stored)
        t2 = time.perf_counter()
        if i >= args.warmup:
            logins.append((t1 - t0) * 1000)
            verifies.append((t2 - t1) * 1000)
    load_after = os.getloadavg()[0]

    what = "accounts.service.login" if service_login else "verify + session row (no service yet)"
    print(f"login round trip on {get_engine().dialect.name}, {what}:")
    print(line("login (one transaction)", logins))
    print(line("argon2 verify alone", verifies))
    print(
        f"  target: login p95 <= 300 ms   (load average {load_before:.1f} -> {load_after:.1f}"
        f" on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
