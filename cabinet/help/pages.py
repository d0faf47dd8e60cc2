"""Pages: public help (list + search, one article) and the editors' list and markdown editor.

`site_page` lays out a page that anonymous visitors may open too: inside the shell for a
logged-in user, under a light top bar otherwise (the feedback form uses it as well).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.help import rules
from cabinet.help.state import HelpAdminState, HelpArticleState, HelpEditState, HelpListState
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
from components.shell import lang_switch, shell


def markdown(text: Any, **props: Any) -> rx.Component:
    """Article markdown without raw HTML (react-markdown escapes it) and without maths."""
    return rx.markdown(text, use_raw=False, use_math=False, use_katex=False, **props)


def _public_bar() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.image(src="/logo.svg", width="28px", height="28px", alt="Cabinet"),
                rx.heading(t("Личный кабинет", "Customer portal"), size="4"),
                align="center",
            ),
            href=routes.HOME,
            underline="none",
            color_scheme="gray",
            high_contrast=True,
        ),
        rx.spacer(),
        lang_switch(),
        rx.link(
            rx.button(t("Войти", "Log in"), variant="outline", size="1"),
            href=routes.LOGIN,
            id="public-login",
        ),
        align="center",
        width="100%",
        padding="10px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        spacing="3",
    )


def site_page(body: Callable[[], rx.Component], title: Any) -> rx.Component:
    """`body()` inside the shell for a logged-in user; under a public bar for a visitor."""
    return rx.cond(
        SessionState.logged_in,
        shell(body(), title=title),
        rx.box(
            _public_bar(),
            rx.vstack(
                rx.heading(title, size="6", as_="h1"),
                body(),
                spacing="4",
                padding=["12px", "16px", "24px"],
                width="100%",
                max_width="960px",
                margin_x="auto",
            ),
            min_height="100vh",
            width="100%",
        ),
    )


# --------------------------------------------------------------------------- /help


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                default_value=HelpListState.q,
                placeholder=t("Поиск по справке", "Search help"),
                max_length=rules.QUERY_MAX,
                id="help-q",
                width="100%",
            ),
            rx.button(t("Найти", "Search"), type="submit", id="help-search"),
            width="100%",
            max_width="560px",
        ),
        on_submit=HelpListState.search,
        reset_on_submit=False,
        key=HelpListState.q,
        width="100%",
    )


def _article_link(a: Any) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(a.title, weight="bold", size="3"),
                rx.text(a.excerpt, size="2", color_scheme="gray"),
                spacing="1",
            ),
            width="100%",
            _hover={"background": rx.color("accent", 2)},
        ),
        href=routes.HELP + "/" + a.slug,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        id="help-link-" + a.slug,
    )


def _section(g: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(rx.cond(g.section != "", g.section, t("Общее", "General")), size="4", as_="h2"),
        rx.foreach(g.articles, _article_link),
        spacing="2",
        width="100%",
    )


def _help_list_body() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _search_form(),
            rx.cond(
                HelpListState.can_edit,
                rx.link(
                    rx.button(
                        rx.icon("pencil", size=16),
                        t("Редактировать справку", "Edit help"),
                        variant="soft",
                    ),
                    href=routes.ADMIN_HELP,
                    id="help-edit-link",
                ),
            ),
            justify="between",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            HelpListState.q != "",
            rx.text(
                t("Найдено статей: ", "Articles found: "),
                HelpListState.found,
                size="2",
                color_scheme="gray",
                id="help-found",
            ),
        ),
        rx.cond(
            HelpListState.loaded & (HelpListState.found == 0),
            rx.callout(
                t(
                    "Ничего не нашлось. Попробуйте другие слова или напишите нам.",
                    "Nothing found. Try other words or write to us.",
                ),
                icon="info",
                color_scheme="gray",
                width="100%",
                id="help-empty",
            ),
        ),
        rx.foreach(HelpListState.groups, _section),
        rx.card(
            rx.flex(
                rx.text(t("Не нашли ответ?", "No answer here?"), weight="medium", size="2"),
                rx.link(
                    t("Напишите администратору сайта", "Write to the site administrator"),
                    href=routes.FEEDBACK,
                    size="2",
                    id="help-to-feedback",
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def help_page() -> rx.Component:
    return site_page(_help_list_body, t("Справка", "Help"))


# --------------------------------------------------------------------------- /help/<slug>


def _article_body() -> rx.Component:
    a = HelpArticleState.article
    return rx.cond(
        HelpArticleState.missing,
        rx.vstack(
            rx.callout(
                t("Статья не найдена.", "Article not found."),
                icon="info",
                color_scheme="gray",
                width="100%",
                id="help-missing",
            ),
            rx.link(t("← Вся справка", "← All help"), href=routes.HELP, id="help-back"),
            width="100%",
        ),
        rx.vstack(
            rx.flex(
                rx.link(
                    t("← Вся справка", "← All help"), href=routes.HELP, size="2", id="help-back"
                ),
                rx.cond(a.section != "", rx.badge(a.section, variant="soft")),
                rx.cond(~a.is_published, rx.badge(t("Черновик", "Draft"), color_scheme="amber")),
                rx.cond(
                    HelpArticleState.can_edit,
                    rx.link(
                        t("Редактировать", "Edit"),
                        href=routes.ADMIN_HELP_EDIT + "?id=" + a.id.to_string(),
                        size="2",
                        id="help-article-edit",
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.heading(a.title, size="6", as_="h1", id="help-article-title"),
            rx.box(markdown(a.body), width="100%", id="help-article-body", class_name="help-md"),
            rx.text(t("Обновлено: ", "Updated: "), a.updated_at, size="1", color_scheme="gray"),
            spacing="3",
            width="100%",
            max_width="760px",
        ),
    )


def help_article_page() -> rx.Component:
    return site_page(_article_body, t("Справка", "Help"))


# --------------------------------------------------------------------------- /admin/help


def _published_badge(published: Any) -> rx.Component:
    return rx.cond(
        published,
        rx.badge(t("Опубликована", "Published"), color_scheme="green", variant="soft"),
        rx.badge(t("Черновик", "Draft"), color_scheme="amber", variant="soft"),
    )


def _publish_button(r: Any) -> rx.Component:
    return rx.button(
        rx.cond(r.is_published, t("Снять", "Unpublish"), t("Опубликовать", "Publish")),
        size="1",
        variant="soft",
        on_click=HelpAdminState.toggle_published(r.id, ~r.is_published),
        id="help-toggle-" + r.id.to_string(),
    )


def _admin_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                r.title,
                href=routes.ADMIN_HELP_EDIT + "?id=" + r.id.to_string(),
                weight="medium",
                id="help-open-" + r.id.to_string(),
            )
        ),
        rx.table.cell(r.section),
        rx.table.cell(rx.code(r.slug, variant="ghost")),
        rx.table.cell(_published_badge(r.is_published)),
        rx.table.cell(r.updated_at, white_space="nowrap"),
        rx.table.cell(_publish_button(r)),
    )


def _admin_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.link(r.title, href=routes.ADMIN_HELP_EDIT + "?id=" + r.id.to_string(), weight="medium"),
        rx.text(r.section, " · ", r.slug, size="1", color_scheme="gray"),
        rx.hstack(_published_badge(r.is_published), _publish_button(r), spacing="2"),
    )


def admin_help_page() -> rx.Component:
    s = HelpAdminState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    filter_bar(
                        search_field(
                            "q", s.f_q, ("Заголовок или текст", "Title or text"), id="help-f-q"
                        ),
                        select_field(
                            "published",
                            s.f_published,
                            [("yes", "Опубликованные", "Published"), ("no", "Черновики", "Drafts")],
                            id="help-f-published",
                        ),
                        on_submit=s.apply_filters,
                        reset_href=routes.ADMIN_HELP,
                        key=s.query_key,
                        id_prefix="help-f",
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("plus", size=16), t("Новая статья", "New article")),
                        href=routes.ADMIN_HELP_EDIT,
                        id="help-new",
                    ),
                    rx.link(t("Открыть справку", "Open help"), href=routes.HELP, size="2"),
                    align="center",
                    spacing="4",
                ),
                data_table(
                    [
                        ("Заголовок", "Title"),
                        ("Раздел", "Section"),
                        ("Адрес", "Slug"),
                        ("Статус", "Status"),
                        ("Изменена", "Updated"),
                        "",
                    ],
                    s.rows,
                    _admin_row,
                    id="help-table",
                    mobile_card=_admin_card,
                ),
                pager(prev_href=s.prev_href, next_href=s.next_href, id_prefix="help-pager"),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Справка: статьи", "Help articles"),
    )


# --------------------------------------------------------------------------- /admin/help/edit


def _edit_field(
    key: str, label: tuple[str, str], *, multiline: bool = False, hint: Any = None, **props: Any
) -> rx.Component:
    s = HelpEditState
    common = dict(
        value=s.form[key],
        on_change=lambda v: s.set_field(key, v),
        id=f"help-{key}",
        width="100%",
        max_length=rules.BODY_MAX if multiline else 200,
        **props,
    )
    control = (
        rx.text_area(**common, rows="18", resize="vertical", font_family="monospace")
        if multiline
        else rx.input(**common)
    )
    return rx.vstack(
        rx.text(t(*label), as_="label", html_for=f"help-{key}", size="2", weight="medium"),
        control,
        *([hint] if hint is not None else []),
        rx.cond(
            s.errors.contains(key),
            rx.text(s.errors[key], color_scheme="red", size="1", id=f"help-{key}-error"),
        ),
        spacing="1",
        width="100%",
    )


def _editor() -> rx.Component:
    s = HelpEditState
    return rx.vstack(
        rx.grid(
            _edit_field("title", ("Заголовок", "Title"), on_blur=s.suggest_slug),
            _edit_field(
                "slug",
                ("Адрес (латиница, цифры, дефисы)", "Address (latin, digits, dashes)"),
                hint=rx.text("/help/", s.form["slug"], size="1", color_scheme="gray"),
            ),
            _edit_field("section", ("Раздел", "Section")),
            _edit_field(
                "position", ("Порядок в разделе", "Order in section"), input_mode="numeric"
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(
                    t("Текст (markdown)", "Text (markdown)"), value="edit", id="help-tab-edit"
                ),
                rx.tabs.trigger(
                    t("Предпросмотр", "Preview"), value="preview", id="help-tab-preview"
                ),
            ),
            rx.tabs.content(
                _edit_field(
                    "body",
                    ("Текст статьи", "Article text"),
                    multiline=True,
                    hint=rx.text(
                        t(
                            "Markdown: ## заголовок, **жирный**, *курсив*, - список, "
                            "1. нумерованный список, [ссылка](/help), > цитата.",
                            "Markdown: ## heading, **bold**, *italic*, - list, 1. numbered, "
                            "[link](/help), > quote.",
                        ),
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                value="edit",
                padding_top="12px",
            ),
            rx.tabs.content(
                rx.card(
                    rx.heading(s.form["title"], size="5", as_="h2"),
                    markdown(s.form["body"]),
                    width="100%",
                    id="help-preview",
                ),
                value="preview",
                padding_top="12px",
            ),
            value=s.tab,
            on_change=s.set_tab,
            width="100%",
        ),
        rx.text(
            rx.switch(
                checked=s.published,
                on_change=s.set_published,
                id="help-published",
                margin_right="8px",
            ),
            t("Опубликована (видна всем)", "Published (visible to everyone)"),
            as_="label",
            size="2",
        ),
        rx.cond(
            s.errors.contains("form"),
            rx.callout(s.errors["form"], icon="triangle-alert", color_scheme="red"),
        ),
        rx.flex(
            rx.button(
                rx.icon("save", size=16), t("Сохранить", "Save"), on_click=s.save, id="help-save"
            ),
            rx.cond(
                s.saved_slug != "",
                rx.link(
                    rx.button(t("Открыть статью", "Open article"), variant="soft"),
                    href=routes.HELP + "/" + s.saved_slug,
                    id="help-view",
                ),
            ),
            rx.link(
                rx.button(t("К списку", "Back to list"), variant="soft", color_scheme="gray"),
                href=routes.ADMIN_HELP,
            ),
            rx.spacer(),
            rx.cond(
                s.article_id > 0,
                rx.button(
                    rx.icon("trash-2", size=16),
                    t("Удалить", "Delete"),
                    variant="soft",
                    color_scheme="red",
                    on_click=s.ask_delete(True),
                    id="help-delete",
                ),
            ),
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.content(
                rx.alert_dialog.title(t("Удалить статью?", "Delete the article?")),
                rx.alert_dialog.description(
                    t("Статья исчезнет из справки.", "The article disappears from help.")
                ),
                rx.flex(
                    rx.alert_dialog.cancel(
                        rx.button(
                            t("Отмена", "Cancel"),
                            variant="soft",
                            color_scheme="gray",
                            on_click=s.ask_delete(False),
                        )
                    ),
                    rx.alert_dialog.action(
                        rx.button(
                            t("Удалить", "Delete"),
                            color_scheme="red",
                            on_click=s.delete,
                            id="help-delete-confirm",
                        )
                    ),
                    spacing="2",
                    justify="end",
                    margin_top="16px",
                ),
            ),
            open=s.confirm_delete,
        ),
        spacing="4",
        width="100%",
    )


def admin_help_edit_page() -> rx.Component:
    s = HelpEditState
    return shell(
        rx.cond(
            ~s.allowed,
            no_access(),
            rx.cond(
                s.missing,
                rx.callout(
                    t("Статья не найдена.", "Article not found."),
                    icon="info",
                    id="help-edit-missing",
                ),
                _editor(),
            ),
        ),
        title=rx.cond(
            s.article_id > 0,
            t("Статья справки", "Help article"),
            t("Новая статья справки", "New help article"),
        ),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(help_page, route=routes.HELP, title="Справка", on_load=HelpListState.load)
    app.add_page(
        help_article_page,
        route=routes.HELP_ARTICLE,
        title="Справка",
        on_load=HelpArticleState.load,
    )
    app.add_page(
        admin_help_page,
        route=routes.ADMIN_HELP,
        title="Справка: статьи",
        on_load=HelpAdminState.load,
    )
    app.add_page(
        admin_help_edit_page,
        route=routes.ADMIN_HELP_EDIT,
        title="Статья справки",
        on_load=HelpEditState.load,
    )
