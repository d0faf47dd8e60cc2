"""Live auction under load: N participants over real websockets bid on one lot.

Each simulated participant is a logged-in customer of its own organisation with the lot page
open, exactly as a browser has it: one Socket.IO websocket to the backend's /_event, the
page's hydrate-and-load (session cookie, route /auctions/lot?id=N) that starts the page's
live watch task, then `LotState.submit_bid` events with an amount one to three steps above
the best bid it has seen, RATE times a second, for DURATION seconds. Every message the
server sends is timestamped on arrival.

Printed (targets from the auctions issue):
- bids sent, answered, accepted, refused (by reason), unanswered; the ledger checked against
  the accepted acknowledgements: lost = accepted but missing from the ledger, plus sent but
  never answered (target 0); seq gap-free; the lot's best = the highest accepted bid;
- acknowledgement: from sending a bid to its answer, p50 / p99 (target p99 <= 100 ms);
- everyone sees it: for each accepted bid, from sending it until EVERY participant's page
  shows a best price at least that high, p50 / p99 (target p99 <= 250 ms).

    python bench/bench_auctions.py                           # 1 worker, SQLite, 70 x 5/s, 60 s
    python bench/bench_auctions.py --duration 20 --participants 30
    python bench/bench_auctions.py --workers 3 --redis \\
        --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_bench

`--database-url`: the bench DROPS AND RECREATES the schema of that database (give it a
database of its own). `--redis` starts a private redis-server (the Redis state manager, as
several workers need). The backend runs `reflex run --env prod --backend-only` in a temp copy
of the project. Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import websocket  # websocket-client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_websocket import _free_port, _stop, _wait, pct

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/_event"
ORIGIN = "http://localhost:3000"
ROOT_STATE = "reflex___state____state"
SESSION_STATE = f"{ROOT_STATE}.cabinet___access___state____session_state"
LOT_STATE = f"{SESSION_STATE}.cabinet___auctions___participant_state____lot_state"
TOKEN_VAR = f"{SESSION_STATE}.token_rx_state_"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
SUBMIT_BID = f"{LOT_STATE}.submit_bid"
LOT_PATH = "/auctions/lot"

START_PRICE = Decimal("1000000")
SETTLE_SECONDS = 5.0  # after the last bid, every page keeps listening this long
STEP = Decimal("1000")

# Run in the app copy against the bench database: a running auction with one lot, and one
# customer (own organisation, own session) per participant. Prints JSON.
SETUP = r"""
import json, sys
from datetime import timedelta
from decimal import Decimal
from sqlmodel import select
from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.accounts.sessions import create_session
from cabinet.auctions import rules
from cabinet.db import session_scope
from models import Membership, Organisation, User
from models.auctions import Auction, AuctionForm, AuctionLot, AuctionStatus, StepKind
from models.base import utcnow

