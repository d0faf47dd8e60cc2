"""Thin Reflex states of the documents pages: certificate and shipping-document registries
(search and filters in the URL, keyset pager), PDF downloads, and the public QR trace page.

Downloads resolve the caller and go through the scoped queries; the trace page is public and
reads only by the certificate's unguessable code.
"""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.db import in_thread, session_scope
from cabinet.documents import pdf, queries, rules
from cabinet.documents.queries import CertRow, DocRow, PublicField, PublicGroup
from cabinet.errors import DomainError, ValidationFailed
from cabinet.orders.listing import clip, parse_date
from cabinet.orders.state import RegistryBase, _pick
from cabinet.pagination import page_params
from cabinet.settings import settings


class DownloadState(SessionState):
    """PDF of a certificate, a shipping document or an invoice the caller may see."""

    @rx.event
    async def download(self, kind: str, item_id: int):
        """The file is read or generated (reportlab, a QR code) in a thread: the worker's
        other pages go on meanwhile."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        fetch = {
            "certificate": queries.certificate_download,
            "document": queries.document_download,
            "invoice": queries.invoice_download,
        }.get(str(kind))
        if fetch is None:
            return rx.toast.error("Документ не найден.")

        try:
            file = await in_thread(lambda s: fetch(s, actor, item_id))
        except DomainError as e:
            return rx.toast.error(e.message)
        return rx.download(data=file.data, filename=file.filename, mime_type=file.content_type)


# --------------------------------------------------------------------------- certificates


class CertificatesState(RegistryBase):
    rows: list[CertRow] = []
    f_number: str = ""
    f_batch: str = ""
    f_exact: bool = False
    f_from: str = ""
    f_to: str = ""
    f_consignee: str = ""
    f_order: str = ""
    f_product: str = ""
    f_grade: str = ""
    searching: bool = False

    def _base(self) -> dict[str, str]:
        return {
            "number": self.f_number,
            "batch": self.f_batch,
            "exact": "1" if self.f_exact else "",
            "org": "" if self.staff_all else self.f_org,
            "inn": self.f_inn if self.staff_all else "",
            "from": self.f_from,
            "to": self.f_to,
            "consignee": self.f_consignee,
            "order": self.f_order,
            "product": self.f_product,
            "grade": self.f_grade,
        }

    def _filters(self) -> queries.CertFilters:
        return queries.CertFilters(
            number=self.f_number,
            batch=self.f_batch,
            exact=self.f_exact,
            org=int(self.f_org) if self.f_org else (-1 if self.f_inn and self.staff_all else None),
            date_from=parse_date(self.f_from),
            date_to=parse_date(self.f_to),
            consignee=self.f_consignee,
            order=self.f_order,
            product_code=self.f_product,
            grade=self.f_grade,
        )

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
        self.f_number = rules.normalise_term(p.get("number"))
        self.f_batch = rules.normalise_term(p.get("batch"))
        self.f_exact = p.get("exact", "") == "1"
        self.f_from = str(parse_date(p.get("from")) or "")
        self.f_to = str(parse_date(p.get("to")) or "")
        self.f_consignee = clip(p.get("consignee"), 100)
        self.f_order = rules.normalise_term(p.get("order"))
        self.f_product = rules.normalise_term(p.get("product"))
        self.f_grade = rules.normalise_term(p.get("grade"))
        self.searching = bool(self.f_number or self.f_batch)
        after, before = page_params(p)
        with session_scope() as s:
            self._read_org(s, actor, p)
            try:
                page = queries.certificate_registry(
                    s, actor, self._filters(), after=after, before=before
                )
            except ValidationFailed:
                page = queries.certificate_registry(s, actor, self._filters())
        self.query_key = "|".join(self._base().values()) + f"|{after}|{before}"
        self.rows = page.rows
        self._hrefs(routes.CERTIFICATES, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        query = {
            "number": rules.normalise_term(_pick(data, "number", 60)),
            "batch": rules.normalise_term(_pick(data, "batch", 60)),
            "exact": "1" if _pick(data, "exact") in ("on", "true", "1", "exact") else "",
            **self._org_query(data),
            "from": str(parse_date(_pick(data, "from")) or ""),
            "to": str(parse_date(_pick(data, "to")) or ""),
            "consignee": _pick(data, "consignee"),
            "order": rules.normalise_term(_pick(data, "order", 60)),
            "product": rules.normalise_term(_pick(data, "product", 60)),
            "grade": rules.normalise_term(_pick(data, "grade", 60)),
        }
        return rx.redirect(routes.with_query(routes.CERTIFICATES, **query))


# --------------------------------------------------------------------------- shipping documents


_TYPES = list(rules.DOC_TYPE_LABELS)
_DELIVERY = list(rules.DELIVERY_LABELS)


class DocumentsState(RegistryBase):
    rows: list[DocRow] = []
    f_number: str = ""
    f_exact: bool = False
    f_type: str = ""
    f_delivery: str = ""
    f_from: str = ""
    f_to: str = ""
    f_consignee: str = ""
    f_order: str = ""
    f_product: str = ""

    def _base(self) -> dict[str, str]:
        return {
            "number": self.f_number,
            "exact": "1" if self.f_exact else "",
            "type": self.f_type,
            "delivery": self.f_delivery,
            "org": "" if self.staff_all else self.f_org,
            "inn": self.f_inn if self.staff_all else "",
            "from": self.f_from,
            "to": self.f_to,
            "consignee": self.f_consignee,
            "order": self.f_order,
            "product": self.f_product,
        }

    def _filters(self) -> queries.DocFilters:
        return queries.DocFilters(
            number=self.f_number,
            exact=self.f_exact,
            doc_type=self.f_type,
            delivery_type=self.f_delivery,
            org=int(self.f_org) if self.f_org else (-1 if self.f_inn and self.staff_all else None),
            date_from=parse_date(self.f_from),
            date_to=parse_date(self.f_to),
            consignee=self.f_consignee,
            order=self.f_order,
            product_code=self.f_product,
        )

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
        self.f_number = rules.normalise_term(p.get("number"))
        self.f_exact = p.get("exact", "") == "1"
        kind = p.get("type", "")
        self.f_type = kind if kind in _TYPES else ""
        delivery = p.get("delivery", "")
        self.f_delivery = delivery if delivery in _DELIVERY else ""
        self.f_from = str(parse_date(p.get("from")) or "")
        self.f_to = str(parse_date(p.get("to")) or "")
        self.f_consignee = clip(p.get("consignee"), 100)
        self.f_order = rules.normalise_term(p.get("order"))
        self.f_product = rules.normalise_term(p.get("product"))
        after, before = page_params(p)
        with session_scope() as s:
            self._read_org(s, actor, p)
            try:
                page = queries.document_registry(
                    s, actor, self._filters(), after=after, before=before
                )
            except ValidationFailed:
                page = queries.document_registry(s, actor, self._filters())
        self.query_key = "|".join(self._base().values()) + f"|{after}|{before}"
        self.rows = page.rows
        self._hrefs(routes.DOCUMENTS, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        kind = _pick(data, "type")
        delivery = _pick(data, "delivery")
        query = {
            "number": rules.normalise_term(_pick(data, "number", 60)),
            "exact": "1" if _pick(data, "exact") in ("on", "true", "1", "exact") else "",
            "type": kind if kind in _TYPES else "",
            "delivery": delivery if delivery in _DELIVERY else "",
            **self._org_query(data),
            "from": str(parse_date(_pick(data, "from")) or ""),
            "to": str(parse_date(_pick(data, "to")) or ""),
            "consignee": _pick(data, "consignee"),
            "order": rules.normalise_term(_pick(data, "order", 60)),
            "product": rules.normalise_term(_pick(data, "product", 60)),
        }
        return rx.redirect(routes.with_query(routes.DOCUMENTS, **query))


# --------------------------------------------------------------------------- /trace (public)


class TraceState(SessionState):
    """The public page of a certificate's QR code: what the producer discloses, no login."""

    found: bool = False
    loaded: bool = False
    fields: list[PublicField] = []
    groups: list[PublicGroup] = []
    qr: str = ""

    @rx.event
    def load(self):
        self._show_identity(self._actor())
        code = str(self.router.url.query_parameters.get("c", "") or "")[:40]
        try:
            with session_scope() as s:
                view = queries.public_certificate(s, code)
        except DomainError:
            self.found, self.fields, self.groups, self.qr = False, [], [], ""
            self.loaded = True
            return
        self.found, self.fields, self.groups = True, view.fields, view.groups
        self.qr = pdf.qr_svg_data_uri(settings.public_url.rstrip("/") + routes.trace_url(view.code))
        self.loaded = True
