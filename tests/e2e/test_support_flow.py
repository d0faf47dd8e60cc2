"""Support desk in Chromium: a customer opens a request to their own manager with a file, the
manager answers, the customer sees the reply and the bell count; the customer has no staff
buttons and another organisation's customer gets "not found"."""

from __future__ import annotations

import re
import time

import pytest
from sqlmodel import Session, col, func, select

from tests.e2e.helpers import DEMO_PASSWORD, Viewport, engine, session_token, user_id

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("login-id", email)
    page.fill("login-password", DEMO_PASSWORD)
    page.click("login-submit")
    page.page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def _pick(page, trigger_id: str, option: str) -> None:  # type: ignore[no-untyped-def]
    page.click(trigger_id)
    page.page.get_by_role("option", name=re.compile(option)).click()


def _unread(email: str) -> int:
    from models import Notification

    with Session(engine()) as s:
        return s.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id(email), col(Notification.read_at).is_(None))
        ).one()


def test_customer_writes_to_own_manager_and_sees_the_reply(open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    subject = f"Сроки отгрузки {int(time.time())}"
    client = open_page()
    _login(client, "client@demo.local")
    client.goto("/support")
    client.click("support-new")
    client.wait_path("/support/new")
    client.wait_hydrated()
    client.by_id("support-subject").wait_for()
    _pick(client, "support-recipient", "Менеджеров")
    _pick(client, "support-category", "Вопрос по заказу")
    client.fill("support-subject", subject)
    client.fill("support-text", "Добрый день! Когда будет отгрузка?")
    pdf = tmp_path / "akt.pdf"
    pdf.write_bytes(PDF)
    client.page.set_input_files("#support-upload input[type=file]", str(pdf))
    client.click("support-upload-submit")
    client.by_id("support-new-files").wait_for()
    client.click("support-submit")
    client.page.wait_for_url(re.compile(r"/support/view\?id=\d+"))
    request_path = client.path()
    client.by_id("support-thread").get_by_text("akt.pdf").wait_for()
    # The customer sees no staff controls.
    assert client.by_id("support-action-take").count() == 0
    assert client.by_id("support-assignee").count() == 0
    assert client.by_id("support-reply-internal").count() == 0
    client.shot("support-customer-created")

    manager = open_page()
    manager.use_session(session_token("manager@demo.local"))
    manager.goto("/admin/support")
    manager.by_id("support-queue").get_by_text(subject).first.wait_for()
    manager.goto(request_path)
    manager.fill("support-reply-text", "Отгрузка 3 декабря.")
    manager.click("support-reply-submit")
    manager.page.wait_for_function(
        "() => document.querySelector('#support-status-badge')?.innerText.includes('Ждёт')"
    )
    manager.shot("support-manager-answered")

    expected = _unread("client@demo.local")
    assert expected >= 1
    client.goto(request_path)
    client.by_id("support-thread").get_by_text("Отгрузка 3 декабря.").wait_for()
    badge = client.by_id("bell-count")
    badge.wait_for()
    assert badge.inner_text().strip() == (str(expected) if expected < 100 else "99+")
    client.fill("support-reply-text", "Спасибо!")
    client.click("support-reply-submit")
    client.page.wait_for_function(
        "() => document.querySelector('#support-status-badge')?.innerText.includes('В работе')"
    )
    client.shot("support-customer-sees-reply")

    phone = open_page(Viewport.PHONE)
    phone.use_session(session_token("other@demo.local"))  # another organisation's customer
    phone.goto(request_path)
    phone.by_id("support-missing").wait_for()
    assert "Отгрузка 3 декабря." not in phone.text()
