"""Thin Reflex states of the operator admin pages (SIM stock, import, subscribers, partners,
payments, tariffs, requests, blocking, administrators).

Each page's on_load resolves the caller, checks Perm.TELECOM_VIEW (else "no access", no data),
reads filters and the cursor from the URL and loads one keyset page. Every public handler takes
ids and plain values, re-resolves the caller and calls one service, which requires
Perm.TELECOM_ADMIN again. The CSV import runs as background tasks: the check and the write go
to a worker thread; the page follows the job row (and, while writing, the thread's counter).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.state import SessionState, fail
from cabinet.admin import service as admin_service
from cabinet.admin.state import AdminPageMixin
from cabinet.db import in_thread, session_scope
from cabinet.errors import DomainError, NotAuthenticated, PermissionDenied
from cabinet.pagination import InvalidCursor, Page, page_params
from cabinet.settings import settings
from cabinet.telecom import admin_queries as aq
from cabinet.telecom import admin_rules as ar
from cabinet.telecom import admin_service as svc
from components.data_table import ALL
from models.telecom import ContractStatus, PaymentStatus, RequestStatus, SimStatus
from models.telecom_admin import ImportMode

NONE = "none"  # "no tariff / no partner" option of the SIM form (Radix items cannot be "")
REQUEST_KINDS = ("activation", "tariff", "block")


def _clip(value: Any, n: int = 100) -> str:
    return " ".join(str(value or "").split())[:n]


def _choice(value: Any, allowed: set[str] | frozenset[str] | tuple[str, ...]) -> str:
    text = _clip(value, 50)
    return text if text in allowed else ""


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def _opt_id(value: Any) -> int | None:
    """A select's value: an id, or none/all → None."""
    return _int(value)


def _hrefs(path: str, filters: dict[str, Any], page: Page[Any]) -> tuple[str, str]:
    prev = routes.with_query(path, **filters, before=page.prev_before) if page.has_prev else ""
    nxt = routes.with_query(path, **filters, after=page.next_after) if page.has_next else ""
    return prev, nxt


class TelPage(AdminPageMixin, mixin=True):
    """Gate + "may change" flag of every telecom admin page."""

    can_admin: bool = False
    errors: dict[str, str] = {}

    def _open(self) -> Actor | None:
        gate = self._gate(Perm.TELECOM_VIEW)
        actor = gate.actor
        self.can_admin = actor is not None and actor.has(Perm.TELECOM_ADMIN)
        self.errors = {}
        return actor

    def _act(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> tuple[bool, Any, Any]:
        """(done, service result, UI outcome). A field error also goes to `errors`."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return False, None, fail(NotAuthenticated())
        try:
            with session_scope() as s:
                result = fn(s, actor_id=actor.id, ip=self._client_ip(), **kwargs)  # type: ignore[attr-defined]
        except DomainError as e:
            self.errors = {e.field: e.message} if e.field else {}
            return False, None, fail(e)
        self.errors = {}
        return True, result, rx.toast.success(success)

    def _after(self, outcome: Any) -> Any:
        """After a change: show the page's data again (if the caller may still see it)."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            self._reload(actor)  # type: ignore[attr-defined]
        return outcome


# ---------------------------------------------------------------------------- SIM registry


class TelSimsState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    partner_opts: list[dict[str, str]] = []
    tariff_opts: list[dict[str, str]] = []
    f_status: str = ""
    f_partner: str = ""
    f_tariff: str = ""
    f_q: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""
    add_open: bool = False

    def _filters(self) -> dict[str, str]:
        return {
            "status": self.f_status,
            "partner": self.f_partner,
            "tariff": self.f_tariff,
            "q": self.f_q,
        }

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.f_status = _choice(q.get("status"), {s.value for s in SimStatus})
        self.f_partner = str(_int(q.get("partner")) or "")
        self.f_tariff = str(_int(q.get("tariff")) or "")
        self.f_q = _clip(q.get("q"), 40)
        self.query_key = self.router.url.query
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            self.partner_opts = aq.partner_options(s, actor)
            self.tariff_opts = aq.tariff_options(s, actor)
            kwargs: dict[str, Any] = {
                "status": self.f_status,
                "partner_id": _int(self.f_partner),
                "tariff_id": _int(self.f_tariff),
                "q": self.f_q,
            }
            try:
                page = aq.list_sims(s, actor, after=after, before=before, **kwargs)
            except InvalidCursor as e:
                page, outcome = aq.list_sims(s, actor, **kwargs), fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(routes.ADMIN_TELECOM_SIMS, self._filters(), page)
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_TELECOM_SIMS,
                status=_choice(form.get("status"), {s.value for s in SimStatus}),
                partner=_opt_id(form.get("partner")) or "",
                tariff=_opt_id(form.get("tariff")) or "",
                q=_clip(form.get("q"), 40),
            )
        )

    @rx.event
    def open_add(self):
        self.errors = {}
        self.add_open = True

    @rx.event
    def set_add_open(self, value: bool):
        self.add_open = bool(value)

    @rx.event
    def add_sim(self, form: dict[str, Any]):
        ok, sim_id, outcome = self._act(
            svc.create_sim,
            "Сим-карта добавлена.",
            iccid=_clip(form.get("iccid"), 40),
            msisdn=_clip(form.get("msisdn"), 30),
            status=_choice(form.get("status"), {s.value for s in SimStatus}) or SimStatus.INACTIVE,
            tariff_id=_opt_id(form.get("tariff")),
            partner_id=_opt_id(form.get("partner")),
            label=_clip(form.get("label"), 60),
        )
        if not ok:
            return outcome
        self.add_open = False
        return [outcome, rx.redirect(routes.with_query(routes.ADMIN_TELECOM_SIM, id=sim_id))]

    @rx.event
    async def export_csv(self):
        """Every SIM matching the filters, in the import format (read and written in a
        thread: the worker's other pages go on meanwhile, see cabinet.downloads)."""
        actor = self._actor()
        if actor is None or not actor.has(Perm.TELECOM_VIEW):
            return fail(PermissionDenied())
        status, partner_id, tariff_id, q = (
            self.f_status,
            _int(self.f_partner),
            _int(self.f_tariff),
            self.f_q,
        )
        data = await in_thread(
            lambda s: aq.export_sims(
                s, actor, status=status, partner_id=partner_id, tariff_id=tariff_id, q=q
            )
        )
        return rx.download(data=data, filename="sim-cards.csv", mime_type="text/csv")


