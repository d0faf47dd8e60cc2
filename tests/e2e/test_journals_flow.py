"""Maintenance journal in Chromium: the operator's engineer writes an entry and sends it for
signatures, signs it for the operator with his PIN; the subscriber's responsible person sees it
waiting, a wrong PIN is refused, the right one signs it; the signature is then checked on the
public /verify page by an anonymous visitor. Another organisation's customer gets "not found"."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.e2e.helpers import DEMO_PASSWORD, SESSION_COOKIE, Viewport, engine

pytestmark = pytest.mark.e2e


def _patient(page):  # type: ignore[no-untyped-def]
    """The dev server compiles each page on its first visit: slow on a busy machine."""
    page.page.set_default_navigation_timeout(120_000)
    page.page.set_default_timeout(60_000)
    return page


def _login(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("login-id", email)
    page.fill("login-password", DEMO_PASSWORD)
    page.click("login-submit")
    page.page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def _fire_journal_id() -> int:
    from models import Journal, JournalType, ServiceObject

    with Session(engine()) as s:
        row = s.exec(
            select(Journal.id)
            .join(ServiceObject, ServiceObject.id == Journal.object_id)
            .join(JournalType, JournalType.id == Journal.type_id)
            .where(
                ServiceObject.name == "Склад № 1",
                JournalType.code == "fire",
                Journal.status == "active",
            )
        ).first()
    assert row is not None, "demo journal missing"
    return int(row)


def _sign(page, pin: str) -> None:  # type: ignore[no-untyped-def]
    page.click("jentry-sign")
    page.by_id("jentry-pin").wait_for()
    page.fill("jentry-pin", pin)
    page.click("jentry-sign-confirm")


@pytest.mark.timeout(1500)  # six pages compiled on first visit by the dev server of a busy machine
def test_entry_written_signed_by_both_sides_and_verified(open_page) -> None:  # type: ignore[no-untyped-def]
    journal_id = _fire_journal_id()

    # The operator's engineer writes the entry and sends it for signatures.
    op = _patient(open_page())
    _login(op, "operator@demo.local")
    op.goto(f"/journals/journal?id={journal_id}")
    # The journal's print form (rendered in a thread while the page stays live).
    op.click("journal-print")
    op.by_id("journal-pdf-link").wait_for()
    pdf_href = op.by_id("journal-pdf-link").get_attribute("href") or ""
    # the operator's session cookie (the test's API runs on another host name than the pages)
    token = next(c["value"] for c in op.context.cookies() if c["name"] == SESSION_COOKIE)
    pdf = op.page.context.request.get(pdf_href, headers={"Cookie": f"{SESSION_COOKIE}={token}"})
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF"), pdf.status
    op.click("journal-new-entry")
    op.by_id("jentry-new-work-kind").wait_for()
    op.fill("jentry-new-work-kind", "Проверка СОУЭ (e2e)")
    op.fill("jentry-new-description", "Проверены оповещатели, речевые сообщения слышны.")
    op.click("jentry-new-save")
    op.wait_path("/journals/entry")
    entry_url = op.path()
    op.wait_id_text("jentry-state", "Черновик")
    op.click("jentry-submit")
    op.wait_id_text("jentry-state", "Ждёт подписей")
    _sign(op, "1234")
    op.wait_id_text("jentry-state", "Подписана частично")

    # The subscriber's responsible person sees it waiting and signs (a wrong PIN first).
    sub = _patient(open_page(Viewport.PHONE))
    _login(sub, "client-admin@demo.local")
    sub.goto("/journals")
    sub.page.wait_for_function(
        "() => Number(document.getElementById('journals-awaiting-count')?.innerText) >= 1"
    )
    sub.goto("/journals/awaiting")
    sub.page.locator("text=Проверка СОУЭ (e2e) >> visible=true").first.wait_for()
    sub.goto(entry_url)
    _sign(sub, "0000")
    sub.wait_id_text("jentry-pin-error", "PIN")
    sub.fill("jentry-pin", "1234")
    sub.click("jentry-sign-confirm")
    sub.wait_id_text("jentry-state", "Подписана")
    sub.page.wait_for_function(
        "() => !(document.getElementById('jentry-state')?.innerText || '').includes('частично')"
    )

    # Anyone checks the signature on the public page.
    href = sub.page.locator("a.jentry-verify").first.get_attribute("href")
    assert href and "/verify?code=" in href
    anon = _patient(open_page())
    anon.goto(href[href.index("/verify") :])
    anon.wait_id_text("verify-verdict", "действительна")
    assert "недействительна" not in anon.by_id("verify-verdict").inner_text()

    # A customer of another organisation sees nothing of it.
    other = _patient(open_page())
    _login(other, "other@demo.local")
    other.goto(entry_url)
    other.by_id("jentry-not-found").wait_for()
    assert "Проверка СОУЭ" not in other.text()
