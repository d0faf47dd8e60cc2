"""The ERP background task: every few seconds send due change requests, and run the delta
sync when it is due (every ERP_SYNC_INTERVAL seconds, or at once after "run now").

Registered with `app.register_lifespan_task` in every worker process; the run lease and the
request claims keep the workers from doing the same work twice. Without ERP_URL it returns at
once (nothing to talk to).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from cabinet.erp import outbound, sync
from cabinet.erp.client import ErpClient
from cabinet.settings import Settings, settings
from models.base import utcnow
from models.erp import SyncTrigger

log = logging.getLogger(__name__)
TICK_SECONDS = 5.0


@dataclass
class TickReport:
    outbound: outbound.OutboundReport | None = None
    run: sync.RunReport | None = None


def tick(config: Settings | None = None) -> TickReport:
    from cabinet.db import session_scope

    config = config or settings
    report = TickReport()
    with session_scope() as s, ErpClient(config) as client:
        now = utcnow()
        if outbound.has_due(s, now=now):
            report.outbound = outbound.send_due(s, client, now=now)
        if sync.is_due(s, now=now, interval_seconds=config.erp_sync_interval):
            actor_id = sync.requested_by(s)
            report.run = sync.run_sync(
                s,
                client,
                trigger=SyncTrigger.MANUAL if actor_id else SyncTrigger.SCHEDULE,
                actor_id=actor_id,
                batch=config.erp_sync_batch,
            )
    return report


async def erp_loop(interval: float = TICK_SECONDS, config: Settings | None = None) -> None:
    config = config or settings
    if not config.erp_worker_enabled or not config.erp_url:
        return
    while True:
        try:
            report = await asyncio.to_thread(tick, config)
            if report.run is not None:
                log.info(
                    "erp sync: %s, in %d, updated %d, failed %d, %.1f s",
                    report.run.status,
                    report.run.rows_in,
                    report.run.rows_updated,
                    report.run.rows_failed,
                    report.run.seconds,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("erp worker tick failed")
        await asyncio.sleep(interval)


if __name__ == "__main__":  # a separate worker: python -m cabinet.erp.worker
    logging.basicConfig(level=logging.INFO)
    asyncio.run(erp_loop(config=settings.model_copy(update={"erp_worker_enabled": True})))
