"""Stateless pieces of a server-paged list: filter bar, table, pager, "no access" notice.

A list page keeps its filters and cursor in the URL query. The filter bar is a plain form:
its submit handler validates the values and redirects to `routes.with_query(...)`; the page's
on_load reads `router.url.query_parameters` and fetches one keyset page. The pager buttons
redirect to the `after=` / `before=` hrefs the state computed. Give every control a stable id
(`id_prefix`), so tests and screenshots can find it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from cabinet.i18n import t

ALL = "all"  # the "any value" option of a select filter (Radix items cannot be "")

Label = tuple[str, str]  # (Russian, English)


def _label(text: Label | str | rx.Var) -> Any:
    if isinstance(text, tuple):
        return t(*text)
    return text


def search_field(
    name: str,
    default: rx.Var | str,
    placeholder: Label,
    *,
    id: str,
    width: str = "260px",
    max_length: int = 100,
) -> rx.Component:
    """A text filter (search box) inside a filter_bar form."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        name=name,
        default_value=default,
        placeholder=_label(placeholder),
        max_length=max_length,
        id=id,
        width=["100%", "100%", width],
    )


def text_field(
    name: str,
    default: rx.Var | str,
    placeholder: Label,
    *,
    id: str,
    type: str = "text",
    width: str = "180px",
    max_length: int = 100,
) -> rx.Component:
    """A plain text/date/number filter inside a filter_bar form."""
    return rx.input(
        name=name,
        default_value=default,
        placeholder=_label(placeholder),
        type=type,
        max_length=max_length,
        id=id,
        width=["100%", "100%", width],
        aria_label=placeholder[0],
    )


def labelled(label: Label, control: rx.Component) -> rx.Component:
    """A small caption above a filter control (for date fields and the like)."""
    return rx.vstack(
        rx.text(_label(label), size="1", color_scheme="gray"),
        control,
        spacing="1",
        width=["100%", "100%", "auto"],
    )


def select_field(
    name: str,
    default: rx.Var | str,
    options: Sequence[tuple[str, str, str]] | rx.Var,
    *,
    id: str,
    all_label: Label = ("Все", "All"),
    width: str = "200px",
) -> rx.Component:
    """A select filter. `options`: [(value, ru, en)] or a Var of [{"value", "label"}].

    The first item is ALL ("any"); the submit handler maps it to no filter.
    """
    if isinstance(options, rx.Var):
        items: list[rx.Component] = [
            rx.foreach(
                options,
                lambda o: rx.select.item(o["label"], value=o["value"]),
            )
        ]
    else:
        items = [rx.select.item(t(ru, en), value=v) for v, ru, en in options]
    return rx.select.root(
        rx.select.trigger(id=id, width=["100%", "100%", width], aria_label=all_label[0]),
        rx.select.content(rx.select.item(_label(all_label), value=ALL), *items),
        name=name,
        default_value=rx.cond(default == "", ALL, default)
        if isinstance(default, rx.Var)
        else (default or ALL),
    )


