"""Reads of certificates and shipping documents over millions of rows, scoped by the caller's
organisations (ORDERS_VIEW / ORDERS_STAFF); and the public view of one certificate (QR page).

Search by number or batch is a range on (organisation_id, number|batch, id) and pages by that
order; without a search the registry pages by (date, id) descending. Never OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, or_, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.documents import rules
from cabinet.documents.rules import TermRange
from cabinet.errors import NotFound
from cabinet.finance import rules as fin
from cabinet.orders import rules as order_rules
from cabinet.orders.listing import CodecSortSpec, scoped
from cabinet.pagination import SortSpec, fetch_page
from models import Certificate, Order, Organisation, ShippingDocument, StoredFile

PERM = Perm.ORDERS_VIEW
PAGE_SIZE = 20
CERT_NOT_FOUND = "Сертификат не найден."
DOC_NOT_FOUND = "Документ не найден."


def scope(actor: Actor) -> frozenset[int] | None:
    return order_rules.org_scope(actor, PERM)


def _d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _apply_term(stmt: Any, column: Any, term: TermRange) -> Any:
    if term.exact is not None:
        return stmt.where(col(column) == term.exact)
    if term.low is not None:
        stmt = stmt.where(col(column) >= term.low)
        if term.high is not None:
            stmt = stmt.where(col(column) < term.high)
    return stmt


def _contains_any_case(column: Any, text: str) -> Any:
    """Substring match that also finds "Ромашка" for "ромашка" on SQLite and PostgreSQL
    (SQLite's lower() folds ASCII only): the typed text, lower, Capitalised and UPPER."""
    words = " ".join(text.split())[:100]
    variants = {words, words.lower(), words.capitalize(), words.upper(), words.title()}
    return or_(*[col(column).contains(v, autoescape=True) for v in sorted(variants)])


def _order_ids(session: Session, actor: Actor, number: str) -> list[int]:
    term = rules.normalise_term(number)
    if not term:
        return []
    stmt = scoped(select(Order.id).where(Order.number == term), Order.organisation_id, scope(actor))
    return [i for i in session.exec(stmt.limit(50)).all() if i is not None]


# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class CertFilters:
    number: str = ""
    batch: str = ""
    exact: bool = False
    org: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    consignee: str = ""
    order: str = ""  # order number
    product_code: str = ""
    grade: str = ""


_CERT_BY_DATE = CodecSortSpec("certs.date", Certificate.id, Certificate.issued_on, descending=True)
_CERT_BY_NUMBER = SortSpec("certs.number", Certificate.id, Certificate.number)
_CERT_BY_BATCH = SortSpec("certs.batch", Certificate.id, Certificate.batch)


@dataclass
class CertRow:
    id: int
    number: str
    batch: str
    heat: str
    product: str
    grade: str
    dimensions: str
    issued_on: str
    consignee: str
    order: str
    order_href: str
    organisation: str
    has_file: bool
    trace_href: str


@dataclass
class Page:
    rows: list[Any]
    next_after: str
    prev_before: str


def certificate_stmt(session: Session, actor: Actor, f: CertFilters) -> tuple[Any, SortSpec]:
    stmt = (
        select(Certificate, Order.number, Organisation.name)
        .join(Organisation, col(Organisation.id) == Certificate.organisation_id)
        .join(Order, col(Order.id) == Certificate.order_id, isouter=True)
    )
    stmt = scoped(stmt, Certificate.organisation_id, scope(actor), f.org)
    number = rules.term_range(f.number, exact=f.exact)
    batch = rules.term_range(f.batch, exact=f.exact)
    stmt = _apply_term(stmt, Certificate.number, number)
    stmt = _apply_term(stmt, Certificate.batch, batch)
    if f.date_from is not None:
        stmt = stmt.where(col(Certificate.issued_on) >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(col(Certificate.issued_on) <= f.date_to)
    if f.consignee.strip():
        stmt = stmt.where(_contains_any_case(Certificate.consignee, f.consignee))
    if f.order.strip():
        stmt = stmt.where(col(Certificate.order_id).in_(_order_ids(session, actor, f.order)))
    stmt = _apply_term(
        stmt, Certificate.product_code, rules.term_range(f.product_code, exact=False)
    )
    stmt = _apply_term(stmt, Certificate.grade, rules.term_range(f.grade, exact=False))
    # The search decides the order, so the range is read straight off its index.
    if not number.empty:
        spec = _CERT_BY_NUMBER
    elif not batch.empty:
        spec = _CERT_BY_BATCH
    else:
        spec = _CERT_BY_DATE
    return stmt, spec


def _cert_row(c: Certificate, order_no: str | None, org: str) -> CertRow:
    return CertRow(
        id=c.id or 0,
        number=c.number,
        batch=c.batch,
        heat=c.heat,
        product=c.product_name,
        grade=c.grade,
        dimensions=c.dimensions,
        issued_on=_d(c.issued_on),
        consignee=c.consignee,
        order=order_no or "",
        order_href=routes.order_url(c.order_id) if c.order_id else "",
        organisation=org,
        has_file=c.file_id is not None,
        trace_href=routes.trace_url(c.public_code),
    )


def certificate_registry(
    session: Session,
    actor: Actor,
    f: CertFilters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> Page:
    stmt, spec = certificate_stmt(session, actor, f)
    page = fetch_page(
        session,
        stmt,
        spec,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: spec.key_of(row[0]),
    )
    return Page(
        [_cert_row(c, o, org) for c, o, org in page.rows], page.next_after, page.prev_before
    )


def access_certificate(session: Session, actor: Actor, cert_id: object) -> Certificate:
    try:
        cid = int(str(cert_id))
    except (TypeError, ValueError):
        raise NotFound(CERT_NOT_FOUND) from None
    c = session.get(Certificate, cid) if 0 < cid < 2**31 else None
    if c is None or not order_rules.may_see(actor, c.organisation_id, PERM):
        raise NotFound(CERT_NOT_FOUND)
    return c


# --------------------------------------------------------------------------- shipping documents


@dataclass(frozen=True)
class DocFilters:
    number: str = ""
    exact: bool = False
    doc_type: str = ""
    delivery_type: str = ""
    org: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    consignee: str = ""
    order: str = ""
    product_code: str = ""


_DOC_BY_DATE = CodecSortSpec(
    "docs.date", ShippingDocument.id, ShippingDocument.doc_date, descending=True
)
_DOC_BY_NUMBER = SortSpec("docs.number", ShippingDocument.id, ShippingDocument.number)


@dataclass
class DocRow:
    id: int
    doc_type: str
    type_label: str
    number: str
    doc_date: str
    delivery: str
    consignee: str
    product_code: str
    amount: str
    order: str
    order_href: str
    organisation: str


def document_stmt(session: Session, actor: Actor, f: DocFilters) -> tuple[Any, SortSpec]:
    stmt = (
        select(ShippingDocument, Order.number, Organisation.name)
        .join(Organisation, col(Organisation.id) == ShippingDocument.organisation_id)
        .join(Order, col(Order.id) == ShippingDocument.order_id, isouter=True)
    )
    stmt = scoped(stmt, ShippingDocument.organisation_id, scope(actor), f.org)
    number = rules.term_range(f.number, exact=f.exact)
    stmt = _apply_term(stmt, ShippingDocument.number, number)
    if f.doc_type in rules.DOC_TYPE_LABELS:
        stmt = stmt.where(ShippingDocument.doc_type == f.doc_type)
    if f.delivery_type in rules.DELIVERY_LABELS:
        stmt = stmt.where(ShippingDocument.delivery_type == f.delivery_type)
    if f.date_from is not None:
        stmt = stmt.where(col(ShippingDocument.doc_date) >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(col(ShippingDocument.doc_date) <= f.date_to)
    if f.consignee.strip():
        stmt = stmt.where(_contains_any_case(ShippingDocument.consignee, f.consignee))
    if f.order.strip():
        stmt = stmt.where(col(ShippingDocument.order_id).in_(_order_ids(session, actor, f.order)))
    stmt = _apply_term(
        stmt, ShippingDocument.product_code, rules.term_range(f.product_code, exact=False)
    )
    return stmt, (_DOC_BY_DATE if number.empty else _DOC_BY_NUMBER)


def _doc_row(d: ShippingDocument, order_no: str | None, org: str) -> DocRow:
    return DocRow(
        id=d.id or 0,
        doc_type=d.doc_type,
        type_label=rules.DOC_TYPE_LABELS.get(d.doc_type, (d.doc_type, ""))[0],
        number=d.number,
        doc_date=_d(d.doc_date),
        delivery=rules.DELIVERY_LABELS.get(d.delivery_type, (d.delivery_type, ""))[0],
        consignee=d.consignee,
        product_code=d.product_code,
        amount=fin.fmt_money(d.amount, d.currency) if d.amount is not None else "",
        order=order_no or "",
        order_href=routes.order_url(d.order_id) if d.order_id else "",
        organisation=org,
    )


def document_registry(
    session: Session,
    actor: Actor,
    f: DocFilters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> Page:
    stmt, spec = document_stmt(session, actor, f)
    page = fetch_page(
        session,
        stmt,
        spec,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: spec.key_of(row[0]),
    )
    return Page([_doc_row(d, o, org) for d, o, org in page.rows], page.next_after, page.prev_before)


def access_document(session: Session, actor: Actor, doc_id: object) -> ShippingDocument:
    try:
        did = int(str(doc_id))
    except (TypeError, ValueError):
        raise NotFound(DOC_NOT_FOUND) from None
    d = session.get(ShippingDocument, did) if 0 < did < 2**31 else None
    if d is None or not order_rules.may_see(actor, d.organisation_id, PERM):
        raise NotFound(DOC_NOT_FOUND)
    return d


def stored_file(session: Session, file_id: int | None) -> StoredFile | None:
    return session.get(StoredFile, file_id) if file_id else None


# --------------------------------------------------------------------------- public QR page


@dataclass
class PublicField:
    label: str
    value: str


@dataclass
class PublicGroup:
    title: str
    rows: list[PublicField] = field(default_factory=list)


@dataclass
class PublicCertificate:
    code: str
    fields: list[PublicField]
    groups: list[PublicGroup]


def public_certificate(session: Session, code: str) -> PublicCertificate:
    """What the producer discloses about a certificate's batch; the code is the only key.
    Never the customer (organisation, consignee), the order or prices."""
    code = str(code or "").strip()[:32]
    if len(code) < 16 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise NotFound(CERT_NOT_FOUND)
    c = session.exec(select(Certificate).where(Certificate.public_code == code)).first()
    if c is None:
        raise NotFound(CERT_NOT_FOUND)
    values: dict[str, str] = {
        "product_name": c.product_name,
        "grade": c.grade,
        "dimensions": c.dimensions,
        "standard": c.standard,
        "batch": c.batch,
        "heat": c.heat,
        "issued_on": _d(c.issued_on),
        "number": c.number,
        "producer": c.producer,
    }
    return PublicCertificate(
        code=c.public_code,
        fields=[
            PublicField(rules.PUBLIC_FIELDS[k][0], values[k])
            for k in rules.disclosed_fields(c.disclosed)
            if values.get(k)
        ],
        groups=[
            PublicGroup(rules.PUBLIC_GROUPS[key][0], [PublicField(n, v) for n, v in pairs])
            for key, pairs in rules.disclosed_groups(c.disclosed)
        ],
    )


# --------------------------------------------------------------------------- downloads


@dataclass
class Download:
    filename: str
    content_type: str
    data: bytes


def _stored(session: Session, file_id: int | None, org_id: int) -> Download | None:
    """The ERP's original file, if one is attached and still on disk."""
    from cabinet.files.service import blob_path

    row = stored_file(session, file_id)
    if row is None or row.organisation_id not in (None, org_id):
        return None
    path = blob_path(row.storage_key)
    if not path.is_file():
        return None
    return Download(row.filename, row.content_type, path.read_bytes())


def certificate_download(session: Session, actor: Actor, cert_id: object) -> Download:
    """The certificate's PDF: the stored original, or one generated from its data."""
    from cabinet.documents import pdf
    from cabinet.settings import settings

    c = access_certificate(session, actor, cert_id)
    stored = _stored(session, c.file_id, c.organisation_id)
    if stored is not None:
        return stored
    org = session.get(Organisation, c.organisation_id)
    order = session.get(Order, c.order_id) if c.order_id else None
    quantity = f"{c.quantity.normalize():f} {c.unit}".replace(".", ",") if c.quantity else ""
    data = pdf.CertificateData(
        number=c.number,
        issued_on=_d(c.issued_on),
        producer=c.producer,
        product_name=c.product_name,
        product_code=c.product_code,
        grade=c.grade,
        dimensions=c.dimensions,
        standard=c.standard,
        batch=c.batch,
        heat=c.heat,
        quantity=quantity,
        consignee=c.consignee,
        customer=org.name if org else "",
        order=order.number if order else "",
        trace_url=settings.public_url.rstrip("/") + routes.trace_url(c.public_code),
        groups=[(rules.PUBLIC_GROUPS[k][0], v) for k, v in rules.disclosed_groups(c.disclosed)],
    )
    return Download(
        pdf.safe_filename("certificate", c.number), "application/pdf", pdf.certificate_pdf(data)
    )


def document_download(session: Session, actor: Actor, doc_id: object) -> Download:
    from cabinet.documents import pdf

    d = access_document(session, actor, doc_id)
    stored = _stored(session, d.file_id, d.organisation_id)
    if stored is not None:
        return stored
    org = session.get(Organisation, d.organisation_id)
    order = session.get(Order, d.order_id) if d.order_id else None
    data = pdf.DocumentData(
        title=rules.DOC_TYPE_LABELS.get(d.doc_type, (d.doc_type, ""))[0],
        number=d.number,
        doc_date=_d(d.doc_date),
        customer=org.name if org else "",
        consignee=d.consignee,
        delivery=rules.DELIVERY_LABELS.get(d.delivery_type, (d.delivery_type, ""))[0],
        order=order.number if order else "",
        product_code=d.product_code,
        amount=fin.fmt_money(d.amount, d.currency) if d.amount is not None else "",
    )
    return Download(
        pdf.safe_filename(d.doc_type, d.number), "application/pdf", pdf.document_pdf(data)
    )


def invoice_download(session: Session, actor: Actor, invoice_id: object) -> Download:
    """An invoice as PDF (stored original or generated), for whoever sees its organisation's
    orders or finance."""
    from cabinet.documents import pdf
    from models import Invoice

    try:
        iid = int(str(invoice_id))
    except (TypeError, ValueError):
        raise NotFound(DOC_NOT_FOUND) from None
    inv = session.get(Invoice, iid) if 0 < iid < 2**31 else None
    if inv is None or not (
        order_rules.may_see(actor, inv.organisation_id, PERM)
        or order_rules.may_see(actor, inv.organisation_id, Perm.FINANCE_VIEW)
    ):
        raise NotFound(DOC_NOT_FOUND)
    stored = _stored(session, inv.file_id, inv.organisation_id)
    if stored is not None:
        return stored
    org = session.get(Organisation, inv.organisation_id)
    order = session.get(Order, inv.order_id) if inv.order_id else None
    data = pdf.DocumentData(
        title="Счёт на оплату",
        number=inv.number,
        doc_date=_d(inv.issued_on),
        customer=org.name if org else "",
        consignee="",
        delivery="",
        due=_d(inv.due_on),
        order=order.number if order else "",
        product_code="",
        amount=fin.fmt_money(inv.amount, inv.currency),
    )
    return Download(
        pdf.safe_filename("invoice", inv.number), "application/pdf", pdf.document_pdf(data)
    )
