"""Thin Reflex states of the finance pages: the overview, the invoices registry (filters in the
URL, keyset pager, CSV/XLSX) and a contract card. Reads go through the scoped queries."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import downloads, routes
from cabinet.access.rules import Actor, Perm
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.finance import queries
from cabinet.finance.queries import (
    BucketRow,
    ContractRow,
    InvoiceRow,
    MonthPoint,
    OperationRow,
    ScheduleRow,
)
from cabinet.orders.listing import parse_amount, parse_date, parse_id
from cabinet.orders.queries import AttentionRow
from cabinet.orders.state import XLSX, RegistryBase, _pick
from cabinet.pagination import page_params


class _FinanceBase(RegistryBase):
    def _perm(self) -> Perm:
        return Perm.FINANCE_VIEW


class FinanceState(_FinanceBase):
    """The organisation's overview: limit, debt, ageing, schedule, operations, attention."""

    credit_limit: str = ""
    credit_unused: str = ""
    credit_used_percent: int = 0
    amount_due: str = ""
    overdue_total: str = ""
    month_debt: str = ""
    has_overdue: bool = False
    buckets: list[BucketRow] = []
    months: list[MonthPoint] = []
    schedule: list[ScheduleRow] = []
    operations: list[OperationRow] = []
    contracts: list[ContractRow] = []
    attention: list[AttentionRow] = []

    @rx.var
    def bucket_chart(self) -> list[dict[str, Any]]:
        # Thousands of roubles: short axis labels.
        return [
            {"name": b.label, "short": b.short, "amount": round(b.value / 1000, 1), "fill": b.color}
            for b in self.buckets
        ]

    @rx.var
    def month_chart(self) -> list[dict[str, Any]]:
        return [
            {
                "month": m.month,
                "month_en": m.month_en,
                "shipped": round(m.shipped / 1000, 1),
                "paid": round(m.paid / 1000, 1),
            }
            for m in self.months
        ]

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self._may(actor):
            self.buckets, self.months, self.contracts, self.attention = [], [], [], []
            self.schedule, self.operations = [], []
            self._deny()
            return None
        self.allowed = True
        p = self._p()
        with session_scope() as s:
            org = self._read_org(s, actor, p)
            ov = queries.overview(s, actor, org=org if org else None)
        self.credit_limit, self.credit_unused = ov.credit_limit, ov.credit_unused
        self.credit_used_percent = ov.credit_used_percent
        self.amount_due, self.overdue_total = ov.amount_due, ov.overdue_total
        self.month_debt, self.has_overdue = ov.month_debt, ov.has_overdue
        self.buckets, self.months = ov.buckets, ov.months
        self.schedule, self.operations = ov.schedule, ov.operations
        self.contracts, self.attention = ov.contracts, ov.attention
        self.query_key = f"{self.f_org}|{self.f_inn}"
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        return rx.redirect(routes.with_query(routes.FINANCE, **self._org_query(data)))


