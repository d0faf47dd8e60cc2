"""A small HTTP SMS gateway on 127.0.0.1 (Starlette served by uvicorn in a thread).

POST /send with JSON {"to", "text"} and `Authorization: Bearer <token>` answers 200
{"id": n} and records the message. It can be told to fail:

    with FakeSMSGateway(token="t") as gw:
        gw.fail_next(2, status=500)   # the next two requests answer 500
        gw.delay = 2.0                # every request waits two seconds first
        settings = Settings(sms_gateway_url=gw.url, sms_gateway_token="t")
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.smtp_server import free_port


class FakeSMSGateway:
    def __init__(self, *, token: str = "test-token") -> None:
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/send"
        self.messages: list[dict[str, Any]] = []
        self.requests = 0
        self.delay = 0.0
        self._failures = 0
        self._fail_status = 500
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/send", self._send, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def fail_next(self, n: int, *, status: int = 500) -> None:
        with self._lock:
            self._failures, self._fail_status = n, status

    async def _send(self, request: Request) -> JSONResponse:
        with self._lock:
            self.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                return JSONResponse({"error": "gateway failure"}, status_code=self._fail_status)
        data = await request.json()
        if not isinstance(data, dict) or not data.get("to") or not data.get("text"):
            return JSONResponse({"error": "to and text are required"}, status_code=400)
        with self._lock:
            self.messages.append(data)
            msg_id = len(self.messages)
        return JSONResponse({"id": msg_id})

    def start(self) -> FakeSMSGateway:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake SMS gateway did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> FakeSMSGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
