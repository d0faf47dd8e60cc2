"""Grid-connection application in Chromium, draft to completed: the applicant fills the form
(autosaved on leaving each field), attaches the required documents and submits; the manager
returns it for revision with a comment; the applicant corrects and resubmits; the manager and
the applicant walk it through contract, payment, works, inspection and acts, with signed scans;
the applicant downloads documents. Another organisation's customer gets "not found"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import Session, select

from tests.e2e.helpers import DEMO_PASSWORD, Viewport, engine, session_token

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
    page.page.get_by_role("option", name=re.compile(option)).first.click()


def _type(page, field_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Type into a form field and leave it (the blur autosaves the draft)."""
    page.fill(field_id, value)
    page.by_id(field_id).blur()


def _status(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_id_text("app-status", label)


def _act(page, action: str, label: str, *, comment: str = "", scan=None) -> None:  # type: ignore[no-untyped-def]
    """Press a workflow button; fill the dialog when the step asks for something."""
    page.click(f"app-action-{action}")
    confirm = page.by_id("app-action-confirm")
    try:
        confirm.wait_for(timeout=1500)
    except PlaywrightTimeout:  # no dialog: the step ran at once
        _status(page, label)
        return
    if scan is not None:
        page.page.set_input_files("#app-scan input[type=file]", str(scan))
        page.click("app-scan-submit")
        page.page.get_by_text(scan.name).first.wait_for()
    if comment:
        page.fill("app-action-comment", comment)
    confirm.click()
    _status(page, label)


def _app_id(number_path: str) -> int:
    return int(number_path.rsplit("=", 1)[1])


def test_application_from_draft_to_completed_with_a_return(open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(PDF)
    client = open_page()
    _login(client, "client@demo.local")
    client.goto("/applications")
    client.click("app-new")
    client.wait_path("/applications/edit")
    client.wait_hydrated()
    client.by_id("app-object-name").wait_for()
    _type(client, "app-object-name", "Электрокотельная")
    _type(client, "app-object-address", "г. Москва, ул. Тестовая, 1")
    _type(client, "app-cadastral-number", "77:01:0001001:999")
    _type(client, "app-max-power-kw", "120")
    _pick(client, "app-voltage", "10 кВ")
    _pick(client, "app-reliability", "III категория")
    _pick(client, "app-reason", "Новое присоединение")
    client.wait_id_text("app-saved-note", "Черновик сохранён")
    for kind_label in ("План расположения", "Правоустанавливающий", "Однолинейная"):
        _pick(client, "app-upload-kind", kind_label)
        doc = tmp_path / f"doc-{len(kind_label)}.pdf"
        doc.write_bytes(PDF + kind_label.encode())
        client.page.set_input_files("#app-upload input[type=file]", str(doc))
        client.click("app-upload-submit")
        client.by_id("app-attachments").get_by_text(doc.name).wait_for()
    client.by_id("app-missing-files").wait_for(state="detached")
    client.shot("applications-form-filled")
    client.click("app-submit")
    client.page.wait_for_url(re.compile(r"/applications/view\?id=\d+"))
    view_path = client.path()
    _status(client, "Подана")
    client.wait_id_text("app-next-step", "проверит")

    manager = open_page()
    manager.use_session(session_token("manager@demo.local"))
    manager.goto("/admin/applications")
    manager.by_id("reg-list").get_by_text("Электрокотельная").first.wait_for()
    manager.goto(view_path)
    _act(manager, "take", "На рассмотрении")
    _act(manager, "return", "Возвращена", comment="Уточните кадастровый номер")
    manager.shot("applications-manager-returned")

    client.goto(view_path)
    _status(client, "Возвращена")
    client.wait_id_text("app-timeline", "Уточните кадастровый номер")
    client.click("app-edit")
    client.wait_path("/applications/edit")
    client.wait_hydrated()
    client.page.wait_for_function(
        "() => document.getElementById('app-cadastral-number')?.value === '77:01:0001001:999'"
    )
    _type(client, "app-cadastral-number", "77:01:0001001:1000")
    client.wait_id_text("app-saved-note", "Черновик сохранён")
    client.click("app-submit")
    client.page.wait_for_url(re.compile(r"/applications/view\?id=\d+"))
    _status(client, "Подана")

    manager.goto(view_path)
    for action, label in (
        ("take", "На рассмотрении"),
        ("accept", "Принята"),
        ("prepare_contract", "Договор готовится"),
        ("send_contract", "Договор направлен"),
    ):
        _act(manager, action, label)

    client.goto(view_path)
    client.by_id("app-documents").get_by_text("Договор").first.wait_for()
    _act(client, "sign_contract", "Договор подписан", scan=scan)

    manager.goto(view_path)
    for action, label in (
        ("issue_invoice", "Счёт выставлен"),
        ("confirm_payment", "Оплачено"),
        ("issue_tc", "Технические условия"),
        ("start_grid_works", "Работы сетевой"),
        ("grid_works_done", "Работы заявителя"),
    ):
        _act(manager, action, label)

    client.goto(view_path)
    _act(client, "report_done", "сообщил о готовности")

    manager.goto(view_path)
    for action, label in (
        ("start_inspection", "Осмотр"),
        ("admit_meter", "Прибор учёта допущен"),
        ("connect", "Фактическое присоединение"),
    ):
        _act(manager, action, label)

    client.goto(view_path)
    _act(client, "sign_act", "Акт о присоединении подписан", scan=scan)
    manager.goto(view_path)
    _act(manager, "complete", "Завершена")

    client.goto(view_path)
    _status(client, "Завершена")
    docs = client.by_id("app-documents")
    for title in ("Договор", "Счёт", "Технические условия", "Акт допуска", "Акт об осуществлении"):
        docs.get_by_text(title).first.wait_for()
    assert client.by_id("app-actions").locator("button").count() == 0
    client.shot("applications-client-completed")
    # The contract downloads through the authorised files route.
    href = client.by_id("app-documents").get_by_text("Договор").first.get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in client.context.cookies())
    answer = client.page.request.get(href, headers={"Cookie": cookies})
    assert answer.ok
    assert answer.body().startswith(b"%PDF")

    from models import Application

    with Session(engine()) as s:
        app = s.exec(select(Application).where(Application.id == _app_id(view_path))).one()
        assert app.status == "completed"
        assert app.cadastral_number == "77:01:0001001:1000"

    phone = open_page(Viewport.PHONE)
    phone.use_session(session_token("other@demo.local"))  # another organisation's customer
    phone.goto(view_path)
    phone.by_id("app-missing").wait_for()
    assert "Электрокотельная" not in phone.text()
