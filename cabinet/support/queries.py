"""Reads of the support desk, scoped through cabinet.access; plain dataclasses out.

Who sees a request:
- the customer side: its author, and the customer administrators of its organisation;
- staff with SUPPORT_HANDLE: requests of organisations they may see (assigned managers their
  organisations, ORGS_ALL every one), plus requests addressed to one of their departments, to
  them by name, or assigned to them.
Anything else answers "not found", exactly as a missing request does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, false, or_, select

from cabinet.access.rules import Actor, Perm
from cabinet.errors import NotFound, PermissionDenied
from cabinet.files.queries import register_read_rule
from cabinet.formatting import fmt_dt
from cabinet.pagination import SortSpec, fetch_page
from cabinet.support import rules
from cabinet.support.rules import Side
from models import (
    ManagerAssignment,
    Organisation,
    RolePermission,
    StoredFile,
    SupportAttachment,
    SupportCategory,
    SupportDepartment,
    SupportDepartmentMember,
    SupportMessage,
    SupportRequest,
    User,
    UserRole,
)
from models.base import utcnow
from models.support import MessageKind

PAGE_SIZE = 20
NOT_FOUND = "Обращение не найдено."


# --------------------------------------------------------------------------- scope


def staff_department_ids(session: Session, user_id: int) -> frozenset[int]:
    return frozenset(
        session.exec(
            select(SupportDepartmentMember.department_id).where(
                SupportDepartmentMember.user_id == user_id
            )
        ).all()
    )


def is_handler(actor: Actor) -> bool:
    return Perm.SUPPORT_HANDLE in actor.global_perms


def _staff_sees(actor: Actor, req: SupportRequest, dept_ids: frozenset[int]) -> bool:
    if not is_handler(actor):
        return False
    visible = actor.visible_org_ids()
    return (
        visible is None
        or req.organisation_id in visible
        or (req.department_id is not None and req.department_id in dept_ids)
        or actor.id in (req.addressee_id, req.assignee_id)
    )


def _customer_sees(actor: Actor, req: SupportRequest) -> bool:
    org = req.organisation_id
    if org not in actor.member_org_ids:
        return False
    return req.author_id == actor.id or actor.has(Perm.ORG_USERS_MANAGE, org)


def side_of(session: Session, actor: Actor, req: SupportRequest) -> Side | None:
    """Which side of the request the actor is on; None: they may not see it."""
    if _staff_sees(actor, req, staff_department_ids(session, actor.id)):
        return Side.STAFF
    if _customer_sees(actor, req):
        return Side.CUSTOMER
    return None


def access_request(
    session: Session, actor: Actor, request_id: int, *, lock: bool = False
) -> tuple[SupportRequest, Side]:
    """Fetch and authorise in one call: missing and forbidden both answer NotFound."""
    if not 0 < int(request_id) < 2**31:
        raise NotFound(NOT_FOUND)
    stmt = select(SupportRequest).where(SupportRequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    req = session.exec(stmt).first()
    if req is None:
        raise NotFound(NOT_FOUND)
    if lock:
        session.refresh(req)
    side = side_of(session, actor, req)
    if side is None:
        raise NotFound(NOT_FOUND)
    return req, side


def _staff_scope(session: Session, actor: Actor, stmt):  # type: ignore[no-untyped-def]
    visible = actor.visible_org_ids()
    if visible is None:
        return stmt
    depts = staff_department_ids(session, actor.id)
    conds = [
        col(SupportRequest.addressee_id) == actor.id,
        col(SupportRequest.assignee_id) == actor.id,
    ]
    if visible:
        conds.append(col(SupportRequest.organisation_id).in_(visible))
    if depts:
        conds.append(col(SupportRequest.department_id).in_(depts))
    return stmt.where(or_(*conds))


def _customer_scope(actor: Actor, stmt):  # type: ignore[no-untyped-def]
    admin_orgs = [o for o in actor.member_org_ids if actor.has(Perm.ORG_USERS_MANAGE, o)]
    conds: list[ColumnElement[bool]] = [
        (col(SupportRequest.author_id) == actor.id)
        & col(SupportRequest.organisation_id).in_(actor.member_org_ids or {0})
    ]
    if admin_orgs:
        conds.append(col(SupportRequest.organisation_id).in_(admin_orgs))
    return stmt.where(or_(*conds)) if actor.member_org_ids else stmt.where(false())


# --------------------------------------------------------------------------- reference data


@dataclass
class Option:
    value: str
    label: str


@dataclass
class DepartmentRow:
    id: int
    name: str
    description: str
    is_active: bool
    member_ids: list[int] = field(default_factory=list)
    member_names: str = ""


@dataclass
class CategoryRow:
    id: int
    name: str
    response_hours: int
    default_department_id: int
    default_department: str
    is_active: bool


def departments(session: Session, *, active_only: bool = False) -> list[DepartmentRow]:
    stmt = select(SupportDepartment).order_by(SupportDepartment.name, col(SupportDepartment.id))
    if active_only:
        stmt = stmt.where(SupportDepartment.is_active)
    rows = session.exec(stmt).all()
    members = session.exec(
        select(SupportDepartmentMember.department_id, User.id, User.full_name)
        .join(User, col(User.id) == SupportDepartmentMember.user_id)
        .order_by(User.full_name)
    ).all()
    by_dept: dict[int, list[tuple[int, str]]] = {}
    for dept_id, uid, name in members:
        assert uid is not None  # a joined user's primary key
        by_dept.setdefault(dept_id, []).append((uid, name))
    return [
        DepartmentRow(
            id=d.id or 0,
            name=d.name,
            description=d.description,
            is_active=d.is_active,
            member_ids=[u for u, _ in by_dept.get(d.id or 0, [])],
            member_names=", ".join(n for _, n in by_dept.get(d.id or 0, [])),
        )
        for d in rows
    ]


def categories(session: Session, *, active_only: bool = False) -> list[CategoryRow]:
    stmt = (
        select(SupportCategory, SupportDepartment.name)
        .join(
            SupportDepartment,
            col(SupportDepartment.id) == SupportCategory.default_department_id,
            isouter=True,
        )
        .order_by(SupportCategory.name, col(SupportCategory.id))
    )
    if active_only:
        stmt = stmt.where(SupportCategory.is_active)
    return [
        CategoryRow(
            id=c.id or 0,
            name=c.name,
            response_hours=c.response_hours,
            default_department_id=c.default_department_id or 0,
            default_department=dept or "",
            is_active=c.is_active,
        )
        for c, dept in session.exec(stmt).all()
    ]


def require_manage(actor: Actor) -> None:
    if Perm.SUPPORT_MANAGE not in actor.global_perms:
        raise PermissionDenied()


def support_staff(session: Session) -> list[Option]:
    """Users who hold SUPPORT_HANDLE platform-wide (assignees, department members)."""
    rows = session.exec(
        select(User.id, User.full_name)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .join(RolePermission, col(RolePermission.role_id) == UserRole.role_id)
        .where(
            col(UserRole.organisation_id).is_(None),
            RolePermission.permission == Perm.SUPPORT_HANDLE,
            col(User.is_blocked).is_(False),
        )
        .distinct()
        .order_by(User.full_name, col(User.id))
    ).all()
    return [Option(str(uid), name) for uid, name in rows]


def is_support_staff(session: Session, user_id: int) -> bool:
    return (
        session.exec(
            select(UserRole.id)
            .join(RolePermission, col(RolePermission.role_id) == UserRole.role_id)
            .join(User, col(User.id) == UserRole.user_id)
            .where(
                UserRole.user_id == user_id,
                col(UserRole.organisation_id).is_(None),
                RolePermission.permission == Perm.SUPPORT_HANDLE,
                col(User.is_blocked).is_(False),
            )
        ).first()
        is not None
    )


# --------------------------------------------------------------------------- new-request form


@dataclass
class NewRequestForm:
    """What the new-request form offers a customer for one organisation."""

    organisations: list[Option]
    recipients: list[Option]  # "dept:<id>" departments, "user:<id>" the organisation's managers
    categories: list[Option]


def own_managers(session: Session, org_id: int) -> list[tuple[int, str]]:
    """The organisation's own managers (ManagerAssignment), by name."""
    return [
        (uid, name)
        for uid, name in session.exec(
            select(User.id, User.full_name)
            .join(ManagerAssignment, col(ManagerAssignment.manager_id) == User.id)
            .where(ManagerAssignment.organisation_id == org_id, col(User.is_blocked).is_(False))
            .order_by(User.full_name, col(User.id))
        ).all()
        if uid is not None
    ]


