"""Every page of the running app, at desktop and phone width, as the role it is meant for.

The routes come from the app itself, so a new page is visited without touching this file.
A page fails on any console error or uncaught page error (see the `page` fixtures), and when a
logged-in page sends its rightful user to the login page. Screenshots go to a temp dir (and to
$SHOTS_DIR when set) for a human to look at.
"""

from __future__ import annotations

import contextlib
import re

import pytest

from tests.e2e.helpers import BrowserPage, Viewport, session_token

pytestmark = pytest.mark.e2e

# Pages for visitors who are not logged in.
PUBLIC = {"/login", "/register", "/reset-password", "/feedback", "/help", "/rate", "/verify"}
PUBLIC |= {"/trace"}  # a certificate's public QR page (cabinet/documents)
# Steps of a half-finished sign-up or login: without one, they send the visitor to /login.
STEP_PAGES = {"/register/confirm", "/login/2fa"}
STAFF_PREFIX = "/admin"
CUSTOMER = "client-admin@demo.local"  # customer administrator of ООО «Ромашка»
STAFF = "superadmin@demo.local"

# Pages that show one record: which record to open (demo data ids are resolved at run time).
RECORD_QUERY = {
    "/orders/view": ("orders", "erp_id", "DEMO-7707083893-O1"),
    "/finance/contract": ("contracts", "erp_id", "DEMO-7707083893-C1"),
    "/organisations/profile": ("organisations", "inn", "7707083893"),
    "/admin/organisations/view": ("organisations", "inn", "7707083893"),
    "/admin/users/view": ("users", "email", "client@demo.local"),
    "/journals/object": ("service_objects", "name", "Склад № 1"),
    "/journals/journal": ("journals", "status", "active"),
    "/journals/entry": ("journal_entries", "state", "signed"),
    "/admin/auctions/view": ("auctions", "title", "Трубы большого диаметра и прокат — торги дня"),
    "/admin/auctions/edit": ("auctions", "title", "Остатки склада Выкса: трубы и отводы"),
    "/auctions/view": ("auctions", "title", "Трубы большого диаметра и прокат — торги дня"),
    "/auctions/lot": ("auction_lots", "product", "Труба 530×8 К52 ГОСТ 20295"),
    "/admin/telecom/sim": ("telecom_sim_cards", "status", "active"),
    "/admin/telecom/subscriber": ("telecom_contracts", "status", "active"),
    "/admin/telecom/partner": ("telecom_partners", "inn", "7714000009"),
}


def _routes(app_harness) -> list[str]:  # type: ignore[no-untyped-def]
    app = app_harness.app_instance
    out = []
    for key in app._unevaluated_pages:
        route = "/" + ("" if key == "index" else key)
        # A dynamic segment gets a value no record has: the page must cope with it.
        out.append(re.sub(r"\[+\.*(\w+)\]+", "e2e-unknown", route))
    return sorted(out)


def _record_id(table: str, column: str, value: str) -> int | None:
    from sqlalchemy import text

    from tests.e2e.helpers import engine

    with engine().connect() as conn:
        return conn.execute(
            text(f"SELECT id FROM {table} WHERE {column} = :v"),  # names from the dict above
            {"v": value},
        ).scalar()


def _who(route: str) -> str | None:
    if route in PUBLIC or route in STEP_PAGES or route.startswith(("/help/",)):
        return None
    return STAFF if route.startswith(STAFF_PREFIX) else CUSTOMER


def _url(route: str) -> str:
    if route in RECORD_QUERY:
        record = _record_id(*RECORD_QUERY[route])
        if record is not None:
            return f"{route}?id={record}"
    return route


def settle(page: BrowserPage) -> None:
    """Let the page's code chunks and on_load data arrive before judging and photographing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A page that keeps polling never goes idle; it is judged all the same.
    with contextlib.suppress(PlaywrightTimeout):
        page.page.wait_for_load_state("networkidle", timeout=10_000)
    page.page.wait_for_timeout(300)


def _shot_name(viewport: Viewport, route: str) -> str:
    return f"page-{viewport.width}-{route.strip('/').replace('/', '_') or 'home'}"


@pytest.mark.parametrize("viewport", [Viewport.DESKTOP, Viewport.PHONE], ids=["1280", "390"])
def test_every_page_renders_without_console_errors(open_page, app_harness, viewport) -> None:  # type: ignore[no-untyped-def]
    routes = _routes(app_harness)
    assert "/" in routes and "/login" in routes
    browsers: dict[str | None, BrowserPage] = {}
    sent_to_login: list[str] = []
    for route in routes:
        who = _who(route)
        if who not in browsers:
            browsers[who] = open_page(viewport)
            if who is not None:
                browsers[who].use_session(session_token(who))
        page = browsers[who]
        page.goto(_url(route))
        settle(page)
        if who is not None and page.path().startswith("/login"):
            sent_to_login.append(f"{route} (as {who})")
        page.shot(_shot_name(viewport, route))
    assert not sent_to_login, f"pages that sent their own user to /login: {sent_to_login}"
