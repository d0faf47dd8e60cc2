"""Thin Reflex state of the subscriber's telecom page (/telecom).

Every public handler resolves the caller from the session cookie on the server, takes only
ids and plain values and calls one service or query (which scope everything to the caller's
organisations). Calls to the payment provider run in a worker thread (`asyncio.to_thread`):
the provider may be this very backend (the mounted sandbox), so the event loop must stay free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import date
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.pagination import page_params
from cabinet.telecom import queries, rules, service
from cabinet.telecom.payments import provider_from_settings
from cabinet.telecom.queries import (
    CardRow,
    ContractRow,
    PaymentFilters,
    PaymentRow,
    RequestRow,
    SimDetail,
    TariffRow,
)
from components.data_table import ALL
from models.telecom import PaymentKind, PaymentStatus

PS = PaymentStatus

TELECOM = routes.TELECOM


def _int(value: object) -> int | None:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 11 else None


def _date(value: object) -> str:
    try:
        return str(date.fromisoformat(str(value or "")[:10]))
    except ValueError:
        return ""


def _empty(cls: Any) -> Any:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = {"int": 0, "bool": False}.get(str(f.type), "")
    if "tariff" in values:
        values["tariff"] = None
    return cls(**values)


EMPTY_SIM: SimDetail = _empty(SimDetail)
EMPTY_TARIFF: TariffRow = _empty(TariffRow)


class TelecomState(SessionState):
    """Contracts → SIM switcher → the chosen SIM's card, payments, forms."""

    loaded: bool = False
    has_access: bool = False
    contracts: list[ContractRow] = []
    sim: SimDetail = EMPTY_SIM
    tariff: TariffRow = EMPTY_TARIFF
    has_tariff: bool = False
    requests: list[RequestRow] = []
    tariffs: list[TariffRow] = []
    cards: list[CardRow] = []
    not_found: bool = False

    # payment history (filters in the URL)
    payments: list[PaymentRow] = []
    f_from: str = ""
    f_to: str = ""
    f_kind: str = ""
    f_status: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    first_href: str = ""
    sim_href: str = TELECOM

    # what came of the payment the subscriber just returned from
    notice: str = ""
    notice_color: str = "green"

    # dialogs and forms
    topup_open: bool = False
    topup_busy: bool = False
    topup_error: str = ""
    autopay_open: bool = False
    autopay_error: str = ""
    tariff_open: bool = False
    tariff_error: str = ""
    block_open: bool = False
    block_error: str = ""
    block_reason: str = "lost"
    activation_open: bool = False

    # ------------------------------------------------------------------ loading

    def _read_filters(self) -> tuple[str, str]:
        p = self.router.url.query_parameters
        self.f_from = _date(p.get("from"))
        self.f_to = _date(p.get("to"))
        kind = p.get("kind", "")
        self.f_kind = kind if kind in {k.value for k in PaymentKind} else ""
        status = p.get("status", "")
        self.f_status = status if status in {s.value for s in PaymentStatus} else ""
        return page_params(p)

    def _base(self) -> dict[str, Any]:
        return {
            "sim": self.sim.id or "",
            "from": self.f_from,
            "to": self.f_to,
            "kind": self.f_kind,
            "status": self.f_status,
        }

    def _fetch(self, actor: Any, sim_id: int | None, after: str = "", before: str = "") -> None:
        with session_scope() as s:
            self.contracts = queries.contracts(s, actor)
            self.has_access = bool(queries.subscriber_org_ids(actor))
            all_sims = [c.id for row in self.contracts for c in row.sims]
            if sim_id is None and all_sims:
                sim_id = all_sims[0]
            self.not_found = False
            if sim_id is None:
                self.sim, self.tariff, self.has_tariff, self.requests = (
                    EMPTY_SIM,
                    EMPTY_TARIFF,
                    False,
                    [],
                )
                self.payments, self.cards = [], []
                return
            try:
                detail = queries.sim_detail(s, actor, sim_id)
            except DomainError:
                self.not_found = True
                self.sim, self.payments, self.requests = EMPTY_SIM, [], []
                return
            self.tariff = detail.tariff or EMPTY_TARIFF
            self.has_tariff = detail.tariff is not None
            self.requests = detail.requests
            self.sim = dataclasses.replace(detail, tariff=None, requests=[])
            self.cards = queries.cards(s, actor, detail.org_id)
            self.tariffs = queries.active_tariffs(s)
            filters = PaymentFilters(self.f_from, self.f_to, self.f_kind, self.f_status)
            try:
                page = queries.payments(s, actor, sim_id, filters, after=after, before=before)
            except ValidationFailed:
                page = queries.payments(s, actor, sim_id, filters)
        self.payments = page.rows
        base = self._base()
        self.next_href = (
            routes.with_query(TELECOM, **base, after=page.next_after) if page.next_after else ""
        )
        self.prev_href = (
            routes.with_query(TELECOM, **base, before=page.prev_before) if page.prev_before else ""
        )
        self.first_href = routes.with_query(TELECOM, **base)
        self.sim_href = routes.telecom_sim_url(self.sim.id) if self.sim.id else TELECOM

    @rx.event
    async def load(self):
        """on_load of /telecom: the caller's contracts and the chosen SIM (?sim=)."""
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        p = self.router.url.query_parameters
        after, before = self._read_filters()
        self.query_key = "|".join(
            [p.get("sim", ""), self.f_from, self.f_to, self.f_kind, self.f_status, after, before]
        )
        self.topup_open = self.autopay_open = self.tariff_open = False
        self.block_open = self.activation_open = False
        self.notice = ""
        paid = _int(p.get("paid"))
        if paid is not None:
            await self._check_payment(actor.id, paid)
        self._fetch(actor, _int(p.get("sim")), after, before)
        self.loaded = True
        return None

    async def _check_payment(self, actor_id: int, payment_id: int) -> None:
        """The subscriber came back from the provider's page: ask for the outcome now."""

        def check() -> tuple[str, str]:
            with session_scope() as s:
                pay = service.check_my_payment(
                    s, actor_id=actor_id, payment_id=payment_id, provider=provider_from_settings()
                )
                return str(pay.status), pay.decline_reason

        try:
            status, reason = await asyncio.to_thread(check)
        except DomainError as e:
            self.notice, self.notice_color = e.message, "red"
            return
        if status == PS.SUCCEEDED:
            self.notice, self.notice_color = "Платёж прошёл, деньги зачислены на баланс.", "green"
        elif status in (PS.DECLINED, PS.FAILED):
            self.notice = f"Платёж не прошёл: {reason or 'отказ банка.'} Баланс не изменился."
            self.notice_color = "red"
        else:
            self.notice = (
                "Платёж ещё обрабатывается. Баланс изменится, когда банк подтвердит оплату; "
                "обновите страницу через минуту."
            )
            self.notice_color = "amber"

    @rx.event
    def choose_sim(self, sim_id: int):
        sid = _int(sim_id)
        if sid is None:
            return None
        return rx.redirect(routes.telecom_sim_url(sid))

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}

        def pick(key: str) -> str:
            v = str(data.get(key, "") or "")[:20]
            return "" if v == ALL else v

        kind, status = pick("kind"), pick("status")
        query = {
            "sim": self.sim.id or "",
            "from": _date(pick("from")),
            "to": _date(pick("to")),
            "kind": kind if kind in {k.value for k in PaymentKind} else "",
            "status": status if status in {s.value for s in PaymentStatus} else "",
        }
        return rx.redirect(routes.with_query(TELECOM, **query))

    def _reload(self, actor: Any) -> None:
        self._fetch(actor, self.sim.id or None)

    # ------------------------------------------------------------------ dialogs

    @rx.event
    def set_topup_open(self, value: bool):
        self.topup_open, self.topup_error = bool(value), ""

    @rx.event
    def set_autopay_open(self, value: bool):
        self.autopay_open, self.autopay_error = bool(value), ""

    @rx.event
    def set_tariff_open(self, value: bool):
        self.tariff_open, self.tariff_error = bool(value), ""

    @rx.event
    def set_block_open(self, value: bool):
        self.block_open, self.block_error = bool(value), ""

    @rx.event
    def set_block_reason(self, value: str):
        self.block_reason = value if value in rules.BLOCK_REASONS else "other"

    @rx.event
    def set_activation_open(self, value: bool):
        self.activation_open = bool(value)

    # ------------------------------------------------------------------ top-up

    @rx.event
    async def submit_topup(self, form_data: dict):
        """Record the top-up, get the provider's payment page and send the browser there."""
        actor = self._actor()
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        data = form_data if isinstance(form_data, dict) else {}
        amount = str(data.get("amount", "") or "")[:20]
        save = str(data.get("save_card", "")).lower() in {"on", "true", "1"}
        sim_id = self.sim.id
        back = f"{self.router.url.origin}{routes.TELECOM}?sim={sim_id}&paid={{payment_id}}"
        self.topup_busy, self.topup_error = True, ""
        yield

        def start() -> tuple[int, str]:
            with session_scope() as s:
                return service.start_topup(
                    s,
                    actor_id=actor.id,
                    sim_id=sim_id,
                    amount=amount,
                    save_card=save,
                    return_url=back,
                    provider=provider_from_settings(),
                )

        try:
            _pid, url = await asyncio.to_thread(start)
        except DomainError as e:
            self.topup_busy, self.topup_error = False, e.message
            self._reload(actor)
            return
        self.topup_busy = False
        yield rx.call_script(f"window.location.assign({json.dumps(url)})")

    # ------------------------------------------------------------------ auto-payment, cards

    @rx.event
    def save_autopay(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = form_data if isinstance(form_data, dict) else {}
        card_id = _int(data.get("card"))
        day = _int(data.get("day"))
        try:
            with session_scope() as s:
                service.save_autopay(
                    s,
                    actor_id=actor.id,
                    sim_id=self.sim.id,
                    card_id=card_id or 0,
                    day=day or 0,
                    amount=str(data.get("amount", "") or "")[:20],
                )
        except DomainError as e:
            self.autopay_error = e.message
            return None
        self.autopay_open = False
        self._reload(actor)
        return rx.toast.success("Автоплатёж сохранён.")

    @rx.event
    def toggle_autopay(self, enabled: bool):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.set_autopay_enabled(
                    s, actor_id=actor.id, sim_id=self.sim.id, enabled=bool(enabled)
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self._reload(actor)
        return rx.toast.success("Автоплатёж включён." if enabled else "Автоплатёж выключен.")

    @rx.event
    def remove_card(self, card_id: int):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        cid = _int(card_id)
        try:
            with session_scope() as s:
                service.remove_card(s, actor_id=actor.id, card_id=cid or 0)
        except DomainError as e:
            return rx.toast.error(e.message)
        self._reload(actor)
        return rx.toast.success("Карта удалена.")

    # ------------------------------------------------------------------ requests

    @rx.event
    def submit_tariff(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = form_data if isinstance(form_data, dict) else {}
        try:
            with session_scope() as s:
                service.request_tariff_change(
                    s,
                    actor_id=actor.id,
                    sim_id=self.sim.id,
                    tariff_id=_int(data.get("tariff")) or 0,
                    comment=str(data.get("comment", "") or "")[: rules.REQUEST_COMMENT_MAX + 1],
                )
        except DomainError as e:
            self.tariff_error = e.message
            return None
        self.tariff_open = False
        self._reload(actor)
        return rx.toast.success("Заявка на смену тарифа отправлена.")

    @rx.event
    def submit_block(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = form_data if isinstance(form_data, dict) else {}
        try:
            with session_scope() as s:
                service.request_block(
                    s,
                    actor_id=actor.id,
                    sim_id=self.sim.id,
                    reason_code=self.block_reason,
                    comment=str(data.get("comment", "") or "")[: rules.REQUEST_COMMENT_MAX + 1],
                )
        except DomainError as e:
            self.block_error = e.message
            return None
        self.block_open = False
        self._reload(actor)
        return rx.toast.success("Заявка на блокировку отправлена.")

    @rx.event
    def submit_activation(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = form_data if isinstance(form_data, dict) else {}
        try:
            with session_scope() as s:
                service.request_activation(
                    s,
                    actor_id=actor.id,
                    sim_id=self.sim.id,
                    comment=str(data.get("comment", "") or "")[: rules.REQUEST_COMMENT_MAX + 1],
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self.activation_open = False
        self._reload(actor)
        return rx.toast.success("Заявка на активацию отправлена.")

    @rx.event
    def cancel_request(self, kind: str, request_id: int):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.cancel_request(
                    s, actor_id=actor.id, kind=str(kind)[:20], request_id=_int(request_id) or 0
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self._reload(actor)
        return rx.toast.success("Заявка отозвана.")
