"""Demo data from the fake ERP, loaded through the same sync path as production.

- `load_erp_demo(session)` (called by `make demo`): one sync run over the fake ERP's demo data
  set (40 organisations — the demo ones first —, 800 orders, 4,000 documents), read straight
  from its generator. `make run` then starts the same fake ERP on HTTP: its first scheduled run
  finds the same watermarks and reads only the live changes.
- `python -m cabinet.erp.demo --large` (`make demo-large`): 9,000 organisations, 100,000
  orders and 2,000,000 documents through the same sync, printing progress and rows/s.
  `--http` reads them from a fake ERP server over HTTP instead (slower: JSON over a socket).

The generator lives with the fake ERP in tests/fakes/erp_server.py (imported only here).
"""

from __future__ import annotations

import argparse
import sys
import time

from sqlmodel import Session

from cabinet.erp import sync
from models.erp import SyncTrigger


def load_erp_demo(session: Session) -> None:
    from tests.fakes.erp_server import DEMO, DirectFeed, ErpData

    report = sync.run_sync(
        session, DirectFeed(ErpData(**DEMO)), trigger=SyncTrigger.DEMO, batch=2000
    )
    sync.settle()  # the last WAL copy (SQLite) before the loader goes on and exits
    if report is not None and report.status == "failed":  # pragma: no cover - shown in admin
        _say(f"ERP demo sync failed: {report.error}", err=True)


def _say(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def _progress() -> object:
    state = {"entity": "", "t": 0.0}

    def show(entity: str, rows: int, seconds: float) -> None:
        if entity != state["entity"] or seconds - float(state["t"]) >= 5 or rows % 100_000 == 0:
            state["entity"], state["t"] = entity, seconds
            rate = rows / max(seconds, 1e-9)
            _say(f"  {entity:<14} {rows:>10,} rows  {seconds:7.1f} s  {rate:9,.0f} rows/s")

    return show


def main() -> None:
    from cabinet.db import get_engine
    from tests.fakes.erp_server import DEMO, LARGE, DirectFeed, ErpData, FakeErp

    parser = argparse.ArgumentParser(description="Load ERP demo data through the sync.")
    parser.add_argument("--large", action="store_true", help="9,000 / 100,000 / 2,000,000")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--orders", type=int)
    parser.add_argument("--documents", type=int)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--http", action="store_true", help="through a fake ERP HTTP server")
    args = parser.parse_args()
    sizes = dict(LARGE if args.large else DEMO)
    for key in ("orgs", "orders", "documents"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    data = ErpData(**sizes)
    total = sum(data.count(e) for e in sync.rules.ENTITIES)
    _say(f"ERP data: {sizes} -> {total:,} rows (+ nested lines, events, ...)")
    started = time.perf_counter()
    with Session(get_engine(), expire_on_commit=False) as session:
        if args.http:
            from cabinet.erp.client import ErpClient

            with FakeErp(data) as erp, ErpClient(url=erp.url) as client:
                report = sync.run_sync(
                    session,
                    client,
                    trigger=SyncTrigger.DEMO,
                    batch=args.batch,
                    progress=_progress(),  # type: ignore[arg-type]
                )
        else:
            report = sync.run_sync(
                session,
                DirectFeed(data),
                trigger=SyncTrigger.DEMO,
                batch=args.batch,
                progress=_progress(),  # type: ignore[arg-type]
            )
    sync.settle()  # SQLite: the last WAL copy, before this process exits
    seconds = time.perf_counter() - started
    if report is None:
        _say("another sync run holds the lease; try again later")
        sys.exit(1)
    _say(
        f"{report.status}: read {report.rows_in:,}, stored {report.rows_updated:,}, "
        f"skipped {report.rows_failed:,} in {seconds:.1f} s "
        f"({report.rows_in / max(seconds, 1e-9):,.0f} rows/s){' — ' + report.error if report.error else ''}"
    )
    if report.status == "failed":
        sys.exit(1)


if __name__ == "__main__":
    main()