n, minutes = int(sys.argv[1]), int(sys.argv[2])
now = utcnow()
with session_scope() as s:
    ensure_builtin_roles(s)
    organiser = User(full_name="Организатор", email="bench-organiser@bench.local",
                     phone="+79990000000", password_hash="x",
                     email_confirmed_at=now, phone_confirmed_at=now)
    s.add(organiser); s.flush()
    grant_role(s, user_id=organiser.id, role_code=BuiltinRole.MANAGER)
    a = Auction(title="Нагрузочный аукцион", organiser_id=organiser.id, form=AuctionForm.OPEN,
                status=AuctionStatus.RUNNING, starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(minutes=minutes), step_kind=StepKind.AMOUNT,
                step_value=Decimal(sys.argv[4]), soft_close_minutes=0, extension_minutes=0)
    s.add(a); s.flush()
    lot = AuctionLot(auction_id=a.id, number=1, product="Труба 530x8", quantity=Decimal(100),
                     unit="т", start_price=Decimal(sys.argv[3]), currency="RUB",
                     search_text="труба", effective_end=a.ends_at)
    s.add(lot); s.flush()
    tokens = []
    for i in range(n):
        org = Organisation(name=f"ООО Участник {i}", inn=f"88{i:08d}")
        s.add(org); s.flush()
        u = User(full_name=f"Участник {i}", email=f"bidder{i}@bench.local",
                 phone=f"+7998{i:07d}", password_hash="x",
                 email_confirmed_at=now, phone_confirmed_at=now)
        s.add(u); s.flush()
        s.add(Membership(user_id=u.id, organisation_id=org.id)); s.flush()
        grant_role(s, user_id=u.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        tokens.append(create_session(s, user_id=u.id, ip="127.0.0.1", user_agent="bench"))
    s.commit()
    print(json.dumps({"lot_id": lot.id, "tokens": tokens}))
"""

# After the run: the ledger of the lot, to check against the acknowledgements.
LEDGER = r"""
import json, sys
from sqlmodel import select, col
from cabinet.db import session_scope
from models.auctions import AuctionBid, AuctionLot
with session_scope() as s:
    lot = s.get(AuctionLot, int(sys.argv[1]))
    bids = s.exec(select(AuctionBid.seq, AuctionBid.amount)
                  .where(AuctionBid.lot_id == lot.id).order_by(col(AuctionBid.seq))).all()
    print(json.dumps({"best": str(lot.best_amount), "version": lot.version,
                      "bids": [[q, str(a)] for q, a in bids]}))
"""


def _delta_vars(update: dict) -> dict[str, object]:
    """The LotState vars in one server update, by short name."""
    out: dict[str, object] = {}
    for state, changes in (update.get("delta") or {}).items():
        if state.endswith("____lot_state"):
            for key, value in changes.items():
                out[key.removesuffix("_rx_state_")] = value
    return out


@dataclass
class Bid:
    client: int
    n: int  # the client's ack counter value that answers it
    amount: Decimal
    sent: float
    answered: float | None = None
    accepted: bool | None = None
    reason: str = ""


@dataclass
class Client:
    index: int
    token: str
    lot_id: int
    base_url: str
    rate: float
    stop_at: float = 0.0
    ws: websocket.WebSocket | None = None
    best: Decimal | None = None
    min_next: Decimal | None = None
    leading: bool = False
    acks: int = 0
    sent: int = 0
    bids: list[Bid] = field(default_factory=list)
    seen: list[tuple[float, Decimal]] = field(default_factory=list)  # (time, best price)
    ready: threading.Event = field(default_factory=threading.Event)
    live: bool = False
    error: str = ""

    def _router(self) -> dict:
        query = {"id": str(self.lot_id)}
        return {"pathname": LOT_PATH, "asPath": f"{LOT_PATH}?id={self.lot_id}", "query": query}

    def _emit(self, name: str, payload: dict) -> None:
        event = {"name": name, "payload": payload, "router_data": self._router()}
        assert self.ws is not None
        self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    def connect(self) -> None:
        ws_url = self.base_url.replace("http://", "ws://").rstrip("/")
        self.ws = websocket.create_connection(
            f"{ws_url}{NAMESPACE}/?EIO=4&transport=websocket&token={uuid.uuid4()}",
            origin=ORIGIN,
            timeout=30,
            # websocket-client checks every text frame's UTF-8 in pure Python (~0.2 ms for a
            # 3 KB push of Russian text) before decoding it — strictly, in C — anyway.
            skip_utf8_validation=True,
        )
        self.ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self.ws.recv().startswith("0"):
            raise RuntimeError("no Engine.IO open packet")
        self.ws.send(f"40{NAMESPACE},")
        while not self.ws.recv().startswith(f"40{NAMESPACE}"):
            pass
        # The browser's first event: its cookies, and the page's on_load (LotState.load, which
        # starts the live watch task).
        self._emit(HYDRATE, {"vars": {TOKEN_VAR: self.token}})

    def _on_update(self, update: dict, at: float) -> None:
        v = _delta_vars(update)
        if not v:
            return
        if "best_value" in v:
            best = Decimal(str(v["best_value"])) if v["best_value"] else None
            if best is not None and (self.best is None or best > self.best):
                self.seen.append((at, best))
            self.best = best if best is not None else self.best
        if v.get("min_next_value"):
            self.min_next = Decimal(str(v["min_next_value"]))
        if "my_leading" in v:
            self.leading = bool(v["my_leading"])
        if v.get("live"):
            self.live = True
        if v.get("missing"):
            self.error = str(v["missing"])
        if "acks" in v:
            acks = int(v["acks"])  # type: ignore[call-overload]
            for bid in self.bids:
                if bid.answered is None and bid.n <= acks:
                    bid.answered = at
                    if bid.n < acks:
                        # Its handler sent no answer of its own (it failed: seen while the
                        # database restarted); this update is a later bid's outcome.
                        bid.accepted, bid.reason = False, "(no answer of its own)"
                        continue
                    error = str(v.get("bid_error") or "")
                    bid.accepted = not error and "принята" in str(v.get("notice") or "")
                    bid.reason = error
            self.acks = max(self.acks, acks)
        if self.min_next is not None and self.live:
            self.ready.set()

    def _next_amount(self) -> Decimal:
        least = self.min_next or START_PRICE
        return least + STEP * random.choice((0, 0, 1, 2))

    def run(self, start_at: float, drain_until: float) -> None:
        assert self.ws is not None
        next_send = start_at + random.random() / self.rate
        while True:
            now = time.perf_counter()
            if now >= drain_until or (
                now >= self.stop_at + SETTLE_SECONDS
                and all(b.answered is not None for b in self.bids)
            ):
                return
            if now >= next_send and now < self.stop_at:
                next_send += 1 / self.rate
                if not self.leading:
                    amount = self._next_amount()
                    self.sent += 1
                    self.bids.append(Bid(self.index, self.sent, amount, time.perf_counter()))
                    self._emit(SUBMIT_BID, {"form_data": {"amount": f"{amount:f}"}})
                continue
            wait = max(0.001, min(next_send, drain_until) - now)
            self.ws.settimeout(wait)
            try:
                msg = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            at = time.perf_counter()
            if msg == "2":
                self.ws.send("3")
            elif msg.startswith(f"42{NAMESPACE},"):
                kind, data = json.loads(msg[len(NAMESPACE) + 3 :])
                if kind == "event":
                    self._on_update(data, at)

    def warm(self, until: float) -> None:
        """Read until the page is live (first view, watch task running)."""
        assert self.ws is not None
        while not self.ready.is_set() and time.perf_counter() < until:
            self.ws.settimeout(max(0.01, until - time.perf_counter()))
            try:
                msg = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if msg == "2":
                self.ws.send("3")
            elif msg.startswith(f"42{NAMESPACE},"):
                kind, data = json.loads(msg[len(NAMESPACE) + 3 :])
                if kind == "event":
                    self._on_update(data, time.perf_counter())


def _run_py(app_dir: Path, env: dict, code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _reset_database(url: str, app_dir: Path, env: dict) -> None:
    if url.startswith("postgresql"):
        code = (
            "import sqlalchemy as sa, sys\n"
            "e = sa.create_engine(sys.argv[1])\n"
            "with e.begin() as c:\n"
            "    c.execute(sa.text('DROP SCHEMA public CASCADE'))\n"
            "    c.execute(sa.text('CREATE SCHEMA public'))\n"
            "print('{}')\n"
        )
        _run_py(app_dir, env, code, url)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its children."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def start(stack: ExitStack, args: argparse.Namespace) -> tuple[str, dict, Path, dict, int]:
    tmp = Path(tempfile.mkdtemp(prefix="cabinet-bench-auctions-"))
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    app_dir = tmp / "app"
    shutil.copytree(
        ROOT,
        app_dir,
        ignore=shutil.ignore_patterns(
            ".web", ".states", ".venv", ".tools", ".git", "var", "tests", "__pycache__", "shots"
        ),
    )
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp / "data"),
        "GRANIAN_WORKERS": str(args.workers),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        # The bench measures bidding: no e-mail/notification workers competing for the CPU.
        "NOTIFY_WORKER_ENABLED": "false",
    }
    env.pop("REDIS_URL", None)
    if args.redis:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        rport = _free_port()
        rproc = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(rport), "--save", ""],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
        )
        stack.callback(_stop, rproc)
        env["REDIS_URL"] = f"redis://127.0.0.1:{rport}/0"
    _reset_database(url, app_dir, env)
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
    )
    minutes = int(args.duration / 60) + 30
    world = _run_py(
        app_dir, env, SETUP, str(args.participants), str(minutes), str(START_PRICE), str(STEP)
    )
    port = _free_port()
    log = (tmp / "backend.log").open("wb")
    stack.callback(log.close)
    reflex = str(Path(sys.executable).with_name("reflex"))
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
    _wait(f"{base}/ping", proc, timeout=180)
    if args.keep_log:
        stack.callback(shutil.copy, tmp / "backend.log", args.keep_log)
    return base, world, app_dir, env, proc.pid


def _client_process(
    conn: Any, items: list[tuple[int, str]], lot_id: int, base: str, rate: float
) -> None:
    """A share of the participants in a process of its own: one Python process with 70
    client threads would make them queue for its GIL and add that wait to every figure."""
    sys.setswitchinterval(0.001)
    gc.freeze()  # the clients' own collector pauses would show up as server latency
    gc.set_threshold(20_000, 20, 50)
    clients = [Client(i, token, lot_id, base, rate) for i, token in items]
    for c in clients:
        c.connect()
    deadline = time.perf_counter() + 120
    for c in clients:
        c.warm(deadline)
    not_ready = [c.index for c in clients if not c.ready.is_set()]
    conn.send(("ready", not_ready, [c.error for c in clients if c.error]))
    start_at, stop_at = conn.recv()
    own0 = time.process_time()
    for c in clients:
        c.stop_at = stop_at
    drain_until = stop_at + 30
    threads = [
        threading.Thread(target=c.run, args=(start_at, drain_until), daemon=True) for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    own = time.process_time() - own0
    for c in clients:
        if c.ws is not None:
            c.ws.close()
    conn.send(("done", [(c.index, c.bids, c.seen) for c in clients], own))


def report(
    args: argparse.Namespace,
    clients: list[Client],
    ledger: dict,
    wall: float,
    cpu: tuple[float, float],
) -> None:
    bids = [b for c in clients for b in c.bids]
    answered = [b for b in bids if b.answered is not None]
    accepted = [b for b in answered if b.accepted]
    refused = [b for b in answered if not b.accepted]
    unanswered = len(bids) - len(answered)
    ledger_amounts = sorted(Decimal(a) for _, a in ledger["bids"])
    accepted_amounts = sorted(b.amount for b in accepted)
    missing = len(set(accepted_amounts) - set(ledger_amounts))
    seqs = [q for q, _ in ledger["bids"]]
    reasons: dict[str, int] = {}
    for b in refused:
        key = b.reason.split(":")[0].split("—")[0].strip()[:60] or "(no message)"
        reasons[key] = reasons.get(key, 0) + 1
    acks = [(b.answered - b.sent) * 1000 for b in answered]  # type: ignore[operator]
    # For every accepted bid: when did the LAST participant first see a best >= its amount?
    everyone: list[float] = []
    seen_by: dict[int, float] = {}
    not_seen = 0
    for b in accepted:
        worst = 0.0
        for c in clients:
            t = next((at for at, best in c.seen if best >= b.amount), None)
            if t is None:
                not_seen += 1
                worst = float("nan")
                break
            worst = max(worst, t - b.sent)
        if worst == worst:  # not NaN
            everyone.append(worst * 1000)
            seen_by[id(b)] = worst * 1000
    if args.dump:  # every bid's send time, answer time, refusal and everyone-sees time
        t0 = min((b.sent for b in bids), default=0.0)
        rows = [
            {
                "t": round(b.sent - t0, 4),
                "ack_ms": None if b.answered is None else round((b.answered - b.sent) * 1000, 1),
                "accepted": b.accepted,
                "reason": b.reason,
                "client": b.client,
                "all_see_ms": seen_by.get(id(b)),
            }
            for b in bids
        ]
        Path(args.dump).write_text(json.dumps(rows))

    print(
        f"\n{args.participants} participants x {args.rate:g} bids/s for {args.duration:g} s "
        f"({args.workers} worker(s), {'Redis' if args.redis else 'memory'} state manager, "
        f"{'PostgreSQL' if (args.database_url or '').startswith('postgresql') else 'SQLite'})"
    )
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; wall {wall:.0f} s")
    print(
        f"  bids sent {len(bids)} ({len(bids) / args.duration:.0f}/s offered), "
        f"answered {len(answered)} ({len(answered) / wall:.0f}/s), accepted {len(accepted)}, "
        f"refused {len(refused)}, unanswered {unanswered} (still queued behind a saturated "
        f"worker when the run stopped: never processed, so in no ledger)"
    )
    backend_cpu, bench_cpu = cpu
    per_bid = backend_cpu / len(answered) * 1000 if answered else float("nan")
    print(
        f"  backend CPU {backend_cpu:.0f} s in {wall:.0f} s ({backend_cpu / wall:.2f} cores), "
        f"{per_bid:.1f} ms per answered bid including the live pushes; "
        f"this bench's own clients {bench_cpu:.0f} s"
    )
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"    refused {n:5d}: {reason}")
    gap_free = seqs == list(range(1, len(seqs) + 1))
    print(
        f"  ledger: {len(seqs)} rows, seq gap-free {gap_free}, best {ledger['best']} "
        f"(highest accepted {max(accepted_amounts) if accepted_amounts else '-'}); "
        f"LOST: accepted but missing from the ledger {missing} (target 0)"
    )
    if acks:
        print(
            f"  acknowledgement: p50 {statistics.median(acks):.0f} ms, p99 {pct(acks, 99):.0f} ms, "
            f"max {max(acks):.0f} ms (target p99 <= 100 ms)"
        )
    if everyone:
        print(
            f"  every participant sees a new leading bid: p50 {statistics.median(everyone):.0f} ms,"
            f" p99 {pct(everyone, 99):.0f} ms, max {max(everyone):.0f} ms over {len(everyone)} "
            f"bids (target p99 <= 250 ms)" + (f"; {not_seen} never seen by all" if not_seen else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=70)
    parser.add_argument("--rate", type=float, default=5.0, help="bids per second per participant")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of bidding")
    parser.add_argument("--workers", type=int, default=1, help="backend worker processes")
    parser.add_argument("--redis", action="store_true", help="Redis state manager (own server)")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (its schema is DROPPED); default SQLite"
    )
    parser.add_argument("--keep-log", default="", help="copy the backend log here at the end")
    parser.add_argument("--dump", default="", help="write every bid's timings here (JSON)")
    parser.add_argument(
        "--client-procs", type=int, default=4, help="processes the participants are spread over"
    )
    args = parser.parse_args()
    if args.workers > 1 and not args.redis:
        parser.error("several workers share state only through Redis: add --redis")

    with ExitStack() as stack:
        t0 = time.perf_counter()
        base, world, app_dir, env, backend_pid = start(stack, args)
        print(f"backend up in {time.perf_counter() - t0:.1f} s ({base})")
        items = list(enumerate(world["tokens"]))
        procs = max(1, min(args.client_procs, len(items)))
        ctx = multiprocessing.get_context("fork")
        pipes = []
        for k in range(procs):
            parent, child = ctx.Pipe()
            proc_k = ctx.Process(
                target=_client_process,
                args=(child, items[k::procs], world["lot_id"], base, args.rate),
                daemon=True,
            )
            proc_k.start()
            pipes.append((parent, proc_k))
        not_ready: list[int] = []
        errors: set[str] = set()
        for parent, _ in pipes:
            _, nr, errs = parent.recv()
            not_ready += nr
            errors |= set(errs)
        if not_ready:
            raise SystemExit(f"{len(not_ready)} pages did not go live: {errors or not_ready[:5]}")
        print(
            f"{len(items)} lot pages live ({procs} client processes); bidding for {args.duration:g} s"
        )
        start_at = time.perf_counter() + 0.5
        cpu0 = _cpu_seconds(backend_pid)
        for parent, _ in pipes:
            parent.send((start_at, start_at + args.duration))
        clients = []
        bench_cpu = 0.0
        for parent, proc_k in pipes:
            _, results, own = parent.recv()
            bench_cpu += own
            for index, bids, seen in results:
                c = Client(index, "", world["lot_id"], base, args.rate)
                c.bids, c.seen = bids, seen
                clients.append(c)
            proc_k.join(10)
        wall = time.perf_counter() - start_at
        cpu = (_cpu_seconds(backend_pid) - cpu0, bench_cpu)
        ledger = _run_py(app_dir, env, LEDGER, str(world["lot_id"]))
        report(args, clients, ledger, wall, cpu)


if __name__ == "__main__":
    main()
