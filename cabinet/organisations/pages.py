"""Pages: my organisations and the link form, my link requests, an organisation's profile,
and the staff queue of link requests."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import t
from cabinet.organisations import rules
from cabinet.organisations.rules import KIND_FIELDS, KIND_LABELS, FieldSpec
from cabinet.organisations.state import (
    STATUS_FILTERS,
    LinkQueueState,
    MyOrgsState,
    OrgProfileState,
)
from components.data_table import (
    data_table,
    filter_bar,
    no_access,
    not_found,
    pager,
    search_field,
    select_field,
)
from components.hint import with_hint
from components.shell import shell
from models.organisations import CounterpartyKind

STATUS_COLORS = {
    "pending": "amber",
    "approved": "green",
    "rejected": "red",
    "cancelled": "gray",
}


def status_badge(status: rx.Var, **props: Any) -> rx.Component:
    return rx.badge(
        rx.match(
            status,
            *[(code, t(*label)) for code, label in rules.STATUS_LABELS.items()],
            status,
        ),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        white_space="nowrap",
        **props,
    )


def kind_label(kind: rx.Var) -> rx.Component:
    return rx.match(kind, *[(str(k), t(*label)) for k, label in KIND_LABELS.items()], kind)


def role_label(code: rx.Var) -> rx.Component:
    return rx.match(
        code,
        ("customer", t("Пользователь клиента", "Customer user")),
        ("customer_admin", t("Администратор клиента", "Customer administrator")),
        code,
    )


# --------------------------------------------------------------------------- counterparty form


def _field(spec: FieldSpec, state: Any, *, readonly: bool = False) -> rx.Component:
    common = dict(
        value=state.form[spec.key],
        on_change=lambda v: state.set_field(spec.key, v),
        placeholder=spec.placeholder,
        max_length=spec.max_len,
        id=f"cp-{spec.key}",
        width="100%",
        read_only=readonly,
    )
    control = (
        rx.text_area(**common, rows="2", resize="vertical")
        if spec.multiline
        else rx.input(**common, input_mode="numeric" if spec.key in _NUMERIC else "text")
    )
    return rx.vstack(
        rx.text(
            t(spec.label_ru, spec.label_en),
            *([rx.text.span(" *", color_scheme="red")] if spec.required and not readonly else []),
            as_="label",
            html_for=f"cp-{spec.key}",
            size="2",
            weight="medium",
        ),
        control,
        rx.cond(
            state.errors.contains(spec.key),
            rx.text(
                state.errors[spec.key], color_scheme="red", size="1", id=f"cp-{spec.key}-error"
            ),
        ),
        spacing="1",
        width="100%",
        grid_column=rx.breakpoints(initial="span 1", sm="span 2") if spec.multiline else "auto",
    )


_NUMERIC = {"inn", "ogrn", "snils", "passport_series", "passport_number"}


def counterparty_fields(state: Any, kind: rx.Var, *, inn_readonly: bool = True) -> rx.Component:
    """The kind's own fields (read from rules.KIND_FIELDS), only that kind's in the DOM."""

    def group(k: CounterpartyKind) -> rx.Component:
        return rx.grid(
            *[_field(f, state, readonly=inn_readonly and f.key == "inn") for f in KIND_FIELDS[k]],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        )

    return rx.match(kind, *[(str(k), group(k)) for k in KIND_FIELDS], group(CounterpartyKind.LEGAL))


def _kind_picker() -> rx.Component:
    return rx.radio_group.root(
        rx.flex(
            *[
                rx.cond(
                    MyOrgsState.kinds.contains(str(k)),
                    rx.text(
                        rx.flex(
                            rx.radio_group.item(value=str(k), id=f"cp-kind-{k}"),
                            t(*label),
                            spacing="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                    ),
                )
                for k, label in KIND_LABELS.items()
            ],
            spacing="4",
            wrap="wrap",
        ),
        value=MyOrgsState.kind,
        on_change=MyOrgsState.set_kind,
        id="cp-kind",
    )


# --------------------------------------------------------------------------- /organisations


def _org_card(org: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("building-2", size=20, flex_shrink="0"),
                rx.text(org.name, weight="bold", size="3"),
                align="center",
                spacing="2",
            ),
            rx.text(
                t("ИНН ", "INN "),
                org.inn,
                " · ",
                kind_label(org.kind),
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.cond(
                    org.is_admin,
                    rx.badge(t("Администратор клиента", "Customer admin"), color_scheme="violet"),
                    rx.badge(t("Пользователь", "User"), color_scheme="gray"),
                ),
                rx.cond(
                    ~org.is_active,
                    rx.badge(t("Не активна", "Inactive"), color_scheme="amber"),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.link(
                rx.button(
                    t("Открыть карточку", "Open profile"),
                    rx.icon("arrow-right", size=16),
                    variant="soft",
                    size="2",
                ),
                href=f"{routes.ORGANISATION_PROFILE}?id={org.id}",
                id=f"org-open-{org.id}",
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _link_inn_step() -> rx.Component:
    return rx.vstack(
        rx.text(
            t(
                "Укажите ИНН организации, к которой вы относитесь. Если организация уже "
                "зарегистрирована, менеджер получит ваш запрос; если нет — заполните её данные.",
                "Enter the INN of your organisation. If it is registered, a manager gets your "
                "request; if not, fill in its details.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.vstack(
            rx.text(
                with_hint(
                    t("ИНН", "INN"),
                    "ИНН из 10 цифр — у организации, из 12 — у ИП и физлица. Он есть в выписке "
                    "ЕГРЮЛ/ЕГРИП и в договоре.",
                    "10 digits for a company, 12 for a sole trader or a person; see the register "
                    "extract or the contract.",
                    id="link-inn-hint",
                    article="privyazka-k-organizatsii",
                ),
                as_="label",
                html_for="link-inn",
                size="2",
                weight="medium",
            ),
            rx.input(
                value=MyOrgsState.link_inn,
                on_change=MyOrgsState.set_link_inn,
                placeholder=t("10 или 12 цифр", "10 or 12 digits"),
                input_mode="numeric",
                max_length=20,
                id="link-inn",
                width=["100%", "100%", "320px"],
            ),
            rx.cond(
                MyOrgsState.inn_error != "",
                rx.text(MyOrgsState.inn_error, color_scheme="red", size="1", id="link-inn-error"),
            ),
            spacing="1",
            width="100%",
        ),
        _message_field(),
        rx.button(
            rx.icon("send", size=16),
            t("Отправить запрос", "Send request"),
            on_click=MyOrgsState.submit_inn,
            loading=MyOrgsState.busy,
            id="link-submit",
        ),
        spacing="3",
        width="100%",
    )


def _message_field() -> rx.Component:
    return rx.vstack(
        rx.text(
            t("Комментарий для менеджера (необязательно)", "Note for the manager (optional)"),
            as_="label",
            html_for="link-message",
            size="2",
            weight="medium",
        ),
        rx.text_area(
            value=MyOrgsState.link_message,
            on_change=MyOrgsState.set_link_message,
            placeholder=t("Например: должность, отдел", "E.g. your position, department"),
            max_length=rules.MAX_MESSAGE,
            rows="2",
            id="link-message",
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _link_form_step() -> rx.Component:
    return rx.vstack(
        rx.callout(
            t(
                "Организация с этим ИНН ещё не зарегистрирована. Заполните данные контрагента — "
                "организация будет создана вместе с запросом и станет активной после одобрения.",
                "No organisation with this INN yet. Fill in the counterparty details: it is "
                "created with your request and becomes active once approved.",
            ),
            icon="info",
            width="100%",
        ),
        rx.cond(
            MyOrgsState.lookup_note != "",
            rx.callout(
                MyOrgsState.lookup_note,
                icon=rx.cond(MyOrgsState.lookup_found, "circle-check", "triangle-alert"),
                color_scheme=rx.cond(MyOrgsState.lookup_found, "green", "amber"),
                width="100%",
                id="lookup-note",
            ),
        ),
        rx.vstack(
            rx.text(t("Тип контрагента", "Counterparty type"), size="2", weight="medium"),
            _kind_picker(),
            spacing="1",
        ),
        counterparty_fields(MyOrgsState, MyOrgsState.kind),
        rx.cond(
            MyOrgsState.errors.contains("kind"),
            rx.text(MyOrgsState.errors["kind"], color_scheme="red", size="1"),
        ),
        _message_field(),
        rx.flex(
            rx.button(
                rx.icon("send", size=16),
                t("Отправить запрос", "Send request"),
                on_click=MyOrgsState.submit_counterparty,
                id="cp-submit",
            ),
            rx.button(
                t("Назад", "Back"),
                on_click=MyOrgsState.back_to_inn,
                variant="soft",
                color_scheme="gray",
                id="cp-back",
            ),
            spacing="2",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def organisations_page() -> rx.Component:
    return shell(
        rx.cond(
            MyOrgsState.orgs.length() > 0,
            rx.grid(
                rx.foreach(MyOrgsState.orgs, _org_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="3",
                width="100%",
                id="org-list",
            ),
            rx.cond(
                MyOrgsState.loaded,
                rx.callout(
                    t(
                        "Вы пока не привязаны ни к одной организации. Отправьте запрос ниже.",
                        "You are not linked to any organisation yet. Send a request below.",
                    ),
                    icon="info",
                    width="100%",
                    id="org-list-empty",
                ),
            ),
        ),
        rx.card(
            rx.vstack(
                rx.heading(
                    t("Привязка к организации", "Link to an organisation"), size="4", as_="h2"
                ),
                rx.cond(MyOrgsState.step == "form", _link_form_step(), _link_inn_step()),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="link-card",
        ),
        rx.hstack(
            rx.link(
                rx.button(
                    rx.icon("list", size=16),
                    t("Мои запросы", "My requests"),
                    rx.cond(
                        MyOrgsState.pending_count > 0,
                        rx.badge(MyOrgsState.pending_count, color_scheme="amber", radius="full"),
                    ),
                    variant="outline",
                ),
                href=routes.LINK_REQUESTS,
                id="link-requests-open",
            ),
        ),
        title=t("Мои организации", "My organisations"),
    )


# --------------------------------------------------------------------------- /organisations/requests


def _history_item(h: Any) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color("accent", 9),
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(
                rx.text.strong(
                    rx.match(
                        h.action,
                        *[(code, t(*label)) for code, label in rules.ACTION_LABELS.items()],
                        h.action,
                    )
                ),
                " · ",
                h.at,
                rx.cond(h.actor_name != "", rx.text.span(" · ", h.actor_name)),
                size="2",
            ),
            rx.cond(h.comment != "", rx.text("«", h.comment, "»", size="2", color_scheme="gray")),
            spacing="0",
        ),
        spacing="2",
        align="start",
    )


def _request_card(r: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.text(r.org_name, weight="bold"),
                    rx.text(t("ИНН ", "INN "), r.inn, size="2", color_scheme="gray"),
                    spacing="0",
                ),
                rx.spacer(),
                status_badge(r.status, id=f"request-status-{r.id}"),
                width="100%",
                align="start",
                gap="2",
            ),
            rx.cond(
                r.role_code != "",
                rx.text(t("Роль: ", "Role: "), role_label(r.role_code), size="2"),
            ),
            rx.vstack(rx.foreach(r.history, _history_item), spacing="1", width="100%"),
            rx.cond(
                r.can_cancel,
                rx.button(
                    t("Отменить запрос", "Cancel request"),
                    on_click=MyOrgsState.cancel_request(r.id),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    id=f"request-cancel-{r.id}",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=f"request-{r.id}",
    )


def requests_page() -> rx.Component:
    return shell(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=16),
                t("Мои организации", "My organisations"),
                align="center",
            ),
            href=routes.ORGANISATIONS,
            size="2",
        ),
        rx.cond(
            MyOrgsState.requests.length() > 0,
            rx.vstack(
                rx.foreach(MyOrgsState.requests, _request_card),
                spacing="3",
                width="100%",
                id="request-list",
            ),
            rx.cond(
                MyOrgsState.loaded,
                rx.callout(
                    t("Запросов пока нет.", "No requests yet."),
                    icon="info",
                    width="100%",
                    id="request-list-empty",
                ),
            ),
        ),
        title=t("Запросы на привязку", "Link requests"),
    )


# --------------------------------------------------------------------------- /organisations/profile


def _detail_list(kind: CounterpartyKind) -> rx.Component:
    org = OrgProfileState.org
    return rx.data_list.root(
        rx.data_list.item(
            rx.data_list.label(t("Тип", "Type"), min_width="150px"),
            rx.data_list.value(t(*KIND_LABELS[kind])),
        ),
        *[
            rx.data_list.item(
                rx.data_list.label(
                    t(f.label_ru.split(" (")[0], f.label_en.split(" (")[0]), min_width="150px"
                ),
                rx.data_list.value(
                    rx.cond(getattr(org, f.key) != "", getattr(org, f.key), "—"),
                    id=f"org-{f.key}",
                ),
            )
            for f in KIND_FIELDS[kind]
        ],
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        size="2",
    )


def _member_row(m: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(m.full_name, weight="medium"),
            rx.cond(m.is_me, rx.text.span(t(" (вы)", " (you)"), color_scheme="gray")),
        ),
        rx.table.cell(m.email),
        rx.table.cell(m.phone, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                m.is_admin,
                rx.badge(t("Администратор", "Administrator"), color_scheme="violet"),
                rx.badge(t("Пользователь", "User"), color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                m.is_me,
                rx.text("—", color_scheme="gray"),
                rx.hstack(
                    rx.cond(
                        m.is_admin,
                        rx.button(
                            t("Снять администратора", "Revoke admin"),
                            on_click=OrgProfileState.unmake_admin(m.user_id),
                            size="1",
                            variant="soft",
                            id=f"member-unadmin-{m.user_id}",
                        ),
                        rx.button(
                            t("Сделать администратором", "Make admin"),
                            on_click=OrgProfileState.make_admin(m.user_id),
                            size="1",
                            variant="soft",
                            id=f"member-admin-{m.user_id}",
                        ),
                    ),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button(
                                t("Исключить", "Remove"),
                                size="1",
                                variant="soft",
                                color_scheme="red",
                                id=f"member-remove-{m.user_id}",
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title(t("Исключить пользователя?", "Remove the user?")),
                            rx.alert_dialog.description(
                                m.full_name,
                                t(
                                    " потеряет доступ к данным организации.",
                                    " will lose access to the organisation's data.",
                                ),
                            ),
                            rx.flex(
                                rx.alert_dialog.cancel(
                                    rx.button(
                                        t("Отмена", "Cancel"), variant="soft", color_scheme="gray"
                                    )
                                ),
                                rx.alert_dialog.action(
                                    rx.button(
                                        t("Исключить", "Remove"),
                                        color_scheme="red",
                                        on_click=OrgProfileState.remove_member(m.user_id),
                                        id=f"member-remove-confirm-{m.user_id}",
                                    )
                                ),
                                spacing="2",
                                justify="end",
                                margin_top="16px",
                            ),
                            max_width="420px",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            )
        ),
    )


def _profile_view() -> rx.Component:
    org = OrgProfileState.org
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.heading(org.name, size="5", as_="h2", id="org-name"),
                    rx.spacer(),
                    rx.cond(
                        org.is_active,
                        rx.badge(t("Активна", "Active"), color_scheme="green"),
                        rx.badge(t("Ожидает одобрения", "Awaiting approval"), color_scheme="amber"),
                    ),
                    width="100%",
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.cond(
                    OrgProfileState.editing,
                    rx.vstack(
                        counterparty_fields(OrgProfileState, org.kind),
                        rx.flex(
                            rx.button(
                                t("Сохранить", "Save"), on_click=OrgProfileState.save, id="org-save"
                            ),
                            rx.button(
                                t("Отмена", "Cancel"),
                                on_click=OrgProfileState.cancel_edit,
                                variant="soft",
                                color_scheme="gray",
                                id="org-cancel",
                            ),
                            spacing="2",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.match(
                            org.kind,
                            *[(str(k), _detail_list(k)) for k in KIND_FIELDS],
                            _detail_list(CounterpartyKind.LEGAL),
                        ),
                        rx.cond(
                            org.can_manage,
                            rx.button(
                                rx.icon("pencil", size=16),
                                t("Изменить данные", "Edit details"),
                                on_click=OrgProfileState.start_edit,
                                variant="soft",
                                id="org-edit",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(
            org.can_manage,
            rx.vstack(
                rx.heading(t("Пользователи организации", "Organisation users"), size="4", as_="h2"),
                data_table(
                    [
                        ("ФИО", "Name"),
                        ("E-mail", "E-mail"),
                        ("Телефон", "Phone"),
                        ("Роль", "Role"),
                        ("Действия", "Actions"),
                    ],
                    org.members,
                    _member_row,
                    id="member-list",
                    min_width="860px",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def profile_page() -> rx.Component:
    return shell(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=16),
                t("Мои организации", "My organisations"),
                align="center",
            ),
            href=routes.ORGANISATIONS,
            size="2",
        ),
        rx.cond(
            OrgProfileState.has_org,
            _profile_view(),
            rx.cond(
                OrgProfileState.missing,
                not_found(("Организация не найдена.", "Organisation not found."), id="org-missing"),
            ),
        ),
        title=t("Карточка организации", "Organisation profile"),
    )


# --------------------------------------------------------------------------- /admin/link-requests


def _queue_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.created_at, white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(r.user_name, weight="medium"),
                rx.text(r.user_email, size="1", color_scheme="gray"),
                rx.cond(r.message != "", rx.text("«", r.message, "»", size="1")),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.org_name),
                rx.text(t("ИНН ", "INN "), r.inn, size="1", color_scheme="gray"),
                rx.cond(
                    r.created_org & ~r.org_active,
                    rx.badge(
                        t("Новая организация", "New organisation"), color_scheme="blue", size="1"
                    ),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(
            rx.vstack(
                rx.cond(r.decided_by != "", rx.text(r.decided_by, " · ", r.decided_at, size="1")),
                rx.cond(r.role_code != "", rx.text(role_label(r.role_code), size="1")),
                rx.cond(
                    r.decision_comment != "",
                    rx.text("«", r.decision_comment, "»", size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                r.can_decide,
                rx.hstack(
                    rx.button(
                        t("Одобрить", "Approve"),
                        on_click=LinkQueueState.open_decision(r.id, True),
                        size="1",
                        color_scheme="green",
                        id=f"request-approve-{r.id}",
                    ),
                    rx.button(
                        t("Отклонить", "Reject"),
                        on_click=LinkQueueState.open_decision(r.id, False),
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        id=f"request-reject-{r.id}",
                    ),
                    spacing="2",
                ),
            )
        ),
    )


def _decision_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    LinkQueueState.dlg_approve,
                    t("Одобрить запрос", "Approve request"),
                    t("Отклонить запрос", "Reject request"),
                )
            ),
            rx.dialog.description(LinkQueueState.dlg_title, size="2", margin_bottom="12px"),
            rx.vstack(
                rx.cond(
                    LinkQueueState.dlg_approve,
                    rx.vstack(
                        rx.text(
                            t("Роль в организации", "Role in the organisation"),
                            size="2",
                            weight="medium",
                        ),
                        rx.select.root(
                            rx.select.trigger(id="decision-role", width="100%"),
                            rx.select.content(
                                rx.select.item(
                                    t("Пользователь клиента", "Customer user"), value="customer"
                                ),
                                rx.select.item(
                                    t("Администратор клиента", "Customer administrator"),
                                    value="customer_admin",
                                ),
                            ),
                            value=LinkQueueState.dlg_role,
                            on_change=LinkQueueState.set_dlg_role,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.text(
                    rx.cond(
                        LinkQueueState.dlg_approve,
                        t("Комментарий (необязательно)", "Comment (optional)"),
                        t("Причина отказа (обязательно)", "Reason (required)"),
                    ),
                    as_="label",
                    html_for="decision-comment",
                    size="2",
                    weight="medium",
                ),
                rx.text_area(
                    value=LinkQueueState.dlg_comment,
                    on_change=LinkQueueState.set_dlg_comment,
                    max_length=rules.MAX_COMMENT,
                    rows="3",
                    id="decision-comment",
                    width="100%",
                ),
                rx.cond(
                    LinkQueueState.dlg_error != "",
                    rx.text(
                        LinkQueueState.dlg_error, color_scheme="red", size="1", id="decision-error"
                    ),
                ),
                rx.flex(
                    rx.button(
                        t("Отмена", "Cancel"),
                        on_click=LinkQueueState.close_decision,
                        variant="soft",
                        color_scheme="gray",
                        id="decision-cancel",
                    ),
                    rx.button(
                        rx.cond(
                            LinkQueueState.dlg_approve,
                            t("Одобрить", "Approve"),
                            t("Отклонить", "Reject"),
                        ),
                        on_click=LinkQueueState.confirm_decision,
                        color_scheme=rx.cond(LinkQueueState.dlg_approve, "green", "red"),
                        id="decision-submit",
                    ),
                    spacing="2",
                    justify="end",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            max_width="480px",
        ),
        open=LinkQueueState.dlg_open,
        on_open_change=LinkQueueState.set_dlg_open,
    )


def queue_page() -> rx.Component:
    return shell(
        rx.cond(
            LinkQueueState.allowed,
            rx.vstack(
                filter_bar(
                    rx.box(
                        select_field(
                            "status",
                            LinkQueueState.f_status,
                            [(s, *rules.STATUS_LABELS[s]) for s in STATUS_FILTERS],
                            id="lr-status",
                            all_label=("Все статусы", "All statuses"),
                        ),
                        width=["100%", "100%", "220px"],
                    ),
                    search_field(
                        "q",
                        LinkQueueState.f_q,
                        ("ИНН, организация или пользователь", "INN, organisation or user"),
                        id="lr-q",
                        width="320px",
                    ),
                    on_submit=LinkQueueState.apply_filters,
                    reset_href=routes.ADMIN_LINK_REQUESTS,
                    key=LinkQueueState.query_key,
                    id_prefix="lr",
                ),
                data_table(
                    [
                        ("Дата", "Date"),
                        ("Пользователь", "User"),
                        ("Организация", "Organisation"),
                        ("Статус", "Status"),
                        ("Решение", "Decision"),
                        ("Действия", "Actions"),
                    ],
                    LinkQueueState.rows,
                    _queue_row,
                    id="lr-table",
                    min_width="900px",
                ),
                pager(
                    prev_href=LinkQueueState.prev_href,
                    next_href=LinkQueueState.next_href,
                    id_prefix="lr",
                    first_href=LinkQueueState.first_href,
                ),
                _decision_dialog(),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Запросы на привязку", "Link requests"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        organisations_page,
        route=routes.ORGANISATIONS,
        title="Мои организации",
        on_load=MyOrgsState.load,
    )
    app.add_page(
        requests_page,
        route=routes.LINK_REQUESTS,
        title="Запросы на привязку",
        on_load=MyOrgsState.load,
    )
    app.add_page(
        profile_page,
        route=routes.ORGANISATION_PROFILE,
        title="Карточка организации",
        on_load=OrgProfileState.load,
    )
    app.add_page(
        queue_page,
        route=routes.ADMIN_LINK_REQUESTS,
        title="Запросы на привязку",
        on_load=LinkQueueState.load,
    )
