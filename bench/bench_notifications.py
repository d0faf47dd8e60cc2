"""Notifications delivered per second through the queue (emit -> claim -> send -> record).

Builds a throwaway database (a temp SQLite file; or a temporary PostgreSQL schema with
--database-url), creates N users, emits one event per user with the e-mail and SMS channels
chosen, and times the delivery worker (`cabinet.notifications.delivery.deliver_due`, the
function the background task runs) until the queue is empty:

- local transports (no settings): e-mail into the outbox table, SMS into the SMS log;
- a real SMTP server on 127.0.0.1 (aiosmtpd, tests/fakes/smtp_server.py) and the fake HTTP
  SMS gateway;
- the same with W worker threads claiming from one queue at once (SKIP LOCKED on PostgreSQL,
  conditional UPDATE on SQLite), counting messages the servers received twice.

    python bench/bench_notifications.py [--users 500] [--workers 4]
    python bench/bench_notifications.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_test

Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _engine(url: str) -> tuple[Any, str]:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import models  # noqa: F401
    from cabinet.db import make_engine

    schema = ""
    if url.startswith("postgresql"):
        schema = f"bench_notify_{secrets.token_hex(4)}"
        base = sa.create_engine(url)
        with base.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        base.dispose()
        engine = sa.create_engine(
            url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=10
        )
    else:
        engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    return engine, schema


def _drop(url: str, schema: str) -> None:
    if schema:
        import sqlalchemy as sa

        base = sa.create_engine(url)
        with base.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        base.dispose()


def _users(engine: Any, n: int) -> list[int]:
    from sqlmodel import Session

    from cabinet.notifications.service import save_preferences
    from models import User

    tag = secrets.token_hex(3)
    with Session(engine) as s:
        users = [
            User(
                full_name=f"Получатель {i}",
                email=f"bench-{tag}-{i}@example.com",
                phone=f"+7906{i:07d}",
                password_hash="x",
            )
            for i in range(n)
        ]
        s.add_all(users)
        s.commit()
        ids = [u.id for u in users if u.id is not None]
        for uid in ids:
            save_preferences(s, actor_id=uid, choices={"links.decided": ["email", "sms"]})
    return ids


def _emit(engine: Any, ids: list[int]) -> float:
    from sqlmodel import Session

    from cabinet.notifications.service import emit

    t0 = time.perf_counter()
    with Session(engine) as s:
        for uid in ids:
            emit(
                s,
                event="links.decided",
                recipient_ids=[uid],
                context={"organisation": 'ООО "Ромашка"', "decision": "одобрен", "comment": ""},
                link="/organisations",
            )
        s.commit()
    return time.perf_counter() - t0


def _drain(engine: Any, config: Any, workers: int) -> tuple[float, int]:
    from sqlmodel import Session

    from cabinet.notifications.delivery import deliver_due

    done = [0] * workers

    def work(k: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            while True:
                report = deliver_due(s, config=config, limit=50)
                done[k] += len(report.sent) + len(report.failed)
                if not report.worked:
                    return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, sum(done)


def _round(label: str, engine: Any, ids: list[int], config: Any, workers: int) -> None:
    emit_s = _emit(engine, ids)
    seconds, delivered = _drain(engine, config, workers)
    print(
        f"  {label:<44} {delivered:>6} delivered in {seconds:6.2f} s = "
        f"{delivered / seconds:8.1f} /s   (emit {len(ids)} events: {emit_s:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    from cabinet.settings import Settings
    from tests.fakes.sms_gateway import FakeSMSGateway
    from tests.fakes.smtp_server import FakeSMTP

    tmp = tempfile.mkdtemp(prefix="bench-notify-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    engine, schema = _engine(url)
    try:
        ids = _users(engine, args.users)
        n = len(ids)
        print(f"database: {engine.dialect.name}; {n} recipients, e-mail + SMS each")
        local = Settings(smtp_host="", sms_gateway_url="", telegram_bot_token="")
        _round("local outbox + SMS log, 1 worker", engine, ids, local, 1)
        with FakeSMTP() as smtp, FakeSMSGateway(token="bench") as gw:
            remote = Settings(
                smtp_host=smtp.host,
                smtp_port=smtp.port,
                sms_gateway_url=gw.url,
                sms_gateway_token=gw.token,
            )
            _round("aiosmtpd + HTTP SMS gateway, 1 worker", engine, ids, remote, 1)
            before = (len(smtp.messages), len(gw.messages))
            _round(
                f"aiosmtpd + HTTP SMS gateway, {args.workers} workers",
                engine,
                ids,
                remote,
                args.workers,
            )
            got = (len(smtp.messages) - before[0], len(gw.messages) - before[1])
            dup_mail = got[0] - len({m["To"] for m in smtp.messages[before[0] :]})
            print(
                f"  {args.workers} workers: e-mails received {got[0]} for {n} recipients "
                f"(duplicates {dup_mail}), SMS received {got[1]}"
            )
    finally:
        engine.dispose()
        _drop(url, schema)


if __name__ == "__main__":
    main()
