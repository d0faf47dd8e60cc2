"""Helpers of the end-to-end tier: browser pages that record console errors, and direct
database reads the tests need (codes from the local outbox, session tokens for demo users)."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Demo-2026!"
SESSION_COOKIE = "cabinet_session"
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class _Size:
    width: int
    height: int


class Viewport(Enum):
    DESKTOP = _Size(1280, 900)
    PHONE = _Size(390, 844)

    @property
    def width(self) -> int:
        return self.value.width

    @property
    def height(self) -> int:
        return self.value.height


# Reflex's frontend calls `window.__reflex_otel` hooks (its instrumentation interface) when the
# state websocket connects and when it sends an event; the tests use them to know when the
# page is live instead of sleeping.
_SOCKET_PROBE = """
window.__e2e = {connected: false, sent: []};
window.__reflex_otel = {
  onSocketConnect: () => { window.__e2e.connected = true; },
  onSocketDisconnect: () => { window.__e2e.connected = false; },
  onEventSend: (event) => { window.__e2e.sent.push(event && event.name); },
};
"""


class BrowserPage:
    """A Playwright page in its own browser context that records every console error."""

    def __init__(self, context, base_url: str, shots_dir: Path) -> None:  # type: ignore[no-untyped-def]
        self.context = context
        self.base_url = base_url
        self.shots_dir = shots_dir
        self.errors: list[str] = []
        context.add_init_script(_SOCKET_PROBE)
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)

    def _on_console(self, msg) -> None:  # type: ignore[no-untyped-def]
        if msg.type == "error":
            loc = msg.location or {}
            self.errors.append(f"[console] {self.page.url}: {msg.text} ({loc.get('url', '')})")

    def _on_pageerror(self, error) -> None:  # type: ignore[no-untyped-def]
        self.errors.append(f"[pageerror] {self.page.url}: {error}")

    # --- navigation ---------------------------------------------------------------------

    def goto(self, path: str) -> None:
        """Open `path` and wait until the page is hydrated (the websocket has answered)."""
        self.page.goto(self.base_url + path)
        self.wait_hydrated()

    def wait_hydrated(self) -> None:
        """Wait for the page load and the state websocket's connect (it carries the hydrate)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(
            "() => window.__e2e && window.__e2e.connected"
            " && document.body && document.body.innerText.trim().length > 0"
        )

    def path(self) -> str:
        url = self.page.url
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    def wait_path(self, path: str) -> None:
        """Wait until the browser shows `path` (ignoring the query string); on a timeout, say
        which form errors the page shows."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        pattern = re.compile(re.escape(self.base_url + path) + r"/?(\?.*)?$")
        try:
            self.page.wait_for_url(pattern, wait_until="commit")
        except PlaywrightTimeout:
            shown = self.page.locator("[id$='-error']").all_inner_texts()
            raise AssertionError(
                f"still on {self.path()} instead of {path}; errors shown: {shown}"
            ) from None

    def by_id(self, element_id: str):  # type: ignore[no-untyped-def]
        return self.page.locator(f"#{element_id}")

    def fill(self, element_id: str, value: str) -> None:
        self.by_id(element_id).fill(value)

    def click(self, element_id: str) -> None:
        self.by_id(element_id).click()

    def wait_id_text(self, element_id: str, text: str) -> None:
        """Wait until the element with this id shows `text` (state updates arrive later)."""
        self.page.wait_for_function(
            "([id, text]) => (document.getElementById(id)?.innerText || '').includes(text)",
            arg=[element_id, text],
        )

    def text(self) -> str:
        return self.page.inner_text("body")

    def wait_text(self, text: str) -> None:
        self.page.get_by_text(text, exact=False).first.wait_for()

    # --- identity -----------------------------------------------------------------------

    def use_session(self, token: str) -> None:
        """Put a session token in the browser's cookie jar, as a login would."""
        self.context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "url": self.base_url, "sameSite": "Strict"}]
        )

    # --- screenshots --------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot to the session's temp dir (and $SHOTS_DIR when set)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
        path = self.shots_dir / f"{safe}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if target := os.environ.get("SHOTS_DIR"):
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(target) / path.name)
        return path

    def close(self) -> None:
        self.context.close()


# --- database helpers -------------------------------------------------------------------------


def engine():  # type: ignore[no-untyped-def]
    from cabinet.db import get_engine

    return get_engine()


def user_id(email: str) -> int:
    from models import User

    with Session(engine()) as s:
        uid = s.exec(select(User.id).where(User.email == email)).first()
    assert uid is not None, f"no user {email}"
    return uid


def session_token(email: str) -> str:
    """A live session for a (demo) user, made by the accounts session service itself."""
    from cabinet.accounts.sessions import create_session

    uid = user_id(email)
    with Session(engine()) as s:
        token = create_session(s, user_id=uid, ip="127.0.0.1", user_agent="e2e")
        s.commit()
    return token


def outbox_code(recipient: str, *, after_id: int = 0) -> str:
    """The newest one-time code sent to `recipient` (e-mail or phone), read from the outbox."""
    from models import OutboxMessage

    with Session(engine()) as s:
        rows = s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient, col(OutboxMessage.id) > after_id)
            .order_by(col(OutboxMessage.id).desc())
        ).all()
    for row in rows:
        m = re.search(r"\b(\d{4,8})\b", f"{row.subject}\n{row.body}")
        if m:
            return m.group(1)
    raise AssertionError(f"no code for {recipient} in the outbox")