class TelSimState(TelPage, SessionState):
    sim_id: int = 0
    sim: dict[str, str] = {}
    history: list[dict[str, str]] = []
    partner_opts: list[dict[str, str]] = []
    tariff_opts: list[dict[str, str]] = []
    missing: bool = False
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        with session_scope() as s:
            try:
                data = aq.sim_detail(s, actor, self.sim_id)
            except DomainError:
                self.missing, self.sim, self.history = True, {}, []
                return
            self.partner_opts = aq.partner_options(s, actor)
            self.tariff_opts = aq.tariff_options(s, actor)
        self.missing = False
        self.history = data.pop("history")
        self.sim = {k: str(v) for k, v in data.items()}
        self.form_key += 1

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.sim, self.history = {}, []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        self.sim_id = _int(self._query().get("id")) or 0
        self._reload(actor)
        return None

    @rx.event
    def save(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.update_sim,
            "Сохранено.",
            sim_id=self.sim_id,
            iccid=_clip(form.get("iccid"), 40),
            msisdn=_clip(form.get("msisdn"), 30),
            tariff_id=_opt_id(form.get("tariff")),
            partner_id=_opt_id(form.get("partner")),
            label=_clip(form.get("label"), 60),
        )
        return self._after(outcome)

    @rx.event
    def activate(self):
        _, _, outcome = self._act(svc.activate_sim, "Сим-карта активирована.", sim_id=self.sim_id)
        return self._after(outcome)

    @rx.event
    def block(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.block_sim,
            "Сим-карта заблокирована.",
            sim_id=self.sim_id,
            reason=str(form.get("reason", ""))[:1000],
        )
        return self._after(outcome)

    @rx.event
    def unblock(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.unblock_sim,
            "Блокировка снята.",
            sim_id=self.sim_id,
            comment=str(form.get("comment", ""))[:1000],
        )
        return self._after(outcome)

    @rx.event
    def delete(self):
        ok, _, outcome = self._act(svc.delete_sim, "Сим-карта удалена.", sim_id=self.sim_id)
        if ok:
            return [outcome, rx.redirect(routes.ADMIN_TELECOM_SIMS)]
        return outcome


