"""Event round trip through the websocket: p50 / p95 / p99 (target p50 <= 10 ms, p99 <= 40 ms).

A raw Engine.IO/Socket.IO client (websocket-client, no browser) does what the frontend does:
connects to /_event with a client token and sends `LangState.toggle_lang` (a cheap event with
no database access), timing each send until its state delta arrives. The figure covers the
socket, the event queue, state load/save in the state manager, and the delta.

    python bench/bench_websocket.py                  # starts a prod backend in a temp copy
    python bench/bench_websocket.py --redis          # ... with its own redis-server (REDIS_URL)
    python bench/bench_websocket.py --url http://127.0.0.1:8000   # an already running backend

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


def start_backend(stack: ExitStack, *, redis: bool) -> str:
    """A prod backend (one granian worker) in a temp copy of the project; its base URL."""
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
    return base


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running backend (default: start one)")
    parser.add_argument("--redis", action="store_true", help="started backend uses Redis")
    parser.add_argument("--origin", default=ORIGIN, help="Origin header (must pass CORS)")
    parser.add_argument("-n", type=int, default=1000, help="measured events")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()

    with ExitStack() as stack:
        if args.url:
            base, where = args.url, args.url
        else:
            t0 = time.perf_counter()
            base = start_backend(stack, redis=args.redis)
            where = f"prod backend, 1 worker, {'Redis' if args.redis else 'memory'} state manager"
            print(f"backend up in {time.perf_counter() - t0:.1f} s ({where})")
        client = RawSocket(base, str(uuid.uuid4()), args.origin)
        stack.callback(client.close)
        samples: list[float] = []
        lang = "ru"
        for i in range(args.warmup + args.n):
            t0 = time.perf_counter()
            client.emit_event(f"{LANG_STATE}.toggle_lang", {})
            update = client.next_update()
            elapsed = (time.perf_counter() - t0) * 1000
            new = update.get("delta", {}).get(LANG_STATE, {}).get("lang_rx_state_")
            if new is None or new == lang:
                raise SystemExit(f"unexpected update: {update}")
            lang = new
            if i >= args.warmup:
                samples.append(elapsed)

    print(f"websocket event round trip, {len(samples)} events ({where}):")
    print(
        f"  p50 {statistics.median(samples):.2f} ms   p95 {pct(samples, 95):.2f} ms   "
        f"p99 {pct(samples, 99):.2f} ms   max {max(samples):.2f} ms   "
        f"(target p50 <= 10 ms, p99 <= 40 ms)"
    )


if __name__ == "__main__":
    main()
