"""A short hint on a complex form: a small "?" button that opens a popover (works on touch,
unlike a tooltip). Text in Russian and English; optionally a link to a help article."""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.i18n import t


def hint(ru: str, en: str, *, id: str, article: str = "") -> rx.Component:
    """`?` next to a field label. `article`: slug of a help article to link to."""
    body: list[rx.Component] = [rx.text(t(ru, en), size="2")]
    if article:
        body.append(
            rx.link(
                t("Подробнее в справке", "More in help"),
                href=routes.help_article_url(article),
                size="2",
                is_external=False,
                id=f"{id}-more",
            )
        )
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("circle-help", size=15),
                type="button",
                variant="ghost",
                size="1",
                radius="full",
                color_scheme="gray",
                aria_label=t("Подсказка", "Hint"),
                id=id,
                margin_left="4px",
                vertical_align="middle",
            )
        ),
        rx.popover.content(
            rx.vstack(*body, spacing="2"),
            side="top",
            max_width=["280px", "320px"],
            id=f"{id}-text",
        ),
    )


def with_hint(label: rx.Var | str, ru: str, en: str, *, id: str, article: str = "") -> rx.Component:
    """A field label followed by its hint button."""
    return rx.fragment(label, hint(ru, en, id=id, article=article))
