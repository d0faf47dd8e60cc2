"""The landing page after login: a short overview with links into the modules."""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.i18n import t
from components.shell import shell


def _tile(icon: str, ru: str, en: str, href: str) -> rx.Component:
    return rx.link(
        rx.card(rx.hstack(rx.icon(icon), rx.text(t(ru, en), weight="medium"), align="center")),
        href=href,
        underline="none",
    )


def home_page() -> rx.Component:
    return shell(
        rx.text(t("Здравствуйте, ", "Hello, "), SessionState.me_name, size="4", id="greeting"),
        rx.cond(
            SessionState.me_orgs == 0,
            rx.callout(
                t(
                    "Вы пока не привязаны к организации. Отправьте запрос на странице «Мои организации».",
                    "You are not linked to an organisation yet. Send a request on the My organisations page.",
                ),
                icon="info",
            ),
        ),
        rx.grid(
            _tile(
                "zap",
                "Мои заявки на подключение",
                "My connection applications",
                routes.APPLICATIONS,
            ),
            _tile("life-buoy", "Обращения в поддержку", "Support requests", routes.SUPPORT),
            _tile("bell", "Уведомления", "Notifications", routes.NOTIFICATIONS),
            _tile("building-2", "Мои организации", "My organisations", routes.ORGANISATIONS),
            _tile("user", "Мои данные", "My details", routes.PROFILE),
            _tile("shield-check", "Безопасность", "Security", routes.SECURITY),
            _tile("circle-help", "Справка", "Help", routes.HELP),
            _tile("message-square", "Обратная связь", "Feedback", routes.FEEDBACK),
            _tile("star", "Оценить качество", "Rate our service", routes.RATE),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="3",
            width="100%",
        ),
        title=t("Личный кабинет", "Customer portal"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        home_page, route=routes.HOME, title="Личный кабинет", on_load=SessionState.require_login
    )
