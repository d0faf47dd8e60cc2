"""The landing page after login: the modules this user may use, then their own account."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState
from cabinet.i18n import t
from components.shell import gated, shell


@dataclass(frozen=True)
class Tile:
    icon: str
    ru: str
    en: str
    href: str
    about_ru: str = ""
    about_en: str = ""
    perm: str | None = None  # shown only to holders of this permission (display only: every
    # page checks the caller again on the server)


MODULES: list[Tile] = [
    Tile(
        "zap",
        "Заявки на подключение",
        "Connection applications",
        routes.APPLICATIONS,
        "Технологическое присоединение к электросетям",
        "Grid connection requests",
        Perm.APPLICATIONS_CREATE,
    ),
    Tile(
        "package",
        "Заказы",
        "Orders",
        routes.ORDERS,
        "Статусы, дислокация, плановые даты",
        "Status, location, planned dates",
        Perm.ORDERS_VIEW,
    ),
    Tile(
        "files",
        "Документы и сертификаты",
        "Documents and certificates",
        routes.DOCUMENTS,
        "Отгрузочные и закрывающие документы, сертификаты качества",
        "Shipping and closing documents, quality certificates",
        Perm.ORDERS_VIEW,
    ),
    Tile(
        "wallet",
        "Финансы",
        "Finance",
        routes.FINANCE,
        "Кредитный лимит, задолженность, счета",
        "Credit limit, debt, invoices",
        Perm.FINANCE_VIEW,
    ),
    Tile(
        "gavel",
        "Торги",
        "Auctions",
        routes.AUCTIONS,
        "Календарь аукционов, лоты и ставки",
        "Auction calendar, lots and bids",
        Perm.AUCTIONS_BID,
    ),
    Tile(
        "smartphone",
        "Связь и сим-карты",
        "SIM cards",
        routes.TELECOM,
        "Номера, баланс, тарифы, пополнение",
        "Numbers, balance, tariffs, top-up",
        Perm.TELECOM_USE,
    ),
    Tile(
        "notebook-pen",
        "Журналы обслуживания",
        "Maintenance journals",
        routes.JOURNALS,
        "Записи о работах и их подписание",
        "Work records and their signing",
        Perm.JOURNALS_VIEW,
    ),
    Tile(
        "signature",
        "Электронная подпись",
        "E-signature",
        routes.ESIGN_MY,
        "Сертификат для подписания записей",
        "The certificate that signs records",
        Perm.ESIGN_USE,
    ),
    Tile(
        "life-buoy",
        "Обращения в поддержку",
        "Support requests",
        routes.SUPPORT,
        "Вопросы и ответы специалистов",
        "Questions and our answers",
        Perm.SUPPORT_REQUEST,
    ),
    Tile("bell", "Уведомления", "Notifications", routes.NOTIFICATIONS),
]

ACCOUNT: list[Tile] = [
    Tile("building-2", "Мои организации", "My organisations", routes.ORGANISATIONS),
    Tile("user", "Мои данные", "My details", routes.PROFILE),
    Tile("shield-check", "Безопасность", "Security", routes.SECURITY),
    Tile("circle-help", "Справка", "Help", routes.HELP),
    Tile("message-square", "Обратная связь", "Feedback", routes.FEEDBACK),
    Tile("star", "Оценить качество", "Rate our service", routes.RATE),
]


def _tile(tile: Tile) -> rx.Component:
    body = [rx.hstack(rx.icon(tile.icon), rx.text(t(tile.ru, tile.en), weight="medium"))]
    if tile.about_ru:
        body.append(rx.text(t(tile.about_ru, tile.about_en), size="1", color_scheme="gray"))
    link = rx.link(
        rx.card(rx.vstack(*body, spacing="1"), height="100%"),
        href=tile.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
    )
    return gated(tile.perm, link)


def _grid(tiles: list[Tile], id: str) -> rx.Component:
    return rx.grid(
        *[_tile(x) for x in tiles],
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        spacing="3",
        width="100%",
        id=id,
    )


def home_page() -> rx.Component:
    return shell(
        rx.text(t("Здравствуйте, ", "Hello, "), SessionState.me_name, size="4", id="greeting"),
        rx.cond(
            (SessionState.me_orgs == 0) & ~SessionState.me_staff,
            rx.callout(
                t(
                    "Вы пока не привязаны к организации. Отправьте запрос на странице «Мои организации».",
                    "You are not linked to an organisation yet. Send a request on the My organisations page.",
                ),
                icon="info",
            ),
        ),
        rx.cond(
            SessionState.me_staff,
            rx.link(
                rx.card(
                    rx.hstack(
                        rx.icon("settings"),
                        rx.text(t("Администрирование", "Administration"), weight="medium"),
                    ),
                ),
                href=routes.ADMIN,
                underline="none",
                color_scheme="gray",
                high_contrast=True,
                width="100%",
                id="home-admin",
            ),
        ),
        _grid(MODULES, "home-modules"),
        rx.heading(t("Профиль", "Account"), size="4", margin_top="0.5em"),
        _grid(ACCOUNT, "home-account"),
        title=t("Личный кабинет", "Customer portal"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        home_page, route=routes.HOME, title="Личный кабинет", on_load=SessionState.require_login
    )
