"""A sandbox payment provider: a small Starlette app speaking the protocol of
cabinet/telecom/payments.py, with a card page for the payer.

`make run` mounts it under /api/sandbox-pay of the app's own API when PAYMENT_SANDBOX is on
(the default while PAYMENT_SHOP_ID is empty); tests serve it with uvicorn on 127.0.0.1 in a
thread (`SandboxServer`). Its state lives in SQLite (a file under DATA_DIR for the mounted
app, so several workers share it; in memory for a test server).

Test cards (any future expiry, any 3-digit CVC):
    4242 4242 4242 4242  succeeds          2200 0000 0000 0004  succeeds (МИР)
    4000 0000 0000 0002  declined: insufficient funds ("недостаточно средств")
    4000 0000 0000 0069  declined: card expired
    4000 0000 0000 0119  declined: the bank is unavailable
Other numbers must pass the Luhn check and succeed.

Knobs (attributes of `Sandbox`, or POST /_control {"delay": s, "decline_next": n,
"decline_code": "...", "fail_next": n} with the shop's credentials): `delay` makes every API
answer wait that many seconds AFTER the work is done (so a client timeout leaves a payment the
provider has made: the case the cabinet must re-check), `decline_next` declines the next n
token charges, `fail_next` answers the next n API calls with HTTP 500 before doing anything.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

TEST_CARDS: dict[str, str] = {
    "4000000000000002": "insufficient_funds",
    "4000000000000069": "card_expired",
    "4000000000000119": "issuer_unavailable",
}
REASONS_RU: dict[str, str] = {
    "insufficient_funds": "Недостаточно средств",
    "card_expired": "Срок действия карты истёк",
    "issuer_unavailable": "Банк недоступен",
    "invalid_card_number": "Неверный номер карты",
    "canceled_by_user": "Оплата отменена",
}


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 13 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_outcome(number: str) -> str:
    """'' = succeeds; else the decline code."""
    if not luhn_ok(number):
        return "invalid_card_number"
    return TEST_CARDS.get(number, "")


def _brand(number: str) -> str:
    if number.startswith("2"):
        return "mir"
    if number.startswith("4"):
        return "visa"
    if number.startswith("5"):
        return "mastercard"
    return "card"


class Sandbox:
    """The provider's state and behaviour. `db_path` None = in memory."""

    def __init__(
        self,
        *,
        shop_id: str = "sandbox",
        secret: str = "sandbox-secret",  # noqa: S107 - the sandbox's own test secret
        db_path: Path | None = None,
    ) -> None:
        self.shop_id = shop_id
        self.secret = secret
        self.delay = 0.0
        self.decline_next = 0
        self.decline_code = "insufficient_funds"
        self.fail_next = 0
        self.requests = 0
        self.webhooks_sent = 0
        self._lock = threading.Lock()
        if db_path is not None:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(db_path) if db_path else ":memory:", check_same_thread=False, timeout=30
        )
        with self._lock:
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS payments (
                    id TEXT PRIMARY KEY, key TEXT UNIQUE NOT NULL, data TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, data TEXT NOT NULL);
                """
            )
            self._db.commit()

    # -------------------------------------------------------------- storage

    def _get(self, payment_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM payments WHERE id=?", (payment_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _by_key(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM payments WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def _insert(self, key: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store a new payment under `key`; the existing one if the key was used already."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO payments (id, key, data) VALUES (?, ?, ?)",
                (data["id"], key, json.dumps(data)),
            )
            self._db.commit()
            if cur.rowcount == 0:
                row = self._db.execute("SELECT data FROM payments WHERE key=?", (key,)).fetchone()
                return dict(json.loads(row[0]))
        return data

    def _save(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE payments SET data=? WHERE id=?", (json.dumps(data), data["id"])
            )
            self._db.commit()

    def _token(self, token: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM tokens WHERE token=?", (token,)).fetchone()
        return json.loads(row[0]) if row else None

    def _new_token(self, number: str, exp_month: int, exp_year: int) -> dict[str, Any]:
        card = {
            "token": "pm_" + secrets.token_hex(12),
            "last4": number[-4:],
            "brand": _brand(number),
            "exp_month": exp_month,
            "exp_year": exp_year,
            "outcome": card_outcome(number),
        }
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens (token, data) VALUES (?, ?)", (card["token"], json.dumps(card))
            )
            self._db.commit()
        return card

    def register_card(
        self, token: str, number: str, *, exp_month: int = 12, exp_year: int = 2030
    ) -> None:
        """Know a saved card under a given token (demo data: its auto-payment can charge)."""
        card = {
            "token": token,
            "last4": number[-4:],
            "brand": _brand(number),
            "exp_month": exp_month,
            "exp_year": exp_year,
            "outcome": card_outcome(number),
        }
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO tokens (token, data) VALUES (?, ?)",
                (token, json.dumps(card)),
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        return self._get(payment_id)

    # -------------------------------------------------------------- HTTP helpers

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.shop_id}:{self.secret}".encode()).decode()
        return secrets.compare_digest(request.headers.get("authorization", ""), f"Basic {expected}")

    @staticmethod
    def _public(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if not k.startswith("_")}

    async def _answer(self, data: dict[str, Any], status: int = 200) -> JSONResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        return JSONResponse(self._public(data), status_code=status)

    def _guard(self, request: Request) -> JSONResponse | None:
        with self._lock:
            self.requests += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return JSONResponse({"description": "sandbox failure"}, status_code=500)
        if not self._authorised(request):
            return JSONResponse({"description": "bad shop id or secret"}, status_code=401)
        return None

    async def _notify(self, data: dict[str, Any]) -> None:
        url = data.get("_webhook_url") or ""
        if not url:
            return
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                await client.post(
                    url, json={"event": f"payment.{data['status']}", "object": {"id": data["id"]}}
                )
            self.webhooks_sent += 1
        except httpx.HTTPError:
            pass  # the cabinet also polls; a lost webhook is not fatal

    def _finish(self, data: dict[str, Any], outcome: str) -> dict[str, Any]:
        data["status"] = "canceled" if outcome else "succeeded"
        data["cancellation_reason"] = outcome or ""
        data["finished_at"] = time.time()
        self._save(data)
        return data

    # -------------------------------------------------------------- API

    async def create(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        key = request.headers.get("idempotence-key", "")
        if not key:
            return JSONResponse({"description": "Idempotence-Key required"}, status_code=400)
        try:
            body = await request.json()
            amount = int(body["amount"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"description": "amount required"}, status_code=400)
        if amount <= 0:
            return JSONResponse({"description": "amount must be positive"}, status_code=400)
        existing = self._by_key(key)
        if existing is not None:
            return await self._answer(existing)
        pid = "sp_" + secrets.token_hex(10)
        data: dict[str, Any] = {
            "id": pid,
            "status": "pending",
            "amount": amount,
            "currency": "RUB",
            "description": str(body.get("description", ""))[:128],
            "metadata": body.get("metadata") or {},
            "confirmation_url": "",
            "cancellation_reason": "",
            "card": None,
            "refunded": 0,
            "_return_url": str(body.get("return_url") or ""),
            "_save": bool(body.get("save_payment_method")),
            "_webhook_url": str(body.get("webhook_url") or ""),
        }
        token = str(body.get("payment_method_id") or "")
        if token:
            card = self._token(token)
            if card is None:
                return JSONResponse({"description": "unknown payment_method_id"}, status_code=400)
            data = self._insert(key, data)
            if data["id"] == pid:  # a new charge, not a repeated key
                outcome = card["outcome"]
                with self._lock:
                    if not outcome and self.decline_next > 0:
                        self.decline_next -= 1
                        outcome = self.decline_code
                data = self._finish(data, outcome)
            return await self._answer(data)
        base = str(request.url).split("?")[0].rsplit("/v1/payments", 1)[0]
        data["confirmation_url"] = f"{base}/pay/{pid}"
        data = self._insert(key, data)
        return await self._answer(data)

    async def get(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        data = self._get(request.path_params["payment_id"])
        if data is None:
            return JSONResponse({"description": "not found"}, status_code=404)
        return await self._answer(data)

    async def refund(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        key = request.headers.get("idempotence-key", "")
        try:
            body = await request.json()
            amount = int(body["amount"])
            original = self._get(str(body["payment_id"]))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"description": "payment_id and amount required"}, 400)
        if not key or original is None or original["status"] != "succeeded":
            return JSONResponse({"description": "nothing to refund"}, status_code=400)
        existing = self._by_key(key)
        if existing is not None:
            return await self._answer(existing)
        if amount <= 0 or original["refunded"] + amount > original["amount"]:
            return JSONResponse({"description": "refund exceeds the payment"}, status_code=400)
        rid = "sr_" + secrets.token_hex(10)
        data = self._insert(
            key,
            {
                "id": rid,
                "status": "succeeded",
                "amount": amount,
                "payment_id": original["id"],
                "cancellation_reason": "",
                "refunded": 0,
            },
        )
        if data["id"] == rid:
            original["refunded"] += amount
            self._save(original)
        return await self._answer(data)

    async def control(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"description": "bad shop id or secret"}, status_code=401)
        body = await request.json()
        with self._lock:
            self.delay = float(body.get("delay", self.delay))
            self.decline_next = int(body.get("decline_next", self.decline_next))
            self.decline_code = str(body.get("decline_code", self.decline_code))
            self.fail_next = int(body.get("fail_next", self.fail_next))
        return JSONResponse({"delay": self.delay, "decline_next": self.decline_next})

    # -------------------------------------------------------------- the payer's page

    def _page(self, data: dict[str, Any], error: str = "") -> HTMLResponse:
        rub, kop = divmod(int(data["amount"]), 100)
        amount = f"{rub:,}".replace(",", " ") + f",{kop:02d} ₽"
        desc = html.escape(str(data.get("description", "")))
        pid = html.escape(data["id"])
        done = data["status"] != "pending"
        back = html.escape(data.get("_return_url") or "")
        if done:
            text = (
                "Оплата прошла."
                if data["status"] == "succeeded"
                else f"Платёж отклонён: {REASONS_RU.get(data['cancellation_reason'], 'отказ банка')}."
            )
            body = f'<p id="sandbox-result">{text}</p>' + (
                f'<p><a id="sandbox-back" href="{back}">Вернуться в кабинет</a></p>' if back else ""
            )
        else:
            err = f'<p class="err" id="sandbox-error">{html.escape(error)}</p>' if error else ""
            body = f"""{err}
