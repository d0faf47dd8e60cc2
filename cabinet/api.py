"""Plain HTTP routes beside Reflex's own (health, later: downloads, CRL, webhooks)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


ROUTES: list[Route] = [Route("/api/health", health)]

api = Starlette(routes=ROUTES)
