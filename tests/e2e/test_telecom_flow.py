"""Telecom in Chromium as a subscriber (client@demo.local, ООО «Ромашка»): top-up through the
sandbox provider's card page (accepted, then declined with a clear message and the balance
unchanged), a tariff change request; another organisation's customer sees none of it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests.e2e.helpers import DEMO_PASSWORD, Viewport, engine

pytestmark = pytest.mark.e2e


def _login(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("login-id", email)
    page.fill("login-password", DEMO_PASSWORD)
    page.click("login-submit")
    page.page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def _rubles(text: str) -> Decimal:
    digits = re.sub(r"[^\d,−-]", "", text).replace(",", ".").replace("−", "-")
    return Decimal(digits)


def _balance(page) -> Decimal:  # type: ignore[no-untyped-def]
    return _rubles(page.by_id("sim-balance").inner_text())


def _top_up(page, amount: str, card: str) -> None:  # type: ignore[no-untyped-def]
    page.click("topup-open")
    page.by_id("topup-amount").wait_for()
    page.fill("topup-amount", amount)
    page.click("topup-submit")
    # The provider's page (the sandbox mounted under the backend's /api/sandbox-pay).
    page.page.wait_for_url(re.compile(r"/api/sandbox-pay/pay/"))
    page.page.fill("#card-number", card)
    page.page.fill("#card-exp", "12/30")
    page.page.fill("#card-cvc", "123")
    page.page.click("#sandbox-pay")
    page.page.wait_for_url(re.compile(r"/telecom\?sim=\d+&paid=\d+"))
    page.wait_hydrated()
    page.by_id("payment-notice").wait_for()


def test_subscriber_tops_up_through_the_sandbox_and_asks_for_another_tariff(open_page) -> None:  # type: ignore[no-untyped-def]
    from models import SimCard, TariffChangeRequest

    client = open_page()
    _login(client, "client@demo.local")
    client.goto("/telecom")
    client.wait_hydrated()
    client.wait_id_text("sim-msisdn", "+7 916 123-45-01")
    client.by_id("sim-tariff").wait_for()
    before = _balance(client)

    _top_up(client, "150", "4242 4242 4242 4242")
    client.wait_id_text("payment-notice", "Платёж прошёл")
    assert _balance(client) == before + 150
    client.wait_text("150,00 ₽")
    client.shot("telecom-after-topup")

    _top_up(client, "200", "4000 0000 0000 0002")
    client.wait_id_text("payment-notice", "Недостаточно средств")
    assert _balance(client) == before + 150
    client.wait_text("Баланс не изменился")

    client.click("tariff-open")
    client.by_id("tariff-choice").wait_for()
    client.click("tariff-choice")
    client.page.get_by_role("option", name=re.compile("Безлимит")).first.click()
    client.fill("tariff-comment", "Нужен безлимитный интернет")
    client.click("tariff-submit")
    client.by_id("tariff-pending").wait_for()
    client.shot("telecom-tariff-requested")

    with Session(engine()) as s:
        sim = s.exec(select(SimCard).where(SimCard.msisdn == "+79161234501")).one()
        req = s.exec(
            select(TariffChangeRequest).where(
                TariffChangeRequest.sim_id == sim.id, TariffChangeRequest.status == "pending"
            )
        ).one()
        assert req.comment == "Нужен безлимитный интернет"
        sim_id = sim.id

    # A phone-sized screen shows the same SIM with its payments as cards.
    phone = open_page(Viewport.PHONE)
    _login(phone, "client@demo.local")
    phone.goto(f"/telecom?sim={sim_id}")
    phone.wait_hydrated()
    phone.wait_id_text("sim-msisdn", "+7 916 123-45-01")
    phone.by_id("payments-cards").wait_for()
    phone.shot("telecom-phone")

    # Another organisation's customer, changing the id in the address: nothing of Ромашка.
    stranger = open_page()
    _login(stranger, "other@demo.local")
    stranger.goto(f"/telecom?sim={sim_id}")
    stranger.wait_hydrated()
    stranger.page.wait_for_selector("#telecom-empty, #not-found, #no-access")
    assert "123-45-01" not in stranger.text()
