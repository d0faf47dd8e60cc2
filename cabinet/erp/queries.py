"""Reads of the ERP module: the sync page (runs, watermarks, skipped rows, outbound queue),
the API tokens page, and the integration API's organisation-scoped reads.

The API reads take an organisation id that `service.use_token` resolved from the token, never
one from the request: every query filters on it, so a token sees its organisation only and a
foreign id answers "not found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound
from cabinet.pagination import Page, SortSpec, fetch_page
from cabinet.settings import Settings, settings
from models.documents import Certificate, ShippingDocument
from models.erp import ApiToken, ErpWatermark, SyncIssue, SyncLease, SyncRun
from models.orders import ChangeStatus, Order, OrderChangeRequest, OrderLine
from models.organisations import Organisation

API_MAX_LIMIT = 200
RUNS_SORT = SortSpec("erp_runs", SyncRun.id, descending=True)


# -- the sync page ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RunRow:
    id: int
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_in: int
    rows_updated: int
    rows_failed: int
    duration_ms: int
    lag_seconds: int | None
    last_error: str


@dataclass(frozen=True)
class WatermarkRow:
    entity: str
    rows_total: int
    last_updated_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class IssueRow:
    id: int
    run_id: int
    entity: str
    erp_id: str
    error: str
    created_at: datetime


@dataclass
class SyncOverview:
    configured: bool
    erp_url: str
    interval_seconds: int
    running_since: datetime | None = None
    requested_at: datetime | None = None
    last: RunRow | None = None
    watermarks: list[WatermarkRow] = field(default_factory=list)
    issues: list[IssueRow] = field(default_factory=list)
    outbound: dict[str, int] = field(default_factory=dict)
    outbound_errors: list[tuple[int, int, str]] = field(default_factory=list)  # id, tries, err


def _run_row(r: SyncRun) -> RunRow:
    assert r.id is not None
    return RunRow(
        id=r.id,
        trigger=r.trigger,
        status=r.status,
        started_at=r.started_at,
        finished_at=r.finished_at,
        rows_in=r.rows_in,
        rows_updated=r.rows_updated,
        rows_failed=r.rows_failed,
        duration_ms=r.duration_ms,
        lag_seconds=r.lag_seconds,
        last_error=r.last_error,
    )


def sync_overview(
    session: Session, *, actor_id: int, config: Settings | None = None
) -> SyncOverview:
    require(load_actor(session, actor_id), Perm.ERP_SYNC_MANAGE)
    config = config or settings
    view = SyncOverview(
        configured=bool(config.erp_url and config.erp_worker_enabled),
        erp_url=config.erp_url,
        interval_seconds=config.erp_sync_interval,
    )
    lease = session.get(SyncLease, "sync")
    if lease is not None:
        view.requested_at = lease.requested_at
    running = session.exec(
        select(SyncRun).where(SyncRun.status == "running").order_by(col(SyncRun.id).desc())
    ).first()
    view.running_since = running.started_at if running else None
    last = session.exec(
        select(SyncRun).where(SyncRun.status != "running").order_by(col(SyncRun.id).desc())
    ).first()
    view.last = _run_row(last) if last else None
    view.watermarks = [
        WatermarkRow(w.entity, w.rows_total, w.last_updated_at, w.updated_at)
        for w in session.exec(select(ErpWatermark)).all()
    ]
    view.issues = [
        IssueRow(i.id or 0, i.run_id, i.entity, i.erp_id, i.error, i.created_at)
        for i in session.exec(select(SyncIssue).order_by(col(SyncIssue.id).desc()).limit(20)).all()
    ]
    R = OrderChangeRequest  # noqa: N806
    view.outbound = dict(
        session.exec(select(R.status, sa.func.count()).group_by(col(R.status))).all()
    )
    view.outbound_errors = [
        (r.id or 0, r.attempts, r.last_error)
        for r in session.exec(
            select(R)
            .where(
                col(R.status).in_([ChangeStatus.PENDING, ChangeStatus.FAILED]), R.last_error != ""
            )
            .order_by(col(R.id).desc())
            .limit(10)
        ).all()
    ]
    return view


def list_runs(
    session: Session, *, actor_id: int, after: str = "", before: str = "", limit: int = 20
) -> Page[RunRow]:
    require(load_actor(session, actor_id), Perm.ERP_SYNC_MANAGE)
    page = fetch_page(
        session, select(SyncRun), RUNS_SORT, after=after, before=before, limit=limit, scalars=True
    )
    return Page(
        rows=[_run_row(r) for r in page.rows],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


# -- API tokens page --------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgChoice:
    id: int
    name: str


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def token_orgs(session: Session, *, actor_id: int) -> list[OrgChoice]:
    """Organisations whose API tokens the actor manages."""
    actor = load_actor(session, actor_id)
    ids = sorted(o for o, perms in actor.org_perms.items() if Perm.API_TOKENS_MANAGE in perms)
    if not ids:
        return []
    orgs = session.exec(
        select(Organisation).where(col(Organisation.id).in_(ids)).order_by(Organisation.name)
    ).all()
    return [OrgChoice(o.id or 0, o.name) for o in orgs]


def list_tokens(session: Session, *, actor_id: int, organisation_id: int) -> list[TokenRow]:
    actor = load_actor(session, actor_id)
    if not actor.has(Perm.API_TOKENS_MANAGE, organisation_id):
        raise NotFound()
    tokens = session.exec(
        select(ApiToken)
        .where(ApiToken.organisation_id == organisation_id)
        .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.id).desc())
        .limit(100)
    ).all()
    return [
        TokenRow(t.id or 0, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at)
        for t in tokens
    ]


# -- integration API reads --------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


ORDER_FIELDS = [
    "id",
    "number",
    "status",
    "pending_request",
    "route_from",
    "route_to",
    "consignee",
    "product_summary",
    "amount",
    "currency",
    "planned_production_on",
    "planned_shipment_on",
    "planned_delivery_on",
    "location",
    "location_at",
    "created_at",
    "erp_updated_at",
]
LINE_FIELDS = [
    "position",
    "product_code",
    "product_name",
    "grade",
    "dimensions",
    "standard",
    "quantity",
    "unit",
    "price",
    "amount",
]
DOC_FIELDS = [
    "id",
    "doc_type",
    "number",
    "doc_date",
    "delivery_type",
    "consignee",
    "product_code",
    "amount",
    "currency",
]
CERT_FIELDS = [
    "id",
    "number",
    "batch",
    "heat",
    "product_code",
    "product_name",
    "grade",
    "dimensions",
    "standard",
    "quantity",
    "unit",
    "issued_on",
    "consignee",
    "producer",
]


def _dict(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def clamp(limit: int) -> int:
    return min(max(limit, 1), API_MAX_LIMIT)


def api_orders(
    session: Session, *, organisation_id: int, status: str = "", after_id: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], int | None]:
    """Newest first by id; the next page starts after the last id (keyset)."""
    limit = clamp(limit)
    query = select(Order).where(Order.organisation_id == organisation_id)
    if status:
        query = query.where(Order.status == status)
    if after_id:
        query = query.where(col(Order.id) < after_id)
    rows = session.exec(query.order_by(col(Order.id).desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_dict(o, ORDER_FIELDS) for o in rows], (rows[-1].id if more and rows else None)


def api_order(session: Session, *, organisation_id: int, order_id: int) -> dict[str, Any]:
    order = session.get(Order, order_id)
    if order is None or order.organisation_id != organisation_id:
        raise NotFound("Заказ не найден.")
    out = _dict(order, ORDER_FIELDS)
    out["lines"] = [
        _dict(line, LINE_FIELDS)
        for line in session.exec(
            select(OrderLine)
            .where(OrderLine.order_id == order_id, OrderLine.organisation_id == organisation_id)
            .order_by(col(OrderLine.position))
        ).all()
    ]
    out["documents"] = [
        _dict(d, DOC_FIELDS)
        for d in session.exec(
            select(ShippingDocument)
            .where(
                ShippingDocument.order_id == order_id,
                ShippingDocument.organisation_id == organisation_id,
            )
            .limit(200)
        ).all()
    ]
    return out


def normalise(term: str) -> str:
    return "".join(term.split()).upper()[:40]


def _term(column: Any, term: str, *, prefix: bool) -> Any:
    """Exact match, or the half-open range [term, term with its last character + 1): a prefix
    search on the (organisation_id, column) index without LIKE."""
    if not prefix:
        return column == term
    high = term[:-1] + chr(ord(term[-1]) + 1)
    return sa.and_(column >= term, column < high)


def api_documents(
    session: Session,
    *,
    organisation_id: int,
    number: str = "",
    prefix: bool = False,
    after_id: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int | None]:
    limit = clamp(limit)
    D = ShippingDocument  # noqa: N806
    query = select(D).where(D.organisation_id == organisation_id)
    term = normalise(number)
    if term:
        query = query.where(_term(D.number, term, prefix=prefix))
    if after_id:
        query = query.where(col(D.id) < after_id)
    rows = session.exec(query.order_by(col(D.id).desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_dict(d, DOC_FIELDS) for d in rows], (rows[-1].id if more and rows else None)


def api_certificates(
    session: Session,
    *,
    organisation_id: int,
    number: str = "",
    batch: str = "",
    prefix: bool = False,
    after_id: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int | None]:
    limit = clamp(limit)
    C = Certificate  # noqa: N806
    query = select(C).where(C.organisation_id == organisation_id)
    if term := normalise(number):
        query = query.where(_term(C.number, term, prefix=prefix))
    if term := normalise(batch):
        query = query.where(_term(C.batch, term, prefix=prefix))
    if after_id:
        query = query.where(col(C.id) < after_id)
    rows = session.exec(query.order_by(col(C.id).desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_dict(c, CERT_FIELDS) for c in rows], (rows[-1].id if more and rows else None)


def api_certificate(session: Session, *, organisation_id: int, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None or cert.organisation_id != organisation_id:
        raise NotFound("Сертификат не найден.")
    return cert