def request_orgs(session: Session, actor: Actor) -> list[Option]:
    """Organisations the actor may write requests for (members with SUPPORT_REQUEST)."""
    ids = [o for o in actor.member_org_ids if actor.has(Perm.SUPPORT_REQUEST, o)]
    if not ids:
        return []
    return [
        Option(str(o.id), o.name)
        for o in session.exec(
            select(Organisation).where(col(Organisation.id).in_(ids)).order_by(Organisation.name)
        ).all()
    ]


def new_request_form(session: Session, actor: Actor, org_id: int | None) -> NewRequestForm:
    orgs = request_orgs(session, actor)
    recipients = [Option(f"dept:{d.id}", d.name) for d in departments(session, active_only=True)]
    if org_id is not None and str(org_id) in {o.value for o in orgs}:
        recipients = [
            Option(f"user:{uid}", f"{name} — ваш менеджер")
            for uid, name in own_managers(session, org_id)
        ] + recipients
    cats = [
        Option(str(c.id), f"{c.name} (ответ до {c.response_hours} ч)")
        for c in categories(session, active_only=True)
    ]
    return NewRequestForm(orgs, recipients, cats)


# --------------------------------------------------------------------------- lists


@dataclass
class RequestListRow:
    id: int
    number: str
    subject: str
    status: str
    organisation: str
    author: str
    category: str
    recipient: str  # department or the named employee
    assignee: str
    created_at: str
    updated_at: str
    due_at: str
    deadline: str  # "осталось 5 ч" / "просрочено на 2 ч" / ""
    deadline_en: str
    overdue: bool
    href: str


