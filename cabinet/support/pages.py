"""Pages: my requests, a new request, one request's thread, the staff queue, and the
departments/categories settings."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import LangState, t
from cabinet.support import rules
from cabinet.support.rules import Action, Side
from cabinet.support.state import (
    STATUS_FILTERS,
    SupportListState,
    SupportNewState,
    SupportQueueState,
    SupportRequestState,
    SupportSettingsState,
)
from components.data_table import (
    back_link,
    data_table,
    filter_bar,
    mobile_card,
    no_access,
    not_found,
    pager,
    search_field,
    select_field,
)
from components.shell import shell
from components.upload import download_url, upload_field

_STATUS_OPTIONS = [
    ("open", "Открытые", "Open"),
    *[(s, ru, en) for s, (ru, en) in rules.STATUS_LABELS.items()],
]
assert [o[0] for o in _STATUS_OPTIONS] == list(STATUS_FILTERS)


def _deadline(row: Any) -> Any:
    return rx.cond(LangState.lang == "en", row.deadline_en, row.deadline)


def status_label(status: Any) -> rx.Component:
    return rx.match(
        status, *[(code, t(*label)) for code, label in rules.STATUS_LABELS.items()], status
    )


def status_badge(status: Any, **props: Any) -> rx.Component:
    return rx.badge(
        status_label(status),
        color_scheme=rx.match(status, *rules.STATUS_COLORS.items(), "gray"),
        variant="soft",
        radius="full",
        white_space="nowrap",
        **props,
    )


def _field_label(text: tuple[str, str], html_for: str, required: bool = False) -> rx.Component:
    return rx.text(
        t(*text),
        *([rx.text.span(" *", color_scheme="red")] if required else []),
        as_="label",
        html_for=html_for,
        size="2",
        weight="medium",
    )


def _error(state_errors: Any, key: str, id: str) -> rx.Component:
    return rx.cond(
        state_errors.contains(key),
        rx.text(state_errors[key], color_scheme="red", size="1", id=id),
    )


def _options_select(
    options: Any, value: Any, on_change: Any, *, id: str, placeholder: tuple[str, str]
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=t(*placeholder), id=id, width="100%"),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value))),
        value=value,
        on_change=on_change,
    )


def _pending_files(state: Any, prefix: str) -> rx.Component:
    return rx.cond(
        state.pending.length() > 0,
        rx.vstack(
            rx.foreach(
                state.pending,
                lambda f: rx.hstack(
                    rx.icon("paperclip", size=14, flex_shrink="0"),
                    rx.text(f["name"], size="2", word_break="break-all"),
                    rx.text(f["size"], size="1", color_scheme="gray", white_space="nowrap"),
                    rx.icon_button(
                        rx.icon("x", size=12),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=state.remove_pending(f["id"]),
                        aria_label="remove",
                    ),
                    align="center",
                    spacing="2",
                ),
            ),
            spacing="1",
            width="100%",
            id=f"{prefix}-files",
        ),
    )


# --------------------------------------------------------------------------- /support


def _my_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(r.number, href=r.href, weight="medium", id=f"support-open-{r.id}"),
            white_space="nowrap",
        ),
        rx.table.cell(rx.link(r.subject, href=r.href, color_scheme="gray", high_contrast=True)),
        rx.table.cell(r.author),
        rx.table.cell(r.recipient),
        rx.table.cell(r.category),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(r.updated_at, white_space="nowrap"),
    )


def _my_card(r: Any) -> rx.Component:
    return rx.link(
        mobile_card(
            rx.hstack(
                rx.text(r.number, weight="bold", size="2"),
                rx.spacer(),
                status_badge(r.status),
                width="100%",
                align="center",
            ),
            rx.text(r.subject, size="2", weight="medium"),
            rx.text(
                r.author, " → ", r.recipient, " · ", r.updated_at, size="1", color_scheme="gray"
            ),
        ),
        href=r.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
    )


def my_requests_page() -> rx.Component:
    return shell(
        rx.flex(
            rx.form(
                rx.hstack(
                    rx.box(
                        select_field(
                            "status",
                            SupportListState.f_status,
                            _STATUS_OPTIONS,
                            id="support-status",
                            all_label=("Все статусы", "All statuses"),
                        ),
                        flex="1",
                        min_width="0",
                    ),
                    rx.button(
                        t("Показать", "Show"),
                        type="submit",
                        variant="soft",
                        id="support-status-apply",
                    ),
                    spacing="2",
                    align="center",
                    width="100%",
                ),
                on_submit=SupportListState.apply_filters,
                key=SupportListState.query_key,
                width=["100%", "auto"],
            ),
            rx.spacer(),
            rx.cond(
                SupportListState.can_request,
                rx.link(
                    rx.button(rx.icon("plus", size=16), t("Новое обращение", "New request")),
                    href=routes.SUPPORT_NEW,
                    id="support-new",
                ),
            ),
            width="100%",
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            SupportListState.loaded,
            data_table(
                [
                    ("Номер", "Number"),
                    ("Тема", "Subject"),
                    ("Автор", "Author"),
                    ("Кому", "To"),
                    ("Категория", "Category"),
                    ("Статус", "Status"),
                    ("Обновлено", "Updated"),
                ],
                SupportListState.rows,
                _my_row,
                id="support-list",
                empty=("Обращений пока нет.", "No requests yet."),
                mobile_card=_my_card,
            ),
        ),
        pager(
            prev_href=SupportListState.prev_href,
            next_href=SupportListState.next_href,
            id_prefix="support-list",
        ),
        title=t("Обращения", "Support requests"),
    )


# --------------------------------------------------------------------------- /support/new


def _new_form() -> rx.Component:
    st = SupportNewState
    return rx.card(
        rx.vstack(
            rx.cond(
                st.orgs.length() > 1,
                rx.vstack(
                    _field_label(("Организация", "Organisation"), "support-org", True),
                    _options_select(
                        st.orgs,
                        st.org_id,
                        st.set_org,
                        id="support-org",
                        placeholder=("Выберите организацию", "Choose the organisation"),
                    ),
                    _error(st.errors, "org", "support-org-error"),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.grid(
                rx.vstack(
                    _field_label(("Кому", "To"), "support-recipient"),
                    _options_select(
                        st.recipients,
                        st.recipient,
                        st.set_recipient,
                        id="support-recipient",
                        placeholder=("Отдел или ваш менеджер", "A department or your manager"),
                    ),
                    rx.text(
                        t(
                            "Если не выбрать, обращение попадёт в отдел по категории.",
                            "If empty, the category's department gets it.",
                        ),
                        size="1",
                        color_scheme="gray",
                    ),
                    _error(st.errors, "recipient", "support-recipient-error"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    _field_label(("Категория", "Category"), "support-category", True),
                    _options_select(
                        st.categories,
                        st.category,
                        st.set_category,
                        id="support-category",
                        placeholder=("Выберите категорию", "Choose a category"),
                    ),
                    _error(st.errors, "category", "support-category-error"),
                    spacing="1",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                _field_label(("Тема", "Subject"), "support-subject", True),
                rx.input(
                    value=st.subject,
                    on_change=st.set_subject,
                    max_length=rules.MAX_SUBJECT,
                    placeholder=t("Коротко о вопросе", "Your question in a few words"),
                    id="support-subject",
                    width="100%",
                ),
                _error(st.errors, "subject", "support-subject-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                _field_label(("Сообщение", "Message"), "support-text", True),
                rx.text_area(
                    value=st.text,
                    on_change=st.set_text,
                    max_length=rules.MAX_TEXT,
                    rows="6",
                    resize="vertical",
                    id="support-text",
                    width="100%",
                ),
                _error(st.errors, "text", "support-text-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                _field_label(("Файлы", "Files"), "support-upload"),
                upload_field(
                    "support-upload",
                    st.upload,
                    allowed_types=rules.ATTACHMENT_TYPES,
                    max_bytes=rules.ATTACHMENT_MAX_BYTES,
                    multiple=True,
                    max_files=rules.MAX_FILES,
                    button=("Приложить", "Attach"),
                ),
                _pending_files(st, "support-new"),
                _error(st.errors, "files", "support-files-error"),
                spacing="1",
                width="100%",
            ),
            rx.button(
                rx.icon("send", size=16),
                t("Отправить", "Send"),
                on_click=st.submit,
                id="support-submit",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="760px",
    )


def new_request_page() -> rx.Component:
    return shell(
        back_link(routes.SUPPORT, ("Все обращения", "All requests")),
        rx.cond(
            SupportNewState.allowed,
            _new_form(),
            rx.callout(
                t(
                    "Писать обращения могут пользователи организаций. Привяжитесь к своей "
                    "организации в разделе «Мои организации».",
                    "Requests are written on behalf of an organisation. Link to yours under "
                    "“My organisations”.",
                ),
                icon="info",
                width="100%",
                id="support-no-org",
            ),
        ),
        title=t("Новое обращение", "New request"),
    )


# --------------------------------------------------------------------------- /support/view


def _files(files: Any) -> rx.Component:
    return rx.cond(
        files.length() > 0,
        rx.flex(
            rx.foreach(
                files,
                lambda f: rx.link(
                    rx.hstack(
                        rx.icon("paperclip", size=14),
                        rx.text(f.filename, size="1"),
                        rx.text(f.size, size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                    ),
                    href=download_url(f.id),
                    is_external=True,
                    id=rx.Var.create("support-file-") + f.id.to_string(),
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
    )


def _event_item(m: Any) -> rx.Component:
    return rx.hstack(
        rx.icon("circle-dot", size=12, color=rx.color("gray", 9), flex_shrink="0"),
        rx.text(
            m.at,
            " · ",
            rx.cond(m.author != "", m.author, ""),
            " · ",
            rx.cond(
                m.status_to != "",
                rx.fragment(
                    t("статус: ", "status: "),
                    status_label(m.status_from),
                    " → ",
                    rx.text.strong(status_label(m.status_to)),
                ),
                m.body,
            ),
            rx.cond((m.status_to != "") & (m.body != ""), rx.text.span(" «", m.body, "»")),
            size="1",
            color_scheme="gray",
        ),
        align="center",
        spacing="2",
        width="100%",
        justify="center",
    )


def _message_item(m: Any) -> rx.Component:
    note = m.kind == "note"
    bubble = rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(m.author, size="2", weight="bold"),
                rx.cond(
                    note,
                    rx.badge(t("Внутренняя заметка", "Internal note"), color_scheme="amber"),
                    rx.cond(
                        m.from_staff,
                        rx.badge(t("Сотрудник", "Staff"), color_scheme="blue", variant="soft"),
                    ),
                ),
                rx.spacer(),
                rx.text(m.at, size="1", color_scheme="gray", white_space="nowrap"),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            rx.text(m.body, size="2", white_space="pre-wrap", word_break="break-word"),
            _files(m.files),
            spacing="2",
            width="100%",
        ),
        padding="12px",
        border_radius="10px",
        background=rx.cond(
            note,
            rx.color("amber", 3),
            rx.cond(m.mine, rx.color("accent", 3), rx.color("gray", 3)),
        ),
        border=rx.cond(note, f"1px dashed {rx.color('amber', 8)}", "none"),
        width=["100%", "100%", "85%"],
        margin_left=rx.cond(m.mine, "auto", "0"),
        id=rx.Var.create("support-message-") + m.id.to_string(),
    )
    return bubble


def _thread_item(m: Any) -> rx.Component:
    return rx.cond(m.kind == "event", _event_item(m), _message_item(m))


def _detail_line(label: tuple[str, str], value: Any, id: str = "") -> rx.Component:
    return rx.cond(
        value != "",
        rx.flex(
            rx.text(t(*label), size="2", color_scheme="gray", width="110px", flex_shrink="0"),
            rx.text(value, size="2", weight="medium", id=id or None, min_width="0", flex="1"),
            spacing="2",
            align="start",
            width="100%",
        ),
    )


def _buttons() -> rx.Component:
    v = SupportRequestState.view
    items = []
    for (action, side), label in rules.ACTION_LABELS.items():
        items.append(
            rx.cond(
                (v.side == str(side)) & v.buttons.contains(str(action)),
                rx.button(
                    t(*label),
                    on_click=SupportRequestState.do_action(str(action)),
                    variant="solid" if action in (Action.TAKE, Action.RESOLVE) else "soft",
                    color_scheme="green"
                    if action == Action.RESOLVE
                    else ("gray" if action == Action.CLOSE else "blue"),
                    size="2",
                    id=f"support-action-{action}",
                ),
            )
        )
    return rx.flex(*items, spacing="2", wrap="wrap")


def _staff_panel() -> rx.Component:
    v = SupportRequestState.view
    return rx.vstack(
        rx.text(t("Исполнитель", "Assignee"), size="2", weight="medium"),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="support-assignee", width=["100%", "100%", "260px"]),
                rx.select.content(
                    rx.select.item(t("Не назначен", "Nobody"), value="none"),
                    rx.foreach(
                        SupportRequestState.staff,
                        lambda o: rx.select.item(o.label, value=o.value),
                    ),
                ),
                value=SupportRequestState.assignee,
                on_change=SupportRequestState.assign_to,
            ),
            rx.cond(
                ~v.assigned_to_me,
                rx.button(
                    rx.icon("user-check", size=16),
                    t("Взять себе", "Assign to me"),
                    on_click=SupportRequestState.assign_me,
                    variant="soft",
                    id="support-assign-me",
                ),
            ),
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            v.deadline != "",
            rx.callout.root(
                rx.callout.icon(rx.cond(v.overdue, rx.icon("alarm-clock"), rx.icon("clock"))),
                rx.callout.text(
                    t("Срок ответа: ", "Response due: "), v.due_at, " (", _deadline(v), ")"
                ),
                color_scheme=rx.cond(v.overdue, "red", "gray"),
                size="1",
                width="100%",
                id="support-deadline",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _reply_box() -> rx.Component:
    st = SupportRequestState
    v = st.view
    return rx.card(
        rx.vstack(
            rx.text_area(
                value=st.reply_text,
                on_change=st.set_reply_text,
                placeholder=rx.cond(
                    st.reply_internal,
                    t("Заметка для коллег (клиент её не увидит)", "A note for colleagues"),
                    t("Ваш ответ", "Your reply"),
                ),
                max_length=rules.MAX_TEXT,
                rows="4",
                resize="vertical",
                id="support-reply-text",
                width="100%",
            ),
            rx.cond(
                st.reply_error != "",
                rx.text(st.reply_error, color_scheme="red", size="1", id="support-reply-error"),
            ),
            rx.cond(
                v.can_attach,
                rx.vstack(
                    upload_field(
                        "support-reply-upload",
                        st.upload,
                        allowed_types=rules.ATTACHMENT_TYPES,
                        max_bytes=rules.ATTACHMENT_MAX_BYTES,
                        multiple=True,
                        max_files=rules.MAX_FILES,
                        button=("Приложить", "Attach"),
                    ),
                    _pending_files(st, "support-reply"),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.flex(
                rx.cond(
                    v.side == "staff",
                    rx.text(
                        rx.flex(
                            rx.checkbox(
                                checked=st.reply_internal,
                                on_change=st.set_reply_internal,
                                id="support-reply-internal",
                            ),
                            t("Внутренняя заметка", "Internal note"),
                            spacing="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                    ),
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("send", size=16),
                    rx.cond(
                        st.reply_internal,
                        t("Сохранить заметку", "Save note"),
                        t("Ответить", "Reply"),
                    ),
                    on_click=st.send_reply,
                    id="support-reply-submit",
                ),
                width="100%",
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="support-reply",
    )


def _request_view() -> rx.Component:
    v = SupportRequestState.view
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.heading(v.number, " · ", v.subject, size="5", as_="h2", id="support-title"),
                    rx.spacer(),
                    status_badge(v.status, id="support-status-badge", size="2"),
                    width="100%",
                    spacing="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.grid(
                    rx.vstack(
                        _detail_line(("Организация", "Organisation"), v.organisation),
                        _detail_line(("Автор", "Author"), v.author),
                        _detail_line(("Категория", "Category"), v.category),
                        spacing="1",
                    ),
                    rx.vstack(
                        _detail_line(("Отдел", "Department"), v.department),
                        _detail_line(("Адресат", "Addressed to"), v.addressee),
                        _detail_line(
                            ("Исполнитель", "Assignee"), v.assignee, id="support-assignee-name"
                        ),
                        _detail_line(("Создано", "Created"), v.created_at),
                        spacing="1",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(v.side == "staff", _staff_panel()),
                _buttons(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.vstack(
            rx.foreach(v.thread, _thread_item),
            spacing="3",
            width="100%",
            id="support-thread",
        ),
        rx.cond(
            v.can_reply,
            _reply_box(),
            rx.callout(
                t(
                    "Обращение закрыто. Чтобы продолжить, откройте его заново или создайте новое.",
                    "The request is closed. Reopen it or write a new one to continue.",
                ),
                icon="lock",
                color_scheme="gray",
                width="100%",
                id="support-closed",
            ),
        ),
        spacing="4",
        width="100%",
    )


def request_page() -> rx.Component:
    return shell(
        rx.cond(
            SupportRequestState.view.side == str(Side.STAFF),
            back_link(routes.ADMIN_SUPPORT, ("Очередь обращений", "Request queue")),
            back_link(routes.SUPPORT, ("Все обращения", "All requests")),
        ),
        rx.cond(
            SupportRequestState.has_view,
            _request_view(),
            rx.cond(
                SupportRequestState.missing,
                not_found(("Обращение не найдено.", "Request not found."), id="support-missing"),
            ),
        ),
        title=t("Обращение", "Support request"),
    )


# --------------------------------------------------------------------------- /admin/support


def _queue_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(r.number, href=r.href, weight="medium", id=f"support-queue-open-{r.id}"),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.link(r.subject, href=r.href, color_scheme="gray", high_contrast=True),
                rx.text(r.category, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.author, size="2"),
                rx.text(r.organisation, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(r.recipient),
        rx.table.cell(rx.cond(r.assignee != "", r.assignee, "—")),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(
            rx.cond(
                r.deadline != "",
                rx.vstack(
                    rx.text(r.due_at, size="1", white_space="nowrap"),
                    rx.badge(
                        _deadline(r),
                        color_scheme=rx.cond(r.overdue, "red", "gray"),
                        variant=rx.cond(r.overdue, "solid", "soft"),
                    ),
                    spacing="1",
                ),
                "—",
            )
        ),
        background=rx.cond(r.overdue, rx.color("red", 2), "transparent"),
    )


def _queue_card(r: Any) -> rx.Component:
    return rx.link(
        mobile_card(
            rx.hstack(
                rx.text(r.number, weight="bold", size="2"),
                rx.spacer(),
                status_badge(r.status),
                width="100%",
                align="center",
            ),
            rx.text(r.subject, size="2", weight="medium"),
            rx.text(r.author, " · ", r.organisation, size="1", color_scheme="gray"),
            rx.cond(
                r.deadline != "",
                rx.badge(
                    _deadline(r),
                    color_scheme=rx.cond(r.overdue, "red", "gray"),
                    variant=rx.cond(r.overdue, "solid", "soft"),
                    width="fit-content",
                ),
            ),
            border=rx.cond(r.overdue, f"1px solid {rx.color('red', 8)}", "none"),
        ),
        href=r.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
    )


def _var_select(name: str, default: Any, options: Any, *, id: str, all_label: tuple[str, str]):
    return select_field(
        name,
        default,
        options.to(list[dict[str, str]]),
        id=id,
        all_label=all_label,
    )


def queue_page() -> rx.Component:
    st = SupportQueueState
    return shell(
        rx.cond(
            st.allowed,
            rx.vstack(
                filter_bar(
                    select_field(
                        "status",
                        st.f_status,
                        _STATUS_OPTIONS,
                        id="support-f-status",
                        all_label=("Все статусы", "All statuses"),
                        width="190px",
                    ),
                    _var_select(
                        "dept",
                        st.f_dept,
                        st.departments,
                        id="support-f-dept",
                        all_label=("Все отделы", "All departments"),
                    ),
                    _var_select(
                        "cat",
                        st.f_cat,
                        st.categories,
                        id="support-f-cat",
                        all_label=("Все категории", "All categories"),
                    ),
                    _var_select(
                        "assignee",
                        st.f_assignee,
                        st.staff,
                        id="support-f-assignee",
                        all_label=("Любой исполнитель", "Any assignee"),
                    ),
                    rx.text(
                        rx.flex(
                            rx.checkbox(
                                name="overdue",
                                default_checked=st.f_overdue,
                                id="support-f-overdue",
                            ),
                            t("Просроченные", "Overdue"),
                            spacing="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                        padding_y="6px",
                    ),
                    search_field(
                        "q",
                        st.f_q,
                        ("Тема, номер или клиент", "Subject, number or customer"),
                        id="support-f-q",
                        width="260px",
                    ),
                    on_submit=st.apply_filters,
                    reset_href=routes.ADMIN_SUPPORT,
                    key=st.query_key,
                    id_prefix="support-queue",
                ),
                data_table(
                    [
                        ("Номер", "Number"),
                        ("Тема", "Subject"),
                        ("Клиент", "Customer"),
                        ("Кому", "To"),
                        ("Исполнитель", "Assignee"),
                        ("Статус", "Status"),
                        ("Срок ответа", "Response due"),
                    ],
                    st.rows,
                    _queue_row,
                    id="support-queue",
                    min_width="920px",
                    mobile_card=_queue_card,
                ),
                pager(
                    prev_href=st.prev_href,
                    next_href=st.next_href,
                    id_prefix="support-queue",
                    first_href=st.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Обращения клиентов", "Customer requests"),
    )


# --------------------------------------------------------------------------- settings


def _active_badge(active: Any) -> rx.Component:
    return rx.cond(
        active,
        rx.badge(t("Активен", "Active"), color_scheme="green"),
        rx.badge(t("Отключён", "Off"), color_scheme="gray"),
    )


def _dept_row(d: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(d.name),
        rx.table.cell(d.description),
        rx.table.cell(rx.cond(d.member_names != "", d.member_names, "—")),
        rx.table.cell(_active_badge(d.is_active)),
        rx.table.cell(
            rx.button(
                rx.icon("pencil", size=14),
                t("Изменить", "Edit"),
                size="1",
                variant="soft",
                on_click=SupportSettingsState.open_department(d.id),
                id=rx.Var.create("support-dept-edit-") + d.id.to_string(),
            )
        ),
    )


def _cat_row(c: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(c.name),
        rx.table.cell(c.response_hours, t(" ч", " h")),
        rx.table.cell(rx.cond(c.default_department != "", c.default_department, "—")),
        rx.table.cell(_active_badge(c.is_active)),
        rx.table.cell(
            rx.button(
                rx.icon("pencil", size=14),
                t("Изменить", "Edit"),
                size="1",
                variant="soft",
                on_click=SupportSettingsState.open_category(c.id),
                id=rx.Var.create("support-cat-edit-") + c.id.to_string(),
            )
        ),
    )


def _dept_card(d: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(d.name, weight="bold", size="2"),
            rx.spacer(),
            _active_badge(d.is_active),
            width="100%",
            align="center",
        ),
        rx.cond(d.description != "", rx.text(d.description, size="1", color_scheme="gray")),
        rx.text(rx.cond(d.member_names != "", d.member_names, "—"), size="1"),
        rx.button(
            rx.icon("pencil", size=14),
            t("Изменить", "Edit"),
            size="1",
            variant="soft",
            on_click=SupportSettingsState.open_department(d.id),
        ),
    )


def _cat_card(c: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(c.name, weight="bold", size="2"),
            rx.spacer(),
            _active_badge(c.is_active),
            width="100%",
            align="center",
        ),
        rx.text(
            t("Ответ до ", "Answer within "),
            c.response_hours,
            t(" ч", " h"),
            rx.cond(c.default_department != "", rx.text.span(" · ", c.default_department)),
            size="1",
            color_scheme="gray",
        ),
        rx.button(
            rx.icon("pencil", size=14),
            t("Изменить", "Edit"),
            size="1",
            variant="soft",
            on_click=SupportSettingsState.open_category(c.id),
        ),
    )


def _settings_dialog() -> rx.Component:
    st = SupportSettingsState
    is_dept = st.dlg_kind == "dept"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    is_dept,
                    rx.cond(
                        st.dlg_id > 0, t("Отдел", "Department"), t("Новый отдел", "New department")
                    ),
                    rx.cond(
                        st.dlg_id > 0,
                        t("Категория", "Category"),
                        t("Новая категория", "New category"),
                    ),
                )
            ),
            rx.vstack(
                _field_label(("Название", "Name"), "support-set-name", True),
                rx.input(
                    value=st.f_name,
                    on_change=st.set_name,
                    max_length=rules.MAX_NAME,
                    id="support-set-name",
                    width="100%",
                ),
                rx.cond(
                    is_dept,
                    rx.vstack(
                        _field_label(("Описание", "Description"), "support-set-description"),
                        rx.input(
                            value=st.f_description,
                            on_change=st.set_description,
                            max_length=rules.MAX_DESCRIPTION,
                            id="support-set-description",
                            width="100%",
                        ),
                        rx.text(
                            t("Сотрудники отдела", "Department staff"), size="2", weight="medium"
                        ),
                        rx.vstack(
                            rx.foreach(
                                st.staff,
                                lambda o: rx.text(
                                    rx.flex(
                                        rx.checkbox(
                                            checked=st.f_members.contains(o.value),
                                            on_change=lambda c: st.toggle_member(o.value, c),
                                        ),
                                        o.label,
                                        spacing="2",
                                        align="center",
                                    ),
                                    as_="label",
                                    size="2",
                                ),
                            ),
                            spacing="1",
                            max_height="200px",
                            overflow_y="auto",
                            width="100%",
                            id="support-set-members",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.vstack(
                        _field_label(
                            ("Срок ответа, часов", "Response time, hours"),
                            "support-set-hours",
                            True,
                        ),
                        rx.input(
                            value=st.f_hours,
                            on_change=st.set_hours,
                            input_mode="numeric",
                            max_length=5,
                            id="support-set-hours",
                            width="120px",
                        ),
                        rx.text(
                            t("Отдел по умолчанию", "Default department"), size="2", weight="medium"
                        ),
                        rx.select.root(
                            rx.select.trigger(id="support-set-dept", width="100%"),
                            rx.select.content(
                                rx.select.item(t("Не задан", "None"), value="none"),
                                rx.foreach(
                                    st.departments,
                                    lambda d: rx.select.item(d.name, value=d.id.to_string()),
                                ),
                            ),
                            value=st.f_dept,
                            on_change=st.set_default_dept,
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                rx.text(
                    rx.flex(
                        rx.checkbox(
                            checked=st.f_active, on_change=st.set_active, id="support-set-active"
                        ),
                        t("Активен (виден клиентам)", "Active (offered to customers)"),
                        spacing="2",
                        align="center",
                    ),
                    as_="label",
                    size="2",
                ),
                rx.cond(
                    st.dlg_error != "",
                    rx.text(st.dlg_error, color_scheme="red", size="1", id="support-set-error"),
                ),
                rx.flex(
                    rx.dialog.close(
                        rx.button(t("Отмена", "Cancel"), variant="soft", color_scheme="gray")
                    ),
                    rx.button(t("Сохранить", "Save"), on_click=st.save, id="support-set-save"),
                    spacing="2",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
        ),
        open=st.dlg_open,
        on_open_change=st.set_dlg_open,
    )


def settings_page() -> rx.Component:
    st = SupportSettingsState
    return shell(
        rx.cond(
            st.allowed,
            rx.vstack(
                rx.flex(
                    rx.heading(t("Отделы (темы)", "Departments (topics)"), size="4", as_="h2"),
                    rx.spacer(),
                    rx.button(
                        rx.icon("plus", size=16),
                        t("Добавить отдел", "Add department"),
                        on_click=st.open_department(0),
                        variant="soft",
                        id="support-dept-new",
                    ),
                    width="100%",
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                data_table(
                    [
                        ("Отдел", "Department"),
                        ("Описание", "Description"),
                        ("Сотрудники", "Staff"),
                        ("Статус", "State"),
                        ("", ""),
                    ],
                    st.departments,
                    _dept_row,
                    id="support-depts",
                    mobile_card=_dept_card,
                ),
                rx.flex(
                    rx.heading(t("Категории", "Categories"), size="4", as_="h2"),
                    rx.spacer(),
                    rx.button(
                        rx.icon("plus", size=16),
                        t("Добавить категорию", "Add category"),
                        on_click=st.open_category(0),
                        variant="soft",
                        id="support-cat-new",
                    ),
                    width="100%",
                    align="center",
                    spacing="2",
                    wrap="wrap",
                    margin_top="12px",
                ),
                data_table(
                    [
                        ("Категория", "Category"),
                        ("Срок ответа", "Response time"),
                        ("Отдел по умолчанию", "Default department"),
                        ("Статус", "State"),
                        ("", ""),
                    ],
                    st.categories,
                    _cat_row,
                    id="support-cats",
                    mobile_card=_cat_card,
                ),
                _settings_dialog(),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Настройка обращений", "Support settings"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        my_requests_page, route=routes.SUPPORT, title="Обращения", on_load=SupportListState.load
    )
    app.add_page(
        new_request_page,
        route=routes.SUPPORT_NEW,
        title="Новое обращение",
        on_load=SupportNewState.load,
    )
    app.add_page(
        request_page,
        route=routes.SUPPORT_REQUEST,
        title="Обращение",
        on_load=SupportRequestState.load,
    )
    app.add_page(
        queue_page,
        route=routes.ADMIN_SUPPORT,
        title="Обращения клиентов",
        on_load=SupportQueueState.load,
    )
    app.add_page(
        settings_page,
        route=routes.ADMIN_SUPPORT_SETTINGS,
        title="Настройка обращений",
        on_load=SupportSettingsState.load,
    )
