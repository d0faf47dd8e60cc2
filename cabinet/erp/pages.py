"""Pages of the ERP module: /admin/erp (sync runs, "run now", watermarks, skipped rows,
outbound queue) and /api-access ("Доступ по API": a customer administrator's tokens)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import (
    ImportVar,
    VarData,
)

from cabinet import routes
from cabinet.erp.state import ApiTokensState, ErpSyncState
from cabinet.i18n import t
from components.data_table import data_table, mobile_card, no_access, pager, status_badge
from components.shell import shell


def backend_url(path: str) -> rx.Var:
    """An absolute URL of a backend route (the dev frontend runs on another port)."""
    return rx.Var(
        f"(getBackendURL(env.UPLOAD).href.replace(/\\/_upload$/, '') + {path!r})",
        _var_type=str,
        _var_data=VarData(
            imports={
                "$/utils/state": "getBackendURL",
                "$/env.json": ImportVar(tag="env", is_default=True),
            }
        ),
    )


def _status(row: Any) -> rx.Component:
    color = rx.match(
        row["status"], ("ok", "green"), ("partial", "amber"), ("failed", "red"), "blue"
    )
    return status_badge(row["status_label"], color)


def _tile(label: Any, value: rx.Component, note: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            value,
            note or rx.fragment(),
            spacing="1",
        ),
        width="100%",
    )


def _summary() -> rx.Component:
    st = ErpSyncState
    last = st.last
    return rx.grid(
        _tile(
            t("Последний прогон", "Last run"),
            rx.cond(
                st.has_last,
                rx.hstack(_status(last), rx.text(last["trigger"], size="2"), align="center"),
                rx.text(t("ещё не было", "none yet"), size="3", weight="medium"),
            ),
            rx.cond(st.has_last, rx.text(last["started"], size="1", color_scheme="gray")),
        ),
        _tile(
            t("Строк в прогоне", "Rows in the run"),
            rx.text(rx.cond(st.has_last, last["rows_in"], "—"), size="5", weight="bold"),
            rx.cond(
                st.has_last,
                rx.text(
                    t("записано ", "stored "),
                    last["rows_updated"],
                    t(", пропущено ", ", skipped "),
                    last["rows_failed"],
                    size="1",
                    color_scheme="gray",
                ),
            ),
        ),
        _tile(
            t("Отставание от ERP", "Lag behind the ERP"),
            rx.text(rx.cond(st.has_last, last["lag"], "—"), size="5", weight="bold"),
            rx.cond(
                st.has_last,
                rx.text(
                    t("длительность ", "took "), last["duration"], size="1", color_scheme="gray"
                ),
            ),
        ),
        _tile(
            t("Расписание", "Schedule"),
            rx.text(t("каждые ", "every "), st.interval, size="3", weight="medium"),
            rx.text(st.erp_url, size="1", color_scheme="gray", word_break="break-all"),
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        spacing="3",
        width="100%",
        id="erp-summary",
    )


def _run_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["started"], white_space="nowrap"),
        rx.table.cell(row["trigger"]),
        rx.table.cell(
            rx.vstack(
                _status(row),
                rx.cond(
                    row["error"] != "",
                    rx.text(row["error"], size="1", color_scheme="red", max_width="260px"),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(row["rows_in"], text_align="right"),
        rx.table.cell(row["rows_updated"], text_align="right"),
        rx.table.cell(row["rows_failed"], text_align="right"),
        rx.table.cell(row["duration"], white_space="nowrap"),
        rx.table.cell(row["lag"], white_space="nowrap"),
    )


def _run_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            _status(row),
            rx.text(row["trigger"], size="1"),
            rx.spacer(),
            rx.text(row["started"], size="1", color_scheme="gray"),
            width="100%",
            align="center",
        ),
        rx.text(
            t("прочитано ", "read "),
            row["rows_in"],
            t(" · записано ", " · stored "),
            row["rows_updated"],
            t(" · пропущено ", " · skipped "),
            row["rows_failed"],
            size="2",
        ),
        rx.text(
            row["duration"],
            t(" · отставание ", " · lag "),
            row["lag"],
            size="1",
            color_scheme="gray",
        ),
        rx.cond(row["error"] != "", rx.text(row["error"], size="1", color_scheme="red")),
    )


def _runs() -> rx.Component:
    st = ErpSyncState
    return rx.vstack(
        rx.heading(t("Прогоны", "Runs"), size="4"),
        data_table(
            [
                ("Начало", "Started"),
                ("Запуск", "Trigger"),
                ("Статус", "Status"),
                ("Прочитано", "Read"),
                ("Записано", "Stored"),
                ("Пропущено", "Skipped"),
                ("Длительность", "Took"),
                ("Отставание", "Lag"),
            ],
            st.runs,
            _run_row,
            id="erp-runs",
            empty=("Прогонов ещё не было.", "No runs yet."),
            min_width="820px",
            mobile_card=_run_card,
        ),
        pager(
            prev_href=st.prev_href,
            next_href=st.next_href,
            id_prefix="erp-runs-page",
            first_href=routes.ADMIN_ERP,
        ),
        spacing="3",
        width="100%",
    )


def _watermarks() -> rx.Component:
    st = ErpSyncState

    def row(w: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(w["entity"], white_space="nowrap"),
            rx.table.cell(w["rows"], text_align="right"),
            rx.table.cell(w["newest"], white_space="nowrap"),
            rx.table.cell(w["read"], white_space="nowrap"),
        )

    return rx.vstack(
        rx.heading(t("Что загружено", "What is loaded"), size="4"),
        rx.text(
            t(
                "Для каждой сущности хранится отметка: следующий прогон читает только то, что "
                "изменилось в ERP после неё. Отметка сдвигается вместе с записанной порцией.",
                "Each entity keeps a watermark: the next run reads only what changed in the ERP "
                "after it. The watermark moves together with each stored batch.",
            ),
            size="2",
            color_scheme="gray",
        ),
        data_table(
            [
                ("Сущность", "Entity"),
                ("Строк загружено", "Rows loaded"),
                ("Новейшее изменение в ERP", "Newest ERP change"),
                ("Прочитано", "Read at"),
            ],
            st.watermarks,
            row,
            id="erp-watermarks",
            min_width="560px",
        ),
        spacing="3",
        width="100%",
    )


def _issues() -> rx.Component:
    st = ErpSyncState

    def row(i: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(i["at"], white_space="nowrap"),
            rx.table.cell(i["run"]),
            rx.table.cell(i["entity"]),
            rx.table.cell(rx.code(i["erp_id"]), white_space="nowrap"),
            rx.table.cell(i["error"]),
        )

    return rx.vstack(
        rx.heading(t("Пропущенные строки", "Skipped rows"), size="4"),
        data_table(
            [
                ("Время", "Time"),
                ("Прогон", "Run"),
                ("Сущность", "Entity"),
                ("Ключ ERP", "ERP key"),
                ("Причина", "Reason"),
            ],
            st.issues,
            row,
            id="erp-issues",
            empty=("Неразборчивых строк не было.", "No malformed rows."),
            min_width="640px",
        ),
        spacing="3",
        width="100%",
    )


def _outbound() -> rx.Component:
    st = ErpSyncState
    return rx.vstack(
        rx.heading(t("Запросы клиентов в ERP", "Customer requests to the ERP"), size="4"),
        rx.flex(
            rx.foreach(
                st.outbound,
                lambda o: rx.badge(o["label"], ": ", o["count"], variant="surface", size="2"),
            ),
            wrap="wrap",
            spacing="2",
            id="erp-outbound",
        ),
        rx.foreach(
            st.outbound_errors,
            lambda e: rx.text(
                t("Запрос № ", "Request #"),
                e["id"],
                t(", попыток ", ", attempts "),
                e["attempts"],
                ": ",
                e["error"],
                size="1",
                color_scheme="red",
            ),
        ),
        spacing="2",
        width="100%",
    )


def erp_page() -> rx.Component:
    st = ErpSyncState
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    rx.text(
                        t(
                            "Заказы, счета, договоры, документы и сертификаты приходят из ERP: "
                            "каждый прогон забирает только изменения с прошлого раза.",
                            "Orders, invoices, contracts, documents and certificates come from "
                            "the ERP: each run takes only what changed since the last one.",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.cond(
                        ~st.configured,
                        rx.callout(
                            t(
                                "Обмен не настроен: задайте ERP_URL (make run запускает учебную "
                                "ERP и задаёт его сам).",
                                "Not configured: set ERP_URL (make run starts the fake ERP and "
                                "sets it).",
                            ),
                            icon="plug-zap",
                            color_scheme="amber",
                            width="100%",
                        ),
                    ),
                    rx.flex(
                        rx.button(
                            rx.icon("refresh-cw", size=16),
                            t("Запустить сейчас", "Run now"),
                            on_click=st.run_now,
                            disabled=~st.configured,
                            id="erp-run-now",
                        ),
                        rx.button(
                            t("Обновить", "Refresh"),
                            variant="soft",
                            on_click=st.refresh,
                            id="erp-refresh",
                        ),
                        rx.cond(
                            st.running_since != "",
                            rx.badge(
                                t("идёт прогон с ", "running since "),
                                st.running_since,
                                color_scheme="blue",
                                size="2",
                            ),
                            rx.cond(
                                st.requested_at != "",
                                rx.badge(
                                    t("запуск запрошен ", "run requested "),
                                    st.requested_at,
                                    color_scheme="blue",
                                    size="2",
                                ),
                            ),
                        ),
                        spacing="2",
                        wrap="wrap",
                        align="center",
                    ),
                    _summary(),
                    rx.cond(
                        st.has_last & (st.last["error"] != ""),
                        rx.callout(
                            t("Последняя ошибка: ", "Last error: ") + st.last["error"],
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                            id="erp-last-error",
                        ),
                    ),
                    _runs(),
                    _watermarks(),
                    _issues(),
                    _outbound(),
                    spacing="5",
                    width="100%",
                ),
                no_access(),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
        ),
        title=t("Обмен с ERP", "ERP synchronisation"),
    )


# -- "Доступ по API" ------------------------------------------------------------------------
def _token_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(rx.code(row["prefix"]), white_space="nowrap"),
        rx.table.cell(row["created"], white_space="nowrap"),
        rx.table.cell(row["last_used"], white_space="nowrap"),
        rx.table.cell(_token_action(row)),
    )


def _token_action(row: Any) -> rx.Component:
    return rx.cond(
        row["revoked"] != "",
        status_badge(t("отозван ", "revoked ") + row["revoked"], "gray"),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    t("Отозвать", "Revoke"),
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    id="token-revoke-" + row["id"],
                ),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title(t("Отозвать токен?", "Revoke the token?")),
                rx.alert_dialog.description(
                    t("Системы, которые пользуются токеном «", "Systems using the token “"),
                    row["name"],
                    t("», сразу потеряют доступ.", "” lose access at once."),
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button(t("Отмена", "Cancel"), variant="soft")),
                    rx.alert_dialog.action(
                        rx.button(
                            t("Отозвать", "Revoke"),
                            color_scheme="red",
                            on_click=ApiTokensState.revoke(row["id"]),
                            id="token-revoke-confirm-" + row["id"],
                        )
                    ),
                    justify="end",
                    spacing="2",
                    margin_top="16px",
                ),
            ),
        ),
    )


def _token_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(row["name"], weight="medium"),
            rx.spacer(),
            rx.code(row["prefix"]),
            width="100%",
            align="center",
        ),
        rx.text(t("создан ", "created "), row["created"], size="1", color_scheme="gray"),
        rx.text(t("использован: ", "last used: "), row["last_used"], size="1", color_scheme="gray"),
        rx.box(_token_action(row)),
    )


def _secret_dialog() -> rx.Component:
    st = ApiTokensState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Токен создан", "Token created")),
            rx.vstack(
                rx.callout(
                    t(
                        "Скопируйте токен сейчас: он показывается один раз. В кабинете хранится "
                        "только его отпечаток.",
                        "Copy the token now: it is shown once. The portal keeps only its hash.",
                    ),
                    icon="key-round",
                    color_scheme="amber",
                    width="100%",
                ),
                rx.box(
                    rx.code(st.new_secret, word_break="break-all", id="token-secret"),
                    padding="12px",
                    border_radius="6px",
                    background=rx.color("gray", 3),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=16),
                        t("Скопировать", "Copy"),
                        variant="soft",
                        on_click=rx.set_clipboard(st.new_secret),
                    ),
                    rx.dialog.close(rx.button(t("Готово", "Done"), id="token-secret-close")),
                    justify="end",
                    spacing="2",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
        ),
        open=st.secret_open,
        on_open_change=st.close_secret,
    )


def api_access_page() -> rx.Component:
    st = ApiTokensState
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    rx.text(
                        t(
                            "Токен даёт учётной системе вашей организации доступ на чтение к её "
                            "заказам, документам и сертификатам через API. ",
                            "A token lets your organisation's own system read its orders, "
                            "documents and certificates through the API. ",
                        ),
                        rx.link(
                            t("Описание API", "API documentation"),
                            href=backend_url(routes.API_DOCS),
                            is_external=True,
                            id="api-docs-link",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.cond(
                        st.orgs.length() > 1,  # type: ignore[attr-defined]
                        rx.select.root(
                            rx.select.trigger(width="100%", max_width="420px"),
                            rx.select.content(
                                rx.foreach(
                                    st.orgs, lambda o: rx.select.item(o["name"], value=o["id"])
                                )
                            ),
                            value=st.org_id,
                            on_change=st.choose_org,
                        ),
                        rx.heading(st.org_name, size="4"),
                    ),
                    rx.form(
                        rx.flex(
                            rx.box(
                                rx.input(
                                    name="name",
                                    placeholder=t(
                                        "Название: например, «1С:УПП склад»",
                                        "Name, e.g. “ERP warehouse”",
                                    ),
                                    max_length=100,
                                    id="token-name",
                                    width="100%",
                                ),
                                rx.cond(
                                    st.name_error != "",
                                    rx.text(
                                        st.name_error,
                                        size="1",
                                        color_scheme="red",
                                        id="token-name-error",
                                    ),
                                ),
                                flex="1",
                                min_width="220px",
                            ),
                            rx.button(
                                rx.icon("plus", size=16),
                                t("Создать токен", "Create token"),
                                type="submit",
                                id="token-create",
                            ),
                            spacing="2",
                            wrap="wrap",
                            width="100%",
                            align="start",
                        ),
                        on_submit=st.create,
                        reset_on_submit=True,
                        key=st.form_key,
                        width="100%",
                        max_width="640px",
                    ),
                    data_table(
                        [
                            ("Название", "Name"),
                            ("Начало токена", "Starts with"),
                            ("Создан", "Created"),
                            ("Последнее использование", "Last used"),
                            ("", ""),
                        ],
                        st.tokens,
                        _token_row,
                        id="api-tokens",
                        empty=("Токенов ещё нет.", "No tokens yet."),
                        min_width="760px",
                        mobile_card=_token_card,
                    ),
                    _secret_dialog(),
                    spacing="4",
                    width="100%",
                ),
                no_access(
                    (
                        "Токены API создают администраторы организации-клиента.",
                        "API tokens are created by a customer organisation's administrators.",
                    )
                ),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
        ),
        title=t("Доступ по API", "API access"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(erp_page, route=routes.ADMIN_ERP, title="Обмен с ERP", on_load=ErpSyncState.load)
    app.add_page(
        api_access_page,
        route=routes.API_ACCESS,
        title="Доступ по API",
        on_load=ApiTokensState.load,
    )