# ---------------------------------------------------------------------------- CSV import

# Rows written so far by an import running in this process (the write transaction is not
# visible to other connections until it commits).
_LIVE: dict[int, int] = {}
_LIVE_LOCK = threading.Lock()


def _live_set(job_id: int, done: int) -> None:
    with _LIVE_LOCK:
        _LIVE[job_id] = done


class TelImportState(TelPage, SessionState):
    import_mode: str = ImportMode.CREATE.value  # what the next upload will do
    job_id: int = 0
    job: dict[str, Any] = {}
    recent: list[dict[str, str]] = []
    running: bool = False
    live_done: int = 0
    _follow_gen: int = 0

    def _read_job(self, actor: Actor) -> None:
        if not actor.has(Perm.TELECOM_VIEW):
            self.job, self.recent, self.running = {}, [], False
            return
        with session_scope() as s:
            self.recent = aq.recent_imports(s, actor)
            if not self.job_id:
                self.job = {}
                self.running = False
                return
            try:
                self.job = aq.import_job(s, actor, self.job_id)
            except DomainError:
                self.job, self.running = {}, False
                return
        live = _LIVE.get(self.job_id)
        if live is not None and self.job.get("status") == "importing":
            valid = int(self.job.get("valid") or 0) or 1
            self.job["processed"] = str(live)
            self.job["percent"] = min(99, live * 100 // valid)
        self.running = bool(self.job.get("running"))

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.job, self.recent = {}, []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        self.job_id = _int(self._query().get("job")) or 0
        self._read_job(actor)
        if self.running:
            return TelImportState.follow
        return None

    @rx.event
    def set_import_mode(self, value: str):
        self.import_mode = value if value in set(ImportMode) else ImportMode.CREATE.value

    @rx.event
    async def upload_csv(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        if not actor.has(Perm.TELECOM_ADMIN):
            return fail(PermissionDenied())
        if not files:
            return rx.toast.error("Выберите CSV-файл.")
        f = files[0]
        data = f.file.read(ar.IMPORT_MAX_BYTES + 1)
        ok, job_id, outcome = self._act(
            svc.start_import,
            "Файл загружен, проверяем…",
            filename=f.name or "",
            data=data,
            mode=self.import_mode,
        )
        if not ok:
            return outcome
        self.job_id = job_id
        return [
            rx.redirect(routes.with_query(routes.ADMIN_TELECOM_IMPORT, job=job_id)),
            TelImportState.check,
        ]

    @rx.event(background=True)
    async def check(self):
        """Read and check the uploaded file in a worker thread; the page follows the job."""
        async with self:
            actor = self._actor()
            job_id = self.job_id
            if actor is None or not actor.has(Perm.TELECOM_ADMIN) or not job_id:
                return
            self.running = True
        progress = svc.progress_writer(job_id)

        def work() -> None:
            with session_scope() as s:
                svc.check_import(s, actor_id=actor.id, job_id=job_id, progress=progress)

        error = await self._in_thread(work, job_id)
        if error:
            yield rx.toast.error(error)

    @rx.event(background=True)
    async def run(self):
        """Write the checked file (one transaction) in a worker thread."""
        async with self:
            actor = self._actor()
            job_id = self.job_id
            if actor is None or not actor.has(Perm.TELECOM_ADMIN) or not job_id:
                return
            self.running = True
            ip = self._client_ip()

        def work() -> None:
            _live_set(job_id, 0)
            try:
                with session_scope() as s:
                    svc.run_import(
                        s,
                        actor_id=actor.id,
                        job_id=job_id,
                        progress=lambda n: _live_set(job_id, n),
                        ip=ip,
                    )
            finally:
                with _LIVE_LOCK:
                    _LIVE.pop(job_id, None)

        error = await self._in_thread(work, job_id)
        if error:
            yield rx.toast.error(error)

    async def _in_thread(self, work: Callable[[], None], job_id: int) -> str:
        """Run `work` in a thread, refreshing the job on the page; the error message or ""."""
        task = asyncio.get_running_loop().run_in_executor(None, work)
        error: str = ""
        while True:
            done = task.done()
            async with self:
                actor = self._actor()
                if actor is not None and self.job_id == job_id:
                    self._read_job(actor)
            if done:
                break
            await asyncio.sleep(0.7)
        try:
            task.result()
        except DomainError as e:
            error = e.message
        except Exception:
            error = "Ошибка при обработке файла."
        async with self:
            self.running = False
            actor = self._actor()
            if actor is not None and self.job_id == job_id:
                self._read_job(actor)
                self.running = False
        return error

    @rx.event(background=True)
    async def follow(self):
        """Refresh a job started elsewhere (another tab, before a reload) until it ends."""
        async with self:
            self._follow_gen += 1
            gen = self._follow_gen
        for _ in range(3600):
            await asyncio.sleep(1.0)
            async with self:
                if gen != self._follow_gen:
                    return
                actor = self._actor()
                if actor is None:
                    return
                self._read_job(actor)
                if not self.running:
                    return

    @rx.event
    def cancel(self):
        _, _, outcome = self._act(svc.cancel_import, "Загрузка отменена.", job_id=self.job_id)
        actor = self._actor()
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            self._read_job(actor)
        return outcome

    @rx.event
    def recheck(self):
        actor = self._actor()
        if actor is None or not actor.has(Perm.TELECOM_ADMIN):
            return fail(PermissionDenied())
        return TelImportState.check


# ---------------------------------------------------------------------------- subscribers


class TelSubscribersState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    f_q: str = ""
    f_status: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.f_q = _clip(q.get("q"), 60)
        self.f_status = _choice(q.get("status"), {s.value for s in ContractStatus})
        self.query_key = self.router.url.query
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            try:
                page = aq.list_contracts(
                    s, actor, q=self.f_q, status=self.f_status, after=after, before=before
                )
            except InvalidCursor as e:
                page, outcome = (
                    aq.list_contracts(s, actor, q=self.f_q, status=self.f_status),
                    fail(e),
                )
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(
            routes.ADMIN_TELECOM_SUBSCRIBERS, {"q": self.f_q, "status": self.f_status}, page
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_TELECOM_SUBSCRIBERS,
                q=_clip(form.get("q"), 60),
                status=_choice(form.get("status"), {s.value for s in ContractStatus}),
            )
        )


class TelSubscriberState(TelPage, SessionState):
    contract_id: int = 0
    contract: dict[str, str] = {}
    sims: list[dict[str, str]] = []
    partner_opts: list[dict[str, str]] = []
    missing: bool = False
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        with session_scope() as s:
            try:
                data = aq.contract_detail(s, actor, self.contract_id)
            except DomainError:
                self.missing, self.contract, self.sims = True, {}, []
                return
            self.partner_opts = aq.partner_options(s, actor)
        self.missing = False
        self.sims = data.pop("sims")
        self.contract = {k: str(v) for k, v in data.items()}
        self.form_key += 1

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.contract, self.sims = {}, []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        self.contract_id = _int(self._query().get("id")) or 0
        self._reload(actor)
        return None

    @rx.event
    def save(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.update_contract,
            "Договор сохранён.",
            contract_id=self.contract_id,
            number=_clip(form.get("number"), 40),
            status=_choice(form.get("status"), {s.value for s in ContractStatus}),
            partner_id=_opt_id(form.get("partner")),
        )
        return self._after(outcome)

    @rx.event
    def attach(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.attach_sim,
            "Сим-карта добавлена в договор.",
            contract_id=self.contract_id,
            iccid=_clip(form.get("iccid"), 40),
        )
        return self._after(outcome)


# ---------------------------------------------------------------------------- partners


class TelPartnersState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    f_q: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""
    add_open: bool = False

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.f_q = _clip(q.get("q"), 60)
        self.query_key = self.router.url.query
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            try:
                page = aq.list_partners(s, actor, q=self.f_q, after=after, before=before)
            except InvalidCursor as e:
                page, outcome = aq.list_partners(s, actor, q=self.f_q), fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(
            routes.ADMIN_TELECOM_PARTNERS, {"q": self.f_q}, page
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(routes.ADMIN_TELECOM_PARTNERS, q=_clip(form.get("q"), 60))
        )

    @rx.event
    def open_add(self):
        self.errors = {}
        self.add_open = True

    @rx.event
    def set_add_open(self, value: bool):
        self.add_open = bool(value)

    @rx.event
    def add_partner(self, form: dict[str, Any]):
        ok, partner_id, outcome = self._act(
            svc.save_partner, "Партнёр добавлен.", **_partner_form(form)
        )
        if not ok:
            return outcome
        self.add_open = False
        return [
            outcome,
            rx.redirect(routes.with_query(routes.ADMIN_TELECOM_PARTNER, id=partner_id)),
        ]


def _partner_form(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _clip(form.get("name"), 300),
        "inn": _clip(form.get("inn"), 20),
        "contact_name": _clip(form.get("contact_name"), 200),
        "contact_email": _clip(form.get("contact_email"), 254),
        "contact_phone": _clip(form.get("contact_phone"), 30),
        "share": _clip(form.get("share"), 10),
        "note": str(form.get("note", "") or "")[:2000],
        "is_active": form.get("is_active", "on") in ("on", True, "true", "1"),
    }


class TelPartnerState(TelPage, SessionState):
    partner_id: int = 0
    partner: dict[str, str] = {}
    f_from: str = ""
    f_to: str = ""
    missing: bool = False
    form_key: int = 0

    def _reload(self, actor: Actor) -> Any:
        try:
            start, end = ar.period_bounds(
                ar.parse_day(self.f_from, field="date_from"),
                ar.parse_day(self.f_to, field="date_to"),
                settings.display_timezone,
            )
        except DomainError as e:
            self.f_from = self.f_to = ""
            start = end = None
            outcome: Any = fail(e)
        else:
            outcome = None
        with session_scope() as s:
            try:
                data = aq.partner_detail(s, actor, self.partner_id, start=start, end=end)
            except DomainError:
                self.missing, self.partner = True, {}
                return outcome
        self.missing = False
        self.partner = {k: str(v) for k, v in data.items()}
        self.form_key += 1
        return outcome

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.partner = {}
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.partner_id = _int(q.get("id")) or 0
        self.f_from = _clip(q.get("from"), 10)
        self.f_to = _clip(q.get("to"), 10)
        return self._reload(actor)

    @rx.event
    def apply_period(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_TELECOM_PARTNER,
                id=self.partner_id,
                **{"from": _clip(form.get("from"), 10), "to": _clip(form.get("to"), 10)},
            )
        )

    @rx.event
    def save(self, form: dict[str, Any]):
        _, _, outcome = self._act(
            svc.save_partner, "Сохранено.", partner_id=self.partner_id, **_partner_form(form)
        )
        actor = self._actor()
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            self._reload(actor)
        return outcome

    @rx.event
    def delete(self):
        ok, _, outcome = self._act(
            svc.delete_partner, "Партнёр удалён.", partner_id=self.partner_id
        )
        if not ok:
            return outcome
        return [outcome, rx.redirect(routes.ADMIN_TELECOM_PARTNERS)]


