"""The one upload widget every module uses (stateless): a drop zone with a hint of the allowed
types and the size limit, the chosen file names, and an "Upload" button.

    upload_field(
        "contract",
        MyState.upload_contract,            # a handler: (self, files: list[rx.UploadFile])
        allowed_types=("pdf", "jpeg", "png"),
        max_bytes=5 * 1024 * 1024,
    )

and in the module's state (the server decides; the browser's checks are a convenience):

    @rx.event
    async def upload_contract(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        for f in files:
            try:
                with session_scope() as s:
                    stored = store_upload(
                        s, actor_id=actor.id, filename=f.name or "", source=f.file,
                        allowed_types=ALLOWED, max_bytes=MAX, organisation_id=...,
                    )
            except DomainError as e:
                return fail(e)
        ...

Limits, server side: `cabinet.api.UploadLimitMiddleware` answers 413 to an /_upload request
body over `settings.upload_max_bytes` before Reflex spools it; `store_upload` reads each file
in chunks, stops past the module's `max_bytes`, checks the type by content and stores the file
by checksum. Download links: `download_url(file_id)` → the authorised /api/files/{id} route.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData

from cabinet.files import rules
from cabinet.i18n import t
from cabinet.settings import settings


def _size_en(n: int) -> str:
    return (
        rules.human_size(n)
        .replace(",", ".")
        .replace("КБ", "KB")
        .replace("МБ", "MB")
        .replace("ГБ", "GB")
        .replace("Б", "B")
    )


def hint_en(allowed_types: Sequence[str], max_bytes: int) -> str:
    labels = [k.label for k in rules.kinds(allowed_types)]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return f"{listed}, up to {_size_en(max_bytes)}"


def download_url(file_id: Any) -> rx.Var:
    """The backend URL of a stored file (the route checks the caller's session cookie)."""
    file_var = rx.Var.create(file_id)
    return rx.Var(
        f"(getBackendURL(env.UPLOAD).href.replace(/\\/_upload$/, '') + '/api/files/' + {file_var!s})",
        _var_type=str,
        _var_data=VarData.merge(
            VarData(
                imports={
                    "$/utils/state": "getBackendURL",
                    "$/env.json": ImportVar(tag="env", is_default=True),
                }
            ),
            file_var._get_all_var_data(),
        ),
    ).guess_type()


def upload_field(
    upload_id: str,
    on_upload: Any,
    *,
    allowed_types: Sequence[str] = rules.DEFAULT_TYPES,
    max_bytes: int | None = None,
    multiple: bool = False,
    max_files: int = 10,
    label: tuple[str, str] = (
        "Перетащите файл сюда или нажмите, чтобы выбрать",
        "Drop a file here or click to choose",
    ),
    button: tuple[str, str] = ("Загрузить", "Upload"),
    disabled: bool | rx.Var = False,
) -> rx.Component:
    """A drop zone + chosen files + upload button. `on_upload` is the module's state handler
    that takes `files: list[rx.UploadFile]`; it receives the files when the button is pressed."""
    limit = max_bytes if max_bytes is not None else settings.upload_max_bytes
    hint = t(rules.hint(allowed_types, limit), hint_en(allowed_types, limit))
    refused = t(
        f"Файл не принят: можно {rules.hint(allowed_types, limit)}.",
        f"File not accepted: allowed {hint_en(allowed_types, limit)}.",
    )
    chosen = rx.selected_files(upload_id)
    return rx.vstack(
        rx.upload(
            rx.vstack(
                rx.icon("upload", size=22, color=rx.color("gray", 10)),
                rx.text(t(*label), size="2", weight="medium", text_align="center"),
                rx.text(hint, size="1", color_scheme="gray", text_align="center"),
                align="center",
                spacing="1",
                width="100%",
            ),
            id=upload_id,
            accept=rules.accept_map(allowed_types),
            max_size=limit,
            multiple=multiple,
            max_files=max_files if multiple else 1,
            disabled=disabled,
            on_drop_rejected=lambda _files: rx.toast.error(refused, close_button=True),
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="8px",
            padding="16px",
            width="100%",
            cursor="pointer",
            drag_active_style={"background": rx.color("accent", 3)},
        ),
        rx.cond(
            chosen.length() > 0,
            rx.vstack(
                rx.foreach(
                    chosen,
                    lambda name: rx.hstack(
                        rx.icon("file", size=14),
                        rx.text(name, size="1", word_break="break-all"),
                        align="center",
                        spacing="1",
                    ),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.button(
                rx.icon("upload", size=16),
                t(*button),
                on_click=[
                    on_upload(rx.upload_files(upload_id=upload_id)),
                    rx.clear_selected_files(upload_id),
                ],
                disabled=chosen.length() == 0,
                id=f"{upload_id}-submit",
            ),
            rx.cond(
                chosen.length() > 0,
                rx.button(
                    t("Очистить", "Clear"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=rx.clear_selected_files(upload_id),
                    id=f"{upload_id}-clear",
                ),
            ),
            spacing="2",
        ),
        spacing="2",
        width="100%",
        id=f"{upload_id}-field",
    )
