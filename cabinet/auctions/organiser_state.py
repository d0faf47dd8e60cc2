"""Thin Reflex states of the organiser's cabinet (Perm.AUCTIONS_ORGANISE).

/admin/auctions (every auction, status filter, search, keyset pages), /admin/auctions/edit
(create or edit one), /admin/auctions/view (lots by hand or from CSV/XLSX with a preview,
announce, cancel, results, the de-anonymised ledger and annulment).

Every public handler resolves the caller on the server and takes only ids and plain values;
the services re-check the permission and the auction's status. Rows reach the browser as
plain string dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.state import SessionState, fail
from cabinet.auctions import lots_import, queries, rules, service
from cabinet.db import session_scope
from cabinet.errors import DomainError, NotAuthenticated, ValidationFailed
from cabinet.formatting import fmt_dt, local
from cabinet.pagination import InvalidCursor, Page, page_params
from cabinet.settings import settings
from models.auctions import AuctionForm, AuctionStatus, StepKind


def _clip(value: Any, n: int = 100) -> str:
    return " ".join(str(value or "").split())[:n]


def _int(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _form(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping):
        return {}
    return {str(k)[:50]: str(v)[:10000] for k, v in list(data.items())[:40]}


def _money(amount: Decimal | None, currency: str = "RUB") -> str:
    return rules.fmt_money(amount, currency) if amount is not None else "—"


def _qty(q: Decimal) -> str:
    text = f"{q.normalize():f}"
    return text.replace(".", ",")


def parse_local(value: str, field: str) -> datetime:
    """A datetime-local input ("2026-12-15T10:00") in the display time zone → aware UTC."""
    text = _clip(value, 30)
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Укажите дату и время.", field=field) from None
    if naive.tzinfo is not None or not 2000 < naive.year < 2100:
        raise ValidationFailed("Укажите дату и время.", field=field)
    return naive.replace(tzinfo=ZoneInfo(settings.display_timezone))


def input_local(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _minutes(value: str, field: str) -> int:
    text = _clip(value, 5)
    if not text.isdigit():
        raise ValidationFailed("Введите число минут.", field=field)
    return int(text)


class OrganiserMixin(rx.State, mixin=True):
    allowed: bool = False
    loaded: bool = False

    def _query(self) -> Mapping[str, str]:
        try:
            return self.router.url.query_parameters
        except AttributeError:
            return {}

    def _gate(self) -> tuple[Actor | None, Any]:
        actor = self._actor()  # type: ignore[attr-defined]
        self._show_identity(actor)  # type: ignore[attr-defined]
        self.loaded = True
        if actor is None:
            self.allowed = False
            return None, rx.redirect(routes.LOGIN)
        self.allowed = actor.has(Perm.AUCTIONS_ORGANISE)
        return (actor if self.allowed else None), None


# --------------------------------------------------------------------------- list


STATUS_OPTIONS = [(str(k), ru, en) for k, (ru, en) in rules.STATUS_LABELS.items()]
FORM_OPTIONS = [(str(k), ru, en) for k, (ru, en) in rules.FORM_LABELS.items()]


class OrganiserListState(OrganiserMixin, SessionState):
    """/admin/auctions: every auction with its status."""

    rows: list[dict[str, str]] = []
    f_q: str = ""
    f_status: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    @rx.event
    def load(self):
        actor, redirect = self._gate()
        if actor is None:
            self.rows = []
            return redirect
        q = self._query()
        self.f_q = _clip(q.get("q"))
        status = _clip(q.get("status"), 20)
        self.f_status = status if status in rules.STATUS_LABELS else ""
        self.query_key = self.router.url.query
        after, before = page_params(q)
        out = None
        with session_scope() as s:
            try:
                page = queries.organiser_auctions(
                    s,
                    actor_id=actor.id,
                    status=self.f_status,
                    q=self.f_q,
                    cursor=after,
                    before=before,
                )
            except InvalidCursor as e:
                page = queries.organiser_auctions(
                    s, actor_id=actor.id, status=self.f_status, q=self.f_q
                )
                out = fail(e)
        self._show(page)
        return out

    def _show(self, page: Page[queries.AuctionListRow]) -> None:
        self.rows = [
            {
                "id": str(r.auction_id),
                "title": r.title,
                "status": r.status,
                "status_label": r.status_label,
                "color": rules.STATUS_COLORS.get(r.status, "gray"),
                "form": r.form_label,
                "starts": fmt_dt(r.starts_at),
                "ends": fmt_dt(r.ends_at),
                "lots": str(r.lots),
                "bids": str(r.bids),
            }
            for r in page.rows
        ]
        f = {"q": self.f_q, "status": self.f_status}
        self.prev_href = (
            routes.with_query(routes.ADMIN_AUCTIONS, **f, before=page.prev_before)
            if page.has_prev
            else ""
        )
        self.next_href = (
            routes.with_query(routes.ADMIN_AUCTIONS, **f, after=page.next_after)
            if page.has_next
            else ""
        )

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        data = _form(form)
        status = data.get("status", "")
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_AUCTIONS,
                q=_clip(data.get("q")),
                status=status if status in rules.STATUS_LABELS else "",
            )
        )


# --------------------------------------------------------------------------- edit


class OrganiserEditState(OrganiserMixin, SessionState):
    """/admin/auctions/edit?id=N (or a new auction without id)."""

    auction_id: int = 0
    missing: bool = False
    editable: bool = True
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    version: int = 0
    form_key: int = 0

    @rx.event
    def load(self):
        actor, redirect = self._gate()
        self.errors, self.missing = {}, False
        if actor is None:
            self.values = {}
            return redirect
        self.auction_id = _int(self._query().get("id"))
        self.form_key += 1
        if not self.auction_id:
            self.editable, self.version = True, 0
            self.values = {
                "title": "",
                "description": "",
                "starts_at": "",
                "ends_at": "",
                "form": AuctionForm.MIXED,
                "step_kind": StepKind.AMOUNT,
                "step_value": "1000",
                "soft_close_minutes": "2",
                "extension_minutes": "2",
                "status_label": rules.STATUS_LABELS[AuctionStatus.DRAFT][0],
            }
            return None
        try:
            with session_scope() as s:
                a = queries.organiser_auction(s, actor_id=actor.id, auction_id=self.auction_id)
        except DomainError:
            self.missing, self.values = True, {}
            return None
        self.version = a.version
        self.editable = a.status in rules.EDITABLE
        self.values = {
            "title": a.title,
            "description": a.description,
            "starts_at": input_local(a.starts_at),
            "ends_at": input_local(a.ends_at),
            "form": a.form,
            "step_kind": a.step_kind,
            "step_value": f"{a.step_value.normalize():f}".replace(".", ","),
            "soft_close_minutes": str(a.soft_close_minutes),
            "extension_minutes": str(a.extension_minutes),
            "status_label": a.status_label,
        }
        return None

    @rx.event
    def set_choice(self, name: str, value: str):
        """The two selects (form, step kind) are controlled: keep the choice on re-render."""
        allowed = {"form": rules.FORM_LABELS, "step_kind": {k.value for k in StepKind}}
        if name in allowed and value in allowed[name]:
            self.values = {**self.values, name: value}

    @rx.event
    def save(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        data = _form(form)
        self.values = {**self.values, **{k: v for k, v in data.items() if k in self.values}}
        try:
            fields = rules.AuctionFields(
                title=data.get("title", ""),
                description=data.get("description", ""),
                starts_at=parse_local(data.get("starts_at", ""), "starts_at"),
                ends_at=parse_local(data.get("ends_at", ""), "ends_at"),
                form=self.values.get("form", ""),
                step_kind=self.values.get("step_kind", ""),
                step_value=rules.parse_amount(data.get("step_value", ""), field="step_value"),
                soft_close_minutes=_minutes(
                    data.get("soft_close_minutes", ""), "soft_close_minutes"
                ),
                extension_minutes=_minutes(data.get("extension_minutes", ""), "extension_minutes"),
            )
            with session_scope() as s:
                if self.auction_id:
                    service.update_auction(
                        s,
                        actor_id=actor.id,
                        auction_id=self.auction_id,
                        fields=fields,
                        expected_version=self.version,
                    )
                    aid = self.auction_id
                else:
                    aid = service.create_auction(s, actor_id=actor.id, fields=fields)
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            return rx.toast.error(e.message)
        except DomainError as e:
            return fail(e)
        self.errors = {}
        return [rx.toast.success("Аукцион сохранён."), rx.redirect(routes.admin_auction_url(aid))]


# --------------------------------------------------------------------------- one auction


class OrganiserAuctionState(OrganiserMixin, SessionState):
    """/admin/auctions/view?id=N: lots, import, announce/cancel, results, ledger, annul."""

    auction_id: int = 0
    missing: bool = False
    info: dict[str, str] = {}
    lots: list[dict[str, str]] = []
    results: list[dict[str, str]] = []
    ledger: list[dict[str, str]] = []
    ledger_more: bool = False
    ledger_total: int = 0
    ledger_lot: str = ""  # "" = every lot
    lot_options: list[dict[str, str]] = []
    lot_errors: dict[str, str] = {}
    lot_form_key: int = 0
    # the import preview
    preview_rows: list[dict[str, str]] = []
    preview_errors: list[dict[str, str]] = []
    preview_total: int = 0
    preview_name: str = ""
    _upload: bytes = b""
    _upload_name: str = ""
    # dialogs
    cancel_open: bool = False
    annul_open: bool = False
    annul_bid: dict[str, str] = {}
    dialog_error: str = ""
    edit_open: bool = False
    edit_lot: dict[str, str] = {}
    edit_errors: dict[str, str] = {}

    def _reload(self, actor: Actor) -> None:
        with session_scope() as s:
            a = queries.organiser_auction(s, actor_id=actor.id, auction_id=self.auction_id)
            res = queries.results(s, actor_id=actor.id, auction_id=self.auction_id)
            lot_filter = _int(self.ledger_lot) or None
            led = queries.ledger(
                s,
                actor_id=actor.id,
                auction_id=self.auction_id,
                lot_id=lot_filter,
                limit=queries.LEDGER_PAGE + 1,
            )
            self.ledger_total = queries.ledger_count(
                s, actor_id=actor.id, auction_id=self.auction_id
            )
        self.ledger_more = len(led) > queries.LEDGER_PAGE
        led = led[: queries.LEDGER_PAGE]
        step = (
            f"{_money(a.step_value, '')} %".replace(",00 %", " %")
            if a.step_kind == StepKind.PERCENT
            else _money(a.step_value)
        )
        self.info = {
            "id": str(a.auction_id),
            "title": a.title,
            "description": a.description,
            "status": a.status,
            "status_label": a.status_label,
            "color": rules.STATUS_COLORS.get(a.status, "gray"),
            "form": a.form_label,
            "starts": fmt_dt(a.starts_at),
            "ends": fmt_dt(a.ends_at),
            "step": step,
            "soft": (
                f"ставка за {a.soft_close_minutes} мин до конца продлевает на "
                f"{a.extension_minutes} мин"
                if a.soft_close_minutes and a.extension_minutes
                else "нет"
            ),
            "cancel_reason": a.cancel_reason,
            "version": str(a.version),
            "editable": "1" if a.status in rules.EDITABLE else "",
            "announceable": "1" if a.status in rules.ANNOUNCEABLE else "",
            "cancellable": "1" if a.status in rules.CANCELLABLE else "",
        }
        self.lots = [
            {
                "id": str(r.lot_id),
                "number": str(r.number),
                "product": r.product,
                "quantity": f"{_qty(r.quantity)} {r.unit}",
                "start_price": _money(r.start_price, r.currency),
                "best": _money(r.best_amount, r.currency) if r.best_amount else "—",
                "bids": str(r.open_bids),
                "terms": r.delivery_terms or "—",
                "end": fmt_dt(r.effective_end),
                "extended": "1" if r.effective_end > a.ends_at else "",
                "closed": "1" if r.closed else "",
                # raw values for the edit dialog
                "raw_product": r.product,
                "raw_quantity": _qty(r.quantity),
                "raw_unit": r.unit,
                "raw_price": f"{r.start_price:f}".replace(".", ","),
                "raw_currency": r.currency,
                "raw_terms": r.delivery_terms,
            }
            for r in a.lots
        ]
        self.results = [
            {
                "lot": f"№ {r.lot_number}",
                "product": r.product,
                "kind": r.kind_label,
                "winner": r.organisation or "—",
                "participant": r.participant,
                "price": _money(r.price, r.currency) if r.price is not None else "—",
                "decided": fmt_dt(r.decided_at),
            }
            for r in res
        ]
        self.ledger = self._ledger_rows(led)
        self.lot_options = [
            {"value": r["id"], "label": "№ " + r["number"] + " " + r["product"][:40]}
            for r in self.lots
        ]

    def _ledger_rows(self, led: list[queries.LedgerRow]) -> list[dict[str, str]]:
        return [
            {
                "id": str(r.bid_id),
                "lot": f"№ {r.lot_number}",
                "seq": str(r.seq),
                "kind": r.kind_label,
                "offer": "1" if r.kind == "offer" else "",
                "amount": _money(r.amount),
                "participant": r.participant,
                "organisation": r.organisation,
                "user": r.user,
                "at": fmt_dt(r.at),
                "state": r.state_label,
                "state_color": "green" if r.state == "active" else "gray",
                "reason": r.void_reason,
                "can_annul": "1" if r.can_annul else "",
            }
            for r in led
        ]

    @rx.event
    def set_ledger_lot(self, value: str):
        """Narrow the ledger to one lot ("all": every lot)."""
        lot = _int(value)
        self.ledger_lot = str(lot) if any(r["id"] == str(lot) for r in self.lots) else ""
        return self._after_ledger_change()

    def _after_ledger_change(self) -> Any:
        if self._fresh() is None:
            return fail(NotAuthenticated())
        return None

    @rx.event
    def ledger_next(self):
        """The next (older) rows of the ledger, appended below."""
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        last = _int(self.ledger[-1]["id"]) if self.ledger else 0
        if not last:
            return None
        try:
            with session_scope() as s:
                led = queries.ledger(
                    s,
                    actor_id=actor.id,
                    auction_id=self.auction_id,
                    lot_id=_int(self.ledger_lot) or None,
                    before_id=last,
                    limit=queries.LEDGER_PAGE + 1,
                )
        except DomainError as e:
            return fail(e)
        self.ledger_more = len(led) > queries.LEDGER_PAGE
        self.ledger = self.ledger + self._ledger_rows(led[: queries.LEDGER_PAGE])
        return None

    def _fresh(self) -> Actor | None:
        actor = self._actor()
        if actor is None:
            return None
        try:
            self._reload(actor)
        except DomainError:
            self.missing = True
        return actor

    @rx.event
    def load(self):
        actor, redirect = self._gate()
        self.missing, self.lot_errors, self.dialog_error = False, {}, ""
        self.cancel_open = self.annul_open = False
        self._clear_preview()
        if actor is None:
            self.info, self.lots, self.results, self.ledger = {}, [], [], []
            return redirect
        self.auction_id = _int(self._query().get("id"))
        self.ledger_lot = ""
        try:
            self._reload(actor)
        except DomainError:
            self.missing = True
            self.info, self.lots, self.results, self.ledger = {}, [], [], []
        return None

    def _act(self, fn: Any, ok: str, **kwargs: Any) -> Any:
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        try:
            with session_scope() as s:
                fn(s, actor_id=actor.id, **kwargs)
        except DomainError as e:
            self._fresh()
            return fail(e)
        self._fresh()
        return rx.toast.success(ok)

    @rx.event
    def announce(self):
        return self._act(
            service.announce_auction,
            "Аукцион объявлен: участники видят его в календаре.",
            auction_id=self.auction_id,
            expected_version=_int(self.info.get("version")) or None,
        )

    @rx.event
    def set_cancel_open(self, value: bool):
        self.cancel_open = bool(value)
        self.dialog_error = ""

    @rx.event
    def cancel(self, form: dict[str, Any]):
        reason = _clip(_form(form).get("reason"), 500)
        if not reason:
            self.dialog_error = "Укажите причину отмены."
            return None
        out = self._act(
            service.cancel_auction,
            "Аукцион отменён.",
            auction_id=self.auction_id,
            reason=reason,
            expected_version=_int(self.info.get("version")) or None,
        )
        self.cancel_open = False
        return out

    @rx.event
    def add_lot(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        d = _form(form)
        try:
            fields = rules.validate_lot(
                d.get("product"),
                d.get("quantity"),
                d.get("unit"),
                d.get("start_price"),
                d.get("currency") or "RUB",
                d.get("delivery_terms"),
            )
            with session_scope() as s:
                service.add_lot(s, actor_id=actor.id, auction_id=self.auction_id, fields=fields)
        except ValidationFailed as e:
            self.lot_errors = {e.field or "form": e.message}
            return rx.toast.error(e.message)
        except DomainError as e:
            return fail(e)
        self.lot_errors = {}
        self.lot_form_key += 1
        self._fresh()
        return rx.toast.success("Лот добавлен.")

    @rx.event
    def open_edit_lot(self, lot_id: int):
        row = next((r for r in self.lots if r["id"] == str(_int(lot_id))), None)
        if row is None or not self.allowed or self.info.get("editable") != "1":
            return None
        self.edit_lot = {k: v for k, v in row.items() if k == "id" or k.startswith("raw_")}
        self.edit_lot["number"] = row["number"]
        self.edit_open, self.edit_errors = True, {}
        return None

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)
        self.edit_errors = {}

    @rx.event
    def save_lot(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        d = _form(form)
        try:
            fields = rules.validate_lot(
                d.get("product"),
                d.get("quantity"),
                d.get("unit"),
                d.get("start_price"),
                d.get("currency") or "RUB",
                d.get("delivery_terms"),
            )
            with session_scope() as s:
                service.update_lot(
                    s, actor_id=actor.id, lot_id=_int(self.edit_lot.get("id")), fields=fields
                )
        except ValidationFailed as e:
            self.edit_errors = {e.field or "form": e.message}
            return None
        except DomainError as e:
            self.edit_open = False
            self._fresh()
            return fail(e)
        self.edit_open, self.edit_errors = False, {}
        self._fresh()
        return rx.toast.success("Лот сохранён.")

    @rx.event
    def delete_lot(self, lot_id: int):
        return self._act(service.delete_lot, "Лот удалён.", lot_id=_int(lot_id))

    # ------------------------------------------------------------------ import

    def _clear_preview(self) -> None:
        self.preview_rows, self.preview_errors = [], []
        self.preview_total, self.preview_name = 0, ""
        self._upload, self._upload_name = b"", ""

    @rx.event
    async def upload_lots(self, files: list[rx.UploadFile]):
        """Read the file and show the preview; nothing is written yet."""
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        if not actor.has(Perm.AUCTIONS_ORGANISE):
            return rx.toast.error("Недостаточно прав для этого действия.")
        self._clear_preview()
        if not isinstance(files, list) or not files or not hasattr(files[0], "file"):
            return rx.toast.error("Файл не получен — выберите его ещё раз.")
        f = files[0]
        data = f.file.read(lots_import.MAX_BYTES + 1)
        name = _clip(f.name or "lots", 120)
        try:
            preview = lots_import.parse(data, name)
        except DomainError as e:
            return fail(e)
        self._upload, self._upload_name = data, name
        self.preview_name, self.preview_total = name, preview.total
        self.preview_rows = [
            {
                "product": r.product,
                "quantity": f"{_qty(r.quantity)} {r.unit}",
                "price": _money(r.start_price, r.currency),
                "terms": r.delivery_terms or "—",
            }
            for r in preview.rows[:50]
        ]
        self.preview_errors = [
            {"row": str(e.row) if e.row else "—", "column": e.column or "—", "message": e.message}
            for e in preview.errors[:100]
        ]
        return None

    @rx.event
    def confirm_import(self):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        if not self._upload:
            return rx.toast.error("Сначала загрузите файл.")
        try:
            preview = lots_import.parse(self._upload, self._upload_name)
            if not preview.ok:
                return rx.toast.error("В файле есть ошибки — исправьте их и загрузите снова.")
            with session_scope() as s:
                n = service.import_lots(
                    s, actor_id=actor.id, auction_id=self.auction_id, rows=preview.rows
                )
        except DomainError as e:
            return fail(e)
        self._clear_preview()
        self._fresh()
        return [rx.toast.success(f"Загружено лотов: {n}."), rx.clear_selected_files("auc-import")]

    @rx.event
    def discard_import(self):
        self._clear_preview()
        return rx.clear_selected_files("auc-import")

    # ------------------------------------------------------------------ annul

    @rx.event
    def open_annul(self, bid_id: int):
        bid = _int(bid_id)
        row = next((r for r in self.ledger if r["id"] == str(bid)), None)
        if row is None or not self.allowed:
            return None
        self.annul_bid = {k: row[k] for k in ("id", "lot", "amount", "organisation", "kind")}
        self.annul_open, self.dialog_error = True, ""
        return None

    @rx.event
    def set_annul_open(self, value: bool):
        self.annul_open = bool(value)
        self.dialog_error = ""

    @rx.event
    def annul(self, form: dict[str, Any]):
        reason = _clip(_form(form).get("reason"), 500)
        if not reason:
            self.dialog_error = "Укажите причину аннулирования."
            return None
        out = self._act(
            service.annul_bid,
            "Ставка аннулирована, лучшая цена пересчитана.",
            bid_id=_int(self.annul_bid.get("id")),
            reason=reason,
        )
        self.annul_open = False
        return out
