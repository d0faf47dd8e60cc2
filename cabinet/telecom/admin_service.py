"""Operator admin actions on SIM cards, tariffs, partners, contracts, requests, blocking and
CSV imports. The only writers of the admin side: one function = one action = one transaction.

Every function reloads the caller, requires Perm.TELECOM_ADMIN (reading needs only
TELECOM_VIEW, see admin_queries), locks the row it changes, writes an audit event and commits.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from cabinet import audit
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require, require_org_visible
from cabinet.errors import DomainError, NotFound, ValidationFailed
from cabinet.notifications.service import emit
from cabinet.settings import settings
from cabinet.telecom import admin_rules as ar
from cabinet.telecom import csv_import
from cabinet.telecom.rules import format_msisdn
from models import User
from models.base import utcnow
from models.telecom import (
    ActivationRequest,
    BlockRequest,
    ContractStatus,
    Partner,
    Payment,
    RequestStatus,
    SimBlockEvent,
    SimCard,
    SimStatus,
    Tariff,
    TariffChangeRequest,
    TariffStatus,
    TelecomContract,
)
from models.telecom_admin import ImportJob, ImportMode, ImportStatus

IN_CHUNK = 500  # values per IN (...) list when checking an import against the database
INSERT_CHUNK = 2000


def _admin(session: Session, actor_id: int) -> Actor:
    return require(load_actor(session, actor_id), Perm.TELECOM_ADMIN)


def _locked(session: Session, model: Any, row_id: int) -> Any:
    row = session.exec(select(model).where(model.id == row_id).with_for_update()).first()
    if row is None:
        raise NotFound()
    return row


def _contract_visible(session: Session, actor: Actor, contract_id: int | None) -> None:
    if contract_id is None:
        return
    contract = session.get(TelecomContract, contract_id)
    if contract is None:
        raise NotFound()
    require_org_visible(actor, contract.organisation_id)


def _check_refs(session: Session, *, tariff_id: int | None, partner_id: int | None) -> None:
    if tariff_id is not None:
        tariff = session.get(Tariff, tariff_id)
        if tariff is None:
            raise ValidationFailed("Тариф не найден.", field="tariff_id")
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise ValidationFailed("Партнёр не найден.", field="partner_id")


def _unique_sim(session: Session, iccid: str, msisdn: str, *, except_id: int | None) -> None:
    for column, value, field, what in (
        (SimCard.iccid, iccid, "iccid", f"Сим-карта с ICCID {iccid} уже есть."),
        (SimCard.msisdn, msisdn, "msisdn", f"Номер {msisdn} уже занят другой сим-картой."),
    ):
        other = session.exec(select(SimCard.id).where(column == value)).first()
        if other is not None and other != except_id:
            raise ValidationFailed(what, field=field)


def _sim_snapshot(sim: SimCard) -> dict[str, Any]:
    return {
        "iccid": sim.iccid,
        "msisdn": sim.msisdn,
        "status": sim.status,
        "tariff_id": sim.tariff_id,
        "partner_id": sim.partner_id,
        "contract_id": sim.contract_id,
        "label": sim.label,
    }


# -- SIM cards ------------------------------------------------------------------------------


def create_sim(
    session: Session,
    *,
    actor_id: int,
    iccid: str,
    msisdn: str,
    status: str = SimStatus.INACTIVE,
    tariff_id: int | None = None,
    partner_id: int | None = None,
    label: str = "",
    ip: str = "",
) -> int:
    actor = _admin(session, actor_id)
    data = ar.check_sim(
        iccid=iccid,
        msisdn=msisdn,
        status=status,
        tariff_id=tariff_id,
        partner_id=partner_id,
        label=label,
    )
    if data.status == SimStatus.BLOCKED:
        raise ValidationFailed(
            "Новую сим-карту нельзя сразу заблокировать: заблокируйте её с причиной.",
            field="status",
        )
    _check_refs(session, tariff_id=data.tariff_id, partner_id=data.partner_id)
    _unique_sim(session, data.iccid, data.msisdn, except_id=None)
    now = utcnow()
    sim = SimCard(
        iccid=data.iccid,
        msisdn=data.msisdn,
        status=data.status,
        tariff_id=data.tariff_id,
        partner_id=data.partner_id,
        label=data.label,
        search_text=ar.search_text(data.iccid, data.msisdn, data.label),
        activated_at=now if data.status == SimStatus.ACTIVE else None,
    )
    session.add(sim)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_create",
        object_type="telecom_sim",
        object_id=sim.id,
        after=_sim_snapshot(sim),
        ip=ip,
    )
    session.commit()
    assert sim.id is not None
    return sim.id


def update_sim(
    session: Session,
    *,
    actor_id: int,
    sim_id: int,
    iccid: str,
    msisdn: str,
    tariff_id: int | None,
    partner_id: int | None,
    label: str = "",
    ip: str = "",
) -> None:
    actor = _admin(session, actor_id)
    sim: SimCard = _locked(session, SimCard, sim_id)
    _contract_visible(session, actor, sim.contract_id)
    data = ar.check_sim(
        iccid=iccid,
        msisdn=msisdn,
        status=sim.status,
        tariff_id=tariff_id,
        partner_id=partner_id,
        label=label,
    )
    if data.iccid != sim.iccid and sim.contract_id is not None:
        raise ValidationFailed(
            "ICCID сим-карты, выданной по договору, не меняют: это другая сим-карта.",
            field="iccid",
        )
    _check_refs(session, tariff_id=data.tariff_id, partner_id=data.partner_id)
    _unique_sim(session, data.iccid, data.msisdn, except_id=sim.id)
    before = _sim_snapshot(sim)
    sim.iccid, sim.msisdn, sim.label = data.iccid, data.msisdn, data.label
    sim.tariff_id, sim.partner_id = data.tariff_id, data.partner_id
    sim.search_text = ar.search_text(sim.iccid, sim.msisdn, sim.label)
    sim.version += 1
    sim.updated_at = utcnow()
    session.add(sim)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_update",
        object_type="telecom_sim",
        object_id=sim.id,
        before=before,
        after=_sim_snapshot(sim),
        ip=ip,
    )
    session.commit()


def delete_sim(session: Session, *, actor_id: int, sim_id: int, ip: str = "") -> None:
    """Only a stock card (no contract), not active, without payments or requests."""
    actor = _admin(session, actor_id)
    sim: SimCard = _locked(session, SimCard, sim_id)
    payments = session.exec(select(func.count()).where(Payment.sim_id == sim.id)).one()
    requests = sum(
        session.exec(select(func.count()).where(model.sim_id == sim.id)).one()
        for model in (ActivationRequest, TariffChangeRequest, BlockRequest)
    )
    refusal = ar.sim_delete_refusal(
        contract_id=sim.contract_id,
        status=sim.status,
        payments=int(payments),
        requests=int(requests),
    )
    if refusal:
        raise ValidationFailed(refusal)
    history = session.exec(select(SimBlockEvent).where(SimBlockEvent.sim_id == sim.id)).all()
    for block_row in history:  # a stock card's own block history goes with it
        session.delete(block_row)
    before = _sim_snapshot(sim)
    session.delete(sim)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_delete",
        object_type="telecom_sim",
        object_id=sim_id,
        before=before,
        ip=ip,
    )
    session.commit()


def activate_sim(session: Session, *, actor_id: int, sim_id: int, ip: str = "") -> None:
    actor = _admin(session, actor_id)
    sim: SimCard = _locked(session, SimCard, sim_id)
    _contract_visible(session, actor, sim.contract_id)
    _activate(session, actor, sim, ip=ip, note="by hand")
    session.commit()


def _activate(session: Session, actor: Actor, sim: SimCard, *, ip: str, note: str) -> None:
    if sim.status == SimStatus.BLOCKED:
        raise ValidationFailed("Сим-карта заблокирована: сначала снимите блокировку.")
    if sim.status == SimStatus.ACTIVE:
        raise ValidationFailed("Сим-карта уже активна.")
    sim.status = SimStatus.ACTIVE
    sim.activated_at = utcnow()
    sim.updated_at = sim.activated_at
    sim.version += 1
    session.add(sim)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_activate",
        object_type="telecom_sim",
        object_id=sim.id,
        after={"status": sim.status, "how": note},
        ip=ip,
    )


def block_sim(
    session: Session,
    *,
    actor_id: int,
    sim_id: int,
    reason: str,
    ip: str = "",
) -> int:
    """Block by the operator: date, reason and who go into the SIM and its block history."""
    actor = _admin(session, actor_id)
    sim: SimCard = _locked(session, SimCard, sim_id)
    _contract_visible(session, actor, sim.contract_id)
    event_id = _block(session, actor, sim, ar.check_block_reason(reason), ip=ip)
    session.commit()
    return event_id


def _block(
    session: Session,
    actor: Actor,
    sim: SimCard,
    reason: str,
    *,
    ip: str,
    request_id: int | None = None,
) -> int:
    if sim.status == SimStatus.BLOCKED:
        raise ValidationFailed("Сим-карта уже заблокирована.")
    now = utcnow()
    before = sim.status
    sim.status = SimStatus.BLOCKED
    sim.blocked_at, sim.block_reason, sim.blocked_by_id = now, reason[:500], actor.id
    sim.updated_at = now
    sim.version += 1
    session.add(sim)
    event = SimBlockEvent(
        sim_id=sim.id or 0,
        reason=reason,
        block_request_id=request_id,
        blocked_at=now,
        blocked_by_id=actor.id,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_block",
        object_type="telecom_sim",
        object_id=sim.id,
        before={"status": before},
        after={"status": sim.status, "reason": reason, "block_request_id": request_id},
        ip=ip,
    )
    assert event.id is not None
    return event.id


def unblock_sim(
    session: Session, *, actor_id: int, sim_id: int, comment: str = "", ip: str = ""
) -> None:
    """Lift the block: the SIM is active again if it had been activated, else inactive."""
    actor = _admin(session, actor_id)
    sim: SimCard = _locked(session, SimCard, sim_id)
    _contract_visible(session, actor, sim.contract_id)
    if sim.status != SimStatus.BLOCKED:
        raise ValidationFailed("Сим-карта не заблокирована.")
    comment = ar.text_field(comment, field="comment", max_len=1000, what="комментарий")
    now = utcnow()
    sim.status = SimStatus.ACTIVE if sim.activated_at else SimStatus.INACTIVE
    sim.blocked_at, sim.block_reason, sim.blocked_by_id = None, "", None
    sim.updated_at = now
    sim.version += 1
    session.add(sim)
    open_events = session.exec(
        select(SimBlockEvent)
        .where(SimBlockEvent.sim_id == sim.id, col(SimBlockEvent.unblocked_at).is_(None))
        .with_for_update()
    ).all()
    for event in open_events:
        event.unblocked_at, event.unblocked_by_id, event.unblock_comment = now, actor.id, comment
        session.add(event)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_unblock",
        object_type="telecom_sim",
        object_id=sim.id,
        before={"status": SimStatus.BLOCKED},
        after={"status": sim.status, "comment": comment},
        ip=ip,
    )
    session.commit()


# -- tariffs --------------------------------------------------------------------------------


def _tariff_name_free(session: Session, name: str, except_id: int | None) -> None:
    key = csv_import.norm_name(name)
    for other_id, other_name in session.exec(select(Tariff.id, Tariff.name)).all():
        if other_id != except_id and csv_import.norm_name(other_name) == key:
            raise ValidationFailed("Тариф с таким названием уже есть.", field="name")


def save_tariff(
    session: Session,
    *,
    actor_id: int,
    tariff_id: int | None = None,
    name: str,
    description: str = "",
    fee: str,
    minutes: str = "",
    sms: str = "",
    internet_gb: str = "",
    ip: str = "",
) -> int:
    """Create (tariff_id None) or edit a tariff."""
    actor = _admin(session, actor_id)
    data = ar.check_tariff(
        name=name,
        description=description,
        fee=fee,
        minutes=minutes,
        sms=sms,
        internet_gb=internet_gb,
    )
    _tariff_name_free(session, data.name, tariff_id)
    if tariff_id is None:
        tariff = Tariff(name=data.name)
        before = None
    else:
        tariff = _locked(session, Tariff, tariff_id)
        before = tariff.model_dump(include={"name", "monthly_fee_kopecks", "minutes", "sms"})
    tariff.name, tariff.description = data.name, data.description
    tariff.monthly_fee_kopecks = data.monthly_fee_kopecks
    tariff.minutes, tariff.sms, tariff.internet_gb = data.minutes, data.sms, data.internet_gb
    tariff.updated_at = utcnow()
    session.add(tariff)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.tariff_create" if tariff_id is None else "telecom.tariff_update",
        object_type="telecom_tariff",
        object_id=tariff.id,
        before=before,
        after=tariff.model_dump(include={"name", "monthly_fee_kopecks", "minutes", "sms"}),
        ip=ip,
    )
    session.commit()
    assert tariff.id is not None
    return tariff.id


def set_tariff_archived(
    session: Session, *, actor_id: int, tariff_id: int, archived: bool, ip: str = ""
) -> None:
    """Archive: no new SIMs or tariff changes to it; SIMs already on it keep it."""
    actor = _admin(session, actor_id)
    tariff: Tariff = _locked(session, Tariff, tariff_id)
    status = TariffStatus.ARCHIVED if archived else TariffStatus.ACTIVE
    if tariff.status == status:
        return
    tariff.status = status
    tariff.archived_at = utcnow() if archived else None
    tariff.updated_at = utcnow()
    session.add(tariff)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.tariff_archive" if archived else "telecom.tariff_restore",
        object_type="telecom_tariff",
        object_id=tariff.id,
        after={"status": status},
        ip=ip,
    )
    session.commit()


def tariff_used(session: Session, tariff_id: int) -> bool:
    checks: list[Any] = [
        select(SimCard.id).where(SimCard.tariff_id == tariff_id),
        select(TariffChangeRequest.id).where(
            sa.or_(
                TariffChangeRequest.to_tariff_id == tariff_id,
                TariffChangeRequest.from_tariff_id == tariff_id,
            )
        ),
        select(ActivationRequest.id).where(ActivationRequest.tariff_id == tariff_id),
    ]
    return any(session.exec(q.limit(1)).first() is not None for q in checks)


def delete_tariff(session: Session, *, actor_id: int, tariff_id: int, ip: str = "") -> None:
    """Only a tariff that nothing ever referred to."""
    actor = _admin(session, actor_id)
    tariff: Tariff = _locked(session, Tariff, tariff_id)
    refusal = ar.tariff_delete_refusal(used=tariff_used(session, tariff_id))
    if refusal:
        raise ValidationFailed(refusal)
    before = {"name": tariff.name}
    session.delete(tariff)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.tariff_delete",
        object_type="telecom_tariff",
        object_id=tariff_id,
        before=before,
        ip=ip,
    )
    session.commit()


# -- partners -------------------------------------------------------------------------------


def save_partner(
    session: Session,
    *,
    actor_id: int,
    partner_id: int | None = None,
    name: str,
    inn: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    share: str = "0",
    note: str = "",
    is_active: bool = True,
    ip: str = "",
) -> int:
    actor = _admin(session, actor_id)
    data = ar.check_partner(
        name=name,
        inn=inn,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        share=share,
        note=note,
    )
    key = csv_import.norm_name(data.name)
    for other_id, other_name in session.exec(select(Partner.id, Partner.name)).all():
        if other_id != partner_id and csv_import.norm_name(other_name) == key:
            raise ValidationFailed("Партнёр с таким названием уже есть.", field="name")
    if partner_id is None:
        partner = Partner(name=data.name)
        before = None
    else:
        partner = _locked(session, Partner, partner_id)
        before = {"name": partner.name, "share": str(partner.profit_share_percent)}
    partner.name, partner.inn, partner.note = data.name, data.inn, data.note
    partner.contact_name, partner.contact_email = data.contact_name, data.contact_email
    partner.contact_phone = data.contact_phone
    partner.profit_share_percent = data.profit_share_percent
    partner.is_active = bool(is_active)
    partner.updated_at = utcnow()
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.partner_create" if partner_id is None else "telecom.partner_update",
        object_type="telecom_partner",
        object_id=partner.id,
        before=before,
        after={
            "name": partner.name,
            "share": str(partner.profit_share_percent),
            "is_active": partner.is_active,
        },
        ip=ip,
    )
    session.commit()
    assert partner.id is not None
    return partner.id


def delete_partner(session: Session, *, actor_id: int, partner_id: int, ip: str = "") -> None:
    actor = _admin(session, actor_id)
    partner: Partner = _locked(session, Partner, partner_id)

    def n(model: Any) -> int:
        return int(
            session.exec(select(func.count()).where(model.partner_id == partner_id)).one() or 0
        )

    refusal = ar.partner_delete_refusal(
        sims=n(SimCard),
        contracts=n(TelecomContract),
        payments=n(Payment),
        requests=n(ActivationRequest),
    )
    if refusal:
        raise ValidationFailed(refusal)
    session.delete(partner)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.partner_delete",
        object_type="telecom_partner",
        object_id=partner_id,
        before={"name": partner.name},
        ip=ip,
    )
    session.commit()


# -- subscribers (contracts) ----------------------------------------------------------------


def update_contract(
    session: Session,
    *,
    actor_id: int,
    contract_id: int,
    number: str,
    status: str,
    partner_id: int | None,
    ip: str = "",
) -> None:
    actor = _admin(session, actor_id)
    contract: TelecomContract = _locked(session, TelecomContract, contract_id)
    require_org_visible(actor, contract.organisation_id)
    number = ar.text_field(number, field="number", max_len=40, required=True, what="номер")
    if status not in set(ContractStatus):
        raise ValidationFailed("Неизвестный статус договора.", field="status")
    other = session.exec(select(TelecomContract.id).where(TelecomContract.number == number)).first()
    if other is not None and other != contract.id:
        raise ValidationFailed("Договор с таким номером уже есть.", field="number")
    _check_refs(session, tariff_id=None, partner_id=partner_id)
    before = {"number": contract.number, "status": contract.status, "partner": contract.partner_id}
    contract.number, contract.status, contract.partner_id = number, status, partner_id
    contract.updated_at = utcnow()
    session.add(contract)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.contract_update",
        object_type="telecom_contract",
        object_id=contract.id,
        before=before,
        after={"number": number, "status": status, "partner": partner_id},
        ip=ip,
    )
    session.commit()


def attach_sim(
    session: Session, *, actor_id: int, contract_id: int, iccid: str, ip: str = ""
) -> int:
    """Give a stock SIM card (found by ICCID or number) to the subscriber's contract."""
    actor = _admin(session, actor_id)
    contract: TelecomContract = _locked(session, TelecomContract, contract_id)
    require_org_visible(actor, contract.organisation_id)
    key = "".join((iccid or "").split())
    number, _ = csv_import.check_msisdn(key) if key and len(key) <= 16 else ("", "")
    sim = session.exec(
        select(SimCard)
        .where(sa.or_(SimCard.iccid == key, SimCard.msisdn == (number or key)))
        .with_for_update()
    ).first()
    if sim is None:
        raise ValidationFailed("Сим-карта с таким ICCID или номером не найдена.", field="iccid")
    if sim.contract_id is not None:
        raise ValidationFailed("Эта сим-карта уже выдана по договору.", field="iccid")
    sim.contract_id = contract.id
    if sim.partner_id is None and contract.partner_id is not None:
        sim.partner_id = contract.partner_id
    sim.updated_at = utcnow()
    sim.version += 1
    session.add(sim)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.sim_attach",
        object_type="telecom_sim",
        object_id=sim.id,
        after={"contract_id": contract.id},
        ip=ip,
    )
    session.commit()
    assert sim.id is not None
    return sim.id


