"""Pages: my applications, the application form, one application, the staff registry."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.applications import queries, rules
from cabinet.applications.state import (
    ApplicationFormState,
    ApplicationsListState,
    ApplicationsRegistryState,
    ApplicationViewState,
)
from cabinet.i18n import code_label, t
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
    select_field,
    text_field,
)
from components.shell import shell
from components.upload import download_url, upload_field

_STATUS_OPTIONS = [(s, ru, en) for s, (ru, en) in rules.STATUS_LABELS.items()]
_SORT_OPTIONS = [(s, ru, en) for s, (ru, en) in queries.SORTS.items() if s != "new"]


def status_label(status: Any) -> rx.Component:
    return code_label(status, rules.STATUS_LABELS, status)


def status_badge(status: Any, **props: Any) -> rx.Component:
    return rx.badge(
        status_label(status),
        color_scheme=rx.match(
            status, *[(s, rules.status_color(s)) for s in rules.STATUS_LABELS], "gray"
        ),
        variant="soft",
        radius="full",
        white_space="nowrap",
        **props,
    )


def _tabs(state: Any, tabs: dict[str, tuple[str, str]], path: str, prefix: str) -> rx.Component:
    items = []
    for code, label in tabs.items():
        items.append(
            rx.link(
                rx.button(
                    t(*label),
                    variant=rx.cond(state.f_tab == code, "solid", "soft"),
                    size="2",
                ),
                href=routes.with_query(path, tab=code),
                id=f"{prefix}-tab-{code or 'all'}",
            )
        )
    return rx.flex(*items, spacing="2", wrap="wrap", width="100%", id=f"{prefix}-tabs")


def _filters(state: Any, prefix: str, reset: str, *extra: rx.Component) -> rx.Component:
    return filter_bar(
        search_field("q", state.f_q, ("Поиск: объект, адрес, номер", "Search"), id=f"{prefix}-q"),
        text_field(
            "number", state.f_number, ("Номер", "Number"), id=f"{prefix}-number", width="140px"
        ),
        text_field("object", state.f_object, ("Объект", "Object"), id=f"{prefix}-object"),
        select_field(
            "status",
            state.f_status,
            _STATUS_OPTIONS,
            id=f"{prefix}-status",
            all_label=("Любой статус", "Any status"),
            width="220px",
        ),
        labelled(
            ("Создана с", "Created from"),
            text_field(
                "from", state.f_from, ("с", "from"), id=f"{prefix}-from", type="date", width="150px"
            ),
        ),
        labelled(
            ("по", "to"),
            text_field(
                "to", state.f_to, ("по", "to"), id=f"{prefix}-to", type="date", width="150px"
            ),
        ),
        select_field(
            "sort",
            rx.cond(state.f_sort == "new", "", state.f_sort),
            _SORT_OPTIONS,
            id=f"{prefix}-sort",
            all_label=("Сначала новые", "Newest first"),
            width="220px",
        ),
        *extra,
        on_submit=state.apply_filters,
        reset_href=reset,
        key=state.query_key,
        id_prefix=prefix,
    )


# --------------------------------------------------------------------------- /applications


def _my_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(r.number, href=r.href, weight="medium", id=f"app-open-{r.id}"),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.object_name, size="2", weight="medium"),
                rx.text(r.object_address, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(r.power, white_space="nowrap"),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(r.organisation),
        rx.table.cell(r.created_at, white_space="nowrap"),
        rx.table.cell(r.status_changed_at, white_space="nowrap"),
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
            rx.text(r.object_name, size="2", weight="medium"),
            rx.text(r.object_address, size="1", color_scheme="gray"),
            rx.text(r.power, " · ", r.created_at, size="1", color_scheme="gray"),
        ),
        href=r.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        id=f"app-card-{r.id}",
    )


def _create_button() -> rx.Component:
    s = ApplicationsListState
    return rx.cond(
        s.orgs.length() == 1,
        rx.button(
            rx.icon("plus", size=16),
            t("Новая заявка", "New application"),
            on_click=s.new_application(s.orgs[0]["value"]),
            id="app-new",
        ),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("plus", size=16), t("Новая заявка", "New application"), id="app-new"
                )
            ),
            rx.menu.content(
                rx.foreach(
                    s.orgs,
                    lambda o: rx.menu.item(o["label"], on_click=s.new_application(o["value"])),
                )
            ),
        ),
    )


def my_applications_page() -> rx.Component:
    s = ApplicationsListState
    return shell(
        rx.flex(
            rx.text(
                t(
                    "Заявки на технологическое присоединение к электрическим сетям.",
                    "Applications for a connection to the power grid.",
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.cond(s.can_create, _create_button()),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="2",
        ),
        _tabs(s, queries.TABS, routes.APPLICATIONS, "apps"),
        _filters(
            s,
            "apps",
            rx.cond(s.f_tab == "", routes.APPLICATIONS, routes.APPLICATIONS + "?tab=" + s.f_tab),
        ),
        rx.cond(
            s.loaded,
            data_table(
                [
                    ("Номер", "Number"),
                    ("Объект", "Object"),
                    ("Мощность", "Power"),
                    ("Статус", "Status"),
                    ("Заявитель", "Applicant"),
                    ("Создана", "Created"),
                    ("Статус изменён", "Status changed"),
                ],
                s.rows,
                _my_row,
                id="apps-list",
                empty=("Заявок не найдено.", "No applications found."),
                mobile_card=_my_card,
                min_width="860px",
            ),
        ),
        pager(
            prev_href=s.prev_href, next_href=s.next_href, id_prefix="apps", first_href=s.first_href
        ),
        title=t("Мои заявки", "My applications"),
    )


# --------------------------------------------------------------------------- /applications/edit


def _label(text: tuple[str, str], html_for: str, required: bool = False) -> rx.Component:
    return rx.text(
        t(*text),
        *([rx.text.span(" *", color_scheme="red")] if required else []),
        as_="label",
        html_for=html_for,
        size="2",
        weight="medium",
    )


def _err(key: str) -> rx.Component:
    s = ApplicationFormState
    return rx.cond(
        s.errors.contains(key),
        rx.text(s.errors[key], color_scheme="red", size="1", id=f"app-error-{key}"),
    )


def _input(
    name: str,
    label: tuple[str, str],
    *,
    required: bool = True,
    placeholder: str = "",
    hint: tuple[str, str] | None = None,
    max_length: int = 300,
    input_mode: str | None = None,
) -> rx.Component:
    s = ApplicationFormState
    fid = f"app-{name.replace('_', '-')}"
    return rx.vstack(
        _label(label, fid, required),
        rx.input(
            default_value=s.values[name],
            on_blur=lambda v: s.edit(name, v),
            placeholder=placeholder,
            max_length=max_length,
            id=fid,
            name=name,
            width="100%",
            input_mode=input_mode,
            color_scheme=rx.cond(s.errors.contains(name), "red", "gray"),
        ),
        *([rx.text(t(*hint), size="1", color_scheme="gray")] if hint else []),
        _err(name),
        spacing="1",
        width="100%",
    )


def _choice(name: str, label: tuple[str, str], options: dict[str, tuple[str, str]]) -> rx.Component:
    s = ApplicationFormState
    fid = f"app-{name.replace('_', '-')}"
    return rx.vstack(
        _label(label, fid, True),
        rx.select.root(
            rx.select.trigger(placeholder=t("Выберите", "Choose"), id=fid, width="100%"),
            rx.select.content(
                *[rx.select.item(t(ru, en), value=v) for v, (ru, en) in options.items()]
            ),
            value=s.values[name],
            on_change=lambda v: s.edit(name, v),
        ),
        _err(name),
        spacing="1",
        width="100%",
    )


def _attachment_row(f: Any) -> rx.Component:
    return rx.hstack(
        rx.icon("paperclip", size=14, flex_shrink="0"),
        rx.vstack(
            rx.link(f.filename, href=download_url(f.file_id), is_external=True, size="2"),
            rx.text(f.kind_label, " · ", f.size, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            f.removable,
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=ApplicationFormState.remove_file(f.id),
                aria_label="remove",
                id=rx.Var.create("app-file-remove-") + f.id.to_string(),
            ),
        ),
        width="100%",
        align="center",
        spacing="2",
    )


def _attachments_card() -> rx.Component:
    s = ApplicationFormState
    return rx.card(
        rx.vstack(
            rx.heading(t("Документы заявителя", "Applicant's documents"), size="3", as_="h3"),
            rx.cond(
                s.missing_files.length() > 0,
                rx.callout(
                    rx.text.span(
                        t("Не хватает: ", "Missing: "),
                        rx.foreach(
                            s.missing_files, lambda m, i: rx.text.span(rx.cond(i > 0, ", ", ""), m)
                        ),
                    ),
                    icon="file-warning",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                    id="app-missing-files",
                ),
                rx.callout(
                    t("Все обязательные документы приложены.", "All required documents attached."),
                    icon="circle-check",
                    color_scheme="green",
                    size="1",
                    width="100%",
                ),
            ),
            _err("files"),
            rx.vstack(
                rx.foreach(s.attachments, _attachment_row),
                spacing="2",
                width="100%",
                id="app-attachments",
            ),
            rx.vstack(
                _label(("Вид документа", "Document kind"), "app-upload-kind"),
                rx.select.root(
                    rx.select.trigger(id="app-upload-kind", width="100%"),
                    rx.select.content(
                        *[
                            rx.select.item(t(*rules.FILE_KIND_LABELS[k]), value=k)
                            for k in rules.APPLICANT_KINDS
                        ]
                    ),
                    value=s.upload_kind,
                    on_change=s.set_upload_kind,
                ),
                upload_field(
                    "app-upload",
                    s.upload,
                    allowed_types=rules.ATTACHMENT_TYPES,
                    max_bytes=rules.ATTACHMENT_MAX_BYTES,
                    button=("Приложить", "Attach"),
                ),
                spacing="2",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=16),
                t("Удалить черновик", "Delete draft"),
                variant="soft",
                color_scheme="red",
                id="app-delete",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Удалить черновик?", "Delete the draft?")),
            rx.alert_dialog.description(
                t("Черновик и его вложения будут удалены.", "The draft will be deleted.")
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(t("Отмена", "Cancel"), variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        t("Удалить", "Delete"),
                        color_scheme="red",
                        on_click=ApplicationFormState.delete_draft,
                        id="app-delete-confirm",
                    )
                ),
                spacing="2",
                justify="end",
                margin_top="12px",
            ),
        ),
    )


def _form() -> rx.Component:
    s = ApplicationFormState
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.heading(s.number, size="5", as_="h2", id="app-form-title"),
                    rx.spacer(),
                    status_badge(s.status, size="2"),
                    width="100%",
                    align="center",
                    wrap="wrap",
                    spacing="2",
                ),
                rx.text(
                    t("Заявитель: ", "Applicant: "),
                    rx.text.strong(s.organisation),
                    " · ",
                    s.kind_label,
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    s.return_comment != "",
                    rx.callout(
                        rx.text.span(
                            rx.text.strong(t("Вернули на доработку: ", "Returned: ")),
                            s.return_comment,
                        ),
                        icon="message-square-warning",
                        color_scheme="orange",
                        width="100%",
                        id="app-return-comment",
                    ),
                ),
                rx.text(
                    t(
                        "Реквизиты заявителя берутся из профиля организации. Черновик "
                        "сохраняется сам, когда вы переходите к следующему полю.",
                        "Applicant details come from the organisation profile. The draft "
                        "saves itself when you leave a field.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                rx.grid(
                    _input(
                        "object_name", ("Наименование объекта", "Object"), placeholder="Жилой дом"
                    ),
                    _input(
                        "cadastral_number",
                        ("Кадастровый номер участка", "Cadastral number"),
                        placeholder="74:33:0123456:123",
                        max_length=40,
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                _input(
                    "object_address",
                    ("Адрес объекта", "Object address"),
                    placeholder="г. Магнитогорск, ул. …",
                    max_length=500,
                ),
                rx.grid(
                    _input(
                        "max_power_kw",
                        ("Максимальная мощность, кВт", "Maximum power, kW"),
                        placeholder="15",
                        max_length=12,
                        input_mode="decimal",
                    ),
                    _input(
                        "existing_power_kw",
                        ("Ранее присоединённая мощность, кВт", "Connected before, kW"),
                        required=False,
                        placeholder="0",
                        max_length=12,
                        input_mode="decimal",
                    ),
                    _choice("voltage", ("Уровень напряжения", "Voltage"), rules.VOLTAGES),
                    _choice(
                        "reliability", ("Категория надёжности", "Reliability"), rules.RELIABILITY
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                _choice("reason", ("Причина обращения", "Reason"), rules.REASONS),
                rx.vstack(
                    _label(("Этапы и сроки (если несколько)", "Planned stages"), "app-stages"),
                    rx.text_area(
                        default_value=s.values["stages"],
                        on_blur=lambda v: s.edit("stages", v),
                        max_length=rules.MAX_STAGES,
                        rows="3",
                        id="app-stages",
                        width="100%",
                    ),
                    _err("stages"),
                    spacing="1",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            key=s.form_key,
        ),
        _attachments_card(),
        _err("form"),
        rx.flex(
            rx.button(
                rx.icon("send", size=16),
                t("Подать заявку", "Submit"),
                on_click=s.submit,
                id="app-submit",
            ),
            rx.button(
                rx.icon("save", size=16),
                t("Сохранить черновик", "Save draft"),
                variant="soft",
                on_click=s.save,
                id="app-save",
            ),
            rx.cond(s.status == "draft", _delete_dialog()),
            rx.text(s.saved_note, size="1", color_scheme="gray", id="app-saved-note"),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def form_page() -> rx.Component:
    s = ApplicationFormState
    return shell(
        back_link(routes.APPLICATIONS, ("Мои заявки", "My applications")),
        rx.cond(
            s.missing,
            not_found(("Заявка не найдена.", "Application not found."), id="app-missing"),
            rx.cond(s.loaded, _form()),
        ),
        title=t("Заявка на присоединение", "Connection application"),
    )


# --------------------------------------------------------------------------- /applications/view


def _line(label: tuple[str, str], value: Any, id: str = "") -> rx.Component:
    return rx.cond(
        value != "",
        rx.flex(
            rx.text(t(*label), size="2", color_scheme="gray", width="170px", flex_shrink="0"),
            rx.text(value, size="2", weight="medium", id=id or None, min_width="0", flex="1"),
            spacing="2",
            align="start",
            width="100%",
        ),
    )


def _file_link(f: Any, prefix: str) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(f.generated, "file-text", "paperclip"), size=16, flex_shrink="0"),
        rx.vstack(
            rx.link(
                f.kind_label,
                href=download_url(f.file_id),
                is_external=True,
                size="2",
                weight="medium",
                id=rx.Var.create(f"{prefix}-") + f.id.to_string(),
            ),
            rx.text(
                f.filename,
                " · ",
                f.size,
                " · ",
                f.at,
                size="1",
                color_scheme="gray",
                word_break="break-all",
            ),
            spacing="0",
            min_width="0",
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _buttons() -> rx.Component:
    v = ApplicationViewState.view
    return rx.flex(
        rx.foreach(
            v.buttons,
            lambda b: rx.button(
                b.label,
                on_click=ApplicationViewState.start_action(b.action),
                variant=rx.cond(b.danger, "soft", "solid"),
                color_scheme=rx.cond(b.danger, "red", "blue"),
                id="app-action-" + b.action,
            ),
        ),
        spacing="2",
        wrap="wrap",
        id="app-actions",
    )


def _action_dialog() -> rx.Component:
    s = ApplicationViewState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(s.dlg_label),
            rx.vstack(
                rx.cond(
                    s.dlg_needs_file,
                    rx.vstack(
                        rx.text(
                            t(
                                "Приложите скан подписанного документа.",
                                "Attach the scan of the signed document.",
                            ),
                            size="2",
                        ),
                        upload_field(
                            "app-scan",
                            s.upload_scan,
                            allowed_types=rules.ATTACHMENT_TYPES,
                            max_bytes=rules.ATTACHMENT_MAX_BYTES,
                        ),
                        rx.foreach(
                            s.scans,
                            lambda f: rx.hstack(
                                rx.icon("paperclip", size=14),
                                rx.text(f["name"], size="2"),
                                rx.text(f["size"], size="1", color_scheme="gray"),
                                spacing="2",
                                align="center",
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                rx.text_area(
                    value=s.dlg_comment,
                    on_change=s.set_dlg_comment,
                    placeholder=rx.cond(
                        s.dlg_needs_comment,
                        t("Комментарий (обязательно)", "Comment (required)"),
                        t("Комментарий (по желанию)", "Comment (optional)"),
                    ),
                    rows="3",
                    width="100%",
                    id="app-action-comment",
                ),
                rx.cond(
                    s.dlg_error != "",
                    rx.text(s.dlg_error, color_scheme="red", size="2", id="app-action-error"),
                ),
                rx.flex(
                    rx.dialog.close(
                        rx.button(t("Отмена", "Cancel"), variant="soft", color_scheme="gray")
                    ),
                    rx.button(
                        t("Подтвердить", "Confirm"),
                        on_click=s.confirm_action,
                        id="app-action-confirm",
                    ),
                    spacing="2",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
        ),
        open=s.dlg_open,
        on_open_change=s.set_dlg_open,
    )


def _assign_panel() -> rx.Component:
    s = ApplicationViewState
    return rx.flex(
        rx.text(t("Ответственный", "Assignee"), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id="app-assignee", width=["100%", "100%", "280px"]),
            rx.select.content(
                rx.select.item(t("Не назначен", "Nobody"), value="none"),
                rx.foreach(s.staff, lambda o: rx.select.item(o["label"], value=o["value"])),
            ),
            value=s.assignee,
            on_change=s.assign_to,
        ),
        rx.button(
            t("Назначить мне", "Assign to me"),
            variant="soft",
            on_click=s.assign_me,
            id="app-assign-me",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _timeline_item(e: Any) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.cond(e.status_to != "", "circle-dot", "circle"),
            size=14,
            color=rx.color("accent", 9),
            flex_shrink="0",
            margin_top="3px",
        ),
        rx.vstack(
            rx.text(e.text, size="2", weight="medium"),
            rx.text(e.at, " · ", e.actor, size="1", color_scheme="gray"),
            rx.cond(
                e.comment != "",
                rx.text(e.comment, size="2", white_space="pre-wrap", word_break="break-word"),
            ),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="2",
        width="100%",
    )


def _comment_item(c: Any) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(c.author, size="2", weight="bold"),
            rx.cond(c.from_staff, rx.badge(t("Сотрудник", "Staff"), variant="soft")),
            rx.spacer(),
            rx.text(c.at, size="1", color_scheme="gray"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.text(c.body, size="2", white_space="pre-wrap", word_break="break-word"),
        padding="10px",
        border_radius="8px",
        background=rx.cond(c.mine, rx.color("accent", 3), rx.color("gray", 3)),
        width="100%",
    )


def _view() -> rx.Component:
    s = ApplicationViewState
    v = s.view
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.heading(v.number, size="5", as_="h2", id="app-title"),
                    rx.spacer(),
                    status_badge(v.status, size="2", id="app-status"),
                    rx.cond(v.overdue, rx.badge(t("Просрочена", "Overdue"), color_scheme="red")),
                    width="100%",
                    align="center",
                    wrap="wrap",
                    spacing="2",
                ),
                rx.callout(
                    rx.text.span(rx.text.strong(t("Что дальше: ", "Next step: ")), v.next_step),
                    icon="footprints",
                    color_scheme="blue",
                    width="100%",
                    id="app-next-step",
                ),
                rx.cond(
                    (v.side == "applicant") & (v.status == "returned"),
                    rx.link(
                        rx.button(rx.icon("pencil", size=16), t("Исправить заявку", "Edit")),
                        href=routes.APPLICATION_EDIT + "?id=" + v.id.to_string(),
                        id="app-edit",
                    ),
                ),
                rx.cond(
                    (v.side == "applicant") & (v.status == "completed"),
                    rx.link(
                        rx.button(
                            rx.icon("star", size=16),
                            t("Оценить нашу работу", "Rate our work"),
                            variant="soft",
                            color_scheme="green",
                        ),
                        href=routes.SURVEYS,
                        id="app-survey",
                    ),
                ),
                rx.cond(v.side == "staff", _assign_panel()),
                _buttons(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.heading(t("Данные заявки", "Details"), size="3", as_="h3"),
                    _line(("Заявитель", "Applicant"), v.organisation),
                    _line(("Тип заявителя", "Applicant type"), v.applicant_kind_label),
                    _line(("Подал", "Filed by"), v.applicant),
                    _line(("Объект", "Object"), v.object_name, id="app-object"),
                    _line(("Адрес", "Address"), v.object_address),
                    _line(("Кадастровый номер", "Cadastral number"), v.cadastral_number),
                    _line(("Мощность, кВт", "Power, kW"), v.max_power_kw),
                    _line(("Ранее присоединено, кВт", "Connected before, kW"), v.existing_power_kw),
                    _line(("Напряжение", "Voltage"), v.voltage_label),
                    _line(("Категория надёжности", "Reliability"), v.reliability_label),
                    _line(("Причина", "Reason"), v.reason_label),
                    _line(("Этапы", "Stages"), v.stages),
                    _line(("Подана", "Submitted"), v.submitted_at),
                    _line(("Ответственный", "Assignee"), v.assignee),
                    _line(("Срок", "Due"), v.due_at),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.heading(t("Документы", "Documents"), size="3", as_="h3"),
                        rx.cond(
                            v.documents.length() > 0,
                            rx.vstack(
                                rx.foreach(v.documents, lambda f: _file_link(f, "app-doc")),
                                spacing="2",
                                width="100%",
                                id="app-documents",
                            ),
                            rx.text(
                                t(
                                    "Документы появятся здесь по ходу работы с заявкой.",
                                    "Documents will appear here as the application proceeds.",
                                ),
                                size="2",
                                color_scheme="gray",
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading(t("Вложения", "Attachments"), size="3", as_="h3"),
                        rx.vstack(
                            rx.foreach(v.attachments, lambda f: _file_link(f, "app-att")),
                            spacing="2",
                            width="100%",
                            id="app-attachments",
                        ),
                        rx.select.root(
                            rx.select.trigger(id="app-view-upload-kind", width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    s.kind_options,
                                    lambda o: rx.select.item(o["label"], value=o["value"]),
                                )
                            ),
                            value=s.upload_kind,
                            on_change=s.set_upload_kind,
                        ),
                        upload_field(
                            "app-view-upload",
                            s.upload,
                            allowed_types=rules.ATTACHMENT_TYPES,
                            max_bytes=rules.ATTACHMENT_MAX_BYTES,
                            button=("Приложить", "Attach"),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.heading(t("Комментарии", "Comments"), size="3", as_="h3"),
                    rx.vstack(
                        rx.foreach(v.comments, _comment_item),
                        spacing="2",
                        width="100%",
                        id="app-comments",
                    ),
                    rx.text_area(
                        value=s.comment_text,
                        on_change=s.set_comment,
                        placeholder=t("Ваш комментарий", "Your comment"),
                        rows="3",
                        width="100%",
                        id="app-comment-text",
                    ),
                    rx.cond(
                        s.comment_error != "",
                        rx.text(
                            s.comment_error, color_scheme="red", size="1", id="app-comment-error"
                        ),
                    ),
                    rx.button(
                        t("Отправить комментарий", "Send comment"),
                        on_click=s.send_comment,
                        variant="soft",
                        id="app-comment-send",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading(t("История", "Timeline"), size="3", as_="h3"),
                    rx.vstack(
                        rx.foreach(v.timeline, _timeline_item),
                        spacing="3",
                        width="100%",
                        id="app-timeline",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        _action_dialog(),
        spacing="4",
        width="100%",
    )


def view_page() -> rx.Component:
    s = ApplicationViewState
    return shell(
        rx.cond(
            s.view.side == "staff",
            back_link(routes.ADMIN_APPLICATIONS, ("Реестр заявок", "Applications registry")),
            back_link(routes.APPLICATIONS, ("Мои заявки", "My applications")),
        ),
        rx.cond(
            s.has_view,
            _view(),
            rx.cond(
                s.missing,
                not_found(("Заявка не найдена.", "Application not found."), id="app-missing"),
            ),
        ),
        title=t("Заявка", "Application"),
    )


# --------------------------------------------------------------------------- /admin/applications


def _reg_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(r.number, href=r.href, weight="medium", id=f"reg-open-{r.id}"),
            white_space="nowrap",
        ),
        rx.table.cell(r.organisation),
        rx.table.cell(
            rx.vstack(
                rx.text(r.object_name, size="2"),
                rx.text(r.power, " · ", r.object_address, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(rx.cond(r.assignee != "", r.assignee, "—"), size="1"),
        rx.table.cell(
            rx.cond(
                r.overdue,
                rx.badge(r.due_at, color_scheme="red", id=f"reg-overdue-{r.id}"),
                rx.text(r.due_at, size="2"),
            ),
            white_space="nowrap",
        ),
    )


def _reg_card(r: Any) -> rx.Component:
    return rx.link(
        mobile_card(
            rx.hstack(
                rx.text(r.number, weight="bold", size="2"),
                rx.spacer(),
                rx.cond(r.overdue, rx.badge(t("Просрочена", "Overdue"), color_scheme="red")),
                status_badge(r.status),
                width="100%",
                align="center",
            ),
            rx.text(r.organisation, size="2", weight="medium"),
            rx.text(r.object_name, " · ", r.power, size="1", color_scheme="gray"),
            rx.text(
                rx.cond(r.assignee != "", r.assignee, t("без ответственного", "unassigned")),
                rx.cond(r.due_at != "", " · " + r.due_at, ""),
                size="1",
                color_scheme="gray",
            ),
        ),
        href=r.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
    )


def registry_page() -> rx.Component:
    s = ApplicationsRegistryState
    assignee = rx.select.root(
        rx.select.trigger(
            id="reg-assignee", width=["100%", "100%", "200px"], aria_label="Ответственный"
        ),
        rx.select.content(
            rx.select.item(t("Любой ответственный", "Any assignee"), value="all"),
            rx.foreach(s.staff, lambda o: rx.select.item(o["label"], value=o["value"])),
        ),
        name="assignee",
        default_value=rx.cond(s.f_assignee == "", "all", s.f_assignee),
    )
    overdue = rx.checkbox(
        t("Просроченные", "Overdue"),
        name="overdue",
        default_checked=s.f_overdue,
        id="reg-overdue",
    )
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    _tabs(s, queries.STAFF_TABS, routes.ADMIN_APPLICATIONS, "reg"),
                    rx.hstack(
                        rx.button(
                            rx.icon("download", size=16),
                            "CSV",
                            variant="soft",
                            on_click=s.export_csv,
                            id="reg-export-csv",
                        ),
                        rx.button(
                            rx.icon("sheet", size=16),
                            "XLSX",
                            variant="soft",
                            on_click=s.export_xlsx,
                            id="reg-export-xlsx",
                        ),
                        spacing="2",
                    ),
                    width="100%",
                    justify="between",
                    wrap="wrap",
                    spacing="2",
                ),
                _filters(s, "reg", routes.ADMIN_APPLICATIONS, assignee, overdue),
                rx.cond(
                    s.loaded,
                    data_table(
                        [
                            ("Номер", "Number"),
                            ("Заявитель", "Applicant"),
                            ("Объект", "Object"),
                            ("Статус", "Status"),
                            ("Ответственный", "Assignee"),
                            ("Срок", "Due"),
                        ],
                        s.rows,
                        _reg_row,
                        id="reg-list",
                        empty=("Заявок не найдено.", "No applications found."),
                        mobile_card=_reg_card,
                        min_width="900px",
                    ),
                ),
                pager(
                    prev_href=s.prev_href,
                    next_href=s.next_href,
                    id_prefix="reg",
                    first_href=s.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Реестр заявок на присоединение", "Connection applications registry"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        my_applications_page,
        route=routes.APPLICATIONS,
        title="Мои заявки",
        on_load=ApplicationsListState.load,
    )
    app.add_page(
        form_page,
        route=routes.APPLICATION_EDIT,
        title="Заявка на присоединение",
        on_load=ApplicationFormState.load,
    )
    app.add_page(
        view_page,
        route=routes.APPLICATION_VIEW,
        title="Заявка",
        on_load=ApplicationViewState.load,
    )
    app.add_page(
        registry_page,
        route=routes.ADMIN_APPLICATIONS,
        title="Реестр заявок",
        on_load=ApplicationsRegistryState.load,
    )
