"""Operator admin reads: keyset-paged, scoped lists and detail views as plain dicts of strings.

Every function takes the resolved Actor and requires Perm.TELECOM_VIEW itself. Staff whose
organisation scope is limited (visible_org_ids() not None) see stock SIM cards and only their
organisations' contracts, SIM cards, payments and requests. Lists never use OFFSET.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from cabinet.access.rules import PERMISSION_LABELS, Actor, Perm, is_org_scoped
from cabinet.access.service import require, require_org_visible
from cabinet.errors import NotFound
from cabinet.formatting import fmt_dt
from cabinet.pagination import DEFAULT_LIMIT, Page, SortSpec, fetch_page
from cabinet.telecom import admin_rules as ar
from cabinet.telecom import csv_import
from cabinet.telecom.rules import (
    BLOCK_REASONS,
    PAYMENT_KIND_LABELS,
    PAYMENT_STATUS_COLORS,
    PAYMENT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    SIM_STATUS_COLORS,
    SIM_STATUS_LABELS,
    format_msisdn,
    format_rub,
)
from models import Organisation, Role, RolePermission, User, UserRole
from models.telecom import (
    ActivationRequest,
    BlockRequest,
    ContractStatus,
    Partner,
    Payment,
    PaymentKind,
    PaymentStatus,
    RequestStatus,
    SimBlockEvent,
    SimCard,
    SimStatus,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
)
from models.telecom_admin import ImportJob, ImportMode, ImportStatus

SIMS_SPEC = SortSpec("telecom.admin.sims", id=SimCard.id, descending=True)
CONTRACTS_SPEC = SortSpec("telecom.admin.contracts", id=TelecomContract.id, descending=True)
PARTNERS_SPEC = SortSpec("telecom.admin.partners", id=Partner.id, key=Partner.name)
PAYMENTS_SPEC = SortSpec(
    "telecom.admin.payments", id=Payment.id, key=Payment.created_at, descending=True
)
BLOCKS_SPEC = SortSpec(
    "telecom.admin.blocks", id=SimBlockEvent.id, key=SimBlockEvent.blocked_at, descending=True
)
REQUEST_MODELS: dict[str, Any] = {
    "activation": ActivationRequest,
    "tariff": TariffChangeRequest,
    "block": BlockRequest,
}
EXPORT_MAX = 200_000

CONTRACT_STATUS_LABELS: dict[str, tuple[str, str]] = {
    ContractStatus.ACTIVE: ("Действует", "Active"),
    ContractStatus.SUSPENDED: ("Приостановлен", "Suspended"),
    ContractStatus.TERMINATED: ("Расторгнут", "Terminated"),
}
IMPORT_STATUS_LABELS: dict[str, tuple[str, str, str]] = {
    ImportStatus.CHECKING: ("Проверяется", "Checking", "amber"),
    ImportStatus.READY: ("Готов к импорту", "Ready", "blue"),
    ImportStatus.INVALID: ("Есть ошибки", "Has errors", "red"),
    ImportStatus.IMPORTING: ("Импортируется", "Importing", "amber"),
    ImportStatus.DONE: ("Импортирован", "Imported", "green"),
    ImportStatus.FAILED: ("Не импортирован", "Failed", "red"),
    ImportStatus.CANCELLED: ("Отменён", "Cancelled", "gray"),
}


IMPORT_MODE_LABELS: dict[str, tuple[str, str]] = {
    ImportMode.CREATE: ("Добавление", "Add"),
    ImportMode.UPDATE: ("Изменение", "Change"),
    ImportMode.DELETE: ("Удаление", "Delete"),
}


def _view(actor: Actor) -> Actor:
    return require(actor, Perm.TELECOM_VIEW)


def _like(part: str) -> str:
    return "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _sim_status(status: str) -> dict[str, str]:
    ru, en = SIM_STATUS_LABELS.get(status, (status, status))
    return {
        "status": status,
        "status_ru": ru,
        "status_en": en,
        "status_color": SIM_STATUS_COLORS.get(status, "gray"),
    }


def _req_status(status: str) -> dict[str, str]:
    ru, en = REQUEST_STATUS_LABELS.get(status, (status, status))
    color = {"pending": "amber", "approved": "green", "rejected": "red"}.get(status, "gray")
    return {"status": status, "status_ru": ru, "status_en": en, "status_color": color}


# -- options --------------------------------------------------------------------------------


def partner_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    _view(actor)
    rows = session.exec(select(Partner.id, Partner.name).order_by(Partner.name).limit(500)).all()
    return [{"value": str(i), "label": n} for i, n in rows]


def tariff_options(
    session: Session, actor: Actor, *, active_only: bool = False
) -> list[dict[str, str]]:
    _view(actor)
    stmt = select(Tariff.id, Tariff.name, Tariff.status).order_by(Tariff.sort_order, Tariff.name)
    if active_only:
        stmt = stmt.where(Tariff.status == "active")
    return [
        {"value": str(i), "label": n + (" (архив)" if s != "active" else "")}
        for i, n, s in session.exec(stmt.limit(500)).all()
    ]


# -- SIM cards ------------------------------------------------------------------------------


def _sims_stmt(
    actor: Actor,
    *,
    status: str = "",
    partner_id: int | None = None,
    tariff_id: int | None = None,
    q: str = "",
    contract_id: int | None = None,
) -> Any:
    stmt = (
        select(
            SimCard.id,
            SimCard.iccid,
            SimCard.msisdn,
            SimCard.status,
            SimCard.balance_kopecks,
            SimCard.label,
            SimCard.contract_id,
            Tariff.name.label("tariff"),  # type: ignore[attr-defined]
            Partner.name.label("partner"),  # type: ignore[attr-defined]
            TelecomContract.number.label("contract"),  # type: ignore[attr-defined]
            Organisation.name.label("org"),  # type: ignore[attr-defined]
        )
        .select_from(SimCard)
        .join(Tariff, col(Tariff.id) == SimCard.tariff_id, isouter=True)
        .join(Partner, col(Partner.id) == SimCard.partner_id, isouter=True)
        .join(TelecomContract, col(TelecomContract.id) == SimCard.contract_id, isouter=True)
        .join(Organisation, col(Organisation.id) == TelecomContract.organisation_id, isouter=True)
    )
    visible = actor.visible_org_ids()
    if visible is not None:
        stmt = stmt.where(
            sa.or_(
                col(SimCard.contract_id).is_(None),
                col(TelecomContract.organisation_id).in_(sorted(visible)),
            )
        )
    if status:
        stmt = stmt.where(SimCard.status == status)
    if partner_id is not None:
        stmt = stmt.where(SimCard.partner_id == partner_id)
    if tariff_id is not None:
        stmt = stmt.where(SimCard.tariff_id == tariff_id)
    if contract_id is not None:
        stmt = stmt.where(SimCard.contract_id == contract_id)
    q = (q or "").strip()
    if q:
        digits = re.sub(r"[\s\-()]", "", q)
        iccid, _ = csv_import.check_iccid(digits) if digits.isdigit() else ("", "")
        number, _ = csv_import.check_msisdn(q) if len(digits) >= 10 else ("", "")
        if iccid:
            stmt = stmt.where(SimCard.iccid == iccid)
        elif number:
            stmt = stmt.where(SimCard.msisdn == number)
        else:
            stmt = stmt.where(col(SimCard.search_text).like(_like(q.lower()), escape="\\"))
    return stmt


def _sim_row(r: Any) -> dict[str, str]:
    return {
        "id": str(r.id),
        "iccid": r.iccid,
        "msisdn": format_msisdn(r.msisdn),
        **_sim_status(r.status),
        "balance": format_rub(r.balance_kopecks),
        "label": r.label or "",
        "tariff": r.tariff or "—",
        "partner": r.partner or "—",
        "contract": r.contract or "",
        "contract_id": str(r.contract_id or ""),
        "org": r.org or "",
        "holder": f"{r.org} · {r.contract}" if r.contract else "склад",
    }


def list_sims(
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    partner_id: int | None = None,
    tariff_id: int | None = None,
    q: str = "",
    contract_id: int | None = None,
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    _view(actor)
    stmt = _sims_stmt(
        actor,
        status=status,
        partner_id=partner_id,
        tariff_id=tariff_id,
        q=q,
        contract_id=contract_id,
    )
    page = fetch_page(session, stmt, SIMS_SPEC, after=after, before=before, limit=limit)
    return Page(
        rows=[_sim_row(r) for r in page.rows],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


def export_sims(
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    partner_id: int | None = None,
    tariff_id: int | None = None,
    q: str = "",
) -> bytes:
    """The filtered registry as CSV in the import format (reads back)."""
    _view(actor)
    stmt = _sims_stmt(actor, status=status, partner_id=partner_id, tariff_id=tariff_id, q=q)

    def rows() -> Iterator[dict[str, str]]:
        for r in session.execute(stmt.order_by(col(SimCard.id)).limit(EXPORT_MAX)):
            yield {
                "iccid": r.iccid,
                "msisdn": r.msisdn,
                "tariff": r.tariff or "",
                "partner": r.partner or "",
                "status": r.status,
            }

    return csv_import.export_sim_csv(rows())


def sim_detail(session: Session, actor: Actor, sim_id: int) -> dict[str, Any]:
    _view(actor)
    rows = session.execute(_sims_stmt(actor).where(SimCard.id == sim_id)).all()
    if not rows:
        raise NotFound("Сим-карта не найдена.")
    sim = session.get(SimCard, sim_id)
    assert sim is not None
    data: dict[str, Any] = _sim_row(rows[0])
    data.update(
        {
            "iccid_raw": sim.iccid,
            "msisdn_raw": sim.msisdn,
            "tariff_id": str(sim.tariff_id or ""),
            "partner_id": str(sim.partner_id or ""),
            "activated_at": fmt_dt(sim.activated_at),
            "blocked_at": fmt_dt(sim.blocked_at),
            "block_reason": sim.block_reason,
            "created_at": fmt_dt(sim.created_at),
        }
    )
    payments = int(session.exec(select(func.count()).where(Payment.sim_id == sim_id)).one())
    data["payments"] = str(payments)
    data["delete_refusal"] = ar.sim_delete_refusal(
        contract_id=sim.contract_id, status=sim.status, payments=payments
    )
    data["history"] = block_history(session, actor, sim_id)
    return data


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return dict(
        session.exec(select(User.id, User.full_name).where(col(User.id).in_(wanted))).all()  # type: ignore[arg-type]
    )


def block_history(session: Session, actor: Actor, sim_id: int) -> list[dict[str, str]]:
    _view(actor)
    events = session.exec(
        select(SimBlockEvent)
        .where(SimBlockEvent.sim_id == sim_id)
        .order_by(col(SimBlockEvent.blocked_at).desc(), col(SimBlockEvent.id).desc())
        .limit(100)
    ).all()
    names = _user_names(
        session, {e.blocked_by_id for e in events} | {e.unblocked_by_id for e in events}
    )
    return [
        {
            "id": str(e.id),
            "blocked_at": fmt_dt(e.blocked_at),
            "reason": e.reason,
            "blocked_by": names.get(e.blocked_by_id or 0, "—"),
            "unblocked_at": fmt_dt(e.unblocked_at) or "—",
            "unblocked_by": names.get(e.unblocked_by_id or 0, ""),
            "unblock_comment": e.unblock_comment,
        }
        for e in events
    ]


# -- blocking -------------------------------------------------------------------------------


def list_blocks(
    session: Session,
    actor: Actor,
    *,
    current: bool = True,
    after: str = "",
    before: str = "",
) -> Page[dict[str, str]]:
    """Blocks by date, newest first: current ones (not lifted) or the whole history."""
    _view(actor)
    stmt = (
        select(
            SimBlockEvent.id,
            SimBlockEvent.sim_id,
            SimBlockEvent.blocked_at,
            SimBlockEvent.reason,
            SimBlockEvent.blocked_by_id,
            SimBlockEvent.unblocked_at,
            SimBlockEvent.unblock_comment,
            SimCard.msisdn,
            SimCard.iccid,
            Organisation.name.label("org"),  # type: ignore[attr-defined]
        )
        .select_from(SimBlockEvent)
        .join(SimCard, col(SimCard.id) == SimBlockEvent.sim_id)
        .join(TelecomContract, col(TelecomContract.id) == SimCard.contract_id, isouter=True)
        .join(Organisation, col(Organisation.id) == TelecomContract.organisation_id, isouter=True)
    )
    visible = actor.visible_org_ids()
    if visible is not None:
        stmt = stmt.where(
            sa.or_(
                col(SimCard.contract_id).is_(None),
                col(TelecomContract.organisation_id).in_(sorted(visible)),
            )
        )
    if current:
        stmt = stmt.where(col(SimBlockEvent.unblocked_at).is_(None))
    page = fetch_page(session, stmt, BLOCKS_SPEC, after=after, before=before)
    names = _user_names(session, {r.blocked_by_id for r in page.rows})
    return Page(
        rows=[
            {
                "id": str(r.id),
                "sim_id": str(r.sim_id),
                "msisdn": format_msisdn(r.msisdn),
                "iccid": r.iccid,
                "org": r.org or "склад",
                "blocked_at": fmt_dt(r.blocked_at),
                "reason": r.reason,
                "blocked_by": names.get(r.blocked_by_id or 0, "—"),
                "unblocked_at": fmt_dt(r.unblocked_at),
                "current": "1" if r.unblocked_at is None else "",
            }
            for r in page.rows
        ],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


# -- subscribers ----------------------------------------------------------------------------


def list_contracts(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    status: str = "",
    after: str = "",
    before: str = "",
) -> Page[dict[str, str]]:
    _view(actor)
    sims = (
        select(func.count())
        .where(SimCard.contract_id == TelecomContract.id)
        .correlate(TelecomContract)
        .scalar_subquery()
    )
    stmt = (
        select(
            TelecomContract.id,
            TelecomContract.number,
            TelecomContract.status,
            TelecomContract.signed_on,
            Organisation.name.label("org"),  # type: ignore[attr-defined]
            Organisation.inn,
            Partner.name.label("partner"),  # type: ignore[attr-defined]
            sims.label("sims"),
        )
        .select_from(TelecomContract)
        .join(Organisation, col(Organisation.id) == TelecomContract.organisation_id)
        .join(Partner, col(Partner.id) == TelecomContract.partner_id, isouter=True)
    )
    visible = actor.visible_org_ids()
    if visible is not None:
        stmt = stmt.where(col(TelecomContract.organisation_id).in_(sorted(visible)))
    if status:
        stmt = stmt.where(TelecomContract.status == status)
    q = (q or "").strip()
    if q:
        digits = re.sub(r"\D", "", q)
        conds = [
            TelecomContract.number == q,
            col(Organisation.name).ilike(_like(q), escape="\\"),
        ]
        if digits and len(digits) in (10, 12):
            conds.append(Organisation.inn == digits)
        number, _ = csv_import.check_msisdn(q) if len(digits) >= 10 else ("", "")
        if number:
            conds.append(
                col(TelecomContract.id).in_(
                    select(SimCard.contract_id).where(SimCard.msisdn == number)
                )
            )
        stmt = stmt.where(sa.or_(*conds))
    page = fetch_page(session, stmt, CONTRACTS_SPEC, after=after, before=before)
    rows = []
    for r in page.rows:
        ru, en = CONTRACT_STATUS_LABELS.get(r.status, (r.status, r.status))
        rows.append(
            {
                "id": str(r.id),
                "number": r.number,
                "org": r.org,
                "inn": r.inn or "",
                "partner": r.partner or "—",
                "sims": str(r.sims),
                "signed_on": r.signed_on.strftime("%d.%m.%Y") if r.signed_on else "",
                "status": r.status,
                "status_ru": ru,
                "status_en": en,
                "status_color": "green" if r.status == ContractStatus.ACTIVE else "gray",
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def contract_detail(session: Session, actor: Actor, contract_id: int) -> dict[str, Any]:
    _view(actor)
    contract = session.get(TelecomContract, contract_id)
    if contract is None:
        raise NotFound("Договор не найден.")
    require_org_visible(actor, contract.organisation_id)
    org = session.get(Organisation, contract.organisation_id)
    partner = session.get(Partner, contract.partner_id) if contract.partner_id else None
    sims = session.execute(
        _sims_stmt(actor, contract_id=contract_id).order_by(col(SimCard.id)).limit(500)
    ).all()
    ru, en = CONTRACT_STATUS_LABELS.get(contract.status, (contract.status, contract.status))
    paid = session.exec(
        select(func.coalesce(func.sum(Payment.amount_kopecks), 0)).where(
            Payment.contract_id == contract_id,
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.kind != PaymentKind.REFUND,
        )
    ).one()
    return {
        "id": str(contract.id),
        "number": contract.number,
        "status": contract.status,
        "status_ru": ru,
        "status_en": en,
        "signed_on": contract.signed_on.strftime("%d.%m.%Y") if contract.signed_on else "",
        "org": org.name if org else "",
        "org_id": str(contract.organisation_id),
        "inn": org.inn if org else "",
        "partner": partner.name if partner else "—",
        "partner_id": str(contract.partner_id or ""),
        "paid": format_rub(int(paid or 0)),
        "sims": [_sim_row(r) for r in sims],
    }


# -- partners -------------------------------------------------------------------------------


def _paid_sum(
    session: Session, partner_id: int, start: datetime | None = None, end: datetime | None = None
) -> int:
    """Succeeded payments (top-ups and auto-payments) for the partner's SIM cards, in kopecks.

    Runs on ix_telecom_payments_partner_profit (partner_id, status, created_at, amount, kind):
    an index-only range of the partner's succeeded payments in the period; a payment counts on
    the day it was made."""
    stmt = select(func.coalesce(func.sum(Payment.amount_kopecks), 0)).where(
        Payment.partner_id == partner_id,
        Payment.status == PaymentStatus.SUCCEEDED,
        Payment.kind != PaymentKind.REFUND,
    )
    if start is not None:
        stmt = stmt.where(Payment.created_at >= start)
    if end is not None:
        stmt = stmt.where(Payment.created_at < end)
    # SQLite without ANALYZE statistics prefers the (status, created_at) index, which reads
    # every partner's payments of the period; the partner's own range is far smaller.
    stmt = stmt.with_hint(
        Payment,  # type: ignore[arg-type]
        "INDEXED BY ix_telecom_payments_partner_profit",
        dialect_name="sqlite",
    )
    return int(session.exec(stmt).one() or 0)


def partner_profit(
    session: Session,
    actor: Actor,
    partner_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[int, int]:
    """(paid kopecks, partner's profit kopecks) for [start, end)."""
    _view(actor)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("Партнёр не найден.")
    paid = _paid_sum(session, partner_id, start, end)
    return paid, ar.partner_profit_kopecks(paid, partner.profit_share_percent)


def list_partners(
    session: Session, actor: Actor, *, q: str = "", after: str = "", before: str = ""
) -> Page[dict[str, str]]:
    _view(actor)
    sims = (
        select(func.count())
        .where(SimCard.partner_id == Partner.id)
        .correlate(Partner)
        .scalar_subquery()
    )
    subscribers = (
        select(func.count(sa.distinct(TelecomContract.organisation_id)))
        .select_from(SimCard)
        .join(TelecomContract, col(TelecomContract.id) == SimCard.contract_id)
        .where(SimCard.partner_id == Partner.id)
        .correlate(Partner)
        .scalar_subquery()
    )
    stmt = select(
        Partner.id,
        Partner.name,
        Partner.inn,
        Partner.profit_share_percent,
        Partner.is_active,
        Partner.contact_name,
        Partner.contact_phone,
        sims.label("sims"),
        subscribers.label("subscribers"),
    )
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            sa.or_(col(Partner.name).ilike(_like(q), escape="\\"), Partner.inn == q.strip())
        )
    page = fetch_page(session, stmt, PARTNERS_SPEC, after=after, before=before)
    return Page(
        rows=[
            {
                "id": str(r.id),
                "name": r.name,
                "inn": r.inn or "",
                "share": f"{r.profit_share_percent}".replace(".", ",") + " %",
                "active": "1" if r.is_active else "",
                "contact": " · ".join(x for x in (r.contact_name, r.contact_phone) if x),
                "sims": str(r.sims),
                "subscribers": str(r.subscribers),
            }
            for r in page.rows
        ],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


def partner_detail(
    session: Session,
    actor: Actor,
    partner_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """The partner's card and statistics: SIM cards by status, subscribers, total profit and
    the profit for [start, end)."""
    _view(actor)
    p = session.get(Partner, partner_id)
    if p is None:
        raise NotFound("Партнёр не найден.")
    by_status = dict(
        session.exec(
            select(SimCard.status, func.count())
            .where(SimCard.partner_id == partner_id)
            .group_by(SimCard.status)
        ).all()
    )
    subscribers = session.exec(
        select(func.count(sa.distinct(TelecomContract.organisation_id)))
        .select_from(SimCard)
        .join(TelecomContract, col(TelecomContract.id) == SimCard.contract_id)
        .where(SimCard.partner_id == partner_id)
    ).one()
    total_paid = _paid_sum(session, partner_id)
    has_period = start is not None or end is not None
    period_paid = _paid_sum(session, partner_id, start, end) if has_period else 0
    share = p.profit_share_percent
    counts = {s.value: int(by_status.get(s.value, 0)) for s in SimStatus}
    used = {
        "sims": sum(counts.values()),
        "contracts": int(
            session.exec(select(func.count()).where(TelecomContract.partner_id == partner_id)).one()
        ),
        "payments": int(
            session.exec(
                select(func.count()).where(Payment.partner_id == partner_id).limit(1)
            ).one()
        ),
        "requests": int(
            session.exec(
                select(func.count()).where(ActivationRequest.partner_id == partner_id)
            ).one()
        ),
    }
    return {
        "id": str(p.id),
        "name": p.name,
        "inn": p.inn,
        "contact_name": p.contact_name,
        "contact_email": p.contact_email,
        "contact_phone": p.contact_phone,
        "share": f"{share}".replace(".", ","),
        "note": p.note,
        "active": "1" if p.is_active else "",
        "sims_total": str(used["sims"]),
        "sims_active": str(counts[SimStatus.ACTIVE]),
        "sims_inactive": str(counts[SimStatus.INACTIVE]),
        "sims_blocked": str(counts[SimStatus.BLOCKED]),
        "subscribers": str(subscribers),
        "total_paid": format_rub(total_paid),
        "total_profit": format_rub(ar.partner_profit_kopecks(total_paid, share)),
        "period_paid": format_rub(period_paid) if has_period else "",
        "period_profit": format_rub(ar.partner_profit_kopecks(period_paid, share))
        if has_period
        else "",
        "delete_refusal": ar.partner_delete_refusal(**used),
    }


# -- payments -------------------------------------------------------------------------------


def list_payments(
    session: Session,
    actor: Actor,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
    status: str = "",
    partner_id: int | None = None,
    subscriber: str = "",
    after: str = "",
    before: str = "",
) -> Page[dict[str, str]]:
    """Payments, newest first, on ix_telecom_payments_created_id (created_at, id)."""
    _view(actor)
    stmt = (
        select(
            Payment.id,
            Payment.created_at,
            Payment.kind,
            Payment.amount_kopecks,
            Payment.status,
            Payment.decline_reason,
            Payment.provider_payment_id,
            SimCard.msisdn,
            Organisation.name.label("org"),  # type: ignore[attr-defined]
            Partner.name.label("partner"),  # type: ignore[attr-defined]
        )
        .select_from(Payment)
        .join(SimCard, col(SimCard.id) == Payment.sim_id)
        .join(Organisation, col(Organisation.id) == Payment.organisation_id, isouter=True)
        .join(Partner, col(Partner.id) == Payment.partner_id, isouter=True)
    )
    visible = actor.visible_org_ids()
    if visible is not None:
        stmt = stmt.where(col(Payment.organisation_id).in_(sorted(visible)))
    if start is not None:
        stmt = stmt.where(Payment.created_at >= start)
    if end is not None:
        stmt = stmt.where(Payment.created_at < end)
    if amount_min is not None:
        stmt = stmt.where(Payment.amount_kopecks >= amount_min)
    if amount_max is not None:
        stmt = stmt.where(Payment.amount_kopecks <= amount_max)
    if status:
        stmt = stmt.where(Payment.status == status)
    if partner_id is not None:
        stmt = stmt.where(Payment.partner_id == partner_id)
    subscriber = (subscriber or "").strip()
    if subscriber:
        digits = re.sub(r"\D", "", subscriber)
        number, _ = csv_import.check_msisdn(subscriber) if len(digits) >= 10 else ("", "")
        if number:
            stmt = stmt.where(SimCard.msisdn == number)
        elif digits and len(digits) in (10, 12) and digits == subscriber:
            stmt = stmt.where(Organisation.inn == digits)
        else:
            stmt = stmt.where(
                sa.or_(
                    col(Organisation.name).ilike(_like(subscriber), escape="\\"),
                    col(Payment.contract_id).in_(
                        select(TelecomContract.id).where(TelecomContract.number == subscriber)
                    ),
                )
            )
    page = fetch_page(session, stmt, PAYMENTS_SPEC, after=after, before=before)
    rows = []
    for r in page.rows:
        ru, en = PAYMENT_STATUS_LABELS.get(r.status, (r.status, r.status))
        kind_ru, kind_en = PAYMENT_KIND_LABELS.get(r.kind, (r.kind, r.kind))
        reason = ""
        if r.status in (PaymentStatus.DECLINED, PaymentStatus.FAILED):
            from cabinet.telecom.rules import DECLINE_REASONS

            reason = DECLINE_REASONS.get(r.decline_reason, r.decline_reason or "—")
        rows.append(
            {
                "id": str(r.id),
                "created_at": fmt_dt(r.created_at),
                "kind_ru": kind_ru,
                "kind_en": kind_en,
                "amount": format_rub(r.amount_kopecks),
                "status": r.status,
                "status_ru": ru,
                "status_en": en,
                "status_color": PAYMENT_STATUS_COLORS.get(r.status, "gray"),
                "reason": reason,
                "msisdn": format_msisdn(r.msisdn),
                "org": r.org or "—",
                "partner": r.partner or "—",
                "provider_id": r.provider_payment_id or "",
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


# -- tariffs --------------------------------------------------------------------------------


def list_tariffs(session: Session, actor: Actor) -> list[dict[str, str]]:
    """All tariffs (a short reference list) with how many SIM cards are on each."""
    _view(actor)
    counts = dict(
        session.exec(
            select(SimCard.tariff_id, func.count())
            .where(col(SimCard.tariff_id).is_not(None))
            .group_by(SimCard.tariff_id)
        ).all()
    )
    rows = []
    for t in session.exec(
        select(Tariff).order_by(col(Tariff.status), Tariff.sort_order, Tariff.name).limit(500)
    ).all():
        ru, en = ar.TARIFF_STATUS_LABELS.get(t.status, (t.status, t.status))

        def allowance(v: int | None, unit: str) -> str:
            return "∞" if v is None else f"{v} {unit}"

        rows.append(
            {
                "id": str(t.id),
                "name": t.name,
                "description": t.description,
                "fee": format_rub(t.monthly_fee_kopecks),
                "fee_raw": f"{t.monthly_fee_kopecks // 100},{t.monthly_fee_kopecks % 100:02d}",
                "minutes": "" if t.minutes is None else str(t.minutes),
                "sms": "" if t.sms is None else str(t.sms),
                "internet_gb": "" if t.internet_gb is None else str(t.internet_gb),
                "allowances": " · ".join(
                    (
                        allowance(t.minutes, "мин"),
                        allowance(t.sms, "SMS"),
                        allowance(t.internet_gb, "ГБ"),
                    )
                ),
                "sims": str(counts.get(t.id, 0)),
                "status": t.status,
                "status_ru": ru,
                "status_en": en,
                "archived": "1" if t.status != "active" else "",
            }
        )
    return rows


# -- requests -------------------------------------------------------------------------------


def list_requests(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    status: str = RequestStatus.PENDING,
    after: str = "",
    before: str = "",
) -> Page[dict[str, str]]:
    """Requests of one kind (activation, tariff, block); pending ones oldest first so the
    queue is worked in order, decided ones newest first."""
    _view(actor)
    model = REQUEST_MODELS.get(kind)
    if model is None:
        raise NotFound()
    spec = SortSpec(
        f"telecom.admin.requests.{kind}.{status or 'all'}",
        id=model.id,
        descending=status != RequestStatus.PENDING,
    )
    stmt = select(model)
    if status:
        stmt = stmt.where(model.status == status)
    visible = actor.visible_org_ids()
    if visible is not None:
        stmt = stmt.where(col(model.organisation_id).in_(sorted(visible)))
    page = fetch_page(session, stmt, spec, after=after, before=before, scalars=True)
    reqs = page.rows
    sim_ids = {r.sim_id for r in reqs if r.sim_id}
    sims = {
        s.id: s
        for s in session.exec(select(SimCard).where(col(SimCard.id).in_(sorted(sim_ids)))).all()
    }
    org_ids = {r.organisation_id for r in reqs if r.organisation_id}
    orgs = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_(sorted(org_ids))
            )
        ).all()
    )
    tariffs = dict(session.exec(select(Tariff.id, Tariff.name)).all())
    partners = dict(session.exec(select(Partner.id, Partner.name).limit(1000)).all())
    names = _user_names(
        session, {r.requested_by_id for r in reqs} | {r.decided_by_id for r in reqs}
    )
    rows = []
    for r in reqs:
        sim = sims.get(r.sim_id) if r.sim_id else None
        if kind == "activation":
            what = "Активация" + (f", тариф «{tariffs[r.tariff_id]}»" if r.tariff_id else "")
            source = (
                f"Партнёр {partners.get(r.partner_id, '')}" if r.source == "partner" else "Абонент"
            )
        elif kind == "tariff":
            what = f"{tariffs.get(r.from_tariff_id, '—')} → {tariffs.get(r.to_tariff_id, '?')}"
            source = "Абонент"
        else:
            what = BLOCK_REASONS.get(r.reason_code, (r.reason_code, ""))[0]
            source = "Абонент"
        rows.append(
            {
                "id": str(r.id),
                "created_at": fmt_dt(r.created_at),
                "msisdn": format_msisdn(sim.msisdn) if sim else "—",
                "iccid": sim.iccid if sim else getattr(r, "iccid", ""),
                "sim_id": str(sim.id) if sim else "",
                "org": orgs.get(r.organisation_id, "—") if r.organisation_id else "—",
                "source": source,
                "what": what,
                "comment": (getattr(r, "comment", "") or getattr(r, "reason", "") or ""),
                "requested_by": names.get(r.requested_by_id or 0, "—"),
                "decided": f"{fmt_dt(r.decided_at)} {names.get(r.decided_by_id or 0, '')}".strip(),
                "decision_comment": r.decision_comment or "",
                "pending": "1" if r.status == RequestStatus.PENDING else "",
                **_req_status(r.status),
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def pending_counts(session: Session, actor: Actor) -> dict[str, int]:
    _view(actor)
    visible = actor.visible_org_ids()
    out = {}
    for kind, model in REQUEST_MODELS.items():
        stmt = select(func.count()).select_from(model).where(model.status == RequestStatus.PENDING)
        if visible is not None:
            stmt = stmt.where(col(model.organisation_id).in_(sorted(visible)))
        out[kind] = int(session.exec(stmt).one())
    return out


# -- administrators -------------------------------------------------------------------------

TELECOM_PERMS = (Perm.TELECOM_VIEW, Perm.TELECOM_ADMIN)


def telecom_staff(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Staff who hold a telecom permission platform-wide, with the roles that give it and
    their access level (view / change)."""
    _view(actor)
    rows = session.exec(
        select(
            User.id,
            User.full_name,
            User.email,
            User.is_blocked,
            UserRole.id,
            Role.id,
            Role.name,
            RolePermission.permission,
        )
        .join(UserRole, col(UserRole.user_id) == User.id)
        .join(Role, col(Role.id) == UserRole.role_id)
        .join(RolePermission, col(RolePermission.role_id) == Role.id)
        .where(
            col(UserRole.organisation_id).is_(None),
            col(RolePermission.permission).in_([str(p) for p in TELECOM_PERMS]),
        )
        .order_by(User.full_name, User.id)
        .limit(2000)
    ).all()
    people: dict[int, dict[str, Any]] = {}
    for uid, name, email, blocked, ur_id, _role_id, role_name, perm in rows:
        p = people.setdefault(
            uid,
            {
                "id": str(uid),
                "name": name,
                "email": email,
                "blocked": "1" if blocked else "",
                "level": "view",
                "roles": {},
            },
        )
        if perm == Perm.TELECOM_ADMIN:
            p["level"] = "admin"
        p["roles"][str(ur_id)] = {"user_role_id": str(ur_id), "role": role_name}
    out = []
    for p in people.values():
        p["roles"] = list(p["roles"].values())
        p["level_ru"], p["level_en"] = (
            ("Изменение", "Change") if p["level"] == "admin" else ("Только просмотр", "View only")
        )
        p["roles_text"] = ", ".join(r["role"] for r in p["roles"])
        out.append(p)
    return out


def grantable_roles(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Platform-wide roles (built-in or custom) that carry a telecom permission."""
    _view(actor)
    perms: dict[int, set[str]] = {}
    for role_id, perm in session.exec(select(RolePermission.role_id, RolePermission.permission)):
        perms.setdefault(role_id, set()).add(perm)
    out = []
    for role in session.exec(select(Role).order_by(Role.name)).all():
        ps = perms.get(role.id or 0, set())
        if is_org_scoped(ps) or not ps & {str(p) for p in TELECOM_PERMS}:
            continue
        level = "изменение" if Perm.TELECOM_ADMIN in ps else "просмотр"
        out.append({"value": str(role.id), "label": f"{role.name} — {level}"})
    return out


def telecom_perm_labels() -> list[tuple[str, str, str]]:
    return [(str(p), *PERMISSION_LABELS[p]) for p in TELECOM_PERMS]


def find_user_id(session: Session, actor: Actor, email: str) -> int | None:
    _view(actor)
    email = (email or "").strip().lower()
    if not email:
        return None
    return session.exec(select(User.id).where(func.lower(User.email) == email)).first()


# -- imports --------------------------------------------------------------------------------


def import_job(session: Session, actor: Actor, job_id: int) -> dict[str, Any]:
    _view(actor)
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("Загрузка не найдена.")
    ru, en, color = IMPORT_STATUS_LABELS.get(job.status, (job.status, job.status, "gray"))
    total = job.total_rows or 0
    if job.status == ImportStatus.IMPORTING and job.valid_rows:
        total = job.valid_rows
    percent = 0
    if job.status in (ImportStatus.DONE, ImportStatus.READY, ImportStatus.INVALID):
        percent = 100
    elif total:
        percent = min(99, int(job.processed_rows * 100 / total))
    delim = {";": "точка с запятой", ",": "запятая", "\t": "табуляция"}.get(job.delimiter, "")
    return {
        "id": str(job.id),
        "filename": job.filename,
        "size": f"{job.size:,}".replace(",", " "),
        "status": job.status,
        "status_ru": ru,
        "status_en": en,
        "status_color": color,
        "encoding": job.encoding,
        "delimiter": delim,
        "total": str(job.total_rows),
        "valid": str(job.valid_rows),
        "processed": str(job.processed_rows),
        "percent": percent,
        "errors_count": str(job.error_count),
        "created": str(job.created_count),
        "unchanged": str(job.unchanged_count),
        "mode": job.mode,
        "mode_ru": IMPORT_MODE_LABELS.get(job.mode, (job.mode, job.mode))[0],
        "mode_en": IMPORT_MODE_LABELS.get(job.mode, (job.mode, job.mode))[1],
        "message": job.message,
        "created_at": fmt_dt(job.created_at),
        "finished_at": fmt_dt(job.finished_at),
        "errors": [
            {
                "row": str(e.get("row", "")),
                "column": str(e.get("column", "") or "—"),
                "message": str(e.get("message", "")),
            }
            for e in (job.errors or [])
        ],
        "preview": [
            {
                "row": str(p.get("row", "")),
                "iccid": str(p.get("iccid", "")),
                "msisdn": format_msisdn(str(p.get("msisdn", ""))),
                "tariff": str(p.get("tariff", "") or "—"),
                "partner": str(p.get("partner", "") or "—"),
                "status": csv_import.STATUS_LABELS.get(str(p.get("status", "")), ""),
            }
            for p in (job.preview or [])
        ],
        "running": job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING),
    }


def recent_imports(session: Session, actor: Actor, *, limit: int = 10) -> list[dict[str, str]]:
    _view(actor)
    jobs = session.exec(
        select(ImportJob)
        .order_by(col(ImportJob.created_at).desc(), col(ImportJob.id).desc())
        .limit(limit)
    ).all()
    names = _user_names(session, {j.created_by_id for j in jobs})
    out = []
    for j in jobs:
        ru, en, color = IMPORT_STATUS_LABELS.get(j.status, (j.status, j.status, "gray"))
        out.append(
            {
                "id": str(j.id),
                "filename": j.filename,
                "created_at": fmt_dt(j.created_at),
                "by": names.get(j.created_by_id, ""),
                "rows": str(j.total_rows),
                "created": str(j.created_count),
                "mode_ru": IMPORT_MODE_LABELS.get(j.mode, (j.mode, j.mode))[0],
                "mode_en": IMPORT_MODE_LABELS.get(j.mode, (j.mode, j.mode))[1],
                "status_ru": ru,
                "status_en": en,
                "status_color": color,
            }
        )
    return out