# -- request decisions ----------------------------------------------------------------------


def _notify(
    session: Session, requester_id: int | None, what: str, status: str, comment: str
) -> None:
    if requester_id is None:
        return
    emit(
        session,
        event="telecom.request_decided",
        recipient_ids=[requester_id],
        context={
            "request": what,
            "decision": "одобрена" if status == RequestStatus.APPROVED else "отклонена",
            "comment": comment,
        },
    )


def _decided(row: Any, actor: Actor, status: str, comment: str) -> None:
    row.status, row.decision_comment = status, comment
    row.decided_by_id, row.decided_at = actor.id, utcnow()


def decide_activation(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    decision: str,
    comment: str = "",
    ip: str = "",
) -> None:
    """Approve: the SIM becomes active (given to the request's contract, on its tariff, when
    they are named). Reject: with a comment. The requester is notified either way."""
    actor = _admin(session, actor_id)
    req: ActivationRequest = _locked(session, ActivationRequest, request_id)
    if req.organisation_id is not None:
        require_org_visible(actor, req.organisation_id)
    status, comment = ar.check_decision(req.status, decision, comment)
    sim: SimCard | None = None
    if req.sim_id is not None:
        sim = _locked(session, SimCard, req.sim_id)
    elif req.iccid:
        sim = session.exec(
            select(SimCard).where(SimCard.iccid == req.iccid).with_for_update()
        ).first()
    if status == RequestStatus.APPROVED:
        if sim is None:
            raise ValidationFailed(
                "Сим-карта заявки не найдена в базе: добавьте её или отклоните заявку."
            )
        if req.contract_id is not None:
            if sim.contract_id not in (None, req.contract_id):
                raise ValidationFailed("Сим-карта уже выдана по другому договору.")
            sim.contract_id = req.contract_id
        if req.tariff_id is not None:
            sim.tariff_id = req.tariff_id
        if req.partner_id is not None and sim.partner_id is None:
            sim.partner_id = req.partner_id
        _activate(session, actor, sim, ip=ip, note=f"activation request {req.id}")
        req.sim_id = sim.id
    _decided(req, actor, status, comment)
    session.add(req)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.activation_decide",
        object_type="telecom_activation_request",
        object_id=req.id,
        after={"status": status, "comment": comment, "sim_id": req.sim_id},
        ip=ip,
    )
    number = format_msisdn(sim.msisdn) if sim is not None else req.iccid
    _notify(session, req.requested_by_id, f"активация сим-карты {number}", status, comment)
    session.commit()


