"""E-signatures in Chromium: a staff member asks for a certificate with a PIN, the owner issues
it from the admin list, a signature made with it checks out on the public /verify page for an
anonymous visitor, and after the owner revokes the certificate the same page says it is not
valid; a customer has no access to the owner's list."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, delete, select

from tests.e2e.helpers import Viewport, engine, session_token, user_id

pytestmark = pytest.mark.e2e

HOLDER = "manager@demo.local"  # staff with esign.use and no demo certificate
PIN = "2468"


def _clean_holder() -> None:
    from models.esign import Signature, SignatureCertificate

    uid = user_id(HOLDER)
    with Session(engine()) as s:
        s.execute(delete(Signature).where(col(Signature.user_id) == uid))
        s.execute(delete(SignatureCertificate).where(col(SignatureCertificate.user_id) == uid))
        s.commit()


def _certificate_id() -> int:
    from models.esign import SignatureCertificate

    with Session(engine()) as s:
        row = s.exec(
            select(SignatureCertificate).where(SignatureCertificate.user_id == user_id(HOLDER))
        ).one()
        assert row.id is not None
        return row.id


def _sign(content: bytes) -> str:
    from cabinet.esign import service

    with Session(engine(), expire_on_commit=False) as s:
        sig = service.make_signature(
            s,
            actor_id=user_id(HOLDER),
            pin=PIN,
            content=content,
            purpose="e2e.note",
            subject_ref="note:1",
            signer_role="Менеджер",
        )
        s.commit()
        return sig.code


def test_request_issue_verify_revoke(open_page) -> None:  # type: ignore[no-untyped-def]
    _clean_holder()
    holder = open_page()
    holder.use_session(session_token(HOLDER))
    holder.goto("/esign")
    holder.by_id("esign-req-position").wait_for()
    holder.fill("esign-req-position", "Менеджер по работе с клиентами")
    holder.fill("esign-req-pin", PIN)
    holder.fill("esign-req-pin-repeat", "1357")
    holder.click("esign-req-confirm")
    holder.click("esign-req-submit")
    holder.wait_id_text("esign-req-pin-repeat-error", "не совпадают")
    holder.fill("esign-req-pin-repeat", PIN)
    holder.click("esign-req-submit")
    holder.page.wait_for_function("() => document.body.innerText.includes('Запрос от')")
    cert_id = _certificate_id()
    holder.by_id(f"esign-cancel-{cert_id}").wait_for()
    holder.shot("esign-requested")

    owner = open_page()
    owner.use_session(session_token("superadmin@demo.local"))
    owner.goto("/admin/esign?status=requested")
    owner.page.locator(f"#esign-issue-{cert_id}:visible").click()
    owner.by_id("esign-issue-days").fill("30")
    owner.shot("esign-issue-dialog")
    owner.click("esign-dlg-submit")
    owner.page.locator(f"#esign-issue-{cert_id}:visible").wait_for(state="detached")

    holder.goto("/esign")
    holder.by_id(f"esign-revoke-{cert_id}").wait_for()
    holder.by_id(f"esign-download-{cert_id}").wait_for()

    code = _sign("Запись журнала: ТО выполнено".encode())
    visitor = open_page(Viewport.PHONE)
    visitor.goto(f"/verify?code={code}")
    visitor.wait_id_text("verify-verdict", "Подпись действительна")
    visitor.wait_id_text("verify-signer", "Менеджеров")
    visitor.by_id("verify-qr").wait_for()
    visitor.shot("esign-verify-valid-phone")

    owner.goto("/admin/esign?status=valid")
    owner.page.locator(f"#esign-admin-revoke-{cert_id}:visible").click()
    owner.by_id("esign-revoke-comment").fill("Проверка отзыва")
    owner.click("esign-dlg-submit")
    owner.page.locator(f"#esign-admin-revoke-{cert_id}:visible").wait_for(state="detached")

    visitor.goto(f"/verify?code={code}")
    visitor.wait_id_text("verify-verdict", "недействительна")
    visitor.wait_id_text("verify-status-now", "отозван")
    visitor.shot("esign-verify-revoked-phone")

    visitor.goto("/verify?code=unknown-code-000000000")
    visitor.by_id("verify-not-found").wait_for()


def test_customer_has_no_owner_list(open_page) -> None:  # type: ignore[no-untyped-def]
    client = open_page()
    client.use_session(session_token("client@demo.local"))
    client.goto("/admin/esign")
    client.by_id("no-access").wait_for()
    assert client.page.locator("[id^='esign-issue-']").count() == 0
