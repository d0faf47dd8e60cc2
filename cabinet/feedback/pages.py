"""Pages: the feedback form, the staff feedback list, surveys (answer, edit, statistics),
one-click quality ratings (the reusable `rating_widget`, /rate and the staff statistics)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.feedback import rules
from cabinet.feedback.state import (
    STATUS_FILTERS,
    FeedbackAdminState,
    FeedbackFormState,
    RatingState,
    RatingStatsState,
    SurveyAdminState,
    SurveyEditState,
    SurveysState,
    SurveyStatsState,
)
from cabinet.help.pages import site_page
from cabinet.i18n import LangState, code_label, t
from components.data_table import (
    ALL,
    data_table,
    filter_bar,
    mobile_card,
    no_access,
    pager,
    search_field,
    select_field,
)
from components.shell import shell

STATUS_COLORS = {"new": "blue", "read": "gray", "answered": "green"}


def _error(errors: Any, key: str, el_id: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color_scheme="red", size="1", id=el_id),
    )


def _label(text: Any, html_for: str, required: bool = False) -> rx.Component:
    return rx.text(
        text,
        *([rx.text.span(" *", color_scheme="red")] if required else []),
        as_="label",
        html_for=html_for,
        size="2",
        weight="medium",
    )


def topic_label(code: Any) -> rx.Component:
    return code_label(code, rules.TOPICS, code)


def status_badge(status: Any) -> rx.Component:
    return rx.badge(
        code_label(status, rules.STATUS_LABELS, status),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        white_space="nowrap",
    )


# --------------------------------------------------------------------------- /feedback


def _feedback_form() -> rx.Component:
    s = FeedbackFormState
    return rx.form(
        rx.vstack(
            rx.vstack(
                _label(t("Тема", "Topic"), "fb-topic", True),
                rx.select.root(
                    rx.select.trigger(
                        placeholder=t("Выберите тему", "Choose a topic"),
                        id="fb-topic",
                        width="100%",
                    ),
                    rx.select.content(
                        *[
                            rx.select.item(t(ru, en), value=k)
                            for k, (ru, en) in rules.TOPICS.items()
                        ]
                    ),
                    name="topic",
                    default_value="question",
                ),
                _error(s.errors, "topic", "fb-topic-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                _label(t("Сообщение", "Message"), "fb-text", True),
                rx.text_area(
                    name="text",
                    id="fb-text",
                    rows="6",
                    max_length=rules.TEXT_MAX,
                    placeholder=t(
                        "Опишите вопрос или предложение",
                        "Describe your question or suggestion",
                    ),
                    width="100%",
                    resize="vertical",
                ),
                rx.text(
                    t(
                        f"От {rules.TEXT_MIN} до {rules.TEXT_MAX} символов.",
                        f"{rules.TEXT_MIN} to {rules.TEXT_MAX} characters.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                _error(s.errors, "text", "fb-text-error"),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                ~SessionState.logged_in,
                rx.grid(
                    rx.vstack(
                        _label(t("Ваше имя", "Your name"), "fb-name"),
                        rx.input(
                            name="name",
                            id="fb-name",
                            max_length=rules.NAME_MAX,
                            auto_complete="name",
                            width="100%",
                        ),
                        _error(s.errors, "name", "fb-name-error"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.vstack(
                        _label(t("E-mail для ответа", "E-mail for the answer"), "fb-email", True),
                        rx.input(
                            name="email",
                            id="fb-email",
                            input_mode="email",
                            max_length=254,
                            auto_complete="email",
                            placeholder="name@example.ru",
                            width="100%",
                        ),
                        _error(s.errors, "email", "fb-email-error"),
                        spacing="1",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    t("Ответим на ", "We will answer to "),
                    rx.text.strong(SessionState.me_email),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.vstack(
                _label(
                    t("Телефон или другой контакт (необязательно)", "Phone or other contact"),
                    "fb-contact",
                ),
                rx.input(
                    name="contact",
                    id="fb-contact",
                    max_length=rules.CONTACT_MAX,
                    width="100%",
                ),
                _error(s.errors, "contact", "fb-contact-error"),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                s.errors.contains("form"),
                rx.callout(
                    s.errors["form"], icon="triangle-alert", color_scheme="red", id="fb-error"
                ),
            ),
            rx.button(
                rx.icon("send", size=16), t("Отправить", "Send"), type="submit", id="fb-submit"
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.submit,
        reset_on_submit=False,
        key=s.form_key,
        width="100%",
    )


def _feedback_body() -> rx.Component:
    s = FeedbackFormState
    return rx.card(
        rx.cond(
            s.sent,
            rx.vstack(
                rx.callout(
                    t(
                        "Спасибо! Сообщение отправлено администратору сайта.",
                        "Thank you! Your message was sent to the site administrator.",
                    ),
                    icon="circle-check",
                    color_scheme="green",
                    width="100%",
                    id="fb-sent",
                ),
                rx.hstack(
                    rx.button(
                        t("Написать ещё", "Write another"),
                        variant="soft",
                        on_click=s.write_again,
                        id="fb-again",
                    ),
                    rx.link(t("Справка", "Help"), href=routes.HELP, size="2"),
                    align="center",
                    spacing="4",
                ),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.text(
                    t(
                        "Вопросы, пожелания и замечания о работе сайта. По заявкам и счетам "
                        "быстрее ответят в поддержке.",
                        "Questions, wishes and remarks about the site. Support answers "
                        "faster about applications and invoices.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                _feedback_form(),
                spacing="3",
                width="100%",
            ),
        ),
        width="100%",
        max_width="640px",
    )


def feedback_page() -> rx.Component:
    return site_page(_feedback_body, t("Обратная связь", "Feedback"))


# --------------------------------------------------------------------------- /admin/feedback


def _fb_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.created_at, white_space="nowrap"),
        rx.table.cell(topic_label(r.topic)),
        rx.table.cell(
            rx.link(
                r.short,
                on_click=FeedbackAdminState.open_item(r.id),
                cursor="pointer",
                id="fb-open-" + r.id.to_string(),
            ),
            max_width="420px",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.name, size="2"),
                rx.text(r.email, size="1", color_scheme="gray"),
                rx.cond(r.anonymous, rx.badge(t("Без входа", "Anonymous"), variant="outline")),
                spacing="0",
            )
        ),
        rx.table.cell(status_badge(r.status)),
        font_weight=rx.cond(r.status == "new", "600", "400"),
    )


def _fb_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            status_badge(r.status),
            rx.text(r.created_at, size="1", color_scheme="gray"),
            topic_label(r.topic),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.link(
            r.short,
            on_click=FeedbackAdminState.open_item(r.id),
            cursor="pointer",
            size="2",
            id="fb-card-open-" + r.id.to_string(),
        ),
        rx.text(r.name, " · ", r.email, size="1", color_scheme="gray"),
    )


def _fb_dialog() -> rx.Component:
    s = FeedbackAdminState
    row = s.dlg_row
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                row,
                rx.vstack(
                    rx.dialog.title(
                        t("Сообщение № ", "Message #"),
                        row.id.to_string(),
                        " · ",
                        topic_label(row.topic),
                    ),
                    rx.hstack(
                        status_badge(row.status),
                        rx.text(row.created_at, size="1", color_scheme="gray"),
                        spacing="2",
                    ),
                    rx.text(
                        row.text,
                        white_space="pre-wrap",
                        size="2",
                        id="fb-dlg-text",
                        overflow_wrap="anywhere",
                    ),
                    rx.data_list.root(
                        rx.data_list.item(
                            rx.data_list.label(t("Автор", "Author")), rx.data_list.value(row.name)
                        ),
                        rx.data_list.item(
                            rx.data_list.label("E-mail"),
                            rx.data_list.value(rx.link(row.email, href="mailto:" + row.email)),
                        ),
                        rx.data_list.item(
                            rx.data_list.label(t("Контакт", "Contact")),
                            rx.data_list.value(row.contact),
                        ),
                        size="1",
                    ),
                    _label(t("Заметка для сотрудников", "Staff note"), "fb-dlg-note"),
                    rx.text_area(
                        value=s.dlg_note,
                        on_change=s.set_dlg_note,
                        id="fb-dlg-note",
                        rows="3",
                        max_length=rules.NOTE_MAX,
                        width="100%",
                    ),
                    rx.cond(s.dlg_error != "", rx.text(s.dlg_error, color_scheme="red", size="1")),
                    rx.flex(
                        rx.button(
                            t("Отвечено", "Answered"),
                            on_click=s.mark("answered"),
                            color_scheme="green",
                            id="fb-mark-answered",
                        ),
                        rx.button(
                            t("Прочитано", "Read"),
                            on_click=s.mark("read"),
                            variant="soft",
                            id="fb-mark-read",
                        ),
                        rx.button(
                            t("Вернуть в новые", "Mark new"),
                            on_click=s.mark("new"),
                            variant="soft",
                            color_scheme="gray",
                            id="fb-mark-new",
                        ),
                        rx.spacer(),
                        rx.dialog.close(
                            rx.button(t("Закрыть", "Close"), variant="ghost", id="fb-dlg-close")
                        ),
                        spacing="2",
                        wrap="wrap",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            max_width="600px",
        ),
        open=s.dlg_open,
        on_open_change=s.set_dlg_open,
    )


def admin_feedback_page() -> rx.Component:
    s = FeedbackAdminState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.text(
                    t("Новых сообщений: ", "New messages: "),
                    rx.text.strong(s.new_count),
                    size="2",
                    id="fb-new-count",
                ),
                filter_bar(
                    select_field(
                        "status",
                        s.f_status,
                        [(k, *rules.STATUS_LABELS[k]) for k in STATUS_FILTERS],
                        id="fb-f-status",
                        all_label=("Все статусы", "All statuses"),
                    ),
                    select_field(
                        "topic",
                        s.f_topic,
                        [(k, ru, en) for k, (ru, en) in rules.TOPICS.items()],
                        id="fb-f-topic",
                        all_label=("Все темы", "All topics"),
                    ),
                    search_field(
                        "q", s.f_q, ("Текст, имя или e-mail", "Text, name or e-mail"), id="fb-f-q"
                    ),
                    on_submit=s.apply_filters,
                    reset_href=routes.ADMIN_FEEDBACK,
                    key=s.query_key,
                    id_prefix="fb-f",
                ),
                data_table(
                    [
                        ("Дата", "Date"),
                        ("Тема", "Topic"),
                        ("Сообщение", "Message"),
                        ("Автор", "Author"),
                        ("Статус", "Status"),
                    ],
                    s.rows,
                    _fb_row,
                    id="fb-table",
                    mobile_card=_fb_card,
                ),
                pager(prev_href=s.prev_href, next_href=s.next_href, id_prefix="fb-pager"),
                _fb_dialog(),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Обратная связь", "Feedback"),
    )


# --------------------------------------------------------------------------- /surveys


def _scale_input(q: Any) -> rx.Component:
    return rx.radio_group.root(
        rx.hstack(
            *[
                rx.text(
                    rx.flex(
                        rx.radio_group.item(value=str(n), id="q" + q.id.to_string() + f"-{n}"),
                        str(n),
                        direction="column",
                        align="center",
                        spacing="1",
                    ),
                    as_="label",
                    size="2",
                )
                for n in range(rules.SCALE_MIN, rules.SCALE_MAX + 1)
            ],
            spacing="4",
        ),
        name="q" + q.id.to_string(),
    )


def _choice_input(q: Any) -> rx.Component:
    return rx.radio_group.root(
        rx.vstack(
            rx.foreach(
                q.options,
                lambda o: rx.text(
                    rx.flex(rx.radio_group.item(value=o), o, spacing="2", align="center"),
                    as_="label",
                    size="2",
                ),
            ),
            spacing="2",
        ),
        name="q" + q.id.to_string(),
    )


def _question(q: Any) -> rx.Component:
    return rx.vstack(
        rx.text(
            q.text,
            rx.cond(q.required, rx.text.span(" *", color_scheme="red")),
            weight="medium",
            size="2",
        ),
        rx.match(
            q.kind,
            ("scale", _scale_input(q)),
            ("choice", _choice_input(q)),
            rx.text_area(
                name="q" + q.id.to_string(),
                rows="3",
                max_length=rules.ANSWER_TEXT_MAX,
                width="100%",
                id="q" + q.id.to_string(),
            ),
        ),
        spacing="2",
        width="100%",
        padding_y="6px",
    )


def _survey_card(c: Any) -> rx.Component:
    key = c.id.to_string()
    return rx.card(
        rx.vstack(
            rx.heading(c.title, size="4", as_="h2"),
            rx.cond(c.description != "", rx.text(c.description, size="2", color_scheme="gray")),
            rx.cond(
                c.answered,
                rx.callout(
                    t("Вы уже ответили на этот опрос. Спасибо!", "You have answered. Thank you!"),
                    icon="circle-check",
                    color_scheme="green",
                    width="100%",
                    id="survey-done-" + key,
                ),
                rx.form(
                    rx.vstack(
                        rx.el.input(type="hidden", name="survey_id", value=key),
                        rx.foreach(c.questions, _question),
                        rx.cond(
                            SurveysState.errors.contains(key),
                            rx.callout(
                                SurveysState.errors[key],
                                icon="triangle-alert",
                                color_scheme="red",
                                width="100%",
                                id="survey-error-" + key,
                            ),
                        ),
                        rx.button(
                            t("Отправить ответы", "Send answers"),
                            type="submit",
                            id="survey-submit-" + key,
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SurveysState.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="720px",
        id="survey-" + key,
    )


def surveys_page() -> rx.Component:
    return shell(
        rx.cond(
            SurveysState.loaded & (SurveysState.cards.length() == 0),
            rx.callout(
                t("Сейчас нет активных опросов.", "There are no active surveys now."),
                icon="info",
                color_scheme="gray",
                id="surveys-empty",
            ),
        ),
        rx.foreach(SurveysState.cards, _survey_card),
        title=t("Опросы", "Surveys"),
    )


# --------------------------------------------------------------------------- /admin/surveys


def _active_badge(active: Any) -> rx.Component:
    return rx.cond(
        active,
        rx.badge(t("Включён", "Active"), color_scheme="green", variant="soft"),
        rx.badge(t("Выключен", "Inactive"), color_scheme="gray", variant="soft"),
    )


def _admin_survey_row(c: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                c.title,
                href=routes.ADMIN_SURVEY + "?id=" + c.id.to_string(),
                weight="medium",
                id="survey-open-" + c.id.to_string(),
            )
        ),
        rx.table.cell(_active_badge(c.is_active)),
        rx.table.cell(c.question_count),
        rx.table.cell(c.responses),
        rx.table.cell(c.created_at, white_space="nowrap"),
        rx.table.cell(
            rx.link(
                t("Статистика", "Statistics"),
                href=routes.ADMIN_SURVEY_STATS + "?id=" + c.id.to_string(),
                id="survey-stats-" + c.id.to_string(),
            )
        ),
    )


def _admin_survey_card(c: Any) -> rx.Component:
    return mobile_card(
        rx.link(c.title, href=routes.ADMIN_SURVEY + "?id=" + c.id.to_string(), weight="medium"),
        rx.hstack(
            _active_badge(c.is_active),
            rx.text(t("Ответов: ", "Responses: "), c.responses, size="1", color_scheme="gray"),
            rx.link(
                t("Статистика", "Statistics"),
                href=routes.ADMIN_SURVEY_STATS + "?id=" + c.id.to_string(),
                size="2",
            ),
            spacing="3",
            align="center",
        ),
    )


def admin_surveys_page() -> rx.Component:
    s = SurveyAdminState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.card(
                    rx.form(
                        rx.vstack(
                            rx.heading(t("Новый опрос", "New survey"), size="3", as_="h2"),
                            rx.input(
                                name="title",
                                id="survey-new-title",
                                placeholder=t("Название опроса", "Survey title"),
                                max_length=rules.SURVEY_TITLE_MAX,
                                width="100%",
                            ),
                            _error(s.errors, "title", "survey-new-title-error"),
                            rx.text_area(
                                name="description",
                                id="survey-new-description",
                                placeholder=t("Описание (необязательно)", "Description (optional)"),
                                max_length=rules.SURVEY_DESCRIPTION_MAX,
                                rows="2",
                                width="100%",
                            ),
                            rx.button(
                                rx.icon("plus", size=16),
                                t("Создать и добавить вопросы", "Create and add questions"),
                                type="submit",
                                id="survey-create",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=s.create,
                        reset_on_submit=False,
                        width="100%",
                    ),
                    width="100%",
                    max_width="640px",
                ),
                data_table(
                    [
                        ("Опрос", "Survey"),
                        ("Статус", "Status"),
                        ("Вопросов", "Questions"),
                        ("Ответов", "Responses"),
                        ("Создан", "Created"),
                        "",
                    ],
                    s.cards,
                    _admin_survey_row,
                    id="surveys-table",
                    mobile_card=_admin_survey_card,
                    empty=("Опросов пока нет.", "No surveys yet."),
                ),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Опросы", "Surveys"),
    )


def _kind_label(kind: Any) -> rx.Component:
    return code_label(kind, rules.KIND_LABELS, kind)


def _edit_question(q: Any) -> rx.Component:
    s = SurveyEditState
    qid = q.id.to_string()
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(q.text, weight="medium", size="2"),
                rx.hstack(
                    rx.badge(_kind_label(q.kind), variant="soft"),
                    rx.cond(
                        q.required,
                        rx.badge(
                            t("Обязательный", "Required"), color_scheme="amber", variant="soft"
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    q.kind == "choice",
                    rx.text(q.options.join(" · "), size="1", color_scheme="gray"),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.hstack(
                rx.icon_button(
                    rx.icon("arrow-up", size=16),
                    variant="soft",
                    size="1",
                    on_click=s.move(q.id, True),
                    aria_label="up",
                    id="q-up-" + qid,
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=16),
                    variant="soft",
                    size="1",
                    on_click=s.move(q.id, False),
                    aria_label="down",
                    id="q-down-" + qid,
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=16),
                    variant="soft",
                    size="1",
                    color_scheme="red",
                    on_click=s.delete_question(q.id),
                    aria_label="delete",
                    id="q-delete-" + qid,
                ),
                spacing="1",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
    )


def _add_question_form() -> rx.Component:
    s = SurveyEditState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Добавить вопрос", "Add a question"), size="3", as_="h3"),
                rx.select.root(
                    rx.select.trigger(id="q-new-kind", width=["100%", "100%", "280px"]),
                    rx.select.content(
                        *[
                            rx.select.item(t(ru, en), value=k)
                            for k, (ru, en) in rules.KIND_LABELS.items()
                        ]
                    ),
                    value=s.new_kind,
                    on_change=s.set_new_kind,
                ),
                rx.input(
                    name="text",
                    id="q-new-text",
                    placeholder=t("Текст вопроса", "Question text"),
                    max_length=rules.QUESTION_MAX,
                    width="100%",
                ),
                _error(s.errors, "text", "q-new-text-error"),
                rx.cond(
                    s.new_kind == "choice",
                    rx.vstack(
                        rx.text_area(
                            name="options",
                            id="q-new-options",
                            placeholder=t(
                                "Варианты ответа, по одному в строке", "Options, one per line"
                            ),
                            rows="4",
                            width="100%",
                        ),
                        _error(s.errors, "options", "q-new-options-error"),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.checkbox(
                    t("Обязательный вопрос", "Required question"),
                    name="required",
                    default_checked=True,
                    id="q-new-required",
                ),
                rx.button(
                    rx.icon("plus", size=16), t("Добавить", "Add"), type="submit", id="q-new-submit"
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.add_question,
            reset_on_submit=False,
            key=s.form_key,
            width="100%",
        ),
        width="100%",
    )


def _survey_editor() -> rx.Component:
    s = SurveyEditState
    c = s.card
    return rx.vstack(
        rx.flex(
            _active_badge(c.is_active),
            rx.text(t("Ответов: ", "Responses: "), c.responses, size="2"),
            rx.link(
                t("Статистика", "Statistics"),
                href=routes.ADMIN_SURVEY_STATS + "?id=" + c.id.to_string(),
                id="survey-edit-stats",
                size="2",
            ),
            rx.link(t("Все опросы", "All surveys"), href=routes.ADMIN_SURVEYS, size="2"),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    _label(t("Название", "Title"), "survey-title", True),
                    rx.input(
                        name="title",
                        default_value=c.title,
                        id="survey-title",
                        max_length=rules.SURVEY_TITLE_MAX,
                        width="100%",
                    ),
                    _error(s.errors, "title", "survey-title-error"),
                    _label(t("Описание", "Description"), "survey-description"),
                    rx.text_area(
                        name="description",
                        default_value=c.description,
                        id="survey-description",
                        rows="2",
                        max_length=rules.SURVEY_DESCRIPTION_MAX,
                        width="100%",
                    ),
                    rx.button(t("Сохранить", "Save"), type="submit", id="survey-save"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=s.save_survey,
                reset_on_submit=False,
                key=c.id.to_string() + c.title,
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.text(
                rx.switch(
                    checked=c.is_active,
                    on_change=s.set_active,
                    id="survey-active",
                    margin_right="8px",
                ),
                t("Опрос включён (виден клиентам)", "Active (customers see it)"),
                as_="label",
                size="2",
            ),
            width="100%",
        ),
        rx.heading(t("Вопросы", "Questions"), size="4", as_="h2"),
        rx.cond(
            c.questions.length() == 0,
            rx.callout(
                t("Вопросов пока нет.", "No questions yet."),
                icon="info",
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.foreach(c.questions, _edit_question),
        _add_question_form(),
        spacing="4",
        width="100%",
        max_width="800px",
    )


def admin_survey_page() -> rx.Component:
    s = SurveyEditState
    return shell(
        rx.cond(
            ~s.allowed,
            no_access(),
            rx.cond(
                s.missing,
                rx.callout(
                    t("Опрос не найден.", "Survey not found."), icon="info", id="survey-missing"
                ),
                _survey_editor(),
            ),
        ),
        title=rx.cond(s.card.title != "", s.card.title, t("Опрос", "Survey")),
    )


# --------------------------------------------------------------------------- statistics


def bar_chart(bars: Any, *, id: str, color: str = "var(--accent-9)") -> rx.Component:
    """A small bar chart of [{label, count}] (scores 1–5 along the bottom)."""
    return rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="label", interval=0, tick={"fontSize": 12}),
            rx.recharts.y_axis(allow_decimals=False, width=32, tick={"fontSize": 12}),
            rx.recharts.tooltip(),
            rx.recharts.bar(
                data_key="count",
                fill=color,
                radius=[4, 4, 0, 0],
                name=rx.cond(LangState.lang == "en", "Answers", "Ответов"),
            ),
            data=bars.to(list[dict[str, Any]]),
            width="100%",
            height=220,
        ),
        width="100%",
        id=id,
    )


def option_chart(bars: Any, *, id: str) -> rx.Component:
    """Horizontal bars for the options of a choice question (long labels stay readable)."""
    return rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", horizontal=False),
            rx.recharts.x_axis(type_="number", allow_decimals=False, tick={"fontSize": 12}),
            rx.recharts.y_axis(
                data_key="label", type_="category", width=150, interval=0, tick={"fontSize": 12}
            ),
            rx.recharts.tooltip(),
            rx.recharts.bar(
                data_key="count",
                fill="var(--accent-9)",
                radius=[0, 4, 4, 0],
                name=rx.cond(LangState.lang == "en", "Answers", "Ответов"),
            ),
            data=bars.to(list[dict[str, Any]]),
            layout="vertical",
            width="100%",
            height=240,
        ),
        width="100%",
        id=id,
    )


def _stat_question(q: Any) -> rx.Component:
    qid = q.id.to_string()
    return rx.card(
        rx.vstack(
            rx.text(q.text, weight="medium"),
            rx.hstack(
                rx.badge(_kind_label(q.kind), variant="soft"),
                rx.text(t("Ответов: ", "Answers: "), q.answers, size="2", id="stat-count-" + qid),
                rx.cond(
                    q.kind == "scale",
                    rx.text(
                        t("Средняя оценка: ", "Average: "),
                        rx.text.strong(q.average),
                        size="2",
                        id="stat-avg-" + qid,
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                q.kind == "text",
                rx.vstack(
                    rx.cond(
                        q.texts.length() == 0,
                        rx.text(
                            t("Ответов пока нет.", "No answers yet."), size="2", color_scheme="gray"
                        ),
                    ),
                    rx.foreach(
                        q.texts,
                        lambda a: rx.box(
                            rx.text(
                                a.text, size="2", white_space="pre-wrap", overflow_wrap="anywhere"
                            ),
                            rx.text(a.at, size="1", color_scheme="gray"),
                            border_left=f"3px solid {rx.color('accent', 6)}",
                            padding_left="10px",
                            width="100%",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                    max_height="360px",
                    overflow_y="auto",
                    id="stat-texts-" + qid,
                ),
                rx.cond(
                    q.kind == "choice",
                    option_chart(q.bars, id="stat-chart-" + qid),
                    bar_chart(q.bars, id="stat-chart-" + qid),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def admin_survey_stats_page() -> rx.Component:
    s = SurveyStatsState
    return shell(
        rx.cond(
            ~s.allowed,
            no_access(),
            rx.cond(
                s.missing,
                rx.callout(t("Опрос не найден.", "Survey not found."), icon="info"),
                rx.vstack(
                    rx.flex(
                        rx.heading(s.stats.survey.title, size="4", as_="h2"),
                        _active_badge(s.stats.survey.is_active),
                        rx.text(
                            t("Ответили: ", "Responses: "),
                            rx.text.strong(s.stats.survey.responses),
                            size="2",
                            id="stat-responses",
                        ),
                        rx.link(
                            t("Редактировать", "Edit"),
                            href=routes.ADMIN_SURVEY + "?id=" + s.stats.survey.id.to_string(),
                            size="2",
                        ),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.foreach(s.stats.questions, _stat_question),
                    spacing="4",
                    width="100%",
                    max_width="900px",
                ),
            ),
        ),
        title=t("Статистика опроса", "Survey statistics"),
    )


# --------------------------------------------------------------------------- ratings


def _stars(code: Any) -> rx.Component:
    mine = RatingState.mine
    return rx.hstack(
        *[
            rx.icon_button(
                rx.icon(
                    "star",
                    size=24,
                    color=rx.cond(
                        mine.contains(code) & (mine[code] >= n), "var(--amber-9)", "var(--gray-8)"
                    ),
                    fill=rx.cond(mine.contains(code) & (mine[code] >= n), "var(--amber-9)", "none"),
                ),
                variant="ghost",
                size="3",
                on_click=RatingState.rate(code, n),
                aria_label=f"{n}",
                title=f"{n}",
                id="rate-" + code + f"-{n}",
            )
            for n in range(rules.STARS_MIN, rules.STARS_MAX + 1)
        ],
        spacing="1",
    )


def rating_widget(code: str | rx.Var, label: Any = None, *, load: bool = True) -> rx.Component:
    """One-click quality rating of subject `code` (e.g. "connection"), for any logged-in page.

    A click on a star saves it at once; the comment box is optional. Other modules embed it:
    `rating_widget("internet_speed", t("Скорость интернета", "Internet speed"))`.
    `load=False` when the page's on_load already ran `RatingState.load` (as /rate does).
    """
    comment = rx.cond(RatingState.comments.contains(code), RatingState.comments[code], "")
    return rx.card(
        rx.vstack(
            *([rx.text(label, weight="medium", size="3")] if label is not None else []),
            _stars(code),
            rx.cond(
                RatingState.mine.contains(code),
                rx.text(
                    t("Ваша оценка сохранена.", "Your rating is saved."),
                    size="1",
                    color_scheme="green",
                ),
                rx.text(
                    t(
                        "Нажмите на звезду — оценка сохранится сразу.",
                        "Click a star — the rating is saved at once.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.hstack(
                rx.input(
                    value=comment,
                    on_change=lambda v: RatingState.set_comment(code, v),
                    placeholder=t("Комментарий (необязательно)", "Comment (optional)"),
                    max_length=rules.RATING_COMMENT_MAX,
                    id="rate-" + code + "-comment",
                    width="100%",
                ),
                rx.button(
                    t("Отправить", "Send"),
                    variant="soft",
                    on_click=RatingState.send_comment(code),
                    id="rate-" + code + "-send",
                ),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        **({"on_mount": RatingState.load_ratings} if load else {}),
    )


def rate_page() -> rx.Component:
    lang_en = LangState.lang == "en"
    return shell(
        rx.text(
            t(
                "Оцените качество наших услуг: одна звезда — плохо, пять — отлично.",
                "Rate our services: one star is poor, five is excellent.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.grid(
            rx.foreach(
                RatingState.subjects,
                lambda sub: rx.box(
                    rating_widget(sub.code, rx.cond(lang_en, sub.name_en, sub.name_ru), load=False),
                    id="rate-card-" + sub.code,
                ),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        title=t("Оценка качества", "Rate quality"),
    )


def _subject_stats(st: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(rx.cond(LangState.lang == "en", st.name_en, st.name_ru), weight="bold"),
            rx.hstack(
                rx.text(
                    t("Средняя: ", "Average: "),
                    rx.text.strong(st.average),
                    size="2",
                    id="rating-avg-" + st.code,
                ),
                rx.text(
                    t("Оценок: ", "Ratings: "),
                    rx.text.strong(st.count),
                    size="2",
                    id="rating-count-" + st.code,
                ),
                spacing="4",
            ),
            bar_chart(st.bars, id="rating-chart-" + st.code, color="var(--amber-9)"),
            rx.text(t("Последние комментарии", "Recent comments"), size="2", weight="medium"),
            rx.cond(
                st.comments.length() == 0,
                rx.text(t("Комментариев нет.", "No comments."), size="2", color_scheme="gray"),
            ),
            rx.foreach(
                st.comments,
                lambda c: rx.box(
                    rx.text("★" * 1, c.stars, " · ", c.comment, size="2", overflow_wrap="anywhere"),
                    rx.text(c.user_name, " · ", c.at, size="1", color_scheme="gray"),
                    border_left=f"3px solid {rx.color('amber', 6)}",
                    padding_left="10px",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def admin_ratings_page() -> rx.Component:
    s = RatingStatsState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text(t("Период", "Period"), size="2"),
                    rx.select.root(
                        rx.select.trigger(id="rating-days", width="200px"),
                        rx.select.content(
                            rx.select.item(t("За всё время", "All time"), value=ALL),
                            rx.select.item(t("7 дней", "7 days"), value="7"),
                            rx.select.item(t("30 дней", "30 days"), value="30"),
                            rx.select.item(t("90 дней", "90 days"), value="90"),
                            rx.select.item(t("Год", "Year"), value="365"),
                        ),
                        value=rx.cond(s.days == "", ALL, s.days),
                        on_change=s.set_days,
                    ),
                    align="center",
                ),
                rx.grid(
                    rx.foreach(s.stats, _subject_stats),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Оценки качества", "Quality ratings"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        feedback_page, route=routes.FEEDBACK, title="Обратная связь", on_load=FeedbackFormState.load
    )
    app.add_page(
        admin_feedback_page,
        route=routes.ADMIN_FEEDBACK,
        title="Обратная связь",
        on_load=FeedbackAdminState.load,
    )
    app.add_page(surveys_page, route=routes.SURVEYS, title="Опросы", on_load=SurveysState.load)
    app.add_page(
        admin_surveys_page,
        route=routes.ADMIN_SURVEYS,
        title="Опросы",
        on_load=SurveyAdminState.load,
    )
    app.add_page(
        admin_survey_page, route=routes.ADMIN_SURVEY, title="Опрос", on_load=SurveyEditState.load
    )
    app.add_page(
        admin_survey_stats_page,
        route=routes.ADMIN_SURVEY_STATS,
        title="Статистика опроса",
        on_load=SurveyStatsState.load,
    )
    app.add_page(rate_page, route=routes.RATE, title="Оценка качества", on_load=RatingState.load)
    app.add_page(
        admin_ratings_page,
        route=routes.ADMIN_RATINGS,
        title="Оценки качества",
        on_load=RatingStatsState.load,
    )