def last_outbox_id() -> int:
    from sqlalchemy import func

    from models import OutboxMessage

    with Session(engine()) as s:
        return int(s.exec(select(func.max(OutboxMessage.id))).one() or 0)


# --- a raw websocket client of the backend, speaking the Reflex frontend's protocol --------------

_NAMESPACE = "/_event"
_HYDRATE = "reflex___state____state.hydrate_and_load"
_ON_LOAD = "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal"


class EventClient:
    """Calls event handlers by name over socket.io, as any browser (or script) can.

    Protocol, as in reflex's state.js: a socket.io connection to `<backend>/_event` with the
    tab token in the query, the hydrate event (carrying the cookie values as client-storage
    vars) in the CONNECT packet, then `event` messages `{name, payload, router_data}`; the
    server answers with `event` messages `{delta, events}`.
    """

    def __init__(self, backend_url: str, cookies: dict[str, str] | None = None) -> None:
        self.backend_url = backend_url
        self.cookies = dict(cookies or {})
        self.log: list[dict] = []  # every message the server sent, in order
        self._read = 0  # how far _wait_for has looked
        self._probe = 0
        self._sio = None

    # Client-storage vars are keyed by the full var name; the browser sends every var whose
    # cookie it holds.
    def storage_vars(self) -> dict[str, str]:
        from reflex.compiler.utils import compile_client_storage
        from reflex.state import State

        out: dict[str, str] = {}
        for key, options in compile_client_storage(State)["cookies"].items():
            if options.get("name") in self.cookies:
                out[key] = self.cookies[options["name"]]
        return out

    def _router(self, path: str, query: dict[str, str] | None = None) -> dict:
        data: dict = {"pathname": path, "asPath": path}
        if query:
            from urllib.parse import urlencode

            data["asPath"] = f"{path}?{urlencode(query)}"
            data["query"] = query
        return data

    def _hydrate_event(self, path: str, query: dict[str, str] | None = None) -> dict:
        return {
            "name": _HYDRATE,
            "payload": {"vars": self.storage_vars()},
            "router_data": self._router(path, query),
        }

    def connect(self) -> None:
        import time
        import uuid

        import socketio

        self._probe += 1
        marker = f"e2e{uuid.uuid4().hex[:8]}p{self._probe}"
        # A busy 2-core CI machine can miss the handshake's wait once; a browser would
        # reconnect too, so try again before calling it a failure.
        for attempt in range(3):
            sio = socketio.Client(reconnection=False)
            sio.on("event", self.log.append, namespace=_NAMESPACE)
            try:
                sio.connect(
                    f"{self.backend_url}?token={uuid.uuid4()}",
                    socketio_path=_NAMESPACE,
                    namespaces=[_NAMESPACE],
                    transports=["websocket"],
                    auth={"event": self._hydrate_event("/e2e-probe", {"probe": marker})},
                    wait_timeout=10,
                )
                break
            except socketio.exceptions.ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(2)
        self._sio = sio
        self._wait_for(marker)

    def close(self) -> None:
        if self._sio is not None:
            self._sio.disconnect()
            self._sio = None

    def __enter__(self) -> EventClient:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self, name: str, payload: dict, path: str = "/", query: dict[str, str] | None = None
    ) -> None:
        """Send one event; it is processed in order with this tab's other events."""
        assert self._sio is not None
        self._sio.emit(
            "event",
            {"name": name, "payload": payload, "router_data": self._router(path, query)},
            namespace=_NAMESPACE,
        )

    def rehydrate(self) -> None:
        """Send the browser's hydrate again (cookies re-applied), without waiting."""
        assert self._sio is not None
        self._sio.emit("event", self._hydrate_event("/e2e-probe"), namespace=_NAMESPACE)

    def settle(self, rounds: int = 2) -> None:
        """Wait until everything sent before has been processed.

        A tab's (non-background) events run one after another, so the answer to a probe sent
        now comes after the work of every earlier event; a second round covers the events
        those handlers chained. The probe is Reflex's page-load event for a path no page has,
        with a unique query: the server answers with the new router data, so nothing else.
        """
        import uuid

        assert self._sio is not None
        for _ in range(rounds):
            self._probe += 1
            marker = f"e2e{uuid.uuid4().hex[:8]}p{self._probe}"
            self._sio.emit(
                "event",
                {
                    "name": _ON_LOAD,
                    "payload": {},
                    "router_data": self._router("/e2e-probe", {"probe": marker}),
                },
                namespace=_NAMESPACE,
            )
            self._wait_for(marker)

    def _wait_for(self, marker: str, timeout: float = 30.0) -> None:
        import json
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while self._read < len(self.log):
                self._read += 1
                if marker in json.dumps(self.log[self._read - 1], default=str):
                    return
            if self._sio is None or not self._sio.connected:
                raise ConnectionError("the server closed the socket")
            time.sleep(0.002)
        raise TimeoutError(f"the backend did not answer probe {marker} in {timeout}s")


# --- flows through the UI -----------------------------------------------------------------------


def login_ui(page: BrowserPage, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form and wait until the portal has taken the browser on."""
    page.goto("/login")
    page.fill("login-id", login)
    page.fill("login-password", password)
    page.click("login-submit")
    page.page.wait_for_url(
        lambda url: "/login" not in url and "/register" not in url, wait_until="commit"
    )
    page.wait_hydrated()