# ---------------------------------------------------------------------------- payments


class TelPaymentsState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    partner_opts: list[dict[str, str]] = []
    f_from: str = ""
    f_to: str = ""
    f_min: str = ""
    f_max: str = ""
    f_status: str = ""
    f_partner: str = ""
    f_who: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    def _filters(self) -> dict[str, str]:
        return {
            "from": self.f_from,
            "to": self.f_to,
            "min": self.f_min,
            "max": self.f_max,
            "status": self.f_status,
            "partner": self.f_partner,
            "who": self.f_who,
        }

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.f_from, self.f_to = _clip(q.get("from"), 10), _clip(q.get("to"), 10)
        self.f_min, self.f_max = _clip(q.get("min"), 15), _clip(q.get("max"), 15)
        self.f_status = _choice(q.get("status"), {s.value for s in PaymentStatus})
        self.f_partner = str(_int(q.get("partner")) or "")
        self.f_who = _clip(q.get("who"), 60)
        self.query_key = self.router.url.query
        outcome = None
        try:
            start, end = ar.period_bounds(
                ar.parse_day(self.f_from, field="from"),
                ar.parse_day(self.f_to, field="to"),
                settings.display_timezone,
            )
            low = ar.parse_money(self.f_min, field="min", required=False) if self.f_min else None
            high = ar.parse_money(self.f_max, field="max", required=False) if self.f_max else None
        except DomainError as e:
            start = end = low = high = None
            outcome = fail(e)
        after, before = page_params(q)
        kwargs: dict[str, Any] = {
            "start": start,
            "end": end,
            "amount_min": low,
            "amount_max": high,
            "status": self.f_status,
            "partner_id": _int(self.f_partner),
            "subscriber": self.f_who,
        }
        with session_scope() as s:
            self.partner_opts = aq.partner_options(s, actor)
            try:
                page = aq.list_payments(s, actor, after=after, before=before, **kwargs)
            except InvalidCursor as e:
                page, outcome = aq.list_payments(s, actor, **kwargs), fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(
            routes.ADMIN_TELECOM_PAYMENTS, self._filters(), page
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_TELECOM_PAYMENTS,
                **{
                    "from": _clip(form.get("from"), 10),
                    "to": _clip(form.get("to"), 10),
                    "min": _clip(form.get("min"), 15),
                    "max": _clip(form.get("max"), 15),
                    "status": _choice(form.get("status"), {s.value for s in PaymentStatus}),
                    "partner": _opt_id(form.get("partner")) or "",
                    "who": _clip(form.get("who"), 60),
                },
            )
        )