def decide_tariff_change(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    decision: str,
    comment: str = "",
    ip: str = "",
) -> None:
    actor = _admin(session, actor_id)
    req: TariffChangeRequest = _locked(session, TariffChangeRequest, request_id)
    require_org_visible(actor, req.organisation_id)
    status, comment = ar.check_decision(req.status, decision, comment)
    sim: SimCard = _locked(session, SimCard, req.sim_id)
    tariff = session.get(Tariff, req.to_tariff_id)
    if status == RequestStatus.APPROVED:
        if tariff is None or tariff.status != TariffStatus.ACTIVE:
            raise ValidationFailed("Тариф в архиве: на него нельзя перейти. Отклоните заявку.")
        if sim.status == SimStatus.BLOCKED:
            raise ValidationFailed("Сим-карта заблокирована: тариф не меняют.")
        sim.tariff_id = tariff.id
        sim.updated_at = utcnow()
        sim.version += 1
        session.add(sim)
    _decided(req, actor, status, comment)
    session.add(req)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.tariff_change_decide",
        object_type="telecom_tariff_change_request",
        object_id=req.id,
        after={"status": status, "comment": comment, "to_tariff_id": req.to_tariff_id},
        ip=ip,
    )
    name = tariff.name if tariff is not None else ""
    _notify(
        session,
        req.requested_by_id,
        f"смена тарифа на «{name}» для {format_msisdn(sim.msisdn)}",
        status,
        comment,
    )
    session.commit()


