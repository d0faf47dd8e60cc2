"""Reflex configuration; every value comes from cabinet.settings (environment variables).

- DATABASE_URL is read by cabinet.db and alembic (Reflex's own db_url stays unused).
- REDIS_URL switches Reflex to its Redis state manager: several backend workers (processes,
  machines) then serve one site, and `reflex run --env prod` starts 2 x cores + 1 workers
  (GRANIAN_WORKERS=n overrides the count). Without it, state lives in one process's memory.
- CORS for the event websocket: in production the browser's origin must be one of
  CORS_ORIGINS, the origin of PUBLIC_URL, or localhost on the frontend port; in development
  (`reflex run`, the test harness) any origin is accepted (the dev frontend's port changes).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from cabinet.settings import settings


def _cors_allowed_origins() -> tuple[str, ...]:
    # `reflex run` and AppHarness set REFLEX_ENV_MODE; anything else is treated as production.
    if os.environ.get("REFLEX_ENV_MODE", "prod") == "dev" or "*" in settings.cors_origins:
        return ("*",)
    origins = [o.rstrip("/") for o in settings.cors_origins]
    public = urlsplit(settings.public_url)
    if public.scheme and public.netloc:
        origins.append(f"{public.scheme}://{public.netloc}")
    # `reflex run --env prod --frontend-port N` serves the site on localhost:N itself.
    if port := os.environ.get("REFLEX_FRONTEND_PORT"):
        origins += [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    return tuple(dict.fromkeys(origins))


_extra: dict = {}
if settings.redis_url:
    _extra["redis_url"] = settings.redis_url
    # Reflex's opportunistic locking: the worker that serves a tab's websocket keeps the tab's
    # Redis lock and its state in memory between events (for half the lock expiry, or until
    # another worker asks for it, which then gets the state as the holder flushed it),
    # instead of a Redis lock + load + save per event. 2 workers at 70 x 5 bids/s: ack p50
    # 107 -> 31-55 ms. REFLEX_OPLOCK_ENABLED=false in the environment turns it off. See
    # bench/README.md, auctions, for the runs and what was seen with it earlier.
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
else:
    # One process: keep tab states in memory. Reflex's default (disk) pickles every changed
    # state and lists its whole folder every 2 s — about a tenth of the worker's CPU under a
    # live auction — to survive a restart that pages get over anyway (they reconnect,
    # hydrate and reload their data from the database).
    _extra["state_manager_mode"] = rx.constants.StateManagerMode.MEMORY

config = rx.Config(
    app_name="cabinet",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_cors_allowed_origins(),
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    disable_plugins=[SitemapPlugin],
    **_extra,
)
