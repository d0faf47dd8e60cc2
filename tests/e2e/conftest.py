"""End-to-end tier: the real app on a fresh database, driven by Chromium and a raw websocket.

One app for the whole tests/e2e package, stopped when the package is done (so its background
workers never run beside the other tiers' tests): `reflex.testing.AppHarness` compiles the app
from the repository root, runs the backend (uvicorn) in a thread of this process and the
frontend dev server as a child process (`E2E_PROD=1` exports and serves the production build
instead). The database is the session's temporary SQLite file set by tests/conftest.py, reset,
migrated with `alembic upgrade head` and loaded with the demo data before the app starts.

The `page` and `open_page` fixtures fail the test on any browser console error or uncaught
page error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.e2e.helpers import ROOT, BrowserPage, Viewport

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test, even if a module forgets its pytestmark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_engine() -> Engine:
    """The test database, reset, migrated to head and loaded with the demo data."""
    from alembic import command
    from cabinet.db import get_engine
    from cabinet.demo import load_demo
    from cabinet.settings import settings
    from tests.conftest import _alembic_config, _reset_database

    engine = get_engine()
    _reset_database(engine)
    command.upgrade(_alembic_config(settings.database_url), "head")
    from sqlmodel import Session

    with Session(engine) as s:
        load_demo(s)
    return engine


@pytest.fixture(scope="package")
def app_harness(e2e_engine: Engine) -> Iterator[object]:
    """The running app (backend thread + frontend server), started once per session."""
    from reflex.testing import AppHarness, AppHarnessProd

    env = dict(_HARNESS_ENV)
    # bun from the npm registry (see Makefile): Reflex uses the bun it finds first on PATH.
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    if tools.is_dir():
        env["PATH"] = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    if not os.environ.get("NPM_CONFIG_REGISTRY") and shutil.which("npm"):
        registry = subprocess.run(
            ["npm", "config", "get", "registry"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if registry:
            env["NPM_CONFIG_REGISTRY"] = registry
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    cls = AppHarnessProd if os.environ.get("E2E_PROD") == "1" else AppHarness
    harness = cls.create(root=ROOT, app_name="cabinet")
    try:
        harness.start()
        assert harness.frontend_url, "the frontend did not start"
        yield harness
    finally:
        harness.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# The frontend and backend listen on free ports chosen at start, so the backend accepts any
# origin in the test run (the production setting is CORS_ORIGINS).
_HARNESS_ENV = {
    "REFLEX_CORS_ALLOWED_ORIGINS": "*",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
}


@pytest.fixture(scope="package")
def frontend_url(app_harness) -> str:  # type: ignore[no-untyped-def]
    return app_harness.frontend_url.rstrip("/")


@pytest.fixture(scope="package")
def backend_url(app_harness) -> str:  # type: ignore[no-untyped-def]
    host, port = app_harness.backend.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """Screenshots go to a temp dir, and also to $SHOTS_DIR when set."""
    path = Path(tempfile.mkdtemp(prefix="cabinet-shots-"))
    return path


@pytest.fixture
def open_page(browser, frontend_url: str, shots_dir: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A factory of browser pages (own cookie jar each); fails the test on console errors."""
    pages: list[BrowserPage] = []

    def _open(viewport: Viewport = Viewport.DESKTOP) -> BrowserPage:
        context = browser.new_context(
            viewport={"width": viewport.width, "height": viewport.height},
            locale="ru-RU",
            base_url=frontend_url,
        )
        page = BrowserPage(context, frontend_url, shots_dir)
        pages.append(page)
        return page

    yield _open
    errors = [e for p in pages for e in p.errors]
    for p in pages:
        p.close()
    if errors:
        pytest.fail("browser console errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def page(open_page) -> BrowserPage:  # type: ignore[no-untyped-def]
    """One desktop-sized browser page; the test fails on any console or page error."""
    return open_page()