def decide_block(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    decision: str,
    comment: str = "",
    ip: str = "",
) -> None:
    actor = _admin(session, actor_id)
    req: BlockRequest = _locked(session, BlockRequest, request_id)
    require_org_visible(actor, req.organisation_id)
    status, comment = ar.check_decision(req.status, decision, comment)
    sim: SimCard = _locked(session, SimCard, req.sim_id)
    if status == RequestStatus.APPROVED and sim.status != SimStatus.BLOCKED:
        reason = req.reason or req.reason_code
        _block(session, actor, sim, f"По заявке абонента: {reason}", ip=ip, request_id=req.id)
    _decided(req, actor, status, comment)
    session.add(req)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.block_request_decide",
        object_type="telecom_block_request",
        object_id=req.id,
        after={"status": status, "comment": comment},
        ip=ip,
    )
    _notify(
        session,
        req.requested_by_id,
        f"блокировка сим-карты {format_msisdn(sim.msisdn)}",
        status,
        comment,
    )
    session.commit()


DECIDERS: dict[str, Callable[..., None]] = {
    "activation": decide_activation,
    "tariff": decide_tariff_change,
    "block": decide_block,
}


# -- CSV import -----------------------------------------------------------------------------


def imports_dir() -> Path:
    return Path(settings.data_dir) / "telecom_imports"


def _job_path(job: ImportJob) -> Path:
    return imports_dir() / job.file_key


