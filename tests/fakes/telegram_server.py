"""A Telegram Bot API compatible server on 127.0.0.1 (Starlette served by uvicorn in a thread).

POST /bot<token>/sendMessage with JSON {"chat_id", "text"} answers like Telegram:
200 {"ok": true, "result": {...}}; a wrong token 401, a missing chat 400 {"ok": false}.
It can be told to fail or to be slow:

    with FakeTelegram(token="123:abc") as tg:
        tg.fail_next(2, status=502)   # the next two requests answer 502
        tg.delay = 3.0                # every request waits three seconds first (timeouts)
        settings = Settings(telegram_api_url=tg.url, telegram_bot_token=tg.token)

Run standalone for a private copy of the app: `python -m tests.fakes.telegram_server 8932`.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.smtp_server import free_port

TOKEN = "123456:test-telegram-token"
UNKNOWN_CHAT = "404"  # answers 400 "chat not found" (a permanent failure)


class FakeTelegram:
    def __init__(self, *, token: str = TOKEN, port: int = 0) -> None:
        self.token = token
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.messages: list[dict[str, Any]] = []
        self.requests = 0
        self.delay = 0.0
        self._failures = 0
        self._fail_status = 500
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/bot{token}/sendMessage", self._send, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
            )
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
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                return JSONResponse(
                    {"ok": False, "error_code": self._fail_status, "description": "Bad Gateway"},
                    status_code=self._fail_status,
                )
        data = await request.json()
        chat = str(data.get("chat_id", "")) if isinstance(data, dict) else ""
        if not chat or not data.get("text") or chat == UNKNOWN_CHAT:
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                status_code=400,
            )
        with self._lock:
            self.messages.append(data)
            msg_id = len(self.messages)
        return JSONResponse(
            {
                "ok": True,
                "result": {"message_id": msg_id, "chat": {"id": chat}, "text": data["text"]},
            }
        )

    def start(self) -> FakeTelegram:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake Telegram server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    with FakeTelegram(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as tg:
        print(f"fake Telegram on {tg.url} token {tg.token}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
