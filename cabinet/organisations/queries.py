"""Reads of the organisations module, scoped through cabinet.access; plain dataclasses out."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from cabinet.access.rules import Actor, BuiltinRole, Perm
from cabinet.access.service import require_org_visible
from cabinet.errors import NotFound, PermissionDenied
from cabinet.formatting import fmt_dt
from cabinet.organisations import rules
from cabinet.pagination import SortSpec, fetch_page
from models import LinkRequest, LinkRequestEvent, Membership, Organisation, Role, User, UserRole
from models.organisations import LinkStatus

PAGE_SIZE = 20


@dataclass
class OrgRow:
    id: int
    name: str
    inn: str
    kind: str
    is_active: bool
    is_admin: bool  # the caller is a customer administrator here


@dataclass
class HistoryRow:
    at: str
    action: str
    status: str
    actor_name: str
    comment: str


@dataclass
class RequestRow:
    id: int
    organisation_id: int
    org_name: str
    inn: str
    status: str
    created_at: str
    decided_at: str
    message: str
    decision_comment: str
    role_code: str
    can_cancel: bool
    history: list[HistoryRow] = field(default_factory=list)


@dataclass
class QueueRow:
    id: int
    organisation_id: int
    org_name: str
    inn: str
    org_active: bool
    created_org: bool
    user_name: str
    user_email: str
    status: str
    created_at: str
    decided_at: str
    decided_by: str
    message: str
    decision_comment: str
    role_code: str
    can_decide: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_after: str  # signed keyset cursors for the URL (`after=` / `before=`); "" = none
    prev_before: str


QUEUE_ORDER = SortSpec(name="link_requests", id=LinkRequest.id, descending=True)


@dataclass
class MemberRow:
    user_id: int
    full_name: str
    email: str
    phone: str
    is_admin: bool
    is_me: bool


@dataclass
class OrgProfile:
    id: int
    kind: str
    name: str
    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    snils: str
    passport_series: str
    passport_number: str
    passport_issued_by: str
    passport_issued_at: str
    address: str
    is_active: bool
    can_manage: bool
    members: list[MemberRow] = field(default_factory=list)

    def form_values(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in rules.ALL_FIELD_KEYS}


EMPTY_PROFILE = OrgProfile(
    id=0,
    kind="",
    name="",
    inn="",
    kpp="",
    ogrn="",
    legal_address="",
    snils="",
    passport_series="",
    passport_number="",
    passport_issued_by="",
    passport_issued_at="",
    address="",
    is_active=False,
    can_manage=False,
)


def my_organisations(session: Session, actor: Actor) -> list[OrgRow]:
    """The organisations the caller is a contact of (one contact, several organisations)."""
    if not actor.member_org_ids:
        return []
    orgs = session.exec(
        select(Organisation)
        .where(col(Organisation.id).in_(actor.member_org_ids))
        .order_by(Organisation.name, col(Organisation.id))
    ).all()
    return [
        OrgRow(
            id=o.id or 0,
            name=o.name,
            inn=o.inn,
            kind=o.kind,
            is_active=o.is_active,
            is_admin=actor.has(Perm.ORG_USERS_MANAGE, o.id),
        )
        for o in orgs
    ]


def _history(session: Session, request_ids: list[int]) -> dict[int, list[HistoryRow]]:
    if not request_ids:
        return {}
    rows = session.exec(
        select(LinkRequestEvent, User.full_name)
        .join(User, col(User.id) == LinkRequestEvent.actor_id, isouter=True)
        .where(col(LinkRequestEvent.request_id).in_(request_ids))
        .order_by(col(LinkRequestEvent.id))
    ).all()
    out: dict[int, list[HistoryRow]] = {}
    for ev, name in rows:
        out.setdefault(ev.request_id, []).append(
            HistoryRow(
                at=fmt_dt(ev.at),
                action=ev.action,
                status=ev.status,
                actor_name=name or "",
                comment=ev.comment,
            )
        )
    return out


def my_link_requests(session: Session, actor: Actor, *, limit: int = 100) -> list[RequestRow]:
    """The caller's own requests, newest first, each with its decision history."""
    rows = session.exec(
        select(LinkRequest, Organisation)
        .join(Organisation, col(Organisation.id) == LinkRequest.organisation_id)
        .where(LinkRequest.user_id == actor.id)
        .order_by(col(LinkRequest.id).desc())
        .limit(limit)
    ).all()
    history = _history(session, [r.id for r, _ in rows if r.id is not None])
    return [
        RequestRow(
            id=r.id or 0,
            organisation_id=o.id or 0,
            org_name=o.name,
            inn=o.inn,
            status=r.status,
            created_at=fmt_dt(r.created_at),
            decided_at=fmt_dt(r.decided_at),
            message=r.message,
            decision_comment=r.decision_comment,
            role_code=r.role_code,
            can_cancel="cancel" in rules.link_actions(r.status),
            history=history.get(r.id or 0, []),
        )
        for r, o in rows
    ]