<form method="post" action="{pid}">
  <label>Номер карты<input id="card-number" name="number" inputmode="numeric"
    autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
  <div class="row">
    <label>Месяц/год<input id="card-exp" name="exp" placeholder="12/30" required></label>
    <label>CVC<input id="card-cvc" name="cvc" inputmode="numeric" maxlength="4" required></label>
  </div>
  <button id="sandbox-pay" type="submit" name="action" value="pay">Оплатить {amount}</button>
</form>
<form method="post" action="{pid}">
  <button id="sandbox-cancel" class="link" type="submit" name="action" value="cancel"
    formnovalidate>Отменить и вернуться</button>
</form>
<details><summary>Тестовые карты</summary><ul>
  <li>4242 4242 4242 4242 — оплата проходит</li>
  <li>4000 0000 0000 0002 — недостаточно средств</li>
  <li>4000 0000 0000 0069 — срок действия истёк</li>
</ul></details>"""
        page = f"""<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Оплата — песочница</title><link rel="icon" href="data:,">
<style>
 body{{font-family:system-ui,sans-serif;background:#f4f5fb;margin:0;padding:16px}}
 main{{max-width:420px;margin:24px auto;background:#fff;border-radius:12px;padding:20px;
   box-shadow:0 1px 4px #0002}}
 h1{{font-size:20px;margin:0 0 4px}} .muted{{color:#667;font-size:13px}}
 .sum{{font-size:28px;font-weight:600;margin:12px 0}}
 label{{display:block;font-size:13px;color:#445;margin:10px 0}}
 input{{display:block;width:100%;box-sizing:border-box;font-size:16px;padding:10px;
   border:1px solid #ccd;border-radius:8px;margin-top:4px}}
 .row{{display:flex;gap:12px}} .row label{{flex:1}}
 button{{width:100%;font-size:16px;padding:12px;border:0;border-radius:8px;
   background:#3e63dd;color:#fff;margin-top:12px;cursor:pointer}}
 button.link{{background:none;color:#3e63dd}} .err{{color:#c00}}
 details{{font-size:13px;color:#556;margin-top:12px}}
</style></head><body><main>
<h1>Песочница платёжной системы</h1><div class="muted">Тестовая оплата, деньги не списываются</div>
<div class="sum" id="sandbox-amount">{amount}</div><div class="muted">{desc}</div>
{body}</main></body></html>"""
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def pay_page(self, request: Request) -> Response:
        data = self._get(request.path_params["payment_id"])
        if data is None:
            return HTMLResponse("<p>Платёж не найден.</p>", status_code=404)
        return self._page(data)

    async def pay_submit(self, request: Request) -> Response:
        data = self._get(request.path_params["payment_id"])
        if data is None:
            return HTMLResponse("<p>Платёж не найден.</p>", status_code=404)
        if data["status"] != "pending":
            return self._page(data)
        form = await request.form()
        if form.get("action") == "cancel":
            data = self._finish(data, "canceled_by_user")
        else:
            number = "".join(ch for ch in str(form.get("number", "")) if ch.isdigit())
            exp = str(form.get("exp", "")).replace(" ", "")
            month, _, year = exp.partition("/")
            if not luhn_ok(number):
                return self._page(data, "Проверьте номер карты.")
            if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12):
                return self._page(data, "Срок действия — в виде ММ/ГГ.")
            outcome = card_outcome(number)
            if not outcome and data.get("_save"):
                data["card"] = {
                    k: v
                    for k, v in self._new_token(number, int(month), 2000 + int(year) % 100).items()
                    if k != "outcome"
                }
            data = self._finish(data, outcome)
        await self._notify(data)
        back = data.get("_return_url") or ""
        if back:
            return RedirectResponse(back, status_code=303)
        return self._page(data)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/payments", self.create, methods=["POST"]),
                Route("/v1/payments/{payment_id}", self.get, methods=["GET"]),
                Route("/v1/refunds", self.refund, methods=["POST"]),
                Route("/_control", self.control, methods=["POST"]),
                Route("/pay/{payment_id}", self.pay_page, methods=["GET"]),
                Route("/pay/{payment_id}", self.pay_submit, methods=["POST"]),
            ]
        )


class SandboxServer:
    """The sandbox served by uvicorn on 127.0.0.1 in a thread (tests, e2e)."""

    def __init__(self, *, port: int = 0, sandbox: Sandbox | None = None) -> None:
        import socket

        import uvicorn

        if not port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.sandbox = sandbox or Sandbox()
        self.server = uvicorn.Server(
            uvicorn.Config(self.sandbox.app(), host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> SandboxServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("sandbox payment server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def mounted_sandbox() -> Sandbox:
    """The sandbox of the app's own API (cabinet/api.py), its state in DATA_DIR."""
    from cabinet.settings import settings

    return Sandbox(
        shop_id=settings.payment_shop_id or "sandbox",
        secret=settings.payment_secret or "sandbox-secret",
        db_path=Path(settings.data_dir) / "sandbox-pay.sqlite3",
    )


def mounted_app() -> Starlette:
    return mounted_sandbox().app()


if __name__ == "__main__":  # a standalone sandbox: python -m cabinet.telecom.sandbox [port]
    import sys

    server = SandboxServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"sandbox payment provider on {server.url}")  # noqa: T201
    server.server.run()
