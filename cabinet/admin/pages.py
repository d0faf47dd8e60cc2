"""Admin pages: users, organisations, roles and permissions, audit log.

Each page shows "no access" instead of its data when the caller lacks the page's permission;
buttons are shown by permission for convenience only — the handlers and services re-check.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import CUSTOMER_PERMS, PERMISSION_LABELS, Perm
from cabinet.access.state import SessionState
from cabinet.admin.rules import KIND_LABELS, USER_STATUS_LABELS
from cabinet.admin.state import (
    NONE,
    AdminAuditState,
    AdminOrgsState,
    AdminOrgState,
    AdminRolesState,
    AdminUsersState,
    AdminUserState,
)
from cabinet.i18n import LangState, t
from components.data_table import (
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    pager,
    search_field,
    select_field,
    status_badge,
    text_field,
)
from components.shell import ADMIN_NAV, gated, shell


def tv(ru: Any, en: Any) -> Any:
    """A language switch between two Vars (row data in both languages)."""
    return rx.cond(LangState.lang == "en", en, ru)


def _cell(*children: Any, **props: Any) -> rx.Component:
    return rx.table.cell(*children, **props)


def _gated(state: Any, *content: rx.Component) -> rx.Component:
    """The page body, or "no access" (no data is loaded either)."""
    return rx.cond(
        state.loaded,
        rx.cond(
            state.allowed,
            rx.vstack(*content, spacing="4", width="100%"),
            no_access(),
        ),
        rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
    )


def _field(label: tuple[str, str], value: Any, *, id: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(t(*label), size="1", color_scheme="gray"),
        rx.text(value, size="2", id=id, word_break="break-word"),
        spacing="0",
        min_width="0",
    )


def _section(title: tuple[str, str], *children: Any, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(t(*title), size="3", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _back(href: str, label: tuple[str, str], id: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=16), rx.text(t(*label), size="2"), align="center"),
        href=href,
        id=id,
    )


# ---------------------------------------------------------------------------- users list

_STATUS_OPTIONS = [(str(s), ru, en) for s, (ru, en, _c) in USER_STATUS_LABELS.items()]


def _user_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["full_name"],
                href=f"{routes.ADMIN_USER}?id={row['id']}",
                weight="medium",
                id=f"user-link-{row['id']}",
            ),
        ),
        _cell(row["email"]),
        _cell(row["phone"], white_space="nowrap"),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
        _cell(rx.text(row["roles"], size="1")),
        _cell(row["created"], white_space="nowrap"),
    )


def _user_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(
                row["full_name"],
                href=f"{routes.ADMIN_USER}?id={row['id']}",
                weight="medium",
                id=f"user-card-{row['id']}",
            ),
            rx.spacer(),
            status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
            width="100%",
            align="center",
        ),
        rx.text(row["email"], size="2"),
        rx.text(row["phone"], " · ", row["created"], size="1", color_scheme="gray"),
        rx.text(row["roles"], size="1", color_scheme="gray"),
    )


def users_page() -> rx.Component:
    st = AdminUsersState
    return shell(
        _gated(
            st,
            filter_bar(
                search_field(
                    "q", st.f_q, ("Имя, e-mail или телефон", "Name, e-mail or phone"), id="users-q"
                ),
                select_field(
                    "status",
                    st.f_status,
                    _STATUS_OPTIONS,
                    id="users-status",
                    all_label=("Любой статус", "Any status"),
                    width="180px",
                ),
                select_field(
                    "role",
                    st.f_role,
                    st.role_opts,
                    id="users-role",
                    all_label=("Любая роль", "Any role"),
                    width="220px",
                ),
                on_submit=st.apply_filters,
                reset_href=routes.ADMIN_USERS,
                key=st.query_key,
                id_prefix="users-filter",
            ),
            data_table(
                [
                    ("ФИО", "Full name"),
                    ("E-mail", "E-mail"),
                    ("Телефон", "Phone"),
                    ("Статус", "Status"),
                    ("Роли", "Roles"),
                    ("Создан", "Created"),
                ],
                st.rows,
                _user_row,
                id="users-table",
                min_width="880px",
                mobile_card=_user_card,
            ),
            pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="users-page"),
        ),
        title=t("Пользователи", "Users"),
    )


# ---------------------------------------------------------------------------- user detail


def _block_button() -> rx.Component:
    st = AdminUserState
    return rx.cond(
        st.is_blocked,
        rx.button(
            rx.icon("lock-open", size=16),
            t("Разблокировать", "Unblock"),
            on_click=st.unblock,
            color_scheme="green",
            variant="soft",
            id="user-unblock",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    rx.icon("lock", size=16),
                    t("Заблокировать", "Block"),
                    color_scheme="red",
                    variant="soft",
                    disabled=st.is_self,
                    id="user-block",
                )
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title(t("Заблокировать пользователя?", "Block this user?")),
                rx.alert_dialog.description(
                    t(
                        "Все его сеансы будут завершены, войти он не сможет до разблокировки.",
                        "All their sessions end; they cannot log in until unblocked.",
                    )
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button(t("Отмена", "Cancel"), variant="soft", color_scheme="gray")
                    ),
                    rx.alert_dialog.action(
                        rx.button(
                            t("Заблокировать", "Block"),
                            color_scheme="red",
                            on_click=st.block,
                            id="user-block-confirm",
                        )
                    ),
                    spacing="3",
                    justify="end",
                    margin_top="16px",
                ),
            ),
        ),
    )


def _role_item(role: Any) -> rx.Component:
    st = AdminUserState
    return rx.hstack(
        rx.icon("key-round", size=16),
        rx.text(role["name"], weight="medium", size="2"),
        rx.cond(
            role["org"] != "",
            rx.text("· ", role["org"], size="2", color_scheme="gray"),
            rx.text(t("· вся система", "· platform-wide"), size="2", color_scheme="gray"),
        ),
        rx.spacer(),
        rx.cond(
            st.can_manage,
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=st.remove_role(role["id"]),
                aria_label="remove role",
                title="Снять роль",
                id=f"role-remove-{role['id']}",
            ),
        ),
        align="center",
        width="100%",
        padding_y="4px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _assign_role_form() -> rx.Component:
    st = AdminUserState
    return rx.form(
        rx.flex(
            rx.select.root(
                rx.select.trigger(placeholder="Роль…", id="assign-role-select", width="100%"),
                rx.select.content(
                    rx.foreach(st.role_opts, lambda o: rx.select.item(o["label"], value=o["value"]))
                ),
                name="role",
            ),
            rx.select.root(
                rx.select.trigger(id="assign-role-org", width="100%"),
                rx.select.content(
                    rx.select.item(t("Вся система", "Platform-wide"), value=NONE),
                    rx.foreach(st.orgs, lambda o: rx.select.item(o["name"], value=o["id"])),
                ),
                name="organisation",
                default_value=NONE,
            ),
            rx.button(
                rx.icon("plus", size=16), t("Назначить", "Assign"), type="submit", id="assign-role"
            ),
            wrap="wrap",
            spacing="2",
            width="100%",
        ),
        rx.text(
            t(
                "Роли клиента назначаются внутри организации пользователя, роли сотрудников — на всю систему.",
                "Customer roles are held inside one of the user's organisations, staff roles platform-wide.",
            ),
            size="1",
            color_scheme="gray",
            margin_top="6px",
        ),
        on_submit=st.assign_role,
        reset_on_submit=False,
        key=st.form_key,
        width="100%",
    )


def user_page() -> rx.Component:
    st = AdminUserState
    info = rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(st.user["full_name"], size="5", id="user-name"),
                status_badge(
                    tv(st.user["status_ru"], st.user["status_en"]), st.user["status_color"]
                ),
                rx.cond(st.is_self, rx.badge(t("это вы", "you"), variant="outline")),
                wrap="wrap",
                spacing="3",
                align="center",
            ),
            rx.grid(
                _field(("E-mail", "E-mail"), st.user["email"], id="user-email"),
                _field(("Телефон", "Phone"), st.user["phone"]),
                _field(("E-mail подтверждён", "E-mail confirmed"), st.user["email_confirmed"]),
                _field(("Телефон подтверждён", "Phone confirmed"), st.user["phone_confirmed"]),
                _field(
                    ("Второй фактор", "Second factor"),
                    tv(st.user["twofa_ru"], st.user["twofa_en"]),
                    id="user-2fa",
                ),
                _field(
                    ("Активных сеансов", "Live sessions"), st.user["sessions"], id="user-sessions"
                ),
                _field(("Зарегистрирован (UTC)", "Registered (UTC)"), st.user["created"]),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                st.can_manage,
                rx.flex(
                    _block_button(),
                    rx.button(
                        rx.icon("shield-off", size=16),
                        t("Сбросить второй фактор", "Reset second factor"),
                        on_click=st.reset_2fa,
                        variant="soft",
                        disabled=~st.has_2fa,
                        id="user-reset-2fa",
                    ),
                    rx.link(
                        rx.button(
                            rx.icon("scroll-text", size=16),
                            t("Журнал", "Audit"),
                            variant="soft",
                            color_scheme="gray",
                        ),
                        href=f"{routes.ADMIN_AUDIT}?type=user&object={st.user['id']}",
                        id="user-audit-link",
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )
    return shell(
        _gated(
            st,
            _back(routes.ADMIN_USERS, ("Все пользователи", "All users"), "back-to-users"),
            rx.cond(
                st.not_found,
                rx.callout(
                    t("Пользователь не найден.", "User not found."),
                    icon="info",
                    color_scheme="gray",
                    id="user-not-found",
                ),
                rx.vstack(
                    info,
                    rx.grid(
                        _section(
                            ("Роли", "Roles"),
                            rx.cond(
                                st.roles.length() > 0,
                                rx.vstack(
                                    rx.foreach(st.roles, _role_item), spacing="0", width="100%"
                                ),
                                rx.text(
                                    t("Ролей нет.", "No roles."), size="2", color_scheme="gray"
                                ),
                            ),
                            rx.cond(st.can_manage, _assign_role_form()),
                            id="user-roles",
                        ),
                        _section(
                            ("Организации", "Organisations"),
                            rx.cond(
                                st.orgs.length() > 0,
                                rx.vstack(
                                    rx.foreach(
                                        st.orgs,
                                        lambda o: rx.hstack(
                                            rx.icon("building-2", size=16),
                                            rx.link(
                                                o["name"],
                                                href=f"{routes.ADMIN_ORGANISATION}?id={o['id']}",
                                                size="2",
                                            ),
                                            rx.text(
                                                t("ИНН ", "INN "),
                                                o["inn"],
                                                size="1",
                                                color_scheme="gray",
                                            ),
                                            align="center",
                                            wrap="wrap",
                                        ),
                                    ),
                                    spacing="2",
                                ),
                                rx.text(
                                    t(
                                        "Не состоит в организациях.",
                                        "Not a member of any organisation.",
                                    ),
                                    size="2",
                                    color_scheme="gray",
                                ),
                            ),
                            rx.cond(
                                st.managed.length() > 0,
                                rx.vstack(
                                    rx.text(
                                        t("Закреплён менеджером за:", "Manager of:"),
                                        size="1",
                                        color_scheme="gray",
                                    ),
                                    rx.foreach(
                                        st.managed,
                                        lambda o: rx.link(
                                            o["name"],
                                            href=f"{routes.ADMIN_ORGANISATION}?id={o['id']}",
                                            size="2",
                                        ),
                                    ),
                                    spacing="1",
                                ),
                            ),
                            id="user-orgs",
                        ),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        title=t("Пользователь", "User"),
    )


# ---------------------------------------------------------------------------- organisations

_KIND_OPTIONS = [(k, ru, en) for k, (ru, en) in KIND_LABELS.items()]


def _yes(flag: Any, yes: tuple[str, str], no: tuple[str, str], color: str) -> rx.Component:
    return rx.cond(
        flag == "1",
        status_badge(t(*yes), color),
        rx.text(t(*no), size="1", color_scheme="gray"),
    )


def _org_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["name"],
                href=f"{routes.ADMIN_ORGANISATION}?id={row['id']}",
                weight="medium",
                id=f"org-link-{row['id']}",
            )
        ),
        _cell(row["inn"], white_space="nowrap"),
        _cell(tv(row["kind_ru"], row["kind_en"])),
        _cell(_yes(row["active"], ("Активна", "Active"), ("Отключена", "Disabled"), "green")),
        _cell(_yes(row["twofa"], ("Обязательна", "Required"), ("—", "—"), "blue")),
    )


def _org_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.link(
            row["name"],
            href=f"{routes.ADMIN_ORGANISATION}?id={row['id']}",
            weight="medium",
            id=f"org-card-{row['id']}",
        ),
        rx.text(t("ИНН ", "INN "), row["inn"], " · ", tv(row["kind_ru"], row["kind_en"]), size="2"),
        rx.hstack(
            _yes(row["active"], ("Активна", "Active"), ("Отключена", "Disabled"), "green"),
            _yes(row["twofa"], ("2FA обязательна", "2FA required"), ("", ""), "blue"),
            spacing="2",
        ),
    )


def organisations_page() -> rx.Component:
    st = AdminOrgsState
    return shell(
        _gated(
            st,
            filter_bar(
                search_field("q", st.f_q, ("Название или ИНН", "Name or INN"), id="orgs-q"),
                select_field(
                    "kind",
                    st.f_kind,
                    _KIND_OPTIONS,
                    id="orgs-kind",
                    all_label=("Любой тип", "Any type"),
                ),
                on_submit=st.apply_filters,
                reset_href=routes.ADMIN_ORGANISATIONS,
                key=st.query_key,
                id_prefix="orgs-filter",
            ),
            data_table(
                [
                    ("Название", "Name"),
                    ("ИНН", "INN"),
                    ("Тип", "Type"),
                    ("Статус", "Status"),
                    ("2FA", "2FA"),
                ],
                st.rows,
                _org_row,
                id="orgs-table",
                min_width="640px",
                mobile_card=_org_card,
            ),
            pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="orgs-page"),
        ),
        title=t("Организации", "Organisations"),
    )


def _org_edit_form() -> rx.Component:
    st = AdminOrgState
    return rx.form(
        rx.vstack(
            rx.text(t("Название", "Name"), size="1", color_scheme="gray"),
            rx.input(
                name="name",
                default_value=st.org["name"],
                max_length=300,
                id="org-name",
                width="100%",
            ),
            rx.text(t("Юридический адрес", "Legal address"), size="1", color_scheme="gray"),
            rx.input(
                name="legal_address",
                default_value=st.org["legal_address"],
                max_length=500,
                id="org-legal-address",
                width="100%",
            ),
            rx.text(t("Адрес", "Address"), size="1", color_scheme="gray"),
            rx.input(
                name="address",
                default_value=st.org["address"],
                max_length=500,
                id="org-address",
                width="100%",
            ),
            rx.flex(
                rx.el.label(
                    rx.hstack(
                        rx.switch(name="is_active", default_checked=st.is_active, id="org-active"),
                        rx.text(t("Активна", "Active"), size="2"),
                        align="center",
                    )
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(name="require_2fa", default_checked=st.require_2fa, id="org-2fa"),
                        rx.text(t("Требовать второй фактор", "Require second factor"), size="2"),
                        align="center",
                    )
                ),
                wrap="wrap",
                spacing="5",
            ),
            rx.button(
                rx.icon("save", size=16), t("Сохранить", "Save"), type="submit", id="org-save"
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=st.save,
        reset_on_submit=False,
        key=st.form_key,
        width="100%",
    )


def _org_readonly() -> rx.Component:
    st = AdminOrgState
    return rx.grid(
        _field(("Юридический адрес", "Legal address"), st.org["legal_address"]),
        _field(("Адрес", "Address"), st.org["address"]),
        _field(
            ("Статус", "Status"),
            rx.cond(st.is_active, t("Активна", "Active"), t("Отключена", "Disabled")),
        ),
        _field(
            ("Второй фактор", "Second factor"),
            rx.cond(st.require_2fa, t("Обязателен", "Required"), t("Не обязателен", "Optional")),
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _person_item(p: Any, *, remove: Any = None) -> rx.Component:
    st = AdminOrgState
    name = rx.cond(
        st.can_see_users,
        rx.link(p["name"], href=f"{routes.ADMIN_USER}?id={p['id']}", size="2", weight="medium"),
        rx.text(p["name"], size="2", weight="medium"),
    )
    return rx.hstack(
        rx.icon("user", size=16),
        rx.vstack(
            name, rx.text(p["email"], size="1", color_scheme="gray"), spacing="0", min_width="0"
        ),
        rx.spacer(),
        *([remove] if remove is not None else []),
        align="center",
        width="100%",
        padding_y="4px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _manager_item(p: Any) -> rx.Component:
    st = AdminOrgState
    return _person_item(
        p,
        remove=rx.cond(
            st.can_manage,
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=st.unassign_manager(p["id"]),
                aria_label="unassign manager",
                title="Снять менеджера",
                id=f"manager-remove-{p['id']}",
            ),
        ),
    )


def _assign_manager_form() -> rx.Component:
    st = AdminOrgState
    return rx.form(
        rx.flex(
            rx.select.root(
                rx.select.trigger(
                    placeholder="Менеджер…", id="assign-manager-select", width="100%"
                ),
                rx.select.content(
                    rx.foreach(
                        st.candidates, lambda o: rx.select.item(o["label"], value=o["value"])
                    )
                ),
                name="manager",
            ),
            rx.button(
                rx.icon("plus", size=16),
                t("Назначить", "Assign"),
                type="submit",
                id="assign-manager",
            ),
            wrap="wrap",
            spacing="2",
        ),
        on_submit=st.assign_manager,
        reset_on_submit=False,
        key=st.form_key,
        width="100%",
    )


def organisation_page() -> rx.Component:
    st = AdminOrgState
    head = rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(st.org["name"], size="5", id="org-title"),
                rx.badge(tv(st.org["kind_ru"], st.org["kind_en"]), variant="soft"),
                rx.cond(~st.is_active, status_badge(t("Отключена", "Disabled"), "red")),
                wrap="wrap",
                spacing="3",
                align="center",
            ),
            rx.grid(
                _field(("ИНН", "INN"), st.org["inn"], id="org-inn"),
                _field(("КПП", "KPP"), st.org["kpp"]),
                _field(("ОГРН / ОГРНИП", "OGRN"), st.org["ogrn"]),
                _field(("Создана (UTC)", "Created (UTC)"), st.org["created"]),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.divider(),
            rx.cond(st.can_manage, _org_edit_form(), _org_readonly()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    return shell(
        _gated(
            st,
            _back(
                routes.ADMIN_ORGANISATIONS, ("Все организации", "All organisations"), "back-to-orgs"
            ),
            rx.cond(
                st.not_found,
                rx.callout(
                    t("Организация не найдена.", "Organisation not found."),
                    icon="info",
                    color_scheme="gray",
                    id="org-not-found",
                ),
                rx.vstack(
                    head,
                    rx.grid(
                        _section(
                            ("Менеджеры", "Managers"),
                            rx.cond(
                                st.managers.length() > 0,
                                rx.vstack(
                                    rx.foreach(st.managers, _manager_item),
                                    spacing="0",
                                    width="100%",
                                ),
                                rx.text(
                                    t("Не назначены.", "None assigned."),
                                    size="2",
                                    color_scheme="gray",
                                ),
                            ),
                            rx.cond(st.can_manage, _assign_manager_form()),
                            id="org-managers",
                        ),
                        _section(
                            ("Контактные лица", "Contacts"),
                            rx.cond(
                                st.members.length() > 0,
                                rx.vstack(
                                    rx.foreach(st.members, lambda p: _person_item(p)),
                                    spacing="0",
                                    width="100%",
                                ),
                                rx.text(
                                    t("Нет привязанных пользователей.", "No linked users."),
                                    size="2",
                                    color_scheme="gray",
                                ),
                            ),
                            id="org-members",
                        ),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        title=t("Организация", "Organisation"),
    )


# ---------------------------------------------------------------------------- roles


def _role_card(role: Any) -> rx.Component:
    st = AdminRolesState
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(
                    rx.cond(
                        (role["builtin"] == "1") & (LangState.lang == "en"),
                        role["description"],
                        role["name"],
                    ),
                    size="3",
                    as_="h3",
                ),
                rx.cond(
                    role["builtin"] == "1",
                    rx.badge(t("встроенная", "built-in"), variant="soft", color_scheme="gray"),
                    rx.badge(t("своя", "custom"), variant="soft", color_scheme="violet"),
                ),
                rx.cond(
                    role["scoped"] == "1",
                    rx.badge(t("в организации", "per organisation"), variant="outline"),
                ),
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            rx.cond(
                (role["description"] != "") & (role["builtin"] != "1"),
                rx.text(role["description"], size="2", color_scheme="gray"),
            ),
            rx.flex(
                rx.foreach(
                    role["perm_labels"].to(list[dict[str, str]]),
                    lambda p: rx.badge(tv(p["ru"], p["en"]), variant="surface", radius="full"),
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                rx.text(
                    t("Назначена: ", "Held by: "), role["holders"], size="1", color_scheme="gray"
                ),
                rx.text(role["code"], size="1", color_scheme="gray", font_family="monospace"),
                rx.spacer(),
                rx.cond(
                    role["builtin"] != "1",
                    rx.hstack(
                        rx.button(
                            rx.icon("pencil", size=14),
                            t("Изменить", "Edit"),
                            size="1",
                            variant="soft",
                            on_click=st.open_edit(role["id"]),
                            id=f"role-edit-{role['id']}",
                        ),
                        rx.button(
                            rx.icon("trash-2", size=14),
                            t("Удалить", "Delete"),
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            disabled=role["holders"] != "0",
                            on_click=st.delete(role["id"]),
                            id=f"role-delete-{role['id']}",
                        ),
                        spacing="2",
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=f"role-{role['id']}",
    )


def _perm_box(perm: Perm) -> rx.Component:
    ru, en = PERMISSION_LABELS[perm]
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                name=f"perm:{perm}",
                default_checked=AdminRolesState.edit_perms.contains(str(perm)),
                id=f"perm-{str(perm).replace('.', '-')}",
            ),
            rx.text(t(ru, en), size="2"),
            rx.text(str(perm), size="1", color_scheme="gray", font_family="monospace"),
            align="center",
            wrap="wrap",
            spacing="2",
        )
    )


def _role_dialog() -> rx.Component:
    st = AdminRolesState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    st.edit_id == 0, t("Новая роль", "New role"), t("Изменить роль", "Edit role")
                )
            ),
            rx.form(
                rx.vstack(
                    rx.text(t("Название", "Name"), size="1", color_scheme="gray"),
                    rx.input(
                        name="name",
                        default_value=st.edit_name,
                        max_length=200,
                        id="role-name",
                        width="100%",
                    ),
                    rx.text(t("Описание", "Description"), size="1", color_scheme="gray"),
                    rx.text_area(
                        name="description",
                        default_value=st.edit_description,
                        max_length=1000,
                        id="role-description",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.text(
                            t(
                                "Права клиента (в организации)",
                                "Customer rights (per organisation)",
                            ),
                            size="1",
                            weight="medium",
                        ),
                        *[_perm_box(p) for p in PERMISSION_LABELS if p in CUSTOMER_PERMS],
                        rx.text(t("Права сотрудников", "Staff rights"), size="1", weight="medium"),
                        *[_perm_box(p) for p in PERMISSION_LABELS if p not in CUSTOMER_PERMS],
                        rx.text(
                            t(
                                "Роль только из прав клиента назначается внутри организации, любая другая — на всю систему.",
                                "A role made only of customer rights is held inside an organisation; any other role platform-wide.",
                            ),
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="2",
                        id="role-perms",
                        width="100%",
                    ),
                    rx.cond(
                        st.form_error != "",
                        rx.callout(
                            st.form_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            id="role-error",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                t("Отмена", "Cancel"),
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                            )
                        ),
                        rx.button(t("Сохранить", "Save"), type="submit", id="role-save"),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=st.save,
                reset_on_submit=False,
                key=st.form_key,
            ),
            max_width="560px",
        ),
        open=st.dialog_open,
        on_open_change=st.close_dialog,
    )


def roles_page() -> rx.Component:
    st = AdminRolesState
    return shell(
        _gated(
            st,
            rx.flex(
                rx.text(
                    t(
                        "Встроенные роли менять нельзя. Свои роли собираются из списка прав; удалить можно роль, которую никто не носит.",
                        "Built-in roles are read-only. Custom roles are built from the permission list; a role nobody holds can be deleted.",
                    ),
                    size="2",
                    color_scheme="gray",
                    flex="1",
                    min_width="240px",
                ),
                rx.button(
                    rx.icon("plus", size=16),
                    t("Создать роль", "New role"),
                    on_click=st.open_create,
                    id="role-create",
                ),
                wrap="wrap",
                spacing="3",
                align="center",
                width="100%",
            ),
            rx.grid(
                rx.foreach(st.rows, _role_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
                id="roles-list",
            ),
            pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="roles-page"),
            _role_dialog(),
        ),
        title=t("Роли и права", "Roles and permissions"),
    )


# ---------------------------------------------------------------------------- audit


def _object_link(row: Any) -> rx.Component:
    """The object of an audit event; a click narrows the log to that object."""
    return rx.link(
        row["object"],
        href=f"{routes.ADMIN_AUDIT}?type={row['object_type']}&object={row['object_id']}",
        size="2",
        white_space="nowrap",
    )


def _audit_row(row: Any) -> rx.Component:
    return rx.table.row(
        _cell(row["at"], white_space="nowrap"),
        _cell(
            rx.vstack(
                rx.text(row["actor"], size="2"),
                rx.text(row["actor_name"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        _cell(rx.code(row["action"], variant="ghost")),
        _cell(_object_link(row)),
        _cell(rx.text(row["changes"], size="1", font_family="monospace"), max_width="420px"),
        _cell(row["ip"], white_space="nowrap"),
    )


def _audit_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.code(row["action"], variant="ghost"),
            rx.spacer(),
            rx.text(row["at"], size="1", color_scheme="gray"),
            width="100%",
            align="center",
        ),
        rx.hstack(
            _object_link(row),
            rx.text("· IP ", row["ip"], size="1", color_scheme="gray"),
            align="center",
        ),
        rx.text(row["actor"], size="2"),
        rx.text(row["changes"], size="1", font_family="monospace", word_break="break-word"),
    )


def audit_page() -> rx.Component:
    st = AdminAuditState
    return shell(
        _gated(
            st,
            filter_bar(
                text_field(
                    "actor",
                    st.f_actor,
                    ("E-mail автора", "Actor e-mail"),
                    id="audit-actor",
                    width="200px",
                ),
                text_field(
                    "action", st.f_action, ("Действие", "Action"), id="audit-action", width="150px"
                ),
                text_field(
                    "type",
                    st.f_type,
                    ("Тип объекта", "Object type"),
                    id="audit-type",
                    width="130px",
                ),
                text_field(
                    "object",
                    st.f_object,
                    ("ID объекта", "Object id"),
                    id="audit-object",
                    width="110px",
                ),
                labelled(
                    ("С даты", "From"),
                    text_field(
                        "from",
                        st.f_from,
                        ("С даты", "From"),
                        id="audit-from",
                        type="date",
                        width="150px",
                    ),
                ),
                labelled(
                    ("По дату", "To"),
                    text_field(
                        "to", st.f_to, ("По дату", "To"), id="audit-to", type="date", width="150px"
                    ),
                ),
                on_submit=st.apply_filters,
                reset_href=routes.ADMIN_AUDIT,
                key=st.query_key,
                id_prefix="audit-filter",
            ),
            data_table(
                [
                    ("Время (UTC)", "Time (UTC)"),
                    ("Кто", "Who"),
                    ("Действие", "Action"),
                    ("Объект", "Object"),
                    ("Было → стало", "Before → after"),
                    ("IP", "IP"),
                ],
                st.rows,
                _audit_row,
                id="audit-table",
                min_width="960px",
                mobile_card=_audit_card,
            ),
            pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="audit-page"),
        ),
        title=t("Журнал аудита", "Audit log"),
    )


# ---------------------------------------------------------------------------- index


def _tile_id(route: str) -> str:
    """admin-tile-users, admin-tile-telecom-sims, …: from the section's route."""
    slug = route.strip("/").removeprefix("admin").strip("/") or "home"
    return "admin-tile-" + slug.replace("/", "-")