def start_import(
    session: Session,
    *,
    actor_id: int,
    filename: str,
    data: bytes,
    mode: str = ImportMode.CREATE,
    ip: str = "",
) -> int:
    """Keep the uploaded file and create its job (status "checking"); nothing else is written.
    The size and the type (text, not a known binary format) are checked first. `mode`: what
    the import will do with the file's cards (ImportMode)."""
    actor = _admin(session, actor_id)
    if mode not in set(ImportMode):
        raise ValidationFailed("Выберите, что сделать с сим-картами файла.", field="mode")
    if len(data) > ar.IMPORT_MAX_BYTES:
        raise ValidationFailed("Файл больше 10 МБ: разделите его на части.", field="file")
    if not data:
        raise ValidationFailed("Файл пустой.", field="file")
    if not csv_import.looks_like_text(data[:65536]):
        raise ValidationFailed(
            "Это не CSV: сохраните таблицу в Excel как «CSV (разделители — точка с запятой)» "
            "или «CSV UTF-8».",
            field="file",
        )
    sha = hashlib.sha256(data).hexdigest()
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = f"{sha}.csv"
    target = folder / key
    if not target.exists():
        tmp = folder / f".{key}.{os.getpid()}.part"
        tmp.write_bytes(data)
        tmp.replace(target)
    name = (Path(filename or "import.csv").name or "import.csv")[:255]
    job = ImportJob(
        created_by_id=actor.id,
        filename=name,
        file_key=key,
        sha256=sha,
        size=len(data),
        status=ImportStatus.CHECKING,
        mode=str(mode),
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.import_upload",
        object_type="telecom_import",
        object_id=job.id,
        after={"filename": name, "size": len(data), "sha256": sha, "mode": str(mode)},
        ip=ip,
    )
    session.commit()
    assert job.id is not None
    return job.id


def _db_sets(session: Session, rows: list[csv_import.SimRow]) -> tuple[set[str], set[str]]:
    iccids: set[str] = set()
    msisdns: set[str] = set()
    for i in range(0, len(rows), IN_CHUNK):
        chunk = rows[i : i + IN_CHUNK]
        iccids.update(
            session.exec(
                select(SimCard.iccid).where(col(SimCard.iccid).in_([r.iccid for r in chunk]))
            ).all()
        )
        msisdns.update(
            session.exec(
                select(SimCard.msisdn).where(col(SimCard.msisdn).in_([r.msisdn for r in chunk]))
            ).all()
        )
    return iccids, msisdns


def _dictionaries(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    tariffs = {
        csv_import.norm_name(name): tid
        for tid, name in session.exec(
            select(Tariff.id, Tariff.name).where(Tariff.status == TariffStatus.ACTIVE)
        ).all()
    }
    partners = {
        csv_import.norm_name(name): pid
        for pid, name in session.exec(select(Partner.id, Partner.name)).all()
    }
    return tariffs, partners  # type: ignore[return-value]


def _rows_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.sha256}.{job.mode}.rows.json"


def _save_rows(job: ImportJob, result: csv_import.ParseResult) -> None:
    """The checked rows of a file in the job's mode (the file's bytes never change: the name
    is their sha256), so the write does not parse the file a second time."""
    path = _rows_path(job)
    tmp = path.with_suffix(f".{os.getpid()}.part")
    data = [[r.row, r.iccid, r.msisdn, r.tariff, r.partner, r.status] for r in result.rows]
    payload = {"sha256": job.sha256, "mode": job.mode, "present": result.present, "rows": data}
    tmp.write_text(json.dumps(payload, ensure_ascii=False))
    tmp.replace(path)


