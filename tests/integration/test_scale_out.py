"""Scale out: two backend workers share one Redis and one PostgreSQL database.

The test starts its own Debian `redis-server` on a free loopback port and two
`reflex run --env prod --backend-only` processes (one granian worker each) in a copy of the
project, then talks to them over raw socket.io websockets the way the browser does:
state set by an event on worker A is seen by an event on worker B for the same client
token, database writes made by either worker are seen by the other, and a production worker
refuses a websocket from an origin outside CORS_ORIGINS.

It needs PostgreSQL, so it runs in the PostgreSQL pass of `make test` and is skipped on SQLite.
`make test` sets CABINET_REQUIRE_SCALE_OUT=1: then a missing redis-server fails instead.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from sqlmodel import Session, select

from cabinet.accounts.passwords import hash_password
from cabinet.accounts.sessions import create_session, hash_token
from cabinet.settings import settings
from models import User, UserSession
from models.base import utcnow

pytestmark = [pytest.mark.db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://localhost:3000"  # one of settings.cors_origins: the socket refuses others
NAMESPACE = "/_event"

ROOT_STATE = "reflex___state____state"
LANG_STATE = f"{ROOT_STATE}.cabinet___i18n____lang_state"
SESSION_STATE = f"{ROOT_STATE}.cabinet___access___state____session_state"
UPDATE_VARS = f"{ROOT_STATE}.reflex___state____update_vars_internal_state.update_vars_internal"
TOKEN_VAR = f"{SESSION_STATE}.token_rx_state_"


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CABINET_REQUIRE_SCALE_OUT") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(check, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        try:
            if check():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up in {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # reflex run ends its granian workers on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    _require(server is not None, "redis-server is not installed (make system-deps installs it)")
    assert server is not None
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="cabinet-redis-")
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def pong() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    try:
        _wait_until(pong, 10, "redis-server", proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _project_copy() -> Path:
    """The app's sources in a temp folder, so the workers never touch this tree's .web/.states."""
    dest = Path(tempfile.mkdtemp(prefix="cabinet-scale-")) / "app"
    skip = shutil.ignore_patterns(
        ".web",
        ".states",
        ".venv",
        ".tools",
        ".git",
        "var",
        "tests",
        "bench",
        "__pycache__",
        "shots",
    )
    shutil.copytree(ROOT, dest, ignore=skip, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def postgres_url() -> str:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("scale-out needs PostgreSQL: it runs in the PostgreSQL pass of `make test`")
    return settings.database_url


@pytest.fixture(scope="module")
def workers(postgres_url: str, redis_url: str, migrated_engine) -> Iterator[tuple[int, int]]:
    """Two prod backends (A, B) on their own ports, one granian worker each, on a migrated DB."""
    app_dir = _project_copy()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": str(app_dir / "var"),
        "GRANIAN_WORKERS": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    reflex = str(Path(sys.executable).with_name("reflex"))
    procs: list[subprocess.Popen] = []
    ports = (_free_port(), _free_port())
    logs = []
    try:
        for name, port in zip("ab", ports, strict=True):
            log = (app_dir.parent / f"worker-{name}.log").open("wb")
            logs.append(log)
            procs.append(
                subprocess.Popen(
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
            )
        for name, port, proc in zip("ab", ports, procs, strict=True):
            try:
                _wait_until(
                    lambda port=port: httpx.get(f"http://127.0.0.1:{port}/ping").status_code == 200,
                    90,
                    f"worker {name} on :{port}",
                    proc,
                )
            except (RuntimeError, TimeoutError) as e:
                log_tail = (app_dir.parent / f"worker-{name}.log").read_text(errors="replace")
                raise RuntimeError(f"{e}; its output:\n{log_tail[-4000:]}") from None
        yield ports
    finally:
        for proc in procs:
            _stop(proc)
        for log in logs:
            log.close()
        shutil.rmtree(app_dir.parent, ignore_errors=True)


class Tab:
    """One browser tab: a raw socket.io connection carrying a client token, as the frontend does."""

    def __init__(self, port: int, token: str, origin: str = ORIGIN) -> None:
        self.updates: queue.Queue[dict[str, Any]] = queue.Queue()
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        self.sio.on("event", self.updates.put, namespace=NAMESPACE)
        self.sio.connect(
            f"http://127.0.0.1:{port}?token={token}",
            socketio_path=NAMESPACE,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            wait_timeout=10,
        )

    def call(self, handler: str, **payload: Any) -> dict[str, Any]:
        """Send one event and merge every delta it produces (until the socket goes quiet)."""
        self.sio.emit(
            "event",
            {
                "name": handler,
                "payload": payload,
                "router_data": {"pathname": "/", "query": {}, "asPath": "/"},
            },
            namespace=NAMESPACE,
        )
        merged: dict[str, Any] = {"delta": {}, "events": []}
        update = self.updates.get(timeout=15)
        while True:
            for substate, values in (update.get("delta") or {}).items():
                merged["delta"].setdefault(substate, {}).update(values)
            merged["events"].extend(update.get("events") or [])
            try:
                update = self.updates.get(timeout=0.5)
            except queue.Empty:
                return merged

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def tab(port: int, token: str) -> Iterator[Tab]:
    t = Tab(port, token)
    try:
        yield t
    finally:
        t.close()


def test_production_websocket_refuses_foreign_origins(workers):
    port_a, _ = workers
    with pytest.raises(socketio.exceptions.ConnectionError):
        Tab(port_a, str(uuid.uuid4()), origin="https://evil.example")
    with tab(port_a, str(uuid.uuid4())) as allowed:  # an origin from CORS_ORIGINS
        assert allowed.sio.connected


def _redirects_to_login(update: dict[str, Any]) -> bool:
    return any(e.get("name") == "_redirect" for e in update["events"])


def test_state_set_on_one_worker_is_seen_by_the_other(workers):
    port_a, port_b = workers
    client = str(uuid.uuid4())

    with tab(port_a, client) as a:
        update = a.call(f"{LANG_STATE}.set_lang", lang="en")
    assert update["delta"][LANG_STATE]["lang_rx_state_"] == "en"

    # Worker B toggles the language it finds in Redis: en -> ru (a fresh state would give en).
    with tab(port_b, client) as b:
        update = b.call(f"{LANG_STATE}.toggle_lang")
    assert update["delta"][LANG_STATE]["lang_rx_state_"] == "ru"

    with tab(port_a, client) as a:
        update = a.call(f"{LANG_STATE}.toggle_lang")
    assert update["delta"][LANG_STATE]["lang_rx_state_"] == "en"


@pytest.fixture
def login_sessions(migrated_engine) -> Iterator[tuple[str, str]]:
    """A committed user with two live login sessions (the workers read them from PostgreSQL)."""
    tag = uuid.uuid4().hex[:8]
    with Session(migrated_engine) as s:
        user = User(
            full_name="Масштабов Марк",
            email=f"scale-{tag}@example.test",
            phone=f"+7999{int(tag, 16) % 10**7:07d}",
            password_hash=hash_password("Scale-Out-2026!"),
            email_confirmed_at=utcnow(),
            phone_confirmed_at=utcnow(),
        )
        s.add(user)
        s.flush()
        assert user.id is not None
        tokens = (create_session(s, user_id=user.id), create_session(s, user_id=user.id))
        s.commit()
        user_id = user.id
    try:
        yield tokens
    finally:
        with Session(migrated_engine) as s:
            for row in s.exec(select(UserSession).where(UserSession.user_id == user_id)):
                s.delete(row)
            s.flush()
            s.delete(s.get(User, user_id))
            s.commit()


def _revoked(engine, token: str) -> bool:
    with Session(engine) as s:
        row = s.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
        return row.revoked_at is not None


def test_database_writes_of_each_worker_are_seen_by_the_other(
    workers, login_sessions, migrated_engine
):
    port_a, port_b = workers
    first, second = login_sessions
    client = str(uuid.uuid4())

    # The browser's cookie reaches worker A; A resolves the caller from the database.
    with tab(port_a, client) as a:
        a.call(UPDATE_VARS, vars={TOKEN_VAR: first})
        update = a.call(f"{SESSION_STATE}.require_login")
    assert not _redirects_to_login(update)
    assert update["delta"][SESSION_STATE]["me_name_rx_state_"] == "Масштабов Марк"

    # Worker B logs that tab out: it knows the token only from the shared state, and writes.
    with tab(port_b, client) as b:
        b.call(f"{SESSION_STATE}.logout")
    assert _revoked(migrated_engine, first)

    # Worker A sees B's write: the same cookie no longer logs in.
    with tab(port_a, client) as a:
        a.call(UPDATE_VARS, vars={TOKEN_VAR: first})
        assert _redirects_to_login(a.call(f"{SESSION_STATE}.require_login"))

    # And the other way round: A ends the second session, B sees it ended.
    other = str(uuid.uuid4())
    with tab(port_b, other) as b:
        b.call(UPDATE_VARS, vars={TOKEN_VAR: second})
        assert not _redirects_to_login(b.call(f"{SESSION_STATE}.require_login"))
    with tab(port_a, other) as a:
        a.call(f"{SESSION_STATE}.logout")
    assert _revoked(migrated_engine, second)
    with tab(port_b, other) as b:
        b.call(UPDATE_VARS, vars={TOKEN_VAR: second})
        assert _redirects_to_login(b.call(f"{SESSION_STATE}.require_login"))
