"""Thin Reflex states of the orders pages: the registry (filters in the URL, keyset pager,
CSV/XLSX export) and one order (detail, change/cancel request).

Every public handler resolves the caller from the session cookie on the server and takes only
ids and plain values; queries and services do the scoping and the checks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from cabinet import downloads, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.orders import queries, rules, service
from cabinet.orders.listing import clip, parse_amount, parse_date, parse_id
from cabinet.orders.queries import OrderRow, OrderView
from cabinet.pagination import page_params
from components.data_table import ALL

XLSX = downloads.XLSX


class RegistryBase(SessionState):
    """What every registry of the orders/finance/documents pages shares: who may look, the
    organisation filter (a select for a few organisations, an INN box for staff who see all),
    the pager hrefs and the form key that remounts the filter form on navigation."""

    allowed: bool = True
    loaded: bool = False
    orgs: list[dict[str, str]] = []
    staff_all: bool = False  # staff who see every organisation: filter by INN
    many_orgs: bool = False
    f_org: str = ""
    f_inn: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    first_href: str = ""

    def _perm(self) -> Perm:
        return Perm.ORDERS_VIEW

    def _may(self, actor: Actor) -> bool:
        scope = rules.org_scope(actor, self._perm())
        return scope is None or bool(scope)

    def _p(self) -> dict[str, str]:
        return dict(self.router.url.query_parameters)

    def _read_org(self, s: Any, actor: Actor, p: dict[str, str]) -> int | None:
        scope = rules.org_scope(actor, self._perm())
        self.staff_all = scope is None or len(scope) > 50
        self.many_orgs = scope is None or len(scope) > 1
        self.orgs = queries.scope_orgs(s, actor, self._perm())
        self.f_inn = "".join(ch for ch in str(p.get("inn", "")) if ch.isdigit())[:12]
        org = parse_id(p.get("org"))
        if self.staff_all and self.f_inn:
            org = queries.org_by_inn(s, self.f_inn) or -1
        self.f_org = str(org) if org and org > 0 else ""
        return org

    def _org_query(self, data: dict[str, Any]) -> dict[str, str]:
        org = str(data.get("org", "") or "")
        inn = "".join(ch for ch in str(data.get("inn", "") or "") if ch.isdigit())[:12]
        return {"org": "" if org == ALL else str(parse_id(org) or ""), "inn": inn}

    def _hrefs(self, path: str, base: dict[str, Any], next_after: str, prev_before: str) -> None:
        self.next_href = routes.with_query(path, **base, after=next_after) if next_after else ""
        self.prev_href = routes.with_query(path, **base, before=prev_before) if prev_before else ""
        self.first_href = routes.with_query(path, **base)

    def _deny(self) -> None:
        self.allowed, self.loaded = False, True
        self.next_href = self.prev_href = ""


def _pick(data: dict[str, Any], key: str, n: int = 100) -> str:
    v = str(data.get(key, "") or "")
    return "" if v == ALL else clip(v, n)


# --------------------------------------------------------------------------- /orders


class OrdersState(RegistryBase):
    rows: list[OrderRow] = []
    counts: dict[str, int] = {}
    f_tab: str = ""
    f_from: str = ""
    f_to: str = ""
    f_route: str = ""
    f_product: str = ""
    f_number: str = ""
    f_min: str = ""
    f_max: str = ""
    f_q: str = ""
    f_sort: str = "new"

    def _base(self) -> dict[str, Any]:
        return {
            "tab": self.f_tab,
            "org": "" if self.staff_all else self.f_org,
            "inn": self.f_inn if self.staff_all else "",
            "from": self.f_from,
            "to": self.f_to,
            "route": self.f_route,
            "product": self.f_product,
            "number": self.f_number,
            "min": self.f_min,
            "max": self.f_max,
            "q": self.f_q,
            "sort": "" if self.f_sort == "new" else self.f_sort,
        }

    def _filters(self) -> queries.Filters:
        return queries.Filters(
            tab=self.f_tab,
            org=int(self.f_org) if self.f_org else (-1 if self.f_inn and self.staff_all else None),
            date_from=parse_date(self.f_from),
            date_to=parse_date(self.f_to),
            route=self.f_route,
            product=self.f_product,
            number=self.f_number,
            amount_min=parse_amount(self.f_min),
            amount_max=parse_amount(self.f_max),
            q=self.f_q,
            sort=self.f_sort,
        )

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self._may(actor):
            self.rows, self.counts = [], {}
            self._deny()
            return None
        self.allowed = True
        p = self._p()
        tab = p.get("tab", "")
        self.f_tab = tab if tab in rules.TABS else ""
        self.f_from = str(parse_date(p.get("from")) or "")
        self.f_to = str(parse_date(p.get("to")) or "")
        self.f_route = clip(p.get("route"), 100)
        self.f_product = clip(p.get("product"), 100)
        self.f_number = clip(p.get("number"), 40)
        self.f_min = str(parse_amount(p.get("min")) or "")
        self.f_max = str(parse_amount(p.get("max")) or "")
        self.f_q = clip(p.get("q"), 100)
        sort = p.get("sort", "new")
        self.f_sort = sort if sort in rules.SORTS else "new"
        after, before = page_params(p)
        with session_scope() as s:
            org = self._read_org(s, actor, p)
            try:
                page = queries.order_registry(s, actor, self._filters(), after=after, before=before)
            except ValidationFailed:
                page = queries.order_registry(s, actor, self._filters())
            self.counts = queries.status_counts(s, actor, org if org and org > 0 else None)
        self.query_key = "|".join(str(v) for v in self._base().values()) + f"|{after}|{before}"
        self.rows = page.rows
        self._hrefs(routes.ORDERS, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        sort = _pick(data, "sort")
        query = {
            "tab": self.f_tab,
            **self._org_query(data),
            "from": str(parse_date(_pick(data, "from")) or ""),
            "to": str(parse_date(_pick(data, "to")) or ""),
            "route": _pick(data, "route"),
            "product": _pick(data, "product"),
            "number": _pick(data, "number", 40),
            "min": str(parse_amount(_pick(data, "min")) or ""),
            "max": str(parse_amount(_pick(data, "max")) or ""),
            "q": _pick(data, "q"),
            "sort": sort if sort in rules.SORTS and sort != "new" else "",
        }
        return rx.redirect(routes.with_query(routes.ORDERS, **query))

    def _export_source(self) -> downloads.RowSource | None:
        """The caller's rows to export (checked now, read later in the export's thread)."""
        actor = self._actor()
        if actor is None or not self._may(actor):
            return None
        f = self._filters()
        return lambda s: queries.export_rows(s, actor, f)

    @rx.event
    async def export_csv(self):
        """Every order matching the filters (not only this page) as CSV."""
        return await self._export("csv")

    @rx.event
    async def export_xlsx(self):
        return await self._export("xlsx")

    async def _export(self, kind: str) -> Any:
        source = self._export_source()
        if source is None:
            return rx.toast.error("Недостаточно прав для этого действия.")
        data = await downloads.build_off_loop(kind, queries.EXPORT_HEADERS, source, title="Заказы")
        if kind == "csv":
            return rx.download(data=data, filename="zakazy.csv", mime_type="text/csv")
        return rx.download(data=data, filename="zakazy.xlsx", mime_type=XLSX)


# --------------------------------------------------------------------------- /orders/view


def _empty_view() -> OrderView:
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(OrderView):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            defaults[f.name] = {"int": 0, "bool": False}.get(str(f.type), "")
    return OrderView(**defaults)


class OrderState(SessionState):
    order: OrderView = _empty_view()
    missing: bool = False
    loaded: bool = False
    dialog: str = ""  # "", "change", "cancel"
    errors: dict[str, str] = {}
    form_key: int = 0

    def _fetch(self, actor: Actor) -> None:
        oid = parse_id(self.router.url.query_parameters.get("id", ""))
        try:
            with session_scope() as s:
                self.order = queries.order_view(s, actor, oid)
            self.missing = False
        except DomainError:
            self.order, self.missing = _empty_view(), True

    @rx.event
    def load(self):
        self.loaded, self.dialog, self.errors = False, "", {}
        yield
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        self._fetch(actor)
        self.loaded = True

    @rx.event
    def open_dialog(self, kind: str):
        self.dialog = kind if kind in ("change", "cancel") else ""
        self.errors = {}
        self.form_key += 1

    @rx.event
    def close_dialog(self):
        self.dialog, self.errors = "", {}

    @rx.event
    def submit_request(self, form_data: dict):
        """Send the change/cancel request of the open dialog for the order on this page."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = form_data if isinstance(form_data, dict) else {}
        kind = self.dialog
        if kind not in ("change", "cancel") or not self.order.id:
            return None
        payload = {k: str(data.get(k, "") or "")[:300] for k in rules.CHANGE_FIELDS}
        try:
            with session_scope() as s:
                service.request_change(
                    s,
                    actor_id=actor.id,
                    order_id=self.order.id,
                    kind=kind,
                    payload=payload,
                    comment=str(data.get("comment", "") or "")[: rules.MAX_COMMENT + 1],
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.errors = {(e.field or "comment"): e.message}
            return None
        except DomainError as e:
            self.dialog = ""
            self._fetch(actor)
            return rx.toast.error(e.message)
        self.dialog, self.errors = "", {}
        self._fetch(actor)
        return rx.toast.success("Запрос отправлен. Заказ показан как «запрос на рассмотрении».")
