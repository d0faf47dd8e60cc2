"""A DaData-compatible "findById/party" server for tests and local screenshots.

A real Starlette app served by uvicorn in a background thread on 127.0.0.1 and a random port:

    with FakeDaData() as fake:
        lookup_by_inn("7707083893", url=fake.url, token=fake.token)

Behaviour by INN: the COMPANIES below are found; SERVER_ERROR_INN answers 500; SLOW_INN answers
after `slow_seconds`; any other INN gets an empty suggestion list. A wrong token gets 403.
Run standalone for a private copy of the app: `python -m tests.fakes.dadata_server 8931`.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "test-dadata-token"
SERVER_ERROR_INN = "7736207543"
SLOW_INN = "7830002293"
PATH = "/suggestions/api/4_1/rs/findById/party"


def _legal(inn: str, kpp: str, ogrn: str, short: str, full: str, address: str) -> dict[str, Any]:
    return {
        "value": short,
        "unrestricted_value": short,
        "data": {
            "inn": inn,
            "kpp": kpp,
            "ogrn": ogrn,
            "type": "LEGAL",
            "name": {"short_with_opf": short, "full_with_opf": full},
            "address": {"value": address, "unrestricted_value": address},
            "state": {"status": "ACTIVE"},
        },
    }


COMPANIES: dict[str, dict[str, Any]] = {
    "7707083893": _legal(
        "7707083893",
        "773601001",
        "1027700132195",
        'ПАО "СБЕРБАНК"',
        'ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО "СБЕРБАНК РОССИИ"',
        "117312, г Москва, ул Вавилова, д 19",
    ),
    "7728168971": _legal(
        "7728168971",
        "770401001",
        "1027700067328",
        'АО "АЛЬФА-БАНК"',
        'АКЦИОНЕРНОЕ ОБЩЕСТВО "АЛЬФА-БАНК"',
        "107078, г Москва, ул Каланчевская, д 27",
    ),
    "500100732259": {
        "value": "ИП Иванов Иван Иванович",
        "data": {
            "inn": "500100732259",
            "ogrn": "304500116000157",
            "type": "INDIVIDUAL",
            "name": {"short_with_opf": "ИП Иванов Иван Иванович"},
            "address": {
                "value": "г Дмитров",
                "unrestricted_value": "141800, Московская обл, г Дмитров",
            },
        },
    },
}


class FakeDaData:
    """Serve the fake API on 127.0.0.1:<port> (0 = a random free port) while in the `with`."""

    def __init__(self, *, port: int = 0, token: str = TOKEN, slow_seconds: float = 2.0) -> None:
        self.token = token
        self.slow_seconds = slow_seconds
        self.requests: list[dict[str, Any]] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        app = Starlette(routes=[Route(PATH, self._party, methods=["POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        )
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    async def _party(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"auth": request.headers.get("authorization", ""), "body": body})
        if request.headers.get("authorization") != f"Token {self.token}":
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        inn = str(body.get("query", ""))
        if inn == SERVER_ERROR_INN:
            return JSONResponse({"message": "Internal error"}, status_code=500)
        if inn == SLOW_INN:
            await asyncio.sleep(self.slow_seconds)
        found = COMPANIES.get(inn)
        return JSONResponse({"suggestions": [found] if found else []})

    def start(self) -> FakeDaData:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake DaData server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> FakeDaData:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with FakeDaData(port=port, slow_seconds=10) as fake:
        print(f"fake DaData on {fake.url} token {fake.token}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