def filter_bar(
    *controls: rx.Component,
    on_submit: Any,
    reset_href: str,
    key: rx.Var | str,
    id_prefix: str,
) -> rx.Component:
    """The list's filters as one form. `key` (the current URL query) remounts it on navigation
    so the fields always show what the URL says.

    On a phone only the first control (the search box) and the buttons show; "Фильтры"
    unfolds the others (a checkbox and a CSS rule in the browser: no server round trip).
    From the tablet width up every control shows in one wrapping row, as before."""
    first, more = controls[:1], controls[1:]
    toggle = f"{id_prefix}-more-toggle"
    folded: list[rx.Component] = []
    if more:
        folded = [
            rx.button(
                rx.el.label(
                    rx.icon("sliders-horizontal", size=16),
                    t("Фильтры", "Filters"),
                    html_for=toggle,
                    id=f"{id_prefix}-more",
                ),
                as_child=True,
                variant="soft",
                color_scheme="gray",
                display=["inline-flex", "inline-flex", "none"],
                cursor="pointer",
            ),
            rx.flex(
                *more,
                class_name="filter-more",
                display=["none", "none", "contents"],
                direction="column",
                spacing="2",
                width="100%",
            ),
        ]
    return rx.form(
        rx.el.input(type="checkbox", id=toggle, class_name="filter-more-toggle", hidden=True),
        rx.flex(
            *first,
            *folded,
            rx.hstack(
                rx.button(
                    rx.icon("filter", size=16),
                    t("Найти", "Apply"),
                    type="submit",
                    id=f"{id_prefix}-apply",
                ),
                rx.button(
                    t("Сбросить", "Reset"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=rx.redirect(reset_href),
                    id=f"{id_prefix}-reset",
                ),
                spacing="2",
            ),
            wrap="wrap",
            spacing="2",
            align="end",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        key=key,
        width="100%",
        id=f"{id_prefix}-form",
        style={
            "@media (max-width: 47.99em)": {
                "&:has(.filter-more-toggle:checked) .filter-more": {"display": "flex"}
            }
        },
    )


def data_table(
    headers: Sequence[Label | str],
    rows: rx.Var,
    render_row: Callable[[Any], rx.Component],
    *,
    id: str,
    empty: Label = ("Ничего не найдено.", "Nothing found."),
    min_width: str = "720px",
    mobile_card: Callable[[Any], rx.Component] | None = None,
) -> rx.Component:
    """A table over a Var list of row dicts. On a phone it scrolls sideways, or — when
    `mobile_card` is given — shows one card per row instead."""
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(_label(h)) for h in headers])
            ),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            size="2",
            width="100%",
            min_width=min_width,
        ),
        width="100%",
        overflow_x="auto",
        id=id,
    )
    if mobile_card is not None:
        table = rx.fragment(
            rx.box(table, display=["none", "none", "block"], width="100%"),
            rx.vstack(
                rx.foreach(rows, mobile_card),
                display=["flex", "flex", "none"],
                spacing="2",
                width="100%",
                id=f"{id}-cards",
            ),
        )
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        table,
        rx.callout(_label(empty), icon="info", color_scheme="gray", width="100%", id=f"{id}-empty"),
    )


def mobile_card(*lines: rx.Component, **props: Any) -> rx.Component:
    """A compact card for one list row on a phone."""
    return rx.card(rx.vstack(*lines, spacing="1", width="100%"), width="100%", size="1", **props)


def pager(
    *,
    prev_href: rx.Var,
    next_href: rx.Var,
    id_prefix: str,
    first_href: str | rx.Var | None = None,
) -> rx.Component:
    """Previous / next page buttons; a button without a target is disabled."""
    buttons = []
    if first_href is not None:
        buttons.append(
            rx.button(
                rx.icon("chevrons-left", size=16),
                t("В начало", "First"),
                variant="soft",
                disabled=prev_href == "",
                on_click=rx.redirect(first_href),
                id=f"{id_prefix}-first",
            )
        )
    buttons += [
        rx.button(
            rx.icon("chevron-left", size=16),
            t("Назад", "Previous"),
            variant="soft",
            disabled=prev_href == "",
            on_click=rx.redirect(prev_href),
            id=f"{id_prefix}-prev",
        ),
        rx.button(
            t("Далее", "Next"),
            rx.icon("chevron-right", size=16),
            variant="soft",
            disabled=next_href == "",
            on_click=rx.redirect(next_href),
            id=f"{id_prefix}-next",
        ),
    ]
    return rx.cond(
        (prev_href != "") | (next_href != ""),
        rx.hstack(*buttons, spacing="2", justify="end", width="100%"),
    )


def no_access(
    text: Label = (
        "Нет доступа. У вашей учётной записи нет прав на этот раздел.",
        "No access. Your account has no rights to this section.",
    ),
) -> rx.Component:
    """What a page shows instead of its data when the caller lacks the permission."""
    return rx.callout(
        _label(text), icon="shield-alert", color_scheme="red", width="100%", id="no-access"
    )


def not_found(text: Label, *, id: str) -> rx.Component:
    """What a detail page shows for a record that is missing or not the caller's."""
    return rx.callout(_label(text), icon="circle-x", color_scheme="red", width="100%", id=id)


def back_link(href: Any, label: Label) -> rx.Component:
    """ "← list" link above a detail page."""
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=16), _label(label), align="center"),
        href=href,
        size="2",
    )


def status_badge(text: Any, color: Any) -> rx.Component:
    return rx.badge(text, color_scheme=color, variant="soft", radius="full")


def cell_link(text: Any, href: Any, *, id: Any = None) -> rx.Component:
    """A table cell whose text opens the row's detail view."""
    return rx.table.row_header_cell(
        rx.link(text, href=href, weight="medium", id=id), white_space="nowrap"
    )