# ---------------------------------------------------------------------------- tariffs


class TelTariffsState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    dialog_open: bool = False
    edit_id: int = 0
    edit: dict[str, str] = {}
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        with session_scope() as s:
            self.rows = aq.list_tariffs(s, actor)

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        self._reload(actor)
        return None

    @rx.event
    def open_create(self):
        self.edit_id, self.edit, self.errors = 0, {}, {}
        self.form_key += 1
        self.dialog_open = True

    @rx.event
    def open_edit(self, tariff_id: str):
        tid = _int(tariff_id)
        row = next((r for r in self.rows if r["id"] == str(tid)), None)
        if row is None:
            return None
        self.edit_id, self.edit, self.errors = tid or 0, dict(row), {}
        self.form_key += 1
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    @rx.event
    def save(self, form: dict[str, Any]):
        ok, _, outcome = self._act(
            svc.save_tariff,
            "Тариф сохранён.",
            tariff_id=self.edit_id or None,
            name=_clip(form.get("name"), 120),
            description=str(form.get("description", "") or "")[:1000],
            fee=_clip(form.get("fee"), 20),
            minutes=_clip(form.get("minutes"), 10),
            sms=_clip(form.get("sms"), 10),
            internet_gb=_clip(form.get("internet_gb"), 10),
        )
        if ok:
            self.dialog_open = False
        return self._after(outcome)

    @rx.event
    def archive(self, tariff_id: str):
        tid = _int(tariff_id)
        if tid is None:
            return None
        _, _, outcome = self._act(
            svc.set_tariff_archived, "Тариф в архиве.", tariff_id=tid, archived=True
        )
        return self._after(outcome)

    @rx.event
    def restore(self, tariff_id: str):
        tid = _int(tariff_id)
        if tid is None:
            return None
        _, _, outcome = self._act(
            svc.set_tariff_archived, "Тариф снова действует.", tariff_id=tid, archived=False
        )
        return self._after(outcome)

    @rx.event
    def delete(self, tariff_id: str):
        tid = _int(tariff_id)
        if tid is None:
            return None
        _, _, outcome = self._act(svc.delete_tariff, "Тариф удалён.", tariff_id=tid)
        return self._after(outcome)