def _load_rows(job: ImportJob) -> tuple[list[csv_import.SimRow], tuple[str, ...]] | None:
    try:
        data = json.loads(_rows_path(job).read_text())
        if data.get("sha256") != job.sha256 or data.get("mode") != job.mode:
            return None
        return [csv_import.SimRow(*r) for r in data["rows"]], tuple(data["present"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _err(e: csv_import.RowError) -> dict[str, Any]:
    return {"row": e.row, "column": e.column, "message": e.message}


def _progress_writer(job_id: int, *, every: float = 0.5) -> Callable[[int], None]:
    """Progress of the checking phase, written to the job row from its own session."""
    import time

    from cabinet.db import session_scope

    last = [0.0]

    def write(done: int) -> None:
        now = time.monotonic()
        if now - last[0] < every:
            return
        last[0] = now
        with session_scope() as s:
            s.execute(
                sa.update(ImportJob)
                .where(col(ImportJob.id) == job_id)
                .values(processed_rows=done, updated_at=utcnow())
            )
            s.commit()

    return write


def _job_for(session: Session, actor: Actor, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("Загрузка не найдена.")
    return job


def check_import(
    session: Session,
    *,
    actor_id: int,
    job_id: int,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Read and check the job's file: row errors, duplicates against the database, unknown
    tariffs/partners. Writes only the job row (status ready or invalid, errors, preview)."""
    actor = _admin(session, actor_id)
    job = _job_for(session, actor, job_id)
    if job.status not in (ImportStatus.CHECKING, ImportStatus.READY, ImportStatus.INVALID):
        raise ValidationFailed("Этот файл уже импортируется или импортирован.")
    data = _job_path(job).read_bytes()
    try:
        result = csv_import.parse_sim_csv(data, mode=job.mode, progress=progress)
    except csv_import.CsvFormatError as e:
        job.status, job.message = ImportStatus.INVALID, e.message[:1000]
        job.errors, job.preview, job.error_count = [], [], 1
        job.finished_at = job.updated_at = utcnow()
        session.add(job)
        session.commit()
        return job.status
    if result.error_count == 0:
        _save_rows(job, result)
    db_errors = _db_errors(session, actor, job.mode, result.rows, result.present)
    bad_rows = {e.row for e in db_errors}
    errors = sorted([*result.errors, *db_errors], key=lambda e: e.row)
    job.encoding, job.delimiter = result.encoding, result.delimiter
    job.total_rows = result.total
    job.processed_rows = result.total
    job.error_count = result.error_count + len(db_errors)
    job.valid_rows = len(result.rows) - len(bad_rows)
    job.errors = [_err(e) for e in errors[: ar.IMPORT_ERRORS_KEPT]]
    job.preview = [
        {
            "row": r.row,
            "iccid": r.iccid,
            "msisdn": r.msisdn,
            "tariff": r.tariff,
            "partner": r.partner,
            "status": r.status,
        }
        for r in result.rows[: ar.IMPORT_PREVIEW_ROWS]
    ]
    job.status = ImportStatus.READY if job.error_count == 0 else ImportStatus.INVALID
    job.message = (
        f"Проверено строк: {result.total}. Ошибок нет — можно {_MODE_VERB[job.mode]}."
        if job.status == ImportStatus.READY
        else f"Проверено строк: {result.total}. Ошибок: {job.error_count}. "
        "Исправьте файл и загрузите его снова: ничего не записано."
    )
    job.finished_at = job.updated_at = utcnow()
    job.version += 1
    session.add(job)
    session.commit()
    return job.status


def run_import(
    session: Session,
    *,
    actor_id: int,
    job_id: int,
    progress: Callable[[int], None] | None = None,
    ip: str = "",
) -> int:
    """Write a checked file in ONE transaction, in the job's mode: create, change or delete
    its SIM cards — all rows or none.

    The job is claimed by a conditional UPDATE ready → importing (a second click or worker
    finds nothing to claim). The file is checked again inside the transaction against the
    locked rows (the database may have changed since the preview); any error rolls
    everything back and marks the job failed with the reason. Returns the number of SIM
    cards created, changed or deleted."""
    actor = _admin(session, actor_id)
    claimed = session.execute(
        sa.update(ImportJob)
        .where(col(ImportJob.id) == job_id, col(ImportJob.status) == ImportStatus.READY)
        .values(status=ImportStatus.IMPORTING, processed_rows=0, updated_at=utcnow())
    )
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ValidationFailed("Файл не готов к импорту (уже импортируется или с ошибками).")
    job = _job_for(session, actor, job_id)
    try:
        created = _write_rows(session, actor, job, progress=progress, ip=ip)
    except Exception as exc:
        session.rollback()
        message = exc.message if isinstance(exc, DomainError) else "Ошибка записи в базу."
        session.execute(
            sa.update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(
                status=ImportStatus.FAILED,
                message=f"Импорт отменён, ничего не записано: {message}"[:1000],
                finished_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        session.commit()
        if isinstance(exc, DomainError):
            raise
        raise DomainError("Импорт отменён, ничего не записано: ошибка записи в базу.") from exc
    return created


_MODE_VERB: dict[str, str] = {
    ImportMode.CREATE: "импортировать",
    ImportMode.UPDATE: "применить изменения",
    ImportMode.DELETE: "удалить сим-карты",
}


def _db_errors(
    session: Session,
    actor: Actor,
    mode: str,
    rows: list[csv_import.SimRow],
    present: tuple[str, ...],
) -> list[csv_import.RowError]:
    """The rows' errors against the database in the job's mode (the preview: nothing is
    written or locked; the write checks again against the locked rows)."""
    if mode == ImportMode.CREATE:
        return _create_errors(session, rows, *_dictionaries(session))
    if mode == ImportMode.DELETE:
        stored = _stored_sims(session, actor, [r.iccid for r in rows], lock=False, usage=True)
        return _delete_errors(rows, stored)
    return _plan_updates(session, actor, rows, present, lock=False)[1]


def _create_errors(
    session: Session,
    rows: list[csv_import.SimRow],
    tariffs: Mapping[str, int],
    partners: Mapping[str, int],
) -> list[csv_import.RowError]:
    existing_iccids, existing_msisdns = _db_sets(session, rows)
    return csv_import.check_against(
        rows,
        existing_iccids=existing_iccids,
        existing_msisdns=existing_msisdns,
        tariffs=tariffs,
        partners=partners,
    )


def _write_rows(
    session: Session,
    actor: Actor,
    job: ImportJob,
    *,
    progress: Callable[[int], None] | None,
    ip: str,
) -> int:
    loaded = _load_rows(job)
    if loaded is None:
        result = csv_import.parse_sim_csv(_job_path(job).read_bytes(), mode=job.mode)
        if not result.ok:
            raise ValidationFailed("файл изменился или содержит ошибки — проверьте его заново.")
        loaded = result.rows, result.present
    rows, present = loaded
    unchanged = 0
    if job.mode == ImportMode.UPDATE:
        done, unchanged = _write_updates(session, actor, rows, present, progress=progress)
        message = f"Изменено сим-карт: {done}."
        if unchanged:
            message += f" Уже совпадали с файлом: {unchanged}."
    elif job.mode == ImportMode.DELETE:
        done = _write_deletes(session, actor, rows, progress=progress)
        message = f"Удалено сим-карт: {done}."
    else:
        done = _write_creates(session, actor, rows, progress=progress)
        message = f"Импортировано сим-карт: {done}."
    job_row = session.get(ImportJob, job.id)
    assert job_row is not None
    job_row.status = ImportStatus.DONE
    job_row.created_count = done
    job_row.unchanged_count = unchanged
    job_row.processed_rows = done + unchanged
    job_row.message = message
    job_row.finished_at = job_row.updated_at = utcnow()
    job_row.version += 1
    session.add(job_row)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.import_done",
        object_type="telecom_import",
        object_id=job.id,
        after={
            "mode": job.mode,
            "written": done,
            "unchanged": unchanged,
            "filename": job.filename,
            "sha256": job.sha256,
        },
        ip=ip,
    )
    session.commit()
    if progress is not None:
        progress(done)
    return done


def _first_error(errors: list[csv_import.RowError]) -> None:
    if errors:
        first = errors[0]
        raise ValidationFailed(f"строка {first.row}, {first.column}: {first.message}")


def _write_creates(
    session: Session,
    actor: Actor,
    rows: list[csv_import.SimRow],
    *,
    progress: Callable[[int], None] | None,
) -> int:
    tariffs, partners = _dictionaries(session)
    _first_error(_create_errors(session, rows, tariffs, partners))
    now = utcnow()
    table = SimCard.__table__  # type: ignore[attr-defined]
    batch: list[dict[str, Any]] = []
    done = 0
    for r in rows:
        batch.append(
            {
                "iccid": r.iccid,
                "msisdn": r.msisdn,
                "status": r.status,
                "tariff_id": tariffs.get(csv_import.norm_name(r.tariff)) if r.tariff else None,
                "partner_id": partners.get(csv_import.norm_name(r.partner)) if r.partner else None,
                "label": "",
                "balance_kopecks": 0,
                "block_reason": "" if r.status != SimStatus.BLOCKED else ar.IMPORT_BLOCK_REASON,
                "blocked_at": now if r.status == SimStatus.BLOCKED else None,
                "blocked_by_id": actor.id if r.status == SimStatus.BLOCKED else None,
                "activated_at": now if r.status == SimStatus.ACTIVE else None,
                "search_text": ar.search_text(r.iccid, r.msisdn),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(batch) >= INSERT_CHUNK:
            session.execute(table.insert(), batch)
            done += len(batch)
            batch = []
            if progress is not None:
                progress(done)
    if batch:
        session.execute(table.insert(), batch)
        done += len(batch)
    _block_events_for_imported(session, actor, rows, now)
    return done


# -- update and delete by ICCID ---------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    """What the update and delete modes need to know of a stored card."""

    id: int
    msisdn: str
    status: str
    tariff_id: int | None
    partner_id: int | None
    label: str
    contract_id: int | None
    activated_at: Any
    blocked_at: Any
    block_reason: str
    blocked_by_id: int | None
    version: int
    payments: int = 0
    requests: int = 0


def _stored_sims(
    session: Session, actor: Actor, iccids: list[str], *, lock: bool, usage: bool
) -> dict[str, _Stored]:
    """The stored cards among `iccids` the caller may see (a card under the contract of an
    organisation outside the caller's scope counts as missing, as by hand). `lock`: the
    rows are locked for the write (PostgreSQL); `usage`: payments and requests are counted
    (delete mode)."""
    S = SimCard  # noqa: N806
    found: dict[str, _Stored] = {}
    visible = actor.visible_org_ids()
    for i in range(0, len(iccids), IN_CHUNK):
        chunk = iccids[i : i + IN_CHUNK]
        q = (
            sa.select(
                col(S.iccid),
                col(S.id),
                col(S.msisdn),
                col(S.status),
                col(S.tariff_id),
                col(S.partner_id),
                col(S.label),
                col(S.contract_id),
                col(S.activated_at),
                col(S.blocked_at),
                col(S.block_reason),
                col(S.blocked_by_id),
                col(S.version),
                col(TelecomContract.organisation_id),
            )
            .outerjoin(TelecomContract, col(TelecomContract.id) == col(S.contract_id))
            .where(col(S.iccid).in_(chunk))
        )
        if lock:
            q = q.with_for_update(of=S)
        rows = session.execute(q).all()
        counts: dict[int, tuple[int, int]] = {}
        if usage and rows:
            ids = [r[1] for r in rows]
            paid = dict(
                session.exec(
                    select(Payment.sim_id, func.count())
                    .where(col(Payment.sim_id).in_(ids))
                    .group_by(col(Payment.sim_id))
                ).all()
            )
            asked: dict[int, int] = {}
            for model in (ActivationRequest, TariffChangeRequest, BlockRequest):
                for sim_id, n in session.exec(
                    select(model.sim_id, func.count())
                    .where(col(model.sim_id).in_(ids))
                    .group_by(col(model.sim_id))
                ).all():
                    if sim_id is not None:
                        asked[sim_id] = asked.get(sim_id, 0) + int(n)
            counts = {i: (int(paid.get(i, 0)), asked.get(i, 0)) for i in ids}
        for r in rows:
            org_id = r[13]
            if org_id is not None and visible is not None and org_id not in visible:
                continue
            payments, requests = counts.get(r[1], (0, 0))
            found[r[0]] = _Stored(
                id=r[1],
                msisdn=r[2],
                status=r[3],
                tariff_id=r[4],
                partner_id=r[5],
                label=r[6],
                contract_id=r[7],
                activated_at=r[8],
                blocked_at=r[9],
                block_reason=r[10],
                blocked_by_id=r[11],
                version=r[12],
                payments=payments,
                requests=requests,
            )
    return found


def _msisdn_owners(session: Session, msisdns: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for i in range(0, len(msisdns), IN_CHUNK):
        chunk = msisdns[i : i + IN_CHUNK]
        owners.update(
            session.exec(
                select(SimCard.msisdn, SimCard.iccid).where(col(SimCard.msisdn).in_(chunk))
            ).all()
        )
    return owners


def _missing(row: csv_import.SimRow) -> csv_import.RowError:
    return csv_import.RowError(row.row, "ICCID", f"Сим-карты с ICCID {row.iccid} нет в базе.")


def _delete_errors(
    rows: list[csv_import.SimRow], stored: Mapping[str, _Stored]
) -> list[csv_import.RowError]:
    errors = []
    for r in rows:
        sim = stored.get(r.iccid)
        if sim is None:
            errors.append(_missing(r))
            continue
        refusal = ar.sim_delete_refusal(
            contract_id=sim.contract_id,
            status=sim.status,
            payments=sim.payments,
            requests=sim.requests,
        )
        if refusal:
            errors.append(csv_import.RowError(r.row, "ICCID", f"{r.iccid}: {refusal}"))
    return errors


@dataclass(frozen=True)
class _Change:
    sim: _Stored
    iccid: str
    msisdn: str
    tariff_id: int | None
    partner_id: int | None
    steps: tuple[str, ...]


def _plan_updates(
    session: Session,
    actor: Actor,
    rows: list[csv_import.SimRow],
    present: tuple[str, ...],
    *,
    lock: bool,
) -> tuple[list[_Change], list[csv_import.RowError], int]:
    """`_update_plan` against the stored cards (`lock`: locked for the write)."""
    stored = _stored_sims(session, actor, [r.iccid for r in rows], lock=lock, usage=False)
    tariffs, partners = _dictionaries(session)
    owners = _msisdn_owners(session, [r.msisdn for r in rows if r.msisdn])
    return _update_plan(rows, present, stored, owners, tariffs, partners)


def _update_plan(
    rows: list[csv_import.SimRow],
    present: tuple[str, ...],
    stored: Mapping[str, _Stored],
    owners: Mapping[str, str],
    tariffs: Mapping[str, int],
    partners: Mapping[str, int],
) -> tuple[list[_Change], list[csv_import.RowError], int]:
    """What an update file changes: the changes, the row errors, the rows already equal."""
    changes: list[_Change] = []
    errors: list[csv_import.RowError] = []
    unchanged = 0
    has = set(present)
    for r in rows:
        sim = stored.get(r.iccid)
        if sim is None:
            errors.append(_missing(r))
            continue
        row_errors = []
        msisdn = sim.msisdn
        if csv_import.COL_MSISDN in has:
            msisdn = r.msisdn
            owner = owners.get(msisdn)
            if owner is not None and owner != r.iccid:
                row_errors.append(
                    csv_import.RowError(
                        r.row, "Номер", f"Номер {msisdn} уже у сим-карты с ICCID {owner}."
                    )
                )
        # a column the file lacks reads as an empty cell: no error, and the stored value stays
        row_errors += csv_import.reference_errors(r, tariffs=tariffs, partners=partners)
        tariff_id, partner_id = sim.tariff_id, sim.partner_id
        if csv_import.COL_TARIFF in has:
            tariff_id = tariffs.get(csv_import.norm_name(r.tariff)) if r.tariff else None
        if csv_import.COL_PARTNER in has:
            partner_id = partners.get(csv_import.norm_name(r.partner)) if r.partner else None
        steps, error = ar.import_status_steps(
            sim.status, r.status, activated=sim.activated_at is not None
        )
        if error:
            row_errors.append(csv_import.RowError(r.row, "Статус", error))
        if row_errors:
            errors += row_errors
            continue
        if (msisdn, tariff_id, partner_id) == (
            sim.msisdn,
            sim.tariff_id,
            sim.partner_id,
        ) and not steps:
            unchanged += 1
            continue
        changes.append(_Change(sim, r.iccid, msisdn, tariff_id, partner_id, steps))
    return changes, errors, unchanged


def _write_updates(
    session: Session,
    actor: Actor,
    rows: list[csv_import.SimRow],
    present: tuple[str, ...],
    *,
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    """Change the stored cards (locked) as the file says, in the caller's transaction: the
    same steps as by hand (activation date, block with reason and history, block lifted)."""
    changes, errors, unchanged = _plan_updates(session, actor, rows, present, lock=True)
    _first_error(errors)
    now = utcnow()
    values: list[dict[str, Any]] = []
    blocked: list[int] = []
    unblocked: list[int] = []
    for c in changes:
        sim = c.sim
        status, activated_at = sim.status, sim.activated_at
        blocked_at, reason, blocked_by = sim.blocked_at, sim.block_reason, sim.blocked_by_id
        for step in c.steps:
            if step == "unblock":
                status = SimStatus.ACTIVE if activated_at else SimStatus.INACTIVE
                blocked_at, reason, blocked_by = None, "", None
                unblocked.append(sim.id)
            elif step == "activate":
                status, activated_at = SimStatus.ACTIVE, now
            else:  # block
                status = SimStatus.BLOCKED
                blocked_at, reason, blocked_by = now, ar.IMPORT_BLOCK_REASON, actor.id
                blocked.append(sim.id)
        values.append(
            {
                "id": sim.id,
                "msisdn": c.msisdn,
                "tariff_id": c.tariff_id,
                "partner_id": c.partner_id,
                "status": status,
                "activated_at": activated_at,
                "blocked_at": blocked_at,
                "block_reason": reason,
                "blocked_by_id": blocked_by,
                "search_text": ar.search_text(c.iccid, c.msisdn, sim.label),
                "version": sim.version + 1,
                "updated_at": now,
            }
        )
    # A number handed from one card to another inside the file was refused above (its
    # owner is another stored card), so no row waits for another's old number.
    done = 0
    for i in range(0, len(values), INSERT_CHUNK):
        chunk = values[i : i + INSERT_CHUNK]
        session.execute(sa.update(SimCard), chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    for i in range(0, len(unblocked), IN_CHUNK):
        session.execute(
            sa.update(SimBlockEvent)
            .where(
                col(SimBlockEvent.sim_id).in_(unblocked[i : i + IN_CHUNK]),
                col(SimBlockEvent.unblocked_at).is_(None),
            )
            .values(
                unblocked_at=now, unblocked_by_id=actor.id, unblock_comment=ar.IMPORT_BLOCK_REASON
            )
        )
    if blocked:
        session.execute(
            SimBlockEvent.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "sim_id": sim_id,
                    "reason": ar.IMPORT_BLOCK_REASON,
                    "blocked_at": now,
                    "blocked_by_id": actor.id,
                    "unblock_comment": "",
                }
                for sim_id in blocked
            ],
        )
    return done, unchanged


def _write_deletes(
    session: Session,
    actor: Actor,
    rows: list[csv_import.SimRow],
    *,
    progress: Callable[[int], None] | None,
) -> int:
    """Delete the file's stock cards (locked, checked again as by hand) with their own block
    history, in the caller's transaction."""
    stored = _stored_sims(session, actor, [r.iccid for r in rows], lock=True, usage=True)
    _first_error(_delete_errors(rows, stored))
    ids = [stored[r.iccid].id for r in rows]
    done = 0
    for i in range(0, len(ids), IN_CHUNK):
        chunk = ids[i : i + IN_CHUNK]
        session.execute(sa.delete(SimBlockEvent).where(col(SimBlockEvent.sim_id).in_(chunk)))
        session.execute(sa.delete(SimCard).where(col(SimCard.id).in_(chunk)))
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def _block_events_for_imported(
    session: Session, actor: Actor, rows: Iterable[csv_import.SimRow], now: Any
) -> None:
    blocked = [r.iccid for r in rows if r.status == SimStatus.BLOCKED]
    for i in range(0, len(blocked), IN_CHUNK):
        ids = session.exec(
            select(SimCard.id).where(col(SimCard.iccid).in_(blocked[i : i + IN_CHUNK]))
        ).all()
        session.execute(
            SimBlockEvent.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "sim_id": sim_id,
                    "reason": "Импорт из CSV",
                    "blocked_at": now,
                    "blocked_by_id": actor.id,
                    "unblock_comment": "",
                }
                for sim_id in ids
            ],
        )


def cancel_import(session: Session, *, actor_id: int, job_id: int, ip: str = "") -> None:
    """Drop a checked file that will not be imported."""
    actor = _admin(session, actor_id)
    done = session.execute(
        sa.update(ImportJob)
        .where(
            col(ImportJob.id) == job_id,
            col(ImportJob.status).in_([ImportStatus.READY, ImportStatus.INVALID]),
        )
        .values(status=ImportStatus.CANCELLED, updated_at=utcnow(), finished_at=utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ValidationFailed("Эту загрузку уже нельзя отменить.")
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.import_cancel",
        object_type="telecom_import",
        object_id=job_id,
        ip=ip,
    )
    session.commit()


def progress_writer(job_id: int) -> Callable[[int], None]:
    """For the checking phase (no transaction open): progress into the job row."""
    return _progress_writer(job_id)


def requester_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.full_name if user is not None else ""
