"""The page shell: sidebar on desktop, drawer on phones, top bar with language and user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState
from cabinet.i18n import LangState, t


@dataclass(frozen=True)
class NavItem:
    route: str
    ru: str
    en: str
    icon: str
    perm: str | None = None  # shown only to holders of this permission (display only)


NAV: list[NavItem] = [
    NavItem(routes.HOME, "Главная", "Home", "house"),
    NavItem(routes.PROFILE, "Мои данные", "My details", "user"),
    NavItem(routes.ORGANISATIONS, "Мои организации", "My organisations", "building-2"),
    NavItem(routes.APPLICATIONS, "Мои заявки", "My applications", "zap", Perm.APPLICATIONS_CREATE),
    NavItem(routes.ORDERS, "Заказы", "Orders", "package", Perm.ORDERS_VIEW),
    NavItem(routes.DOCUMENTS, "Документы", "Documents", "files", Perm.ORDERS_VIEW),
    NavItem(
        routes.CERTIFICATES, "Сертификаты качества", "Certificates", "badge-check", Perm.ORDERS_VIEW
    ),
    NavItem(routes.FINANCE, "Финансы", "Finance", "wallet", Perm.FINANCE_VIEW),
    NavItem(routes.INVOICES, "Счета", "Invoices", "receipt", Perm.FINANCE_VIEW),
    NavItem(routes.SUPPORT, "Обращения", "Support requests", "life-buoy", Perm.SUPPORT_REQUEST),
    NavItem(routes.TELECOM, "Связь и сим-карты", "SIM cards", "smartphone", Perm.TELECOM_USE),
    NavItem(routes.AUCTIONS, "Торги", "Auctions", "gavel", Perm.AUCTIONS_BID),
    NavItem(routes.ESIGN_MY, "Электронная подпись", "E-signature", "signature", Perm.ESIGN_USE),
    NavItem(
        routes.JOURNALS,
        "Журналы обслуживания",
        "Maintenance journals",
        "notebook-pen",
        Perm.JOURNALS_VIEW,
    ),
    NavItem(routes.SESSIONS, "Мои сеансы", "My sessions", "monitor-smartphone"),
    NavItem(routes.API_ACCESS, "Доступ по API", "API access", "key-round", Perm.API_TOKENS_MANAGE),
    NavItem(routes.SECURITY, "Безопасность", "Security", "shield-check"),
    NavItem(routes.NOTIFICATIONS, "Уведомления", "Notifications", "bell"),
    NavItem(
        routes.PROFILE_NOTIFICATIONS, "Каналы уведомлений", "Notification channels", "bell-ring"
    ),
    NavItem(routes.SURVEYS, "Опросы", "Surveys", "clipboard-list"),
    NavItem(routes.RATE, "Оценить качество", "Rate quality", "star"),
    NavItem(routes.HELP, "Справка", "Help", "circle-help"),
    NavItem(routes.FEEDBACK, "Обратная связь", "Feedback", "message-square-text"),
]

ADMIN_NAV: list[NavItem] = [
    NavItem(routes.ADMIN_USERS, "Пользователи", "Users", "users", Perm.USERS_VIEW),
    NavItem(routes.ADMIN_ORGANISATIONS, "Организации", "Organisations", "building", Perm.ORGS_VIEW),
    NavItem(
        routes.ADMIN_LINK_REQUESTS, "Запросы привязки", "Link requests", "link", Perm.LINKS_DECIDE
    ),
    NavItem(
        routes.ADMIN_APPLICATIONS,
        "Реестр заявок",
        "Applications registry",
        "zap",
        Perm.APPLICATIONS_PROCESS,
    ),
    NavItem(routes.ORDERS, "Заказы клиентов", "Customer orders", "package", Perm.ORDERS_STAFF),
    NavItem(
        routes.CERTIFICATES,
        "Документы и сертификаты клиентов",
        "Customer documents",
        "files",
        Perm.ORDERS_STAFF,
    ),
    NavItem(routes.FINANCE, "Финансы клиентов", "Customer finance", "wallet", Perm.ORDERS_STAFF),
    NavItem(
        routes.ADMIN_SUPPORT,
        "Обращения клиентов",
        "Customer requests",
        "inbox",
        Perm.SUPPORT_HANDLE,
    ),
    NavItem(
        routes.ADMIN_SUPPORT_SETTINGS,
        "Отделы и категории обращений",
        "Support departments",
        "settings-2",
        Perm.SUPPORT_MANAGE,
    ),
    NavItem(
        routes.ESIGN_ADMIN,
        "Сертификаты подписи",
        "Signature certificates",
        "badge-check",
        Perm.ESIGN_ISSUE,
    ),
    NavItem(routes.ADMIN_AUCTIONS, "Аукционы", "Auctions", "gavel", Perm.AUCTIONS_ORGANISE),
    NavItem(
        routes.JOURNALS,
        "Журналы обслуживания",
        "Maintenance journals",
        "notebook-pen",
        Perm.JOURNALS_WRITE,
    ),
    NavItem(
        routes.ADMIN_JOURNAL_OBJECTS,
        "Журналы: объекты абонентов",
        "Journals: all objects",
        "building",
        Perm.JOURNALS_ADMIN,
    ),
    NavItem(
        routes.ADMIN_JOURNAL_TYPES,
        "Журналы: типы",
        "Journal types",
        "list-checks",
        Perm.JOURNALS_ADMIN,
    ),
    NavItem(routes.ADMIN_ROLES, "Роли и права", "Roles", "key-round", Perm.ROLES_MANAGE),
    NavItem(routes.ADMIN_AUDIT, "Журнал аудита", "Audit log", "scroll-text", Perm.AUDIT_VIEW),
    NavItem(routes.ADMIN_OUTBOX, "Исходящие e-mail и SMS", "Outbox", "mail", Perm.OUTBOX_VIEW),
    NavItem(
        routes.ADMIN_NOTIFY_TEMPLATES,
        "Шаблоны уведомлений",
        "Notification templates",
        "file-pen-line",
        Perm.NOTIFY_TEMPLATES_MANAGE,
    ),
    NavItem(
        routes.ADMIN_NOTIFY_STATS,
        "Доставка уведомлений",
        "Notification delivery",
        "chart-column",
        Perm.NOTIFY_STATS_VIEW,
    ),
    NavItem(
        routes.ADMIN_FEEDBACK,
        "Обратная связь",
        "Feedback",
        "message-square-text",
        Perm.FEEDBACK_VIEW,
    ),
    NavItem(routes.ADMIN_RATINGS, "Оценки качества", "Quality ratings", "star", Perm.FEEDBACK_VIEW),
    NavItem(routes.ADMIN_HELP, "Справка: статьи", "Help articles", "book-open", Perm.HELP_MANAGE),
    NavItem(routes.ADMIN_SURVEYS, "Опросы", "Surveys", "clipboard-list", Perm.SURVEYS_MANAGE),
    NavItem(routes.ADMIN_ERP, "Обмен с ERP", "ERP sync", "refresh-cw", Perm.ERP_SYNC_MANAGE),
    NavItem(
        routes.ADMIN_TELECOM_SIMS,
        "Связь: сим-карты, абоненты",
        "Telecom: SIMs, subscribers",
        "smartphone",
        Perm.TELECOM_VIEW,
    ),
    NavItem(
        routes.ADMIN_TELECOM_REQUESTS,
        "Связь: заявки",
        "Telecom: requests",
        "clipboard-check",
        Perm.TELECOM_VIEW,
    ),
]

# Modules append their items here before pages are built.
MODULE_NAV: list[NavItem] = []


def _link(item: NavItem) -> rx.Component:
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18), rx.text(t(item.ru, item.en), size="2"), align="center"
        ),
        href=item.route,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        padding="6px 10px",
        border_radius="6px",
        _hover={"background": rx.color("accent", 3)},
    )
    return gated(item.perm, link)


def gated(perm: str | None, component: rx.Component) -> rx.Component:
    """`component` only for holders of `perm` (display only: every page and handler checks
    the caller again on the server)."""
    if perm:
        return rx.cond(SessionState.me_perms.contains(perm), component)
    return component


def _nav_list() -> rx.Component:
    return rx.vstack(
        *[_link(i) for i in NAV + MODULE_NAV],
        rx.cond(
            SessionState.me_staff,
            rx.vstack(
                rx.divider(),
                rx.text(
                    t("Администрирование", "Administration"),
                    size="1",
                    color_scheme="gray",
                    padding_x="10px",
                ),
                *[_link(i) for i in ADMIN_NAV],
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.image(src="/logo.svg", width="28px", height="28px", alt="Cabinet"),
            rx.heading(t("Личный кабинет", "Customer portal"), size="4"),
            align="center",
        ),
        href=routes.HOME,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
    )


def lang_switch() -> rx.Component:
    return rx.button(
        rx.cond(LangState.lang == "en", "RU", "EN"),
        on_click=LangState.toggle_lang,
        variant="soft",
        size="1",
        aria_label="language",
        id="lang-switch",
    )


def _drawer() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="menu", id="menu-button")
        ),
        rx.drawer.overlay(z_index="5"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        _brand(),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(rx.icon("x"), variant="ghost", aria_label="close")
                        ),
                        width="100%",
                    ),
                    _nav_list(),
                    spacing="4",
                    padding="16px",
                    width="100%",
                ),
                top="auto",
                right="auto",
                height="100%",
                width="280px",
                background_color=rx.color("gray", 1),
            )
        ),
        direction="left",
    )


def bell() -> rx.Component:
    """The unread notifications count; re-read from the database each time a page mounts it."""
    from cabinet.notifications.state import BellState

    return rx.link(
        rx.box(
            rx.icon("bell", size=20),
            rx.cond(
                BellState.unread > 0,
                rx.badge(
                    BellState.unread_label,
                    color_scheme="red",
                    variant="solid",
                    radius="full",
                    size="1",
                    position="absolute",
                    top="-8px",
                    right="-10px",
                    id="bell-count",
                ),
            ),
            position="relative",
            display="flex",
            on_mount=BellState.refresh,
        ),
        href=routes.NOTIFICATIONS,
        color_scheme="gray",
        high_contrast=True,
        aria_label="notifications",
        id="bell",
        padding_right="8px",
    )


def _topbar() -> rx.Component:
    return rx.hstack(
        rx.box(_drawer(), display=["block", "block", "none"]),
        rx.box(_brand(), display=["block", "block", "none"]),
        rx.spacer(),
        lang_switch(),
        rx.cond(
            SessionState.logged_in,
            rx.hstack(
                bell(),
                rx.text(
                    SessionState.me_name, size="2", display=["none", "none", "block"], id="me-name"
                ),
                rx.button(
                    rx.icon("log-out", size=16),
                    t("Выйти", "Log out"),
                    on_click=SessionState.logout,
                    variant="outline",
                    size="1",
                    id="logout",
                ),
                align="center",
            ),
        ),
        align="center",
        width="100%",
        padding="10px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        spacing="3",
    )


def shell(*children: rx.Component, title: str | rx.Var = "") -> rx.Component:
    """A logged-in page: navigation + content column."""
    return rx.hstack(
        rx.box(
            rx.vstack(_brand(), _nav_list(), spacing="5", padding="16px", width="100%"),
            display=["none", "none", "block"],
            width="260px",
            min_width="260px",
            height="100vh",
            position="sticky",
            top="0",
            overflow_y="auto",
            border_right=f"1px solid {rx.color('gray', 4)}",
            background=rx.color("gray", 2),
        ),
        rx.vstack(
            _topbar(),
            rx.vstack(
                *(
                    []
                    if isinstance(title, str) and not title
                    else [rx.heading(title, size="6", as_="h1")]
                ),
                *children,
                spacing="4",
                padding=["12px", "16px", "24px"],
                width="100%",
                max_width="1200px",
            ),
            spacing="0",
            width="100%",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        align="start",
    )


def public_shell(*children: rx.Component) -> rx.Component:
    """Pages before login: centred card, language switch."""
    return rx.box(
        rx.hstack(_brand(), rx.spacer(), lang_switch(), padding="12px 16px", width="100%"),
        rx.center(
            rx.card(
                rx.vstack(*children, spacing="4", width="100%"), width="100%", max_width="440px"
            ),
            padding=["12px", "24px"],
            width="100%",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


PageFn = Callable[[], rx.Component]