# ---------------------------------------------------------------------------- requests


class TelRequestsState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    kind: str = "activation"
    f_status: str = "pending"
    counts: dict[str, int] = {}
    prev_href: str = ""
    next_href: str = ""
    decide_id: int = 0
    decide_what: str = ""
    decision: str = ""
    dialog_open: bool = False

    def _reload(self, actor: Actor, after: str = "", before: str = "") -> Any:
        outcome = None
        with session_scope() as s:
            self.counts = aq.pending_counts(s, actor)
            try:
                page = aq.list_requests(
                    s, actor, kind=self.kind, status=self.f_status, after=after, before=before
                )
            except InvalidCursor as e:
                page, outcome = (
                    aq.list_requests(s, actor, kind=self.kind, status=self.f_status),
                    fail(e),
                )
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(
            routes.ADMIN_TELECOM_REQUESTS, {"kind": self.kind, "status": self.f_status}, page
        )
        return outcome

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.kind = _choice(q.get("kind"), REQUEST_KINDS) or "activation"
        status = str(q.get("status", "pending") or "")
        self.f_status = (
            ""
            if status == ALL
            else (_choice(status, {s.value for s in RequestStatus}) or "pending")
        )
        after, before = page_params(q)
        self.dialog_open = False
        return self._reload(actor, after, before)

    @rx.event
    def open_decide(self, request_id: str, decision: str):
        rid = _int(request_id)
        row = next((r for r in self.rows if r["id"] == str(rid)), None)
        if row is None or decision not in (ar.APPROVE, ar.REJECT):
            return None
        self.decide_id, self.decision, self.errors = rid or 0, decision, {}
        self.decide_what = f"{row['what']} · {row['msisdn'] or row['iccid']}"
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    @rx.event
    def decide(self, form: dict[str, Any]):
        fn = svc.DECIDERS.get(self.kind)
        if fn is None or not self.decide_id:
            return None
        word = "Заявка одобрена." if self.decision == ar.APPROVE else "Заявка отклонена."
        ok, _, outcome = self._act(
            fn,
            word,
            request_id=self.decide_id,
            decision=self.decision,
            comment=str(form.get("comment", "") or "")[:1000],
        )
        if ok:
            self.dialog_open = False
        actor = self._actor()
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            self._reload(actor)
        return outcome


