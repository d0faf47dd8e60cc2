"""Pages of the maintenance journals: objects, one object, one journal, one entry, "waiting for
my signature", and the administrators' journal types and all subscribers' objects."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import LangState, t
from cabinet.journals import rules
from cabinet.journals.state import (
    JournalAwaitingState,
    JournalEntryState,
    JournalObjectState,
    JournalPageState,
    JournalsState,
    JournalTypesState,
)
from components.data_table import (
    back_link,
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    not_found,
    pager,
    search_field,
    status_badge,
    text_field,
)
from components.shell import shell
from components.upload import download_url, upload_field

Label = tuple[str, str]


def _lang(ru: Any, en: Any) -> Any:
    return rx.cond(LangState.lang == "en", en, ru)


def _label(text: Label, html_for: str, required: bool = False) -> rx.Component:
    return rx.text(
        t(*text),
        *([rx.text.span(" *", color_scheme="red")] if required else []),
        as_="label",
        html_for=html_for,
        size="2",
        weight="medium",
    )


def _err(errors: Any, key: str, id: str) -> rx.Component:
    return rx.cond(errors.contains(key), rx.text(errors[key], color_scheme="red", size="1", id=id))


def _field(
    label: Label,
    name: str,
    errors: Any,
    *,
    id: str,
    default: Any = "",
    required: bool = False,
    area: bool = False,
    type: str = "text",
    max_length: int = 500,
) -> rx.Component:
    control = (
        rx.text_area(
            name=name, default_value=default, id=id, max_length=max_length, rows="4", width="100%"
        )
        if area
        else rx.input(
            name=name, default_value=default, id=id, type=type, max_length=max_length, width="100%"
        )
    )
    return rx.vstack(
        _label(label, id, required),
        control,
        _err(errors, name, f"{id}-error"),
        spacing="1",
        width="100%",
    )


def _dialog(
    title: Label, body: rx.Component, *, open: Any, on_open_change: Any, id: str
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t(*title)),
            body,
            max_width="560px",
            width="calc(100vw - 24px)",
            id=id,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def _buttons(save: Label, save_id: str) -> rx.Component:
    return rx.flex(
        rx.dialog.close(
            rx.button(t("Отмена", "Cancel"), type="button", variant="soft", color_scheme="gray")
        ),
        rx.button(t(*save), type="submit", id=save_id),
        spacing="2",
        justify="end",
        width="100%",
    )


def _state_badge(row: Any) -> rx.Component:
    return status_badge(_lang(row["state"], row["state_en"]), row["color"])


def _pending_files(state: Any, prefix: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            state.pending,
            lambda p: rx.hstack(
                rx.icon("paperclip", size=14),
                rx.text(p["name"], size="1", word_break="break-all"),
                rx.text(p["size"], size="1", color_scheme="gray"),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    type="button",
                    aria_label="remove",
                    on_click=state.remove_pending(p["id"]),
                ),
                align="center",
                spacing="2",
            ),
        ),
        spacing="1",
        width="100%",
        id=f"{prefix}-files",
    )


def _entry_form(state: Any, prefix: str, defaults: dict[str, Any]) -> list[rx.Component]:
    return [
        _field(
            ("Дата и время работ", "Date and time of work"),
            "work_at",
            state.errors,
            id=f"{prefix}-work-at",
            type="datetime-local",
            default=defaults.get("work_at", ""),
            required=True,
        ),
        _field(
            ("Вид работ", "Kind of work"),
            "work_kind",
            state.errors,
            id=f"{prefix}-work-kind",
            default=defaults.get("work_kind", ""),
            required=True,
            max_length=rules.MAX_WORK_KIND,
        ),
        _field(
            ("Описание работ", "Description"),
            "description",
            state.errors,
            id=f"{prefix}-description",
            default=defaults.get("description", ""),
            required=True,
            area=True,
            max_length=rules.MAX_TEXT,
        ),
        _field(
            ("Замечания и результаты", "Findings"),
            "findings",
            state.errors,
            id=f"{prefix}-findings",
            default=defaults.get("findings", ""),
            area=True,
            max_length=rules.MAX_TEXT,
        ),
        rx.text(t("Вложения (фото, PDF)", "Attachments (photos, PDF)"), size="2", weight="medium"),
        _pending_files(state, prefix),
        upload_field(
            f"{prefix}-upload",
            state.upload,
            allowed_types=rules.ATTACHMENT_TYPES,
            max_bytes=rules.ATTACHMENT_MAX_BYTES,
            multiple=True,
            max_files=rules.MAX_ATTACHMENTS,
        ),
        _err(state.errors, "file", f"{prefix}-file-error"),
    ]


# --------------------------------------------------------------------------- /journals


def _object_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(r["name"], href=r["href"], weight="medium")),
        rx.table.cell(r["organisation"]),
        rx.table.cell(r["address"]),
        rx.table.cell(r["systems"]),
        rx.table.cell(r["journals"]),
    )


def _object_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.link(r["name"], href=r["href"], weight="medium"),
        rx.text(r["organisation"], size="1", color_scheme="gray"),
        rx.text(r["address"], size="2"),
        rx.text(r["systems"], size="1"),
    )


def _new_object_dialog() -> rx.Component:
    st = JournalsState
    return _dialog(
        ("Новый объект обслуживания", "New service object"),
        rx.form(
            rx.vstack(
                rx.vstack(
                    _label(("Абонент", "Subscriber"), "jobj-org", True),
                    rx.select.root(
                        rx.select.trigger(id="jobj-org", width="100%"),
                        rx.select.content(
                            rx.foreach(
                                st.orgs, lambda o: rx.select.item(o["label"], value=o["value"])
                            )
                        ),
                        name="organisation_id",
                        default_value=rx.cond(st.orgs.length() > 0, st.orgs[0]["value"], ""),
                    ),
                    _err(st.errors, "organisation_id", "jobj-org-error"),
                    spacing="1",
                    width="100%",
                ),
                _field(("Название", "Name"), "name", st.errors, id="jobj-name", required=True),
                _field(
                    ("Адрес", "Address"), "address", st.errors, id="jobj-address", required=True
                ),
                _field(
                    ("Обслуживаемые системы (через запятую)", "Systems served (comma-separated)"),
                    "systems",
                    st.errors,
                    id="jobj-systems",
                ),
                _buttons(("Создать", "Create"), "jobj-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.create_object,
            reset_on_submit=False,
        ),
        open=st.dlg_open,
        on_open_change=st.set_dlg_open,
        id="jobj-dialog",
    )


def _objects_body(admin: bool) -> rx.Component:
    st = JournalsState
    path = routes.ADMIN_JOURNAL_OBJECTS if admin else routes.JOURNALS
    return rx.cond(
        st.loaded,
        rx.cond(
            st.allowed & (st.is_admin if admin else True),
            rx.vstack(
                rx.flex(
                    rx.link(
                        rx.button(
                            rx.icon("pen-line", size=16),
                            t("Ждут моей подписи", "Waiting for my signature"),
                            rx.badge(
                                st.awaiting,
                                color_scheme=rx.cond(st.awaiting > 0, "red", "gray"),
                                variant="solid",
                                radius="full",
                                id="journals-awaiting-count",
                            ),
                            variant=rx.cond(st.awaiting > 0, "solid", "soft"),
                        ),
                        href=routes.JOURNALS_AWAITING,
                        id="journals-awaiting-link",
                    ),
                    rx.cond(
                        st.orgs.length() > 0,
                        rx.button(
                            rx.icon("plus", size=16),
                            t("Добавить объект", "Add object"),
                            variant="soft",
                            on_click=st.set_dlg_open(True),
                            id="journals-add-object",
                        ),
                    ),
                    rx.cond(
                        st.is_admin,
                        rx.hstack(
                            rx.link(
                                t("Типы журналов", "Journal types"),
                                href=routes.ADMIN_JOURNAL_TYPES,
                                size="2",
                            ),
                            rx.link(
                                t("Объекты всех абонентов", "All subscribers' objects"),
                                href=routes.ADMIN_JOURNAL_OBJECTS,
                                size="2",
                            ),
                            spacing="3",
                            align="center",
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                    width="100%",
                ),
                filter_bar(
                    search_field(
                        "q",
                        st.f_q,
                        ("Объект, адрес, абонент", "Object, address, subscriber"),
                        id="journals-q",
                    ),
                    on_submit=st.search,
                    reset_href=path,
                    key=st.query_key,
                    id_prefix="journals-filter",
                ),
                data_table(
                    [
                        ("Объект", "Object"),
                        ("Абонент", "Subscriber"),
                        ("Адрес", "Address"),
                        ("Системы", "Systems"),
                        ("Журналов", "Journals"),
                    ],
                    st.rows,
                    _object_row,
                    id="journals-objects",
                    empty=("Объектов нет.", "No objects."),
                    mobile_card=_object_card,
                ),
                pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="journals-pager"),
                _new_object_dialog(),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        rx.spinner(),
    )


def journals_page() -> rx.Component:
    return shell(_objects_body(False), title=t("Журналы обслуживания", "Maintenance journals"))


def admin_objects_page() -> rx.Component:
    return shell(_objects_body(True), title=t("Объекты всех абонентов", "All subscribers' objects"))


# --------------------------------------------------------------------------- /journals/object


def _journal_row(j: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(j["type"], href=j["href"], weight="medium")),
        rx.table.cell(
            rx.cond(
                j["active"] == "1",
                status_badge(t("Действующий", "Active"), "green"),
                status_badge(t("Архив", "Archived"), "gray"),
            )
        ),
        rx.table.cell(j["opened_at"]),
        rx.table.cell(j["archived_at"]),
        rx.table.cell(j["entries"]),
    )


def _journal_card(j: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(j["type"], href=j["href"], weight="medium"),
            rx.cond(
                j["active"] == "1",
                status_badge(t("Действующий", "Active"), "green"),
                status_badge(t("Архив", "Archived"), "gray"),
            ),
            justify="between",
            width="100%",
        ),
        rx.text(
            t("Открыт ", "Opened "),
            j["opened_at"],
            rx.cond(j["archived_at"] != "", rx.text.span(" — ", j["archived_at"])),
            " · ",
            t("записей: ", "entries: "),
            j["entries"],
            size="1",
            color_scheme="gray",
        ),
    )


def _people_block(role: str, title: Label, can: Any, options: Any, prefix: str) -> rx.Component:
    st = JournalObjectState
    return rx.card(
        rx.vstack(
            rx.text(t(*title), weight="bold", size="2"),
            rx.foreach(
                st.people,
                lambda p: rx.cond(
                    p["role"] == role,
                    rx.hstack(
                        rx.icon("user", size=14, flex_shrink="0"),
                        rx.vstack(
                            rx.text(p["name"], size="2"),
                            rx.text(p["email"], size="1", color_scheme="gray"),
                            spacing="0",
                        ),
                        rx.spacer(),
                        rx.cond(
                            can,
                            rx.icon_button(
                                rx.icon("x", size=12),
                                size="1",
                                variant="ghost",
                                color_scheme="red",
                                aria_label="remove",
                                on_click=st.remove_person(p["user_id"], role),
                            ),
                        ),
                        align="center",
                        width="100%",
                    ),
                ),
            ),
            rx.cond(
                can,
                rx.form(
                    rx.flex(
                        rx.select.root(
                            rx.select.trigger(
                                placeholder=t("Выберите пользователя", "Choose a user"),
                                width="100%",
                                id=f"{prefix}-user",
                            ),
                            rx.select.content(
                                rx.foreach(
                                    options, lambda o: rx.select.item(o["label"], value=o["id"])
                                )
                            ),
                            name="user_id",
                        ),
                        rx.el.input(type="hidden", name="role", value=role),
                        rx.button(
                            rx.icon("plus", size=14),
                            t("Назначить", "Assign"),
                            type="submit",
                            size="2",
                            variant="soft",
                            id=f"{prefix}-add",
                        ),
                        spacing="2",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    on_submit=st.add_person,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=f"{prefix}-block",
    )


def _edit_object_dialog() -> rx.Component:
    st = JournalObjectState
    return _dialog(
        ("Объект обслуживания", "Service object"),
        rx.form(
            rx.vstack(
                _field(
                    ("Название", "Name"),
                    "name",
                    st.errors,
                    id="jobj-edit-name",
                    default=st.obj["name"],
                    required=True,
                ),
                _field(
                    ("Адрес", "Address"),
                    "address",
                    st.errors,
                    id="jobj-edit-address",
                    default=st.obj["address"],
                    required=True,
                ),
                _field(
                    ("Обслуживаемые системы (через запятую)", "Systems served (comma-separated)"),
                    "systems",
                    st.errors,
                    id="jobj-edit-systems",
                    default=st.obj["systems"],
                ),
                _buttons(("Сохранить", "Save"), "jobj-edit-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.save,
            reset_on_submit=False,
        ),
        open=st.edit_open,
        on_open_change=st.set_edit_open,
        id="jobj-edit-dialog",
    )


def object_page() -> rx.Component:
    st = JournalObjectState
    return shell(
        back_link(routes.JOURNALS, ("Все объекты", "All objects")),
        rx.cond(
            st.loaded,
            rx.cond(
                st.found,
                rx.vstack(
                    rx.heading(st.obj["name"], size="6", as_="h1", id="jobj-title"),
                    rx.card(
                        rx.vstack(
                            rx.text(
                                t("Абонент: ", "Subscriber: "),
                                rx.text.strong(st.obj["organisation"]),
                                size="2",
                            ),
                            rx.text(t("Адрес: ", "Address: "), st.obj["address"], size="2"),
                            rx.text(t("Системы: ", "Systems: "), st.obj["systems"], size="2"),
                            rx.cond(
                                st.can_edit,
                                rx.button(
                                    rx.icon("pencil", size=14),
                                    t("Изменить", "Edit"),
                                    size="1",
                                    variant="soft",
                                    on_click=st.set_edit_open(True),
                                    id="jobj-edit",
                                ),
                            ),
                            spacing="1",
                        ),
                        width="100%",
                    ),
                    rx.heading(t("Журналы", "Journals"), size="4", as_="h2"),
                    data_table(
                        [
                            ("Тип журнала", "Journal type"),
                            ("Статус", "Status"),
                            ("Открыт", "Opened"),
                            ("В архиве с", "Archived"),
                            ("Записей", "Entries"),
                        ],
                        st.journals,
                        _journal_row,
                        id="jobj-journals",
                        empty=("Журналов пока нет.", "No journals yet."),
                        min_width="560px",
                        mobile_card=_journal_card,
                    ),
                    rx.cond(
                        st.can_open,
                        rx.form(
                            rx.flex(
                                rx.select.root(
                                    rx.select.trigger(
                                        placeholder=t("Тип журнала", "Journal type"),
                                        id="jobj-type",
                                        width=["100%", "100%", "280px"],
                                    ),
                                    rx.select.content(
                                        rx.foreach(
                                            st.types,
                                            lambda o: rx.select.item(o["name"], value=o["id"]),
                                        )
                                    ),
                                    name="type_id",
                                ),
                                rx.button(
                                    rx.icon("book-plus", size=16),
                                    t("Открыть новый журнал", "Open a new journal"),
                                    type="submit",
                                    id="jobj-open",
                                ),
                                spacing="2",
                                direction=rx.breakpoints(initial="column", sm="row"),
                                width="100%",
                            ),
                            rx.text(
                                t(
                                    "Действующий журнал того же типа будет переведён в архив.",
                                    "The active journal of that type is archived.",
                                ),
                                size="1",
                                color_scheme="gray",
                            ),
                            on_submit=st.open_journal,
                            reset_on_submit=False,
                            width="100%",
                        ),
                    ),
                    rx.heading(t("Ответственные лица", "Responsible persons"), size="4", as_="h2"),
                    rx.grid(
                        _people_block(
                            "operator_responsible",
                            ("Подписывают со стороны оператора", "Sign for the operator"),
                            st.manage_operator,
                            st.operator_options,
                            "jobj-opresp",
                        ),
                        _people_block(
                            "subscriber_responsible",
                            ("Подписывают со стороны абонента", "Sign for the subscriber"),
                            st.manage_subscriber,
                            st.subscriber_options,
                            "jobj-subresp",
                        ),
                        _people_block(
                            "staff",
                            (
                                "Сотрудники оператора на объекте (ведут записи)",
                                "Operator staff (write entries)",
                            ),
                            st.manage_staff,
                            st.staff_options,
                            "jobj-staff",
                        ),
                        columns=rx.breakpoints(initial="1", md="3"),
                        spacing="3",
                        width="100%",
                    ),
                    _edit_object_dialog(),
                    spacing="4",
                    width="100%",
                ),
                not_found(("Объект не найден.", "Object not found."), id="jobj-not-found"),
            ),
            rx.spinner(),
        ),
    )


# --------------------------------------------------------------------------- /journals/journal


def _entry_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link("№ ", r["number"], href=r["href"], weight="medium"), white_space="nowrap"
        ),
        rx.table.cell(r["work_at"], white_space="nowrap"),
        rx.table.cell(
            rx.link(r["work_kind"], href=r["href"]),
            rx.text(r["description"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(_state_badge(r)),
        rx.table.cell(r["version"]),
        rx.table.cell(r["author"]),
    )


def _entry_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link("№ ", r["number"], " · ", r["work_kind"], href=r["href"], weight="medium"),
            _state_badge(r),
            justify="between",
            width="100%",
            align="start",
        ),
        rx.text(r["work_at"], " · ", r["author"], size="1", color_scheme="gray"),
        rx.text(r["description"], size="2"),
    )


def _new_entry_dialog() -> rx.Component:
    st = JournalPageState
    return _dialog(
        ("Новая запись", "New entry"),
        rx.form(
            rx.vstack(
                *_entry_form(st, "jentry-new", {"work_at": st.journal["now_input"]}),
                _buttons(("Сохранить черновик", "Save draft"), "jentry-new-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.create_entry,
            reset_on_submit=False,
        ),
        open=st.dlg_open,
        on_open_change=st.set_dlg_open,
        id="jentry-new-dialog",
    )


def journal_page() -> rx.Component:
    st = JournalPageState
    j = st.journal
    return shell(
        rx.cond(st.found, back_link(j["object_href"], ("К объекту", "To the object"))),
        rx.cond(
            st.loaded,
            rx.cond(
                st.found,
                rx.vstack(
                    rx.heading(j["type"], size="6", as_="h1", id="journal-title"),
                    rx.text(
                        j["object"],
                        " · ",
                        j["organisation"],
                        " · ",
                        rx.cond(
                            j["active"] == "1",
                            rx.text.span(
                                t("действующий, открыт ", "active, opened "), j["opened_at"]
                            ),
                            rx.text.span(t("в архиве с ", "archived on "), j["archived_at"]),
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    filter_bar(
                        labelled(
                            ("С даты", "From"),
                            text_field(
                                "from",
                                st.f_from,
                                ("с", "from"),
                                id="journal-from",
                                type="date",
                                width="160px",
                            ),
                        ),
                        labelled(
                            ("По дату", "To"),
                            text_field(
                                "to",
                                st.f_to,
                                ("по", "to"),
                                id="journal-to",
                                type="date",
                                width="160px",
                            ),
                        ),
                        on_submit=st.apply_filters,
                        reset_href=st.reset_href,
                        key=st.query_key,
                        id_prefix="journal-filter",
                    ),
                    rx.flex(
                        rx.cond(
                            st.can_write,
                            rx.button(
                                rx.icon("plus", size=16),
                                t("Новая запись", "New entry"),
                                on_click=st.set_dlg_open(True),
                                id="journal-new-entry",
                            ),
                        ),
                        rx.button(
                            rx.icon("printer", size=16),
                            t("PDF за период", "PDF for the period"),
                            variant="soft",
                            loading=st.busy,
                            on_click=st.print_pdf,
                            id="journal-print",
                        ),
                        rx.cond(
                            st.pdf_file_id > 0,
                            rx.link(
                                rx.hstack(
                                    rx.icon("download", size=16),
                                    rx.text(t("Скачать ", "Download "), st.pdf_name),
                                    align="center",
                                    spacing="1",
                                ),
                                href=download_url(st.pdf_file_id),
                                is_external=True,
                                id="journal-pdf-link",
                                size="2",
                            ),
                        ),
                        spacing="3",
                        wrap="wrap",
                        align="center",
                    ),
                    data_table(
                        [
                            ("№", "No."),
                            ("Дата работ", "Work date"),
                            ("Работы", "Work"),
                            ("Статус", "Status"),
                            ("Версия", "Version"),
                            ("Автор", "Author"),
                        ],
                        st.rows,
                        _entry_row,
                        id="journal-entries",
                        empty=("Записей за период нет.", "No entries in the period."),
                        mobile_card=_entry_card,
                    ),
                    pager(
                        prev_href=st.prev_href, next_href=st.next_href, id_prefix="journal-pager"
                    ),
                    _new_entry_dialog(),
                    spacing="4",
                    width="100%",
                ),
                not_found(("Журнал не найден.", "Journal not found."), id="journal-not-found"),
            ),
            rx.spinner(),
        ),
    )


# --------------------------------------------------------------------------- /journals/entry


def _signature_line(sg: Any) -> rx.Component:
    return rx.flex(
        rx.badge(_lang(sg.side, sg.side_en), variant="outline"),
        rx.text(sg.signer, size="2", weight="medium"),
        rx.text(sg.signed_at, size="1", color_scheme="gray"),
        rx.text(
            t("серт. № ", "cert. "),
            sg.serial,
            size="1",
            color_scheme="gray",
            word_break="break-all",
        ),
        rx.cond(
            sg.withdrawn,
            status_badge(rx.text.span(t("отозвана ", "withdrawn "), sg.withdrawn_at), "red"),
            status_badge(t("действует", "in force"), "green"),
        ),
        rx.link(
            t("Проверить", "Verify"),
            href=sg.verify_href,
            size="1",
            is_external=True,
            class_name="jentry-verify",
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _version_card(v: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t("Версия ", "Version "), v.version, weight="bold"),
                rx.cond(
                    v.current,
                    status_badge(t("текущая", "current"), "blue"),
                    status_badge(t("заменена", "superseded"), "gray"),
                ),
                rx.text(v.author, " · ", v.created_at, size="1", color_scheme="gray"),
                wrap="wrap",
                align="center",
            ),
            rx.text(rx.text.strong(t("Дата работ: ", "Work date: ")), v.work_at, size="2"),
            rx.text(rx.text.strong(t("Вид работ: ", "Kind of work: ")), v.work_kind, size="2"),
            rx.text(v.description, size="2", white_space="pre-wrap"),
            rx.cond(
                v.findings != "",
                rx.text(
                    rx.text.strong(t("Замечания: ", "Findings: ")),
                    v.findings,
                    size="2",
                    white_space="pre-wrap",
                ),
            ),
            rx.foreach(
                v.attachments,
                lambda a: rx.link(
                    rx.icon("paperclip", size=14),
                    a.filename,
                    " (",
                    a.size,
                    ")",
                    href=download_url(a.id),
                    is_external=True,
                    size="2",
                ),
            ),
            rx.divider(),
            rx.cond(
                v.signatures.length() > 0,
                rx.vstack(rx.foreach(v.signatures, _signature_line), spacing="2", width="100%"),
                rx.text(t("Подписей нет.", "No signatures."), size="1", color_scheme="gray"),
            ),
            rx.text("SHA-256: ", v.sha256, size="1", color_scheme="gray", word_break="break-all"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="jentry-version",
    )


def _edit_entry_dialog() -> rx.Component:
    st = JournalEntryState
    e = st.entry
    return _dialog(
        ("Изменить запись", "Edit entry"),
        rx.form(
            rx.vstack(
                rx.cond(
                    e["state"] != "draft",
                    rx.callout(
                        t(
                            "Будет создана новая версия: подписи текущей версии будут отозваны, "
                            "согласование начнётся заново.",
                            "A new version is created: the current version's signatures are "
                            "withdrawn and approval starts again.",
                        ),
                        icon="triangle-alert",
                        color_scheme="amber",
                        size="1",
                    ),
                ),
                *_entry_form(
                    st,
                    "jentry-edit",
                    {
                        "work_at": e["work_at_input"],
                        "work_kind": e["work_kind"],
                        "description": e["description"],
                        "findings": e["findings"],
                    },
                ),
                _buttons(("Сохранить", "Save"), "jentry-edit-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.save,
            reset_on_submit=False,
        ),
        open=st.edit_open,
        on_open_change=st.set_edit_open,
        id="jentry-edit-dialog",
    )


def _sign_dialog() -> rx.Component:
    st = JournalEntryState
    return _dialog(
        ("Подписать запись", "Sign the entry"),
        rx.form(
            rx.vstack(
                rx.text(
                    t("Вы подписываете версию ", "You sign version "),
                    st.entry["version"],
                    t(" записи № ", " of entry No. "),
                    st.entry["number"],
                    t(" со стороны: ", " for: "),
                    rx.match(
                        st.sign_side,
                        *[(k, t(*v)) for k, v in rules.SIDE_LABELS.items()],
                        st.sign_side,
                    ),
                    size="2",
                ),
                _label(("PIN-код ключа подписи", "Signing key PIN"), "jentry-pin", True),
                rx.input(
                    name="pin",
                    type="password",
                    id="jentry-pin",
                    max_length=64,
                    auto_complete="off",
                    width="100%",
                ),
                rx.cond(
                    st.sign_error != "",
                    rx.text(st.sign_error, color_scheme="red", size="1", id="jentry-pin-error"),
                ),
                _buttons(("Подписать", "Sign"), "jentry-sign-confirm"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.sign,
            reset_on_submit=True,
        ),
        open=st.sign_open,
        on_open_change=st.set_sign_open,
        id="jentry-sign-dialog",
    )


def entry_page() -> rx.Component:
    st = JournalEntryState
    e = st.entry
    return shell(
        rx.cond(st.found, back_link(e["journal_href"], ("К журналу", "To the journal"))),
        rx.cond(
            st.loaded,
            rx.cond(
                st.found,
                rx.vstack(
                    rx.hstack(
                        rx.heading(t("Запись № ", "Entry No. "), e["number"], size="6", as_="h1"),
                        status_badge(_lang(e["state_label"], e["state_label_en"]), e["color"]),
                        align="center",
                        wrap="wrap",
                        id="jentry-state",
                    ),
                    rx.text(
                        rx.link(e["object"], href=e["object_href"]),
                        " · ",
                        e["journal"],
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.flex(
                        rx.badge(
                            t("Оператор: ", "Operator: "),
                            rx.cond(
                                e["operator_signed"] == "1",
                                t("подписано", "signed"),
                                t("ждём", "pending"),
                            ),
                            color_scheme=rx.cond(e["operator_signed"] == "1", "green", "amber"),
                        ),
                        rx.badge(
                            t("Абонент: ", "Subscriber: "),
                            rx.cond(
                                e["subscriber_signed"] == "1",
                                t("подписано", "signed"),
                                t("ждём", "pending"),
                            ),
                            color_scheme=rx.cond(e["subscriber_signed"] == "1", "green", "amber"),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.flex(
                        rx.cond(
                            st.sign_side != "",
                            rx.button(
                                rx.icon("signature", size=16),
                                t("Подписать", "Sign"),
                                on_click=st.set_sign_open(True),
                                id="jentry-sign",
                            ),
                        ),
                        rx.cond(
                            st.can_submit,
                            rx.button(
                                rx.icon("send", size=16),
                                t("Отправить на подпись", "Send for signatures"),
                                on_click=st.submit,
                                id="jentry-submit",
                            ),
                        ),
                        rx.cond(
                            st.can_edit,
                            rx.button(
                                rx.icon("pencil", size=16),
                                t("Изменить", "Edit"),
                                variant="soft",
                                on_click=st.set_edit_open(True),
                                id="jentry-edit",
                            ),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.heading(
                        t("Версии и подписи", "Versions and signatures"), size="4", as_="h2"
                    ),
                    rx.foreach(st.versions, _version_card),
                    _edit_entry_dialog(),
                    _sign_dialog(),
                    spacing="4",
                    width="100%",
                ),
                not_found(("Запись не найдена.", "Entry not found."), id="jentry-not-found"),
            ),
            rx.spinner(),
        ),
    )


# --------------------------------------------------------------------------- /journals/awaiting


def _awaiting_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(r["title"], href=r["href"], weight="medium")),
        rx.table.cell(r["object"]),
        rx.table.cell(r["journal"]),
        rx.table.cell(r["work_at"], white_space="nowrap"),
        rx.table.cell(_state_badge(r)),
    )


def _awaiting_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.link(r["title"], href=r["href"], weight="medium"),
        rx.text(r["object"], " · ", r["journal"], size="1", color_scheme="gray"),
        rx.hstack(rx.text(r["work_at"], size="1"), _state_badge(r), align="center"),
    )


def awaiting_page() -> rx.Component:
    st = JournalAwaitingState
    return shell(
        back_link(routes.JOURNALS, ("Журналы", "Journals")),
        rx.cond(
            st.loaded,
            rx.vstack(
                data_table(
                    [
                        ("Запись", "Entry"),
                        ("Объект", "Object"),
                        ("Журнал", "Journal"),
                        ("Дата работ", "Work date"),
                        ("Статус", "Status"),
                    ],
                    st.rows,
                    _awaiting_row,
                    id="journals-awaiting",
                    empty=(
                        "Нет записей, ждущих вашей подписи.",
                        "Nothing waits for your signature.",
                    ),
                    mobile_card=_awaiting_card,
                ),
                pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="awaiting-pager"),
                spacing="4",
                width="100%",
            ),
            rx.spinner(),
        ),
        title=t("Ждут моей подписи", "Waiting for my signature"),
    )


# --------------------------------------------------------------------------- admin: types


def _type_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(r["name"]),
        rx.table.cell(rx.code(r["code"])),
        rx.table.cell(r["description"]),
        rx.table.cell(
            rx.cond(
                r["is_active"] == "1",
                status_badge(t("Используется", "In use"), "green"),
                status_badge(t("Отключён", "Disabled"), "gray"),
            )
        ),
        rx.table.cell(
            rx.button(
                t("Изменить", "Edit"),
                size="1",
                variant="soft",
                on_click=JournalTypesState.edit(r["id"]),
            )
        ),
    )


def types_page() -> rx.Component:
    st = JournalTypesState
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    rx.button(
                        rx.icon("plus", size=16),
                        t("Новый тип", "New type"),
                        on_click=st.edit(""),
                        id="jtypes-new",
                    ),
                    data_table(
                        [
                            ("Название", "Name"),
                            ("Код", "Code"),
                            ("Описание", "Description"),
                            ("Статус", "Status"),
                            "",
                        ],
                        st.rows,
                        _type_row,
                        id="jtypes",
                        min_width="640px",
                    ),
                    _dialog(
                        ("Тип журнала", "Journal type"),
                        rx.form(
                            rx.vstack(
                                _field(
                                    ("Название", "Name"),
                                    "name",
                                    st.errors,
                                    id="jtype-name",
                                    default=st.f_name,
                                    required=True,
                                    max_length=200,
                                ),
                                _field(
                                    ("Код (латиница)", "Code (latin)"),
                                    "code",
                                    st.errors,
                                    id="jtype-code",
                                    default=st.f_code,
                                    required=True,
                                    max_length=50,
                                ),
                                _field(
                                    ("Описание", "Description"),
                                    "description",
                                    st.errors,
                                    id="jtype-description",
                                    default=st.f_description,
                                ),
                                rx.text(
                                    rx.flex(
                                        rx.checkbox(
                                            name="is_active",
                                            default_checked=st.f_active,
                                            id="jtype-active",
                                        ),
                                        t("Используется", "In use"),
                                        spacing="2",
                                        align="center",
                                    ),
                                    as_="label",
                                    size="2",
                                ),
                                _buttons(("Сохранить", "Save"), "jtype-save"),
                                spacing="3",
                                width="100%",
                            ),
                            on_submit=st.save,
                            reset_on_submit=False,
                            key=st.f_id.to_string() + st.f_name,
                        ),
                        open=st.dlg_open,
                        on_open_change=st.set_dlg_open,
                        id="jtype-dialog",
                    ),
                    spacing="4",
                    width="100%",
                ),
                no_access(),
            ),
            rx.spinner(),
        ),
        title=t("Типы журналов", "Journal types"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        journals_page,
        route=routes.JOURNALS,
        title="Журналы обслуживания",
        on_load=JournalsState.load,
    )
    app.add_page(
        object_page,
        route=routes.JOURNAL_OBJECT,
        title="Объект обслуживания",
        on_load=JournalObjectState.load,
    )
    app.add_page(
        journal_page, route=routes.JOURNAL_VIEW, title="Журнал", on_load=JournalPageState.load
    )
    app.add_page(
        entry_page,
        route=routes.JOURNAL_ENTRY,
        title="Запись журнала",
        on_load=JournalEntryState.load,
    )
    app.add_page(
        awaiting_page,
        route=routes.JOURNALS_AWAITING,
        title="Ждут моей подписи",
        on_load=JournalAwaitingState.load,
    )
    app.add_page(
        types_page,
        route=routes.ADMIN_JOURNAL_TYPES,
        title="Типы журналов",
        on_load=JournalTypesState.load,
    )
    app.add_page(
        admin_objects_page,
        route=routes.ADMIN_JOURNAL_OBJECTS,
        title="Объекты абонентов",
        on_load=JournalsState.load,
    )