@dataclass
class ListPage:
    rows: list[RequestListRow]
    next_after: str
    prev_before: str


BY_ID = SortSpec(name="support_requests", id=SupportRequest.id, descending=True)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # a status, "open" (new/in progress/waiting), or "" for all
    department_id: int | None = None
    category_id: int | None = None
    assignee: str = ""  # "me", "none", a user id, or ""
    overdue: bool = False
    q: str = ""


def _list_stmt() -> tuple[Any, type[User]]:
    author = aliased(User)
    addressee = aliased(User)
    assignee = aliased(User)
    stmt = (
        select(  # type: ignore[call-overload]
            SupportRequest,
            Organisation.name,
            author.full_name,
            SupportCategory.name,
            SupportDepartment.name,
            addressee.full_name,
            assignee.full_name,
        )
        .join(Organisation, Organisation.id == SupportRequest.organisation_id)
        .join(author, author.id == SupportRequest.author_id)
        .join(SupportCategory, SupportCategory.id == SupportRequest.category_id)
        .join(
            SupportDepartment,
            SupportDepartment.id == SupportRequest.department_id,
            isouter=True,
        )
        .join(addressee, addressee.id == SupportRequest.addressee_id, isouter=True)
        .join(assignee, assignee.id == SupportRequest.assignee_id, isouter=True)
    )
    return stmt, author


def _status_filter(stmt, status: str):  # type: ignore[no-untyped-def]
    if status == "open":
        return stmt.where(col(SupportRequest.status).in_(rules.OPEN_STATUSES))
    if status in rules.STATUS_LABELS:
        return stmt.where(SupportRequest.status == status)
    return stmt


