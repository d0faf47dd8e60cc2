"""Event round trip through the websocket: p50 / p95 / p99 (target p50 <= 10 ms, p99 <= 40 ms).

A raw Engine.IO/Socket.IO client (websocket-client, no browser) does what the frontend does:
connects to /_event with a client token and times each event from send until its state delta
arrives. The figure covers the socket, the event queue, state load/save in the state manager,
the handler and the delta. Two events:

- `LangState.toggle_lang` — the cheapest event: no database;
- `SessionState.require_login` as a logged-in demo user — what every page behind the login
  runs: the session token is resolved and the caller loaded from the database (SQLite here).

    python bench/bench_websocket.py                  # starts a prod backend in a temp copy
    python bench/bench_websocket.py --redis          # ... with its own redis-server (REDIS_URL)
    python bench/bench_websocket.py --url http://127.0.0.1:8000   # a running backend (no login event)

Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path

import websocket  # websocket-client

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/_event"
LANG_STATE = "reflex___state____state.cabinet___i18n____lang_state"
SESSION_STATE = "reflex___state____state.cabinet___access___state____session_state"
UPDATE_VARS = (
    "reflex___state____state.reflex___state____update_vars_internal_state.update_vars_internal"
)
# Run in the app copy against the bench database: demo data, then one login session's token.
MAKE_SESSION = """
from sqlmodel import select
from cabinet.accounts.sessions import create_session
from cabinet.db import session_scope
from cabinet.access.rules import BuiltinRole
from cabinet.demo import USERS, load_demo
from models import User
customer = next(u for u in USERS if u.role == BuiltinRole.CUSTOMER)
with session_scope() as s:
    load_demo(s)
    user = s.exec(select(User).where(User.email == customer.email)).one()
    token = create_session(s, user_id=user.id, ip="127.0.0.1", user_agent="bench")
    s.commit()
print(token)
"""
ORIGIN = "http://localhost:3000"


class RawSocket:
    """The smallest Socket.IO-over-websocket client: enough to send events and read updates."""

    def __init__(self, base_url: str, token: str, origin: str) -> None:
        ws_url = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        self.ws = websocket.create_connection(
            f"{ws_url}{NAMESPACE}/?EIO=4&transport=websocket&token={token}",
            origin=origin,
            timeout=10,
        )
        self.ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._recv().startswith("0"):  # Engine.IO open
            raise RuntimeError("no Engine.IO open packet")
        self.ws.send(f"40{NAMESPACE},")  # Socket.IO connect to the namespace
        if not self._recv().startswith(f"40{NAMESPACE},"):
            raise RuntimeError("namespace connect refused")

    def _recv(self) -> str:
        while True:
            msg = self.ws.recv()
            if msg == "2":  # Engine.IO ping from the server
                self.ws.send("3")
                continue
            return msg

    def emit_event(self, name: str, payload: dict) -> None:
        event = {"name": name, "payload": payload, "router_data": {"pathname": "/", "query": {}}}
        self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    def next_update(self) -> dict:
        while True:
            msg = self._recv()
            if msg.startswith(f"42{NAMESPACE},"):
                kind, data = json.loads(msg[len(NAMESPACE) + 3 :])
                if kind == "event":
                    return data

    def close(self) -> None:
        self.ws.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"backend exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def start_backend(stack: ExitStack, *, redis: bool) -> tuple[str, str]:
    """A prod backend (one granian worker) in a temp copy of the project, on a migrated SQLite
    database with the demo data: its base URL and a logged-in session token."""
    tmp = Path(tempfile.mkdtemp(prefix="cabinet-bench-"))
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    app_dir = tmp / "app"
    shutil.copytree(
        ROOT,
        app_dir,
        ignore=shutil.ignore_patterns(
            ".web", ".states", ".venv", ".tools", ".git", "var", "tests", "__pycache__", "shots"
        ),
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "DATA_DIR": str(tmp / "data"),
        "GRANIAN_WORKERS": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    env.pop("REDIS_URL", None)
    if redis:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        rport = _free_port()
        rproc = subprocess.Popen(
            [
                server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(rport),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
        )
        stack.callback(_stop, rproc)
        env["REDIS_URL"] = f"redis://127.0.0.1:{rport}/0"
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=app_dir, env=env, check=True
    )
    token = subprocess.run(
        [sys.executable, "-c", MAKE_SESSION],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    port = _free_port()
    reflex = str(Path(sys.executable).with_name("reflex"))
    log = (tmp / "backend.log").open("wb")
    stack.callback(log.close)
    proc = subprocess.Popen(
        [
            reflex,
            "run",
            "--env",
            "prod",
            "--backend-only",
            "--backend-host",
            "127.0.0.1",
            "--backend-port",
            str(port),
        ],
        cwd=app_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(_stop, proc)
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/ping", proc)
    return base, token


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(client: RawSocket, n: int, warmup: int, send, check) -> list[float]:
    """Time `send()` until the next update, `warmup + n` times; keep the last n."""
    samples: list[float] = []
    for i in range(warmup + n):
        t0 = time.perf_counter()
        send()
        update = client.next_update()
        elapsed = (time.perf_counter() - t0) * 1000
        check(update)
        if i >= warmup:
            samples.append(elapsed)
    return samples


def report(title: str, samples: list[float]) -> None:
    print(f"  {title}, {len(samples)} events:")
    print(
        f"    p50 {statistics.median(samples):.2f} ms   p95 {pct(samples, 95):.2f} ms   "
        f"p99 {pct(samples, 99):.2f} ms   max {max(samples):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running backend (default: start one)")
    parser.add_argument("--redis", action="store_true", help="started backend uses Redis")
    parser.add_argument("--origin", default=ORIGIN, help="Origin header (must pass CORS)")
    parser.add_argument("-n", type=int, default=1000, help="measured events of each kind")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()

    with ExitStack() as stack:
        token = ""
        if args.url:
            base, where = args.url, args.url
        else:
            t0 = time.perf_counter()
            base, token = start_backend(stack, redis=args.redis)
            where = f"prod backend, 1 worker, {'Redis' if args.redis else 'memory'} state manager"
            print(f"backend up in {time.perf_counter() - t0:.1f} s")
        client = RawSocket(base, str(uuid.uuid4()), args.origin)
        stack.callback(client.close)

        print(f"websocket event round trip ({where}); target p50 <= 10 ms, p99 <= 40 ms")
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        lang = {"value": "ru"}

        def toggled(update: dict) -> None:
            new = update.get("delta", {}).get(LANG_STATE, {}).get("lang_rx_state_")
            if new is None or new == lang["value"]:
                raise SystemExit(f"unexpected update: {update}")
            lang["value"] = new

        samples = measure(
            client,
            args.n,
            args.warmup,
            lambda: client.emit_event(f"{LANG_STATE}.toggle_lang", {}),
            toggled,
        )
        report("LangState.toggle_lang (no database)", samples)

        if token:
            client.emit_event(UPDATE_VARS, {"vars": {f"{SESSION_STATE}.token_rx_state_": token}})
            client.next_update()

            def logged_in(update: dict) -> None:
                if any(e.get("name") == "_redirect" for e in update.get("events") or []):
                    raise SystemExit(f"the bench session was refused: {update}")

            samples = measure(
                client,
                args.n,
                args.warmup,
                lambda: client.emit_event(f"{SESSION_STATE}.require_login", {}),
                logged_in,
            )
            report("SessionState.require_login, logged in (session + actor from DB)", samples)


if __name__ == "__main__":
    main()