def link_request_queue(
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    q: str = "",
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """Link requests a decider may see: assigned organisations, or all with ORGS_ALL.

    Keyset pagination on id, newest first (WHERE id < :cursor ORDER BY id DESC LIMIT n+1).
    """
    if Perm.LINKS_DECIDE not in actor.global_perms:
        raise PermissionDenied()
    decider = aliased(User)
    stmt = (
        select(LinkRequest, Organisation, User, decider.full_name)
        .join(Organisation, col(Organisation.id) == LinkRequest.organisation_id)
        .join(User, col(User.id) == LinkRequest.user_id)
        .join(decider, col(decider.id) == LinkRequest.decided_by_id, isouter=True)
    )
    if not actor.sees_all_orgs:
        if not actor.managed_org_ids:
            return QueuePage([], "", "")
        stmt = stmt.where(col(LinkRequest.organisation_id).in_(actor.managed_org_ids))
    if status in set(LinkStatus):
        stmt = stmt.where(LinkRequest.status == status)
    q = " ".join((q or "").split())[:100]
    if q:
        if q.isdigit():
            stmt = stmt.where(col(Organisation.inn).startswith(q))
        else:
            like = f"%{q}%"
            stmt = stmt.where(
                or_(
                    col(Organisation.name).ilike(like),
                    col(User.full_name).ilike(like),
                    col(User.email).ilike(like),
                )
            )
    page = fetch_page(
        session,
        stmt,
        QUEUE_ORDER,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (None, row[0].id),
    )
    out = [
        QueueRow(
            id=r.id or 0,
            organisation_id=o.id or 0,
            org_name=o.name,
            inn=o.inn,
            org_active=o.is_active,
            created_org=r.created_org,
            user_name=u.full_name,
            user_email=u.email,
            status=r.status,
            created_at=fmt_dt(r.created_at),
            decided_at=fmt_dt(r.decided_at),
            decided_by=decided_by or "",
            message=r.message,
            decision_comment=r.decision_comment,
            role_code=r.role_code,
            can_decide=bool(rules.link_actions(r.status)) and r.status == LinkStatus.PENDING,
        )
        for r, o, u, decided_by in page.rows
    ]
    return QueuePage(out, page.next_after, page.prev_before)


def organisation_profile(session: Session, actor: Actor, org_id: int) -> OrgProfile:
    """One organisation's card; another organisation's id answers "not found"."""
    require_org_visible(actor, org_id)
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound()
    can_manage = actor.has(Perm.ORG_USERS_MANAGE, org_id) or (
        Perm.ORGS_MANAGE in actor.global_perms and actor.has(Perm.ORGS_MANAGE, org_id)
    )
    members: list[MemberRow] = []
    if can_manage:
        admins = set(
            session.exec(
                select(UserRole.user_id)
                .join(Role, col(Role.id) == UserRole.role_id)
                .where(UserRole.organisation_id == org_id, Role.code == BuiltinRole.CUSTOMER_ADMIN)
            ).all()
        )
        users = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organisation_id == org_id)
            .order_by(User.full_name, col(User.id))
        ).all()
        members = [
            MemberRow(
                user_id=u.id or 0,
                full_name=u.full_name,
                email=u.email,
                phone=u.phone,
                is_admin=u.id in admins,
                is_me=u.id == actor.id,
            )
            for u in users
        ]
    return OrgProfile(
        id=org_id,
        kind=org.kind,
        name=org.name,
        inn=org.inn,
        kpp=org.kpp,
        ogrn=org.ogrn,
        legal_address=org.legal_address,
        snils=org.snils,
        passport_series=org.passport_series,
        passport_number=org.passport_number,
        passport_issued_by=org.passport_issued_by,
        passport_issued_at=org.passport_issued_at,
        address=org.address,
        is_active=org.is_active,
        can_manage=can_manage,
        members=members,
    )