def _rows(page_rows: list, now: datetime) -> list[RequestListRow]:  # type: ignore[type-arg]
    out = []
    for r, org, author, cat, dept, addressee, assignee in page_rows:
        out.append(
            RequestListRow(
                id=r.id or 0,
                number=rules.number(r.id or 0),
                subject=r.subject,
                status=r.status,
                organisation=org,
                author=author,
                category=cat,
                recipient=addressee or dept or "",
                assignee=assignee or "",
                created_at=fmt_dt(r.created_at),
                updated_at=fmt_dt(r.updated_at),
                due_at=fmt_dt(r.due_at) if r.status in rules.AWAITING_STAFF else "",
                deadline=rules.deadline_text(r.status, r.due_at, now),
                deadline_en=rules.deadline_text(r.status, r.due_at, now, "en"),
                overdue=rules.is_overdue(r.status, r.due_at, now),
                href=f"/support/view?id={r.id}",
            )
        )
    return out


def my_requests(
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> ListPage:
    """The customer's requests (their own; all of the organisation for its administrator)."""
    stmt, _author = _list_stmt()
    stmt = _status_filter(_customer_scope(actor, stmt), status)
    page = fetch_page(
        session,
        stmt,
        BY_ID,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (None, row[0].id),
    )
    return ListPage(_rows(page.rows, utcnow()), page.next_after, page.prev_before)


def queue(
    session: Session,
    actor: Actor,
    filters: QueueFilters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ListPage:
    """The staff queue: scoped, filtered, newest first, keyset pages."""
    if not is_handler(actor):
        raise PermissionDenied()
    now = now or utcnow()
    stmt, _author = _list_stmt()
    stmt = _status_filter(_staff_scope(session, actor, stmt), filters.status)
    if filters.department_id:
        stmt = stmt.where(SupportRequest.department_id == filters.department_id)
    if filters.category_id:
        stmt = stmt.where(SupportRequest.category_id == filters.category_id)
    if filters.assignee == "me":
        stmt = stmt.where(SupportRequest.assignee_id == actor.id)
    elif filters.assignee == "none":
        stmt = stmt.where(col(SupportRequest.assignee_id).is_(None))
    elif filters.assignee.isdigit() and len(filters.assignee) < 11:
        stmt = stmt.where(SupportRequest.assignee_id == int(filters.assignee))
    if filters.overdue:
        stmt = stmt.where(
            col(SupportRequest.status).in_(rules.AWAITING_STAFF),
            col(SupportRequest.due_at).is_not(None),
            col(SupportRequest.due_at) < now,
        )
    q = " ".join((filters.q or "").split())[:100].lstrip("№# ")
    if q:
        if q.isdigit() and len(q) < 11:
            stmt = stmt.where(SupportRequest.id == int(q))
        else:
            stmt = stmt.where(col(SupportRequest.search_text).contains(q.lower(), autoescape=True))
    page = fetch_page(
        session,
        stmt,
        BY_ID,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (None, row[0].id),
    )
    return ListPage(_rows(page.rows, now), page.next_after, page.prev_before)


# --------------------------------------------------------------------------- one request


@dataclass
class FileRow:
    id: int
    filename: str
    size: str


@dataclass
class ThreadItem:
    id: int
    kind: str  # message | note | event
    from_staff: bool
    mine: bool
    author: str
    at: str
    body: str
    status_from: str
    status_to: str
    files: list[FileRow] = field(default_factory=list)


@dataclass
class RequestView:
    id: int
    number: str
    subject: str
    status: str
    side: str  # "customer" | "staff"
    organisation: str
    organisation_id: int
    author: str
    category: str
    department: str
    addressee: str
    assignee: str
    assignee_id: int
    assigned_to_me: bool
    created_at: str
    due_at: str
    deadline: str
    deadline_en: str
    overdue: bool
    response_hours: int
    buttons: list[str] = field(default_factory=list)
    can_reply: bool = False
    can_attach: bool = False
    thread: list[ThreadItem] = field(default_factory=list)


EMPTY_VIEW = RequestView(
    id=0,
    number="",
    subject="",
    status="",
    side="",
    organisation="",
    organisation_id=0,
    author="",
    category="",
    department="",
    addressee="",
    assignee="",
    assignee_id=0,
    assigned_to_me=False,
    created_at="",
    due_at="",
    deadline="",
    deadline_en="",
    overdue=False,
    response_hours=0,
)


def reopen_since(req: SupportRequest) -> datetime | None:
    """The moment the "within N days" rules count from."""
    return req.closed_at if req.status == "closed" else req.resolved_at


def request_view(
    session: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> RequestView:
    """One request with its thread; internal notes only for staff."""
    from cabinet.files.rules import human_size

    now = now or utcnow()
    req, side = access_request(session, actor, request_id)
    org = session.get(Organisation, req.organisation_id)
    author = session.get(User, req.author_id)
    cat = session.get(SupportCategory, req.category_id)
    dept = session.get(SupportDepartment, req.department_id) if req.department_id else None
    addressee = session.get(User, req.addressee_id) if req.addressee_id else None
    assignee = session.get(User, req.assignee_id) if req.assignee_id else None
    staff = side == Side.STAFF
    stmt = (
        select(SupportMessage, User.full_name)
        .join(User, col(User.id) == SupportMessage.author_id, isouter=True)
        .where(SupportMessage.request_id == req.id)
        .order_by(col(SupportMessage.id))
    )
    if not staff:
        stmt = stmt.where(
            SupportMessage.kind != MessageKind.NOTE,
            (SupportMessage.kind != MessageKind.EVENT) | (SupportMessage.status_to != ""),
        )
    messages = session.exec(stmt).all()
    files = session.exec(
        select(SupportAttachment.message_id, StoredFile)
        .join(StoredFile, col(StoredFile.id) == SupportAttachment.file_id)
        .where(SupportAttachment.request_id == req.id)
        .order_by(col(SupportAttachment.id))
    ).all()
    by_msg: dict[int, list[FileRow]] = {}
    for msg_id, f in files:
        by_msg.setdefault(msg_id or 0, []).append(
            FileRow(id=f.id or 0, filename=f.filename, size=human_size(f.size))
        )
    since = reopen_since(req)
    thread = [
        ThreadItem(
            id=m.id or 0,
            kind=m.kind,
            from_staff=m.from_staff,
            mine=m.author_id == actor.id,
            author=name or "",
            at=fmt_dt(m.created_at),
            body=m.body,
            status_from=m.status_from,
            status_to=m.status_to,
            files=by_msg.get(m.id or 0, []),
        )
        for m, name in messages
    ]
    visible = actor.visible_org_ids()
    return RequestView(
        id=req.id or 0,
        number=rules.number(req.id or 0),
        subject=req.subject,
        status=req.status,
        side=str(side),
        organisation=org.name if org else "",
        organisation_id=req.organisation_id,
        author=author.full_name if author else "",
        category=cat.name if cat else "",
        department=dept.name if dept else "",
        addressee=addressee.full_name if addressee else "",
        assignee=assignee.full_name if assignee else "",
        assignee_id=req.assignee_id or 0,
        assigned_to_me=req.assignee_id == actor.id,
        created_at=fmt_dt(req.created_at),
        due_at=fmt_dt(req.due_at) if staff and req.status in rules.AWAITING_STAFF else "",
        deadline=rules.deadline_text(req.status, req.due_at, now) if staff else "",
        deadline_en=rules.deadline_text(req.status, req.due_at, now, "en") if staff else "",
        overdue=staff and rules.is_overdue(req.status, req.due_at, now),
        response_hours=cat.response_hours if cat else 0,
        buttons=rules.buttons(req.status, side, since=since, now=now),
        can_reply=rules.may_reply(req.status, side, since=since, now=now),
        can_attach=visible is None or req.organisation_id in visible,
        thread=thread,
    )


@register_read_rule
def may_read_attachment(session: Session, actor: Actor, file_id: int) -> bool:
    """A file attached to a request the actor may see (for staff who see the request through
    their department or by name, without seeing its organisation). Meant for
    cabinet.files.queries.open_file, next to its owner/organisation rule."""
    request_ids = session.exec(
        select(SupportAttachment.request_id).where(SupportAttachment.file_id == file_id)
    ).all()
    for rid in request_ids:
        req = session.get(SupportRequest, rid)
        if req is not None and side_of(session, actor, req) is not None:
            return True
    return False
