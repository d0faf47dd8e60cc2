"""The issue's main path in Chromium, plus what a customer must not see.

register → confirm the e-mail and phone codes (read from the local outbox) → log in → ask to be
linked to АО «Северсталь-Сервис» by INN → an administrator approves → the user sees it.
"""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import Session, col, select

from tests.e2e.helpers import (
    BrowserPage,
    Viewport,
    engine,
    login_ui,
    outbox_code,
    user_id,
)

pytestmark = pytest.mark.e2e

LINK_INN = "7736207543"
LINK_ORG = 'АО "Северсталь-Сервис"'
PASSWORD = "Cabinet-e2e-2026"


def _link_request_id(email: str, inn: str) -> int:
    from models import LinkRequest, Organisation

    with Session(engine()) as s:
        rid = s.exec(
            select(LinkRequest.id)
            .join(Organisation, col(Organisation.id) == LinkRequest.organisation_id)
            .where(LinkRequest.user_id == user_id(email), Organisation.inn == inn)
            .order_by(col(LinkRequest.id).desc())
        ).first()
    assert rid is not None, f"no link request from {email} for {inn}"
    return rid


def _request_status(request_id: int) -> str:
    from models import LinkRequest

    with Session(engine()) as s:
        req = s.get(LinkRequest, request_id)
        assert req is not None
        return req.status


def test_a_new_customer_registers_confirms_logs_in_and_gets_linked(open_page) -> None:  # type: ignore[no-untyped-def]
    # Given a visitor with a fresh e-mail and phone
    suffix = secrets.token_hex(3)
    email = f"new-{suffix}@example.ru"
    digits = f"{secrets.randbelow(10**7):07d}"
    phone_typed = f"+7 (916) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    phone = f"+7916{digits}"
    visitor: BrowserPage = open_page()

    # When they sign up
    visitor.goto("/register")
    visitor.fill("reg-full-name", "Новикова Нина Николаевна")
    visitor.fill("reg-email", email)
    visitor.fill("reg-phone", phone_typed)
    visitor.fill("reg-password", PASSWORD)
    visitor.fill("reg-password2", PASSWORD)
    visitor.shot("flow-01-register")
    visitor.click("reg-submit")

    # Then they are asked for the two codes, which went to the local outbox
    visitor.wait_path("/register/confirm")
    visitor.by_id("confirm-email-code").wait_for()
    visitor.fill("confirm-email-code", outbox_code(email))
    visitor.fill("confirm-phone-code", outbox_code(phone))
    visitor.shot("flow-02-confirm")
    visitor.click("confirm-submit")
    visitor.wait_path("/")

    # When they log in again in a fresh browser
    customer: BrowserPage = open_page()
    login_ui(customer, email, PASSWORD)
    assert customer.path().split("?")[0] in ("/", "")
    customer.wait_id_text("greeting", "Новикова")

    # And ask to be linked to an existing organisation by its INN
    customer.goto("/organisations")
    customer.by_id("link-inn").fill(LINK_INN)
    customer.by_id("link-message").fill("Бухгалтер, прошу доступ")
    customer.click("link-submit")
    customer.page.wait_for_function(
        "() => document.querySelector('#link-inn') && document.querySelector('#link-inn').value === ''"
    )
    request_id = _link_request_id(email, LINK_INN)
    assert _request_status(request_id) == "pending"
    customer.goto("/organisations/requests")
    customer.by_id(f"request-{request_id}").wait_for()
    customer.shot("flow-03-request-sent")

    # Then an administrator approves it
    admin: BrowserPage = open_page()
    login_ui(admin, "admin@demo.local")
    admin.goto("/admin/link-requests")
    admin.click(f"request-approve-{request_id}")
    admin.by_id("decision-submit").wait_for()
    admin.by_id("decision-comment").fill("Проверено")
    admin.shot("flow-04-approve")
    admin.click("decision-submit")
    admin.page.wait_for_function(f"() => !document.querySelector('#request-approve-{request_id}')")
    assert _request_status(request_id) == "approved"

    # And the customer, reloading, sees the organisation
    customer.goto("/organisations")
    customer.wait_id_text("org-list", LINK_ORG)
    customer.shot("flow-05-linked")


def test_a_reload_keeps_the_user_logged_in(page: BrowserPage) -> None:
    login_ui(page, "client@demo.local")
    page.wait_id_text("greeting", "Покупателев")
    page.page.reload()
    page.wait_hydrated()
    page.wait_id_text("greeting", "Покупателев")
    assert page.path().split("?")[0] in ("/", "")


def test_the_language_switch_shows_english(page: BrowserPage) -> None:
    login_ui(page, "client@demo.local")
    page.by_id("greeting").wait_for()
    page.click("lang-switch")
    page.page.wait_for_function(
        "() => (document.querySelector('#greeting')?.innerText || '').startsWith('Hello')"
    )
    assert "My organisations" in page.text()
    page.page.reload()
    page.wait_hydrated()
    page.page.wait_for_function(
        "() => (document.querySelector('#greeting')?.innerText || '').startsWith('Hello')"
    )
    page.click("lang-switch")  # back to Russian for the next tests of this browser
    page.page.wait_for_function(
        "() => (document.querySelector('#greeting')?.innerText || '').startsWith('Здравствуйте')"
    )


@pytest.mark.parametrize("viewport", [Viewport.DESKTOP, Viewport.PHONE], ids=["1280", "390"])
def test_a_customer_sees_no_admin_links_and_no_admin_data(open_page, viewport) -> None:  # type: ignore[no-untyped-def]
    page: BrowserPage = open_page(viewport)
    login_ui(page, "client@demo.local")
    page.by_id("greeting").wait_for()
    if viewport is Viewport.PHONE:
        page.click("menu-button")
    assert page.page.locator("a[href^='/admin']").count() == 0
    for path in ("/admin/users", "/admin/organisations", "/admin/link-requests", "/admin/audit"):
        page.goto(path)
        page.page.wait_for_timeout(300)
        body = page.text()
        for secret in ("admin@demo.local", "manager@demo.local", "Админова", "Заявкина"):
            assert secret not in body, f"{path} shows {secret!r} to a customer"


def test_another_organisations_card_is_not_shown_by_id(page: BrowserPage) -> None:
    from models import Organisation

    with Session(engine()) as s:
        victim = s.exec(select(Organisation).where(Organisation.inn == "7707083893")).one()
    login_ui(page, "other@demo.local")  # customer of ИП Иванов only
    page.goto(f"/organisations/profile?id={victim.id}")
    page.page.wait_for_timeout(500)
    body = page.text()
    for secret in (victim.name, victim.kpp, victim.ogrn, "Вавилова", "Клиентова"):
        assert secret not in body, f"a stranger sees {secret!r} of another organisation"