# ---------------------------------------------------------------------------- blocking


class TelBlocksState(TelPage, SessionState):
    rows: list[dict[str, str]] = []
    show_all: bool = False
    prev_href: str = ""
    next_href: str = ""

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        q = self._query()
        self.show_all = q.get("all") == "1"
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            try:
                page = aq.list_blocks(
                    s, actor, current=not self.show_all, after=after, before=before
                )
            except InvalidCursor as e:
                page, outcome = aq.list_blocks(s, actor, current=not self.show_all), fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _hrefs(
            routes.ADMIN_TELECOM_BLOCKS, {"all": "1" if self.show_all else ""}, page
        )
        return outcome

    @rx.event
    def unblock(self, sim_id: str):
        sid = _int(sim_id)
        if sid is None:
            return None
        _, _, outcome = self._act(svc.unblock_sim, "Блокировка снята.", sim_id=sid)
        actor = self._actor()
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            with session_scope() as s:
                self.rows = aq.list_blocks(s, actor, current=not self.show_all).rows
        return outcome


# ---------------------------------------------------------------------------- administrators


class TelAdminsState(TelPage, SessionState):
    rows: list[dict[str, Any]] = []
    role_opts: list[dict[str, str]] = []
    can_grant: bool = False
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        self.can_grant = actor.has(Perm.USERS_MANAGE)
        with session_scope() as s:
            self.rows = aq.telecom_staff(s, actor)
            self.role_opts = aq.grantable_roles(s, actor)

    @rx.event
    def load(self):
        actor = self._open()
        if actor is None:
            self.rows = []
            return None if self.me_name else rx.redirect(routes.LOGIN)
        self._reload(actor)
        return None

    @rx.event
    def grant(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        if not actor.has(Perm.TELECOM_VIEW):
            return fail(PermissionDenied())
        role_id = _opt_id(form.get("role"))
        email = _clip(form.get("email"), 254)
        if role_id is None:
            self.errors = {"role": "Выберите роль."}
            return None
        with session_scope() as s:
            user_id = aq.find_user_id(s, actor, email)
        if user_id is None:
            self.errors = {"email": "Пользователь с таким e-mail не найден."}
            return None
        ok, _, outcome = self._act(
            admin_service.assign_role, "Роль выдана.", user_id=user_id, role_id=role_id
        )
        if ok:
            self.form_key += 1
        self._reload(actor)
        return outcome

    @rx.event
    def revoke(self, user_role_id: str):
        ur = _int(user_role_id)
        if ur is None:
            return None
        _, _, outcome = self._act(admin_service.remove_role, "Роль снята.", user_role_id=ur)
        actor = self._actor()
        if actor is not None and actor.has(Perm.TELECOM_VIEW):
            self._reload(actor)
        return outcome


__all__ = [
    "NONE",
    "TelAdminsState",
    "TelBlocksState",
    "TelImportState",
    "TelPartnerState",
    "TelPartnersState",
    "TelPaymentsState",
    "TelRequestsState",
    "TelSimState",
    "TelSimsState",
    "TelSubscriberState",
    "TelSubscribersState",
    "TelTariffsState",
]
