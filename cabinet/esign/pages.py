"""Pages: "Моя электронная подпись" (/esign), the owner's "Сертификаты подписи"
(/admin/esign) and the public signature check (/verify)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.esign import rules
from cabinet.esign.state import EsignAdminState, MyEsignState, VerifyState
from cabinet.help.pages import site_page
from cabinet.i18n import t
from components.data_table import (
    data_table,
    filter_bar,
    mobile_card,
    no_access,
    pager,
    search_field,
    select_field,
)
from components.shell import shell

STATUS_COLORS: dict[str, str] = {
    "requested": "blue",
    "issued": "green",
    "revoke_requested": "orange",
    "revoked": "red",
    "expired": "gray",
    "rejected": "gray",
    "not_yet_valid": "amber",
}

OPENSSL_CMD = (
    "openssl cms -verify -binary -inform DER -in signature.p7s -content content.bin "
    "-CAfile ca.pem -purpose any"
)


def _status_badge(status: Any, label: Any) -> rx.Component:
    """`label` is the Russian text from the query; English comes from rules.STATUS_LABELS."""
    return rx.badge(
        rx.match(
            status,
            *[(k, t(ru, en)) for k, (ru, en) in rules.STATUS_LABELS.items()],
            label,
        ),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        white_space="nowrap",
    )


def _error(errors: Any, key: str, el_id: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color_scheme="red", size="1", id=el_id),
    )


def _label(text: Any, html_for: str) -> rx.Component:
    return rx.text(text, as_="label", html_for=html_for, size="2", weight="medium")


def _field(label: Any, control: rx.Component, errors: Any = None, key: str = "") -> rx.Component:
    parts: list[rx.Component] = [_label(label, str(control.id or "")), control]
    if errors is not None and key:
        parts.append(_error(errors, key, f"{control.id}-error"))
    return rx.vstack(*parts, spacing="1", width="100%")


def _pin_input(name: str, el_id: str, placeholder: Any = "") -> rx.Component:
    return rx.input(
        name=name,
        id=el_id,
        type="password",
        input_mode="numeric",
        auto_complete="off",
        max_length=rules.PIN_MAX,
        placeholder=placeholder,
        width="100%",
    )


def _fact(label: Any, value: Any, el_id: str = "") -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="160px"),
        rx.data_list.value(value, id=el_id or None, overflow_wrap="anywhere"),
    )


# --------------------------------------------------------------------------- /esign


def _cert_card(c: Any) -> rx.Component:
    s = MyEsignState
    return rx.card(
        rx.vstack(
            rx.flex(
                _status_badge(c.status, c.status_label),
                rx.cond(
                    c.serial != "",
                    rx.text(
                        t("Сертификат № ", "Certificate "), c.serial, size="2", weight="medium"
                    ),
                    rx.text(t("Запрос от ", "Request of "), c.requested_at, size="2"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.data_list.root(
                _fact(t("Владелец", "Holder"), c.full_name),
                _fact(t("Должность", "Position"), c.position),
                _fact(t("Организация", "Organisation"), c.organisation),
                _fact("E-mail", c.email),
                rx.cond(
                    c.not_after != "",
                    _fact(t("Действует", "Valid"), rx.text(c.not_before, " — ", c.not_after)),
                ),
                rx.cond(
                    c.reject_reason != "",
                    _fact(t("Причина отказа", "Rejected because"), c.reject_reason),
                ),
                rx.cond(
                    c.revoked_at != "",
                    _fact(
                        t("Отозван", "Revoked"),
                        rx.text(c.revoked_at, " · ", c.revocation_reason),
                    ),
                ),
                rx.cond(
                    c.revoke_requested & (c.revoked_at == ""),
                    _fact(t("Запрошен отзыв", "Revocation asked"), c.revoke_request_reason),
                ),
                rx.cond(
                    c.pin_locked_until != "",
                    _fact(
                        t("Ключ заблокирован до", "Key locked until"),
                        rx.text(c.pin_locked_until, color_scheme="red"),
                    ),
                ),
                size="2",
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.flex(
                rx.cond(
                    c.serial != "",
                    rx.link(
                        rx.button(
                            rx.icon("download", size=16),
                            t("Скачать сертификат", "Download certificate"),
                            variant="soft",
                        ),
                        href=routes.ESIGN_CERT_PEM + "/" + c.serial + ".pem",
                        is_external=True,
                        id="esign-download-" + c.id.to_string(),
                    ),
                ),
                rx.cond(
                    (c.status == "requested")
                    | (c.status == "issued")
                    | (c.status == "revoke_requested"),
                    rx.button(
                        rx.icon("key-round", size=16),
                        t("Сменить PIN-код", "Change PIN"),
                        variant="soft",
                        on_click=s.open_dialog("pin", c.id),
                        id="esign-pin-" + c.id.to_string(),
                    ),
                ),
                rx.cond(
                    c.status == "issued",
                    rx.button(
                        rx.icon("ban", size=16),
                        t("Запросить отзыв", "Ask to revoke"),
                        variant="soft",
                        color_scheme="red",
                        on_click=s.open_dialog("revoke", c.id),
                        id="esign-revoke-" + c.id.to_string(),
                    ),
                ),
                rx.cond(
                    c.status == "requested",
                    rx.button(
                        t("Отменить запрос", "Cancel request"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=s.cancel_request(c.id),
                        id="esign-cancel-" + c.id.to_string(),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="esign-cert-" + c.id.to_string(),
    )


def _request_form() -> rx.Component:
    s = MyEsignState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Запросить сертификат подписи", "Ask for a certificate"), size="4"),
                rx.text(
                    t(
                        "Проверьте данные: они войдут в сертификат. Ключ подписи создаётся на "
                        "сервере и хранится только зашифрованным вашим PIN-кодом — без PIN-кода "
                        "подписать нельзя, восстановить PIN-код невозможно.",
                        "Check your data: it goes into the certificate. The signing key is made "
                        "on the server and kept only encrypted with your PIN; nobody can sign "
                        "without it and it cannot be recovered.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.data_list.root(
                    _fact(t("ФИО", "Full name"), SessionState.me_name, "esign-req-name"),
                    _fact("E-mail", SessionState.me_email),
                    size="2",
                ),
                rx.grid(
                    _field(
                        t("Должность", "Position"),
                        rx.input(
                            name="position",
                            id="esign-req-position",
                            max_length=200,
                            placeholder=t("Например, инженер", "E.g. engineer"),
                            width="100%",
                        ),
                        s.errors,
                        "position",
                    ),
                    _field(
                        t("Организация", "Organisation"),
                        rx.select.root(
                            rx.select.trigger(id="esign-req-org", width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    s.org_options,
                                    lambda o: rx.select.item(o.label, value=o.value),
                                )
                            ),
                            name="organisation_id",
                            default_value=s.default_org,
                        ),
                        s.errors,
                        "organisation_id",
                    ),
                    _field(
                        t("PIN-код (4–12 цифр)", "PIN (4–12 digits)"),
                        _pin_input("pin", "esign-req-pin"),
                        s.errors,
                        "pin",
                    ),
                    _field(
                        t("PIN-код ещё раз", "PIN again"),
                        _pin_input("pin_repeat", "esign-req-pin-repeat"),
                        s.errors,
                        "pin_repeat",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.checkbox(
                    t(
                        "Данные верны, прошу выпустить сертификат",
                        "The data is correct, please issue the certificate",
                    ),
                    name="confirmed",
                    id="esign-req-confirm",
                ),
                _error(s.errors, "confirmed", "esign-req-confirm-error"),
                _error(s.errors, "form", "esign-req-error"),
                rx.button(
                    rx.icon("send", size=16),
                    t("Отправить запрос", "Send request"),
                    type="submit",
                    id="esign-req-submit",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.submit_request,
            reset_on_submit=False,
            key=s.form_key.to_string(),
            width="100%",
        ),
        width="100%",
    )


def _my_dialog() -> rx.Component:
    s = MyEsignState
    revoke = rx.form(
        rx.vstack(
            rx.dialog.title(t("Запросить отзыв сертификата", "Ask to revoke")),
            rx.text(
                t(
                    "Владелец системы отзовёт сертификат; после этого им нельзя будет "
                    "подписывать. Если PIN-код стал известен другим — укажите это.",
                    "The system owner will revoke the certificate; it will sign nothing after "
                    "that. Say so if someone else knows your PIN.",
                ),
                size="2",
            ),
            _field(
                t("Причина", "Reason"),
                rx.text_area(
                    name="reason", id="esign-revoke-reason", max_length=500, rows="3", width="100%"
                ),
            ),
            rx.cond(s.dlg_error != "", rx.text(s.dlg_error, color_scheme="red", size="1")),
            rx.flex(
                rx.dialog.close(rx.button(t("Отмена", "Cancel"), variant="soft", type="button")),
                rx.button(
                    t("Отправить", "Send"),
                    color_scheme="red",
                    type="submit",
                    id="esign-revoke-submit",
                ),
                spacing="2",
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.submit_revoke,
        reset_on_submit=False,
    )
    pin = rx.form(
        rx.vstack(
            rx.dialog.title(t("Сменить PIN-код", "Change PIN")),
            _field(t("Текущий PIN-код", "Current PIN"), _pin_input("old_pin", "esign-old-pin")),
            _field(t("Новый PIN-код", "New PIN"), _pin_input("pin", "esign-new-pin")),
            _field(
                t("Новый PIN-код ещё раз", "New PIN again"),
                _pin_input("pin_repeat", "esign-new-pin-repeat"),
            ),
            rx.cond(
                s.dlg_error != "",
                rx.text(s.dlg_error, color_scheme="red", size="1", id="esign-pin-error"),
            ),
            rx.flex(
                rx.dialog.close(rx.button(t("Отмена", "Cancel"), variant="soft", type="button")),
                rx.button(t("Сменить", "Change"), type="submit", id="esign-pin-submit"),
                spacing="2",
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.submit_pin,
        reset_on_submit=False,
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(s.dlg == "revoke", revoke, pin),
            max_width="480px",
        ),
        open=s.dlg != "",
        on_open_change=s.set_dialog_open,
    )


def _icon_link(icon: str, label: Any, href: str, *, external: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=14, flex_shrink="0"), label, spacing="1", align="center"),
        href=href,
        is_external=external,
        size="2",
    )


def _public_links(*, verify: bool = True) -> rx.Component:
    links = [
        _icon_link(
            "shield-check",
            t("Сертификат удостоверяющего центра", "CA certificate"),
            routes.ESIGN_CA_PEM,
            external=True,
        ),
        _icon_link(
            "list-x",
            t("Список отозванных сертификатов (CRL)", "Revocation list (CRL)"),
            routes.ESIGN_CRL_PEM,
            external=True,
        ),
    ]
    if verify:
        links.append(
            _icon_link(
                "search-check",
                t("Проверить подпись", "Check a signature"),
                routes.VERIFY,
                external=False,
            )
        )
    return rx.flex(*links, spacing="4", wrap="wrap")


def my_esign_page() -> rx.Component:
    s = MyEsignState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.text(
                    t(
                        "Неквалифицированная электронная подпись (63-ФЗ) для подписания записей "
                        "в журналах обслуживания и других документов кабинета. Сертификат "
                        "выпускает владелец системы после проверки ваших данных.",
                        "An unqualified electronic signature (Russian law 63-FZ) for journal "
                        "entries and other documents here. The system owner issues the "
                        "certificate after checking your data.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    s.certs.length() > 0,
                    rx.vstack(rx.foreach(s.certs, _cert_card), spacing="3", width="100%"),
                    rx.cond(
                        s.loaded,
                        rx.callout(
                            t(
                                "У вас пока нет сертификата подписи.",
                                "You have no signature certificate yet.",
                            ),
                            icon="info",
                            color_scheme="gray",
                            width="100%",
                            id="esign-none",
                        ),
                    ),
                ),
                rx.cond(
                    s.may_request,
                    _request_form(),
                    rx.cond(
                        s.request_block != "",
                        rx.callout(s.request_block, icon="info", width="100%", id="esign-block"),
                    ),
                ),
                _public_links(),
                _my_dialog(),
                spacing="4",
                width="100%",
                max_width="860px",
            ),
            no_access(),
        ),
        title=t("Моя электронная подпись", "My e-signature"),
    )


# --------------------------------------------------------------------------- /admin/esign


def _admin_actions(r: Any) -> rx.Component:
    s = EsignAdminState
    return rx.flex(
        rx.cond(
            r.status == "requested",
            rx.fragment(
                rx.button(
                    t("Выпустить", "Issue"),
                    size="1",
                    color_scheme="green",
                    on_click=s.open_dialog("issue", r.id),
                    id="esign-issue-" + r.id.to_string(),
                ),
                rx.button(
                    t("Отклонить", "Reject"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=s.open_dialog("reject", r.id),
                    id="esign-reject-" + r.id.to_string(),
                ),
            ),
        ),
        rx.cond(
            (r.status == "issued") | (r.status == "revoke_requested") | (r.status == "expired"),
            rx.button(
                t("Отозвать", "Revoke"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=s.open_dialog("revoke", r.id),
                id="esign-admin-revoke-" + r.id.to_string(),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _admin_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r.full_name, size="2", weight="medium"),
                rx.text(r.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.organisation, size="2"),
                rx.text(r.position, size="1", color_scheme="gray"),
                spacing="0",
            ),
            max_width="260px",
        ),
        rx.table.cell(
            rx.vstack(
                _status_badge(r.status, r.status_label),
                rx.cond(
                    r.revoke_requested & (r.revoked_at == ""),
                    rx.text(r.revoke_request_reason, size="1", color_scheme="orange"),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.text(rx.cond(r.serial != "", r.serial, "—"), size="1", font_family="monospace"),
            max_width="180px",
            overflow_wrap="anywhere",
        ),
        rx.table.cell(
            rx.cond(r.not_after != "", r.not_after, r.requested_at), white_space="nowrap"
        ),
        rx.table.cell(_admin_actions(r)),
    )


def _admin_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            _status_badge(r.status, r.status_label),
            rx.text(r.full_name, size="2", weight="medium"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(r.organisation, " · ", r.position, size="1", color_scheme="gray"),
        rx.cond(
            r.serial != "",
            rx.text("№ ", r.serial, " · ", r.not_after, size="1", overflow_wrap="anywhere"),
            rx.text(t("Запрос от ", "Requested "), r.requested_at, size="1"),
        ),
        rx.cond(
            r.revoke_requested & (r.revoked_at == ""),
            rx.text(r.revoke_request_reason, size="1", color_scheme="orange"),
        ),
        _admin_actions(r),
    )


def _admin_dialog() -> rx.Component:
    s = EsignAdminState
    row = s.dlg_row
    summary = rx.cond(
        row,
        rx.data_list.root(
            _fact(t("ФИО", "Full name"), row.full_name),
            _fact(t("Должность", "Position"), row.position),
            _fact(t("Организация", "Organisation"), row.organisation),
            _fact("E-mail", row.email),
            rx.cond(row.serial != "", _fact(t("Сертификат №", "Serial"), row.serial)),
            size="2",
        ),
    )
    issue = rx.vstack(
        rx.text(
            t(
                "Сверьте данные с документами сотрудника. Сертификат подпишет удостоверяющий "
                "центр системы.",
                "Check the data against the person's documents. The system's CA signs the "
                "certificate.",
            ),
            size="2",
        ),
        _field(
            t("Срок действия, дней", "Validity, days"),
            rx.input(
                name="days",
                id="esign-issue-days",
                type="number",
                min=rules.MIN_DAYS,
                max=rules.MAX_DAYS,
                default_value=s.default_days,
                width="160px",
            ),
        ),
        spacing="2",
        width="100%",
    )
    reject = _field(
        t("Причина отказа", "Why rejected"),
        rx.text_area(
            name="reason", id="esign-reject-reason", max_length=500, rows="3", width="100%"
        ),
    )
    revoke = rx.vstack(
        _field(
            t("Причина отзыва", "Reason"),
            rx.select.root(
                rx.select.trigger(id="esign-revoke-reason-select", width="100%"),
                rx.select.content(
                    *[
                        rx.select.item(t(ru, en), value=k)
                        for k, (ru, en) in rules.REVOCATION_LABELS.items()
                    ]
                ),
                name="reason",
                default_value=rules.RevocationReason.UNSPECIFIED.value,
            ),
        ),
        _field(
            t("Комментарий", "Comment"),
            rx.text_area(
                name="comment", id="esign-revoke-comment", max_length=500, rows="2", width="100%"
            ),
        ),
        spacing="2",
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.form(
                rx.vstack(
                    rx.dialog.title(
                        rx.match(
                            s.dlg,
                            ("issue", t("Выпустить сертификат", "Issue certificate")),
                            ("reject", t("Отклонить запрос", "Reject request")),
                            t("Отозвать сертификат", "Revoke certificate"),
                        )
                    ),
                    summary,
                    rx.match(s.dlg, ("issue", issue), ("reject", reject), revoke),
                    rx.cond(
                        s.dlg_error != "",
                        rx.text(s.dlg_error, color_scheme="red", size="1", id="esign-dlg-error"),
                    ),
                    rx.flex(
                        rx.dialog.close(
                            rx.button(t("Отмена", "Cancel"), variant="soft", type="button")
                        ),
                        rx.button(
                            rx.match(
                                s.dlg,
                                ("issue", t("Выпустить", "Issue")),
                                ("reject", t("Отклонить", "Reject")),
                                t("Отозвать", "Revoke"),
                            ),
                            color_scheme=rx.match(
                                s.dlg, ("issue", "green"), ("reject", "gray"), "red"
                            ),
                            type="submit",
                            id="esign-dlg-submit",
                        ),
                        spacing="2",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=s.submit_dialog,
                reset_on_submit=False,
                key=s.dlg + s.dlg_id.to_string(),
            ),
            max_width="520px",
        ),
        open=s.dlg != "",
        on_open_change=s.set_dialog_open,
    )


def admin_esign_page() -> rx.Component:
    s = EsignAdminState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                filter_bar(
                    select_field(
                        "status",
                        s.f_status,
                        [
                            ("requested", "Запросы", "Requests"),
                            ("revoke_requested", "Запрошен отзыв", "Revocation asked"),
                            ("valid", "Действуют", "Valid"),
                            ("expired", "Истекли", "Expired"),
                            ("revoked", "Отозваны", "Revoked"),
                            ("rejected", "Отклонены", "Rejected"),
                        ],
                        id="esign-f-status",
                        all_label=("Все", "All"),
                    ),
                    search_field(
                        "q",
                        s.f_q,
                        ("ФИО, e-mail, организация, №", "Name, e-mail, organisation, serial"),
                        id="esign-f-q",
                    ),
                    on_submit=s.apply_filters,
                    reset_href=routes.ESIGN_ADMIN,
                    key=s.query_key,
                    id_prefix="esign-f",
                ),
                data_table(
                    [
                        ("Владелец", "Holder"),
                        ("Организация, должность", "Organisation, position"),
                        ("Статус", "Status"),
                        ("Серийный номер", "Serial"),
                        ("Действует до", "Valid until"),
                        ("", ""),
                    ],
                    s.rows,
                    _admin_row,
                    id="esign-table",
                    mobile_card=_admin_card,
                    min_width="860px",
                ),
                pager(prev_href=s.prev_href, next_href=s.next_href, id_prefix="esign-pager"),
                _public_links(),
                _admin_dialog(),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Сертификаты подписи", "Signature certificates"),
    )


# --------------------------------------------------------------------------- /verify


def _verify_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="code",
                default_value=VerifyState.code,
                placeholder=t("Код подписи или ссылка из QR-кода", "Signature code or QR link"),
                max_length=300,
                id="verify-code",
                width="100%",
                aria_label="Код подписи",
            ),
            rx.button(t("Проверить", "Check"), type="submit", id="verify-submit"),
            spacing="2",
            width="100%",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        on_submit=VerifyState.check,
        reset_on_submit=False,
        key=VerifyState.code,
        width="100%",
    )


def _check_line(state: Any, label: Any, value: Any, el_id: str) -> rx.Component:
    """One line of the verdict: state "ok" (green tick), "bad" (red cross) or "unknown"."""
    return rx.hstack(
        rx.match(
            state,
            ("ok", rx.icon("circle-check", color=rx.color("green", 10), size=18, flex_shrink="0")),
            ("bad", rx.icon("circle-x", color=rx.color("red", 10), size=18, flex_shrink="0")),
            rx.icon("circle-help", color=rx.color("gray", 9), size=18, flex_shrink="0"),
        ),
        rx.text(label, value, size="2"),
        align="start",
        spacing="2",
        id=el_id,
    )


def _ok(condition: Any) -> Any:
    return rx.cond(condition, "ok", "bad")


def _verify_result() -> rx.Component:
    v = VerifyState.view
    return rx.vstack(
        rx.callout(
            v.verdict,
            icon=rx.cond(v.valid, "shield-check", "shield-alert"),
            color_scheme=rx.cond(v.valid, "green", "red"),
            size="2",
            width="100%",
            id="verify-verdict",
        ),
        rx.flex(
            rx.vstack(
                _check_line(
                    _ok(v.crypto_ok),
                    t("Криптографическая проверка: ", "Cryptographic check: "),
                    v.crypto_text,
                    "verify-crypto",
                ),
                _check_line(
                    _ok(v.status_now == "valid"),
                    t("Сертификат сейчас: ", "Certificate now: "),
                    v.status_now_text,
                    "verify-status-now",
                ),
                _check_line(
                    _ok(v.status_at_signing_text == "действовал"),
                    t("На момент подписания: ", "At signing time: "),
                    v.status_at_signing_text,
                    "verify-status-signing",
                ),
                _check_line(
                    rx.match(v.content_state, ("same", "ok"), ("changed", "bad"), "unknown"),
                    t("Содержимое: ", "Content: "),
                    v.content_text,
                    "verify-content",
                ),
                rx.data_list.root(
                    _fact(t("Подписант", "Signer"), v.signer_name, "verify-signer"),
                    _fact(t("Должность", "Position"), v.position),
                    _fact(t("Организация", "Organisation"), v.organisation, "verify-org"),
                    rx.cond(
                        v.signer_role != "", _fact(t("Подписал как", "Signed as"), v.signer_role)
                    ),
                    _fact(
                        t("Документ", "Document"),
                        rx.text(v.purpose_label, " · ", v.subject_ref),
                    ),
                    _fact(t("Время подписания", "Signed at"), v.signed_at, "verify-signed-at"),
                    _fact(
                        t("Сертификат №", "Certificate serial"),
                        rx.text(v.serial, font_family="monospace", size="1"),
                        "verify-serial",
                    ),
                    _fact(
                        t("Срок действия", "Valid"),
                        rx.text(v.cert_valid_from, " — ", v.cert_valid_to),
                    ),
                    _fact(
                        "SHA-256",
                        rx.text(v.sha256, font_family="monospace", size="1"),
                    ),
                    size="2",
                    orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                ),
                spacing="3",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.image(
                    src=VerifyState.qr_src,
                    width="148px",
                    height="148px",
                    alt="QR-код страницы проверки",
                    id="verify-qr",
                ),
                rx.text(t("Ссылка на эту проверку", "Link to this check"), size="1"),
                align="center",
                spacing="1",
            ),
            spacing="5",
            width="100%",
            direction=rx.breakpoints(initial="column-reverse", md="row"),
            align=rx.breakpoints(initial="center", md="start"),
        ),
        rx.card(
            rx.vstack(
                rx.text(
                    t("Проверить самостоятельно", "Check it yourself"), weight="medium", size="2"
                ),
                rx.text(
                    t(
                        "Скачайте архив: в нём подписанное содержимое, подпись CMS (PKCS#7) и "
                        "сертификаты. Проверка стандартным OpenSSL:",
                        "Download the bundle: the signed content, the CMS (PKCS#7) signature "
                        "and the certificates. Check with standard OpenSSL:",
                    ),
                    size="2",
                ),
                rx.code_block(
                    OPENSSL_CMD,
                    language="bash",
                    wrap_long_lines=True,
                    width="100%",
                    font_size="12px",
                ),
                rx.flex(
                    rx.link(
                        rx.button(
                            rx.icon("download", size=16),
                            t("Подпись и содержимое (.zip)", "Signature bundle (.zip)"),
                            variant="soft",
                        ),
                        href=v.bundle_href,
                        is_external=True,
                        id="verify-bundle",
                    ),
                    rx.link(
                        rx.button(
                            rx.icon("file-badge", size=16),
                            t("Сертификат подписанта", "Signer certificate"),
                            variant="soft",
                        ),
                        href=v.cert_href,
                        is_external=True,
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                _public_links(verify=False),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _verify_body() -> rx.Component:
    return rx.vstack(
        rx.text(
            t(
                "Введите код подписи или отсканируйте QR-код с печатной формы документа. "
                "Проверка доступна всем, без входа в кабинет.",
                "Enter the signature code or scan the QR code on the printed document. "
                "Anyone can check, no login needed.",
            ),
            size="2",
            color_scheme="gray",
        ),
        _verify_form(),
        rx.cond(
            VerifyState.view.found,
            _verify_result(),
            rx.cond(
                VerifyState.searched,
                rx.callout(
                    t(
                        "Подпись с таким кодом не найдена. Проверьте код.",
                        "No signature with this code. Check the code.",
                    ),
                    icon="circle-x",
                    color_scheme="red",
                    width="100%",
                    id="verify-not-found",
                ),
            ),
        ),
        rx.cond(~VerifyState.view.found, _public_links(verify=False)),
        spacing="4",
        width="100%",
        max_width="860px",
    )


def verify_page() -> rx.Component:
    return site_page(_verify_body, t("Проверка электронной подписи", "Signature check"))


def add_pages(app: rx.App) -> None:
    app.add_page(
        my_esign_page,
        route=routes.ESIGN_MY,
        title="Моя электронная подпись",
        on_load=MyEsignState.load,
    )
    app.add_page(
        admin_esign_page,
        route=routes.ESIGN_ADMIN,
        title="Сертификаты подписи",
        on_load=EsignAdminState.load,
    )
    app.add_page(
        verify_page,
        route=routes.VERIFY,
        title="Проверка электронной подписи",
        on_load=VerifyState.load,
    )