def admin_index() -> rx.Component:
    """Every staff section this user may open (the menu's administration list, with the same
    permissions); each page checks the caller again on the server."""
    sections = [item for item in ADMIN_NAV if item.perm]
    tiles = [
        gated(
            item.perm,
            rx.link(
                rx.card(
                    rx.hstack(
                        rx.icon(item.icon),
                        rx.text(t(item.ru, item.en), weight="medium"),
                        align="center",
                    ),
                    height="100%",
                ),
                href=item.route,
                underline="none",
                id=_tile_id(item.route),
            ),
        )
        for item in sections
    ]
    return shell(
        rx.cond(
            reduce(operator.or_, [SessionState.me_perms.contains(str(i.perm)) for i in sections]),
            rx.grid(
                *tiles,
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Администрирование", "Administration"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        users_page, route=routes.ADMIN_USERS, title="Пользователи", on_load=AdminUsersState.load
    )
    app.add_page(
        user_page, route=routes.ADMIN_USER, title="Пользователь", on_load=AdminUserState.load
    )
    app.add_page(
        organisations_page,
        route=routes.ADMIN_ORGANISATIONS,
        title="Организации",
        on_load=AdminOrgsState.load,
    )
    app.add_page(
        organisation_page,
        route=routes.ADMIN_ORGANISATION,
        title="Организация",
        on_load=AdminOrgState.load,
    )
    app.add_page(
        roles_page, route=routes.ADMIN_ROLES, title="Роли и права", on_load=AdminRolesState.load
    )
    app.add_page(
        audit_page, route=routes.ADMIN_AUDIT, title="Журнал аудита", on_load=AdminAuditState.load
    )
    app.add_page(
        admin_index,
        route=routes.ADMIN,
        title="Администрирование",
        on_load=SessionState.require_login,
    )