class InvoicesState(_FinanceBase):
    rows: list[InvoiceRow] = []
    contract_options: list[dict[str, str]] = []
    f_tab: str = ""
    f_contract: str = ""
    f_from: str = ""
    f_to: str = ""
    f_number: str = ""
    f_min: str = ""
    f_max: str = ""
    f_sort: str = "new"

    def _base(self) -> dict[str, str]:
        return {
            "tab": self.f_tab,
            "org": "" if self.staff_all else self.f_org,
            "inn": self.f_inn if self.staff_all else "",
            "contract": self.f_contract,
            "from": self.f_from,
            "to": self.f_to,
            "number": self.f_number,
            "min": self.f_min,
            "max": self.f_max,
            "sort": "" if self.f_sort == "new" else self.f_sort,
        }

    def _filters(self) -> queries.InvoiceFilters:
        return queries.InvoiceFilters(
            tab=self.f_tab,
            org=int(self.f_org) if self.f_org else (-1 if self.f_inn and self.staff_all else None),
            contract=parse_id(self.f_contract),
            date_from=parse_date(self.f_from),
            date_to=parse_date(self.f_to),
            number=self.f_number,
            amount_min=parse_amount(self.f_min),
            amount_max=parse_amount(self.f_max),
            sort=self.f_sort,
        )

    def _read(self, p: dict[str, str]) -> tuple[str, str]:
        tab = p.get("tab", "")
        self.f_tab = tab if tab in queries.INVOICE_TABS else ""
        self.f_contract = str(parse_id(p.get("contract")) or "")
        self.f_from = str(parse_date(p.get("from")) or "")
        self.f_to = str(parse_date(p.get("to")) or "")
        self.f_number = " ".join(str(p.get("number", "")).split())[:40]
        self.f_min = str(parse_amount(p.get("min")) or "")
        self.f_max = str(parse_amount(p.get("max")) or "")
        sort = p.get("sort", "new")
        self.f_sort = sort if sort in queries.INVOICE_SORTS else "new"
        return page_params(p)

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self._may(actor):
            self.rows = []
            self._deny()
            return None
        self.allowed = True
        p = self._p()
        after, before = self._read(p)
        with session_scope() as s:
            org = self._read_org(s, actor, p)
            try:
                page = queries.invoice_registry(
                    s, actor, self._filters(), after=after, before=before
                )
            except ValidationFailed:
                page = queries.invoice_registry(s, actor, self._filters())
            self.contract_options = [
                {"value": str(c.id), "label": f"№ {c.number}"}
                for c in queries.contracts(s, actor, org=org if org and org > 0 else None)
            ]
        self.query_key = "|".join(self._base().values()) + f"|{after}|{before}"
        self.rows = page.rows
        self._hrefs(routes.INVOICES, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        sort = _pick(data, "sort")
        query = {
            "tab": self.f_tab,
            **self._org_query(data),
            "contract": str(parse_id(_pick(data, "contract")) or ""),
            "from": str(parse_date(_pick(data, "from")) or ""),
            "to": str(parse_date(_pick(data, "to")) or ""),
            "number": _pick(data, "number", 40),
            "min": str(parse_amount(_pick(data, "min")) or ""),
            "max": str(parse_amount(_pick(data, "max")) or ""),
            "sort": sort if sort in queries.INVOICE_SORTS and sort != "new" else "",
        }
        return rx.redirect(routes.with_query(routes.INVOICES, **query))

    def _export_source(self) -> downloads.RowSource | None:
        """The caller's rows to export (checked now, read later in the export's thread)."""
        actor = self._actor()
        if actor is None or not self._may(actor):
            return None
        f = self._filters()
        return lambda s: queries.invoice_export_rows(s, actor, f)

    @rx.event
    async def export_csv(self):
        return await self._export("csv")

    @rx.event
    async def export_xlsx(self):
        return await self._export("xlsx")

    async def _export(self, kind: str) -> Any:
        source = self._export_source()
        if source is None:
            return rx.toast.error("Недостаточно прав для этого действия.")
        data = await downloads.build_off_loop(
            kind, queries.INVOICE_EXPORT_HEADERS, source, title="Счета"
        )
        if kind == "csv":
            return rx.download(data=data, filename="scheta.csv", mime_type="text/csv")
        return rx.download(data=data, filename="scheta.xlsx", mime_type=XLSX)


class ContractState(_FinanceBase):
    missing: bool = False
    number: str = ""
    title: str = ""
    organisation: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    valid: str = ""
    credit_limit: str = ""
    balance: str = ""
    month_debt: str = ""
    payment_terms_days: int = 0
    open_total: str = ""
    overdue_total: str = ""
    invoices_href: str = ""
    invoices: list[InvoiceRow] = []
    operations: list[OperationRow] = []
    schedule: list[ScheduleRow] = []

    def _show(self, actor: Actor, cid: int | None) -> None:
        with session_scope() as s:
            v = queries.contract_view(s, actor, cid)
        r = v.row
        self.number, self.title, self.organisation = r.number, r.title, r.organisation
        self.status, self.status_label = r.status, r.status_label
        self.status_color, self.valid = r.status_color, r.valid
        self.credit_limit, self.balance, self.month_debt = r.credit_limit, r.balance, r.month_debt
        self.payment_terms_days, self.open_total = v.payment_terms_days, v.open_total
        self.overdue_total = v.overdue_total
        self.invoices, self.operations, self.schedule = v.invoices, v.operations, v.schedule
        self.invoices_href = routes.with_query(routes.INVOICES, contract=r.id)

    @rx.event
    def load(self):
        self.loaded = False
        yield
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        try:
            self._show(actor, parse_id(self.router.url.query_parameters.get("id", "")))
            self.missing = False
        except DomainError:
            self.missing = True
            self.invoices, self.operations, self.schedule = [], [], []
        self.loaded = True
