"""Support desk actions: the only writers of this module.

One function = one user action = one transaction. Each reloads the actor, fetches the request
through queries.access_request (missing and forbidden both "not found"), locks it where two
people may act at once, writes the change and its thread entry, audits, notifies the other
side and commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet import audit, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.notifications.service import emit
from cabinet.support import queries, rules
from cabinet.support.rules import Action, Side
from models import (
    ManagerAssignment,
    Organisation,
    StoredFile,
    SupportAttachment,
    SupportCategory,
    SupportDepartment,
    SupportDepartmentMember,
    SupportMessage,
    SupportRequest,
    User,
)
from models.base import utcnow
from models.support import MessageKind, SupportStatus

# --------------------------------------------------------------------------- helpers


def _snapshot(req: SupportRequest) -> dict[str, Any]:
    return {
        "organisation_id": req.organisation_id,
        "author_id": req.author_id,
        "department_id": req.department_id,
        "addressee_id": req.addressee_id,
        "category_id": req.category_id,
        "assignee_id": req.assignee_id,
        "subject": req.subject,
        "status": req.status,
        "due_at": req.due_at,
    }


def _notify(
    session: Session,
    *,
    event: str,
    recipient_ids: Iterable[int | None],
    context: Mapping[str, object],
    link: str = "",
) -> None:
    """Hand one event to the notification engine (inside this transaction)."""
    ids = sorted({i for i in recipient_ids if i})
    if ids:
        emit(session, event=event, recipient_ids=ids, context=context, link=link)


def _context(session: Session, req: SupportRequest, **extra: object) -> dict[str, object]:
    org = session.get(Organisation, req.organisation_id)
    dept = session.get(SupportDepartment, req.department_id) if req.department_id else None
    author = session.get(User, req.author_id)
    addressee = session.get(User, req.addressee_id) if req.addressee_id else None
    return {
        "request_number": str(req.id),
        "subject": req.subject,
        "department": dept.name if dept else (addressee.full_name if addressee else ""),
        "author_name": author.full_name if author else "",
        "organisation": org.name if org else "",
        **extra,
    }


def _link(req: SupportRequest) -> str:
    return routes.support_request_url(req.id or 0)


def staff_recipients(session: Session, req: SupportRequest) -> list[int]:
    """Who on the staff side hears about a request: its assignee; else the named employee;
    else the department's members; else the organisation's managers."""
    if req.assignee_id:
        return [req.assignee_id]
    if req.addressee_id:
        return [req.addressee_id]
    if req.department_id:
        ids = session.exec(
            select(SupportDepartmentMember.user_id).where(
                SupportDepartmentMember.department_id == req.department_id
            )
        ).all()
        if ids:
            return list(ids)
    return list(
        session.exec(
            select(ManagerAssignment.manager_id).where(
                ManagerAssignment.organisation_id == req.organisation_id
            )
        ).all()
    )


def _other_side(session: Session, req: SupportRequest, side: Side, actor_id: int) -> list[int]:
    ids = staff_recipients(session, req) if side == Side.CUSTOMER else [req.author_id]
    return [i for i in ids if i != actor_id]


def _refresh_due(req: SupportRequest, old: str, hours: int) -> None:
    """The response deadline runs while staff are to act; it restarts when the ball comes
    back to staff (customer reply on "waiting", reopen)."""
    if req.status in rules.AWAITING_STAFF:
        if old not in rules.AWAITING_STAFF or req.due_at is None:
            req.due_at = rules.due_at(utcnow(), hours)
    else:
        req.due_at = None


def _hours(session: Session, req: SupportRequest) -> int:
    cat = session.get(SupportCategory, req.category_id)
    return cat.response_hours if cat else 24


def _own_files(session: Session, actor: Actor, org_id: int, file_ids: Iterable[int]) -> list[int]:
    """The ids of files the actor uploaded into the request's organisation (checked before
    anything is written)."""
    ids = list(dict.fromkeys(int(f) for f in file_ids))
    if not ids:
        return []
    if len(ids) > rules.MAX_FILES:
        raise ValidationFailed(
            f"Не больше {rules.MAX_FILES} файлов в одном сообщении.", field="files"
        )
    rows = session.exec(select(StoredFile).where(col(StoredFile.id).in_(ids))).all()
    found = {r.id: r for r in rows}
    for fid in ids:
        f = found.get(fid)
        if f is None or f.owner_id != actor.id or f.organisation_id != org_id:
            raise ValidationFailed("Файл не найден — загрузите его ещё раз.", field="files")
    return ids


def _attach(session: Session, req: SupportRequest, message_id: int, ids: list[int]) -> None:
    for fid in ids:
        session.add(SupportAttachment(request_id=req.id or 0, message_id=message_id, file_id=fid))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed("Этот файл уже приложен к обращению.", field="files") from None


def _event(
    session: Session, req: SupportRequest, actor: Actor, side: Side, old: str, comment: str = ""
) -> None:
    session.add(
        SupportMessage(
            request_id=req.id or 0,
            author_id=actor.id,
            kind=MessageKind.EVENT,
            from_staff=side == Side.STAFF,
            body=comment,
            status_from=old,
            status_to=req.status,
        )
    )


# --------------------------------------------------------------------------- customer: new request


def _resolve_recipient(
    session: Session, org_id: int, recipient: str, category: SupportCategory
) -> tuple[int | None, int | None]:
    """(department_id, addressee_id) for the form's recipient; the category's default
    department when none was chosen. A named employee must be the organisation's manager."""
    parsed = rules.parse_recipient(recipient)
    if parsed is None:
        if category.default_department_id is None:
            raise ValidationFailed("Выберите, кому адресовано обращение.", field="recipient")
        return category.default_department_id, None
    kind, target = parsed
    if kind == "dept":
        dept = session.get(SupportDepartment, target)
        if dept is None or not dept.is_active:
            raise ValidationFailed("Такого отдела нет — выберите другой.", field="recipient")
        return target, None
    managers = {uid for uid, _ in queries.own_managers(session, org_id)}
    if target not in managers:
        raise ValidationFailed(
            "Этот сотрудник не ведёт вашу организацию — выберите своего менеджера или отдел.",
            field="recipient",
        )
    return None, target


def create_request(
    session: Session,
    *,
    actor_id: int,
    organisation_id: int,
    category_id: int,
    subject: str,
    text: str,
    recipient: str = "",
    file_ids: Iterable[int] = (),
    ip: str = "",
) -> SupportRequest:
    """A customer writes to a department or to their own manager, with attachments."""
    actor = load_actor(session, actor_id)
    if organisation_id not in actor.member_org_ids:
        raise NotFound("Организация не найдена.")
    require(actor, Perm.SUPPORT_REQUEST, organisation_id)
    subject = rules.clean_subject(subject)
    text = rules.clean_text(text)
    category = session.get(SupportCategory, category_id) if category_id else None
    if category is None or not category.is_active:
        raise ValidationFailed("Выберите категорию обращения.", field="category")
    department_id, addressee_id = _resolve_recipient(session, organisation_id, recipient, category)
    files = _own_files(session, actor, organisation_id, file_ids)
    now = utcnow()
    org = session.get(Organisation, organisation_id)
    req = SupportRequest(
        search_text=rules.search_text(
            subject, actor.full_name, actor.email, org.name if org else ""
        ),
        organisation_id=organisation_id,
        author_id=actor.id,
        department_id=department_id,
        addressee_id=addressee_id,
        assignee_id=addressee_id,  # a request to a named employee lands on their desk
        category_id=category.id or 0,
        subject=subject,
        status=SupportStatus.NEW,
        due_at=rules.due_at(now, category.response_hours),
        created_at=now,
        updated_at=now,
    )
    session.add(req)
    session.flush()
    msg = SupportMessage(request_id=req.id or 0, author_id=actor.id, body=text, created_at=now)
    session.add(msg)
    session.flush()
    _attach(session, req, msg.id or 0, files)
    audit.record(
        session,
        actor_id=actor.id,
        action="support.request_create",
        object_type="support_request",
        object_id=req.id,
        after={**_snapshot(req), "files": files},
        ip=ip,
    )
    _notify(
        session,
        event="support.request_created",
        recipient_ids=[i for i in staff_recipients(session, req) if i != actor.id],
        context=_context(session, req),
        link=_link(req),
    )
    session.commit()
    return req


# --------------------------------------------------------------------------- the thread


def add_message(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    text: str,
    file_ids: Iterable[int] = (),
    internal: bool = False,
    ip: str = "",
) -> SupportMessage:
    """A reply (or, for staff, an internal note) in the thread; moves the status per the
    workflow table and notifies the other side."""
    actor = load_actor(session, actor_id)
    req, side = queries.access_request(session, actor, request_id, lock=True)
    files = _own_files(session, actor, req.organisation_id, file_ids)
    text = rules.clean_text(text, required=not files)
    if not text and not files:
        raise ValidationFailed("Напишите текст сообщения.", field="text")
    if internal and side != Side.STAFF:
        raise PermissionDenied()
    now = utcnow()
    before = _snapshot(req)
    old = req.status
    if not internal:
        stp = rules.step(req.status, Action.REPLY, side, since=queries.reopen_since(req), now=now)
        req.status = stp.to
        if side == Side.STAFF:
            req.first_response_at = req.first_response_at or now
            if req.assignee_id is None:
                req.assignee_id = actor.id  # whoever answers first takes it
        if req.status != old and old in (SupportStatus.RESOLVED, SupportStatus.CLOSED):
            req.resolved_at = req.closed_at = None
        _refresh_due(req, old, _hours(session, req))
    req.updated_at = now
    session.add(req)
    msg = SupportMessage(
        request_id=req.id or 0,
        author_id=actor.id,
        kind=MessageKind.NOTE if internal else MessageKind.MESSAGE,
        from_staff=side == Side.STAFF,
        body=text,
        created_at=now,
    )
    session.add(msg)
    session.flush()
    if req.status != old:
        _event(session, req, actor, side, old)
    _attach(session, req, msg.id or 0, files)
    audit.record(
        session,
        actor_id=actor.id,
        action="support.note_add" if internal else "support.message_add",
        object_type="support_request",
        object_id=req.id,
        before=before,
        after={**_snapshot(req), "message_id": msg.id, "files": files},
        ip=ip,
    )
    if not internal:
        _notify(
            session,
            event="support.message_added",
            recipient_ids=_other_side(session, req, side, actor.id),
            context=_context(
                session,
                req,
                author_name=actor.full_name,
                message=text[:500] or "(файл)",
            ),
            link=_link(req),
        )
    session.commit()
    return msg


# --------------------------------------------------------------------------- status workflow


def apply_action(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    action: str,
    comment: str = "",
    ip: str = "",
) -> SupportRequest:
    """Move the request by one workflow button (take, resolve, close, reopen)."""
    actor = load_actor(session, actor_id)
    req, side = queries.access_request(session, actor, request_id, lock=True)
    if action == Action.REPLY:
        raise rules.InvalidTransition()
    now = utcnow()
    stp = rules.step(req.status, action, side, since=queries.reopen_since(req), now=now)
    comment = rules.clean_text(comment, field="comment", required=False)
    before = _snapshot(req)
    old = req.status
    req.status = stp.to
    if stp.to == SupportStatus.RESOLVED:
        req.resolved_at = now
    elif stp.to == SupportStatus.CLOSED:
        req.closed_at = now
    else:
        req.resolved_at = req.closed_at = None
    if action == Action.TAKE and req.assignee_id is None:
        req.assignee_id = actor.id
    _refresh_due(req, old, _hours(session, req))
    req.updated_at = now
    session.add(req)
    _event(session, req, actor, side, old, comment)
    audit.record(
        session,
        actor_id=actor.id,
        action=f"support.{action}",
        object_type="support_request",
        object_id=req.id,
        before=before,
        after=_snapshot(req),
        ip=ip,
    )
    _notify(
        session,
        event="support.status_changed",
        recipient_ids=_other_side(session, req, side, actor.id),
        context=_context(session, req, status=rules.STATUS_LABELS[req.status][0].lower()),
        link=_link(req),
    )
    session.commit()
    return req


def assign(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    assignee_id: int | None,
    ip: str = "",
) -> SupportRequest:
    """Give the request to a staff member (oneself or another), or take it off everyone."""
    actor = load_actor(session, actor_id)
    req, side = queries.access_request(session, actor, request_id, lock=True)
    if side != Side.STAFF:
        raise PermissionDenied()
    assignee_name = ""
    if assignee_id:
        user = session.get(User, assignee_id)
        if user is None or not queries.is_support_staff(session, assignee_id):
            raise ValidationFailed("Назначить можно только сотрудника поддержки.", field="assignee")
        assignee_name = user.full_name
    if req.assignee_id == (assignee_id or None):
        return req
    before = _snapshot(req)
    req.assignee_id = assignee_id or None
    req.updated_at = utcnow()
    session.add(req)
    session.add(
        SupportMessage(
            request_id=req.id or 0,
            author_id=actor.id,
            kind=MessageKind.EVENT,
            from_staff=True,
            body=f"Назначено: {assignee_name}" if assignee_name else "Исполнитель снят",
        )
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="support.assign",
        object_type="support_request",
        object_id=req.id,
        before=before,
        after=_snapshot(req),
        ip=ip,
    )
    if assignee_id and assignee_id != actor.id:
        _notify(
            session,
            event="support.request_created",
            recipient_ids=[assignee_id],
            context=_context(session, req),
            link=_link(req),
        )
    session.commit()
    return req


# --------------------------------------------------------------------------- reference data


def _dept_snapshot(d: SupportDepartment, members: list[int]) -> dict[str, Any]:
    return {
        "name": d.name,
        "description": d.description,
        "is_active": d.is_active,
        "members": sorted(members),
    }


def save_department(
    session: Session,
    *,
    actor_id: int,
    department_id: int | None = None,
    name: str,
    description: str = "",
    is_active: bool = True,
    member_ids: Iterable[int] = (),
    ip: str = "",
) -> SupportDepartment:
    """Create or edit a department and its staff members."""
    actor = load_actor(session, actor_id)
    queries.require_manage(actor)
    name = rules.clean_name(name)
    description = rules.clean_description(description)
    members = sorted({int(m) for m in member_ids})
    for uid in members:
        if not queries.is_support_staff(session, uid):
            raise ValidationFailed(
                "В отдел можно включить только сотрудников поддержки.", field="members"
            )
    if department_id:
        dept = session.get(SupportDepartment, department_id)
        if dept is None:
            raise NotFound("Отдел не найден.")
        rows = session.exec(
            select(SupportDepartmentMember).where(
                SupportDepartmentMember.department_id == department_id
            )
        ).all()
        before: dict[str, Any] | None = _dept_snapshot(dept, [r.user_id for r in rows])
    else:
        dept = SupportDepartment(name=name)
        rows = []
        before = None
    dept.name, dept.description, dept.is_active = name, description, bool(is_active)
    session.add(dept)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed("Отдел с таким названием уже есть.", field="name") from None
    have = {r.user_id: r for r in rows}
    for uid, row in have.items():
        if uid not in members:
            session.delete(row)
    for uid in members:
        if uid not in have:
            session.add(SupportDepartmentMember(department_id=dept.id or 0, user_id=uid))
    audit.record(
        session,
        actor_id=actor.id,
        action="support.department_update" if before else "support.department_create",
        object_type="support_department",
        object_id=dept.id,
        before=before,
        after=_dept_snapshot(dept, members),
        ip=ip,
    )
    session.commit()
    return dept


def save_category(
    session: Session,
    *,
    actor_id: int,
    category_id: int | None = None,
    name: str,
    response_hours: object,
    default_department_id: int | None = None,
    is_active: bool = True,
    ip: str = "",
) -> SupportCategory:
    """Create or edit a category: its response deadline and default department."""
    actor = load_actor(session, actor_id)
    queries.require_manage(actor)
    name = rules.clean_name(name)
    hours = rules.clean_hours(response_hours)
    if default_department_id and session.get(SupportDepartment, default_department_id) is None:
        raise ValidationFailed("Отдел не найден.", field="default_department")
    if category_id:
        cat = session.get(SupportCategory, category_id)
        if cat is None:
            raise NotFound("Категория не найдена.")
        before: dict[str, Any] | None = cat.model_dump(
            include={"name", "response_hours", "default_department_id", "is_active"}
        )
    else:
        cat = SupportCategory(name=name)
        before = None
    cat.name = name
    cat.response_hours = hours
    cat.default_department_id = default_department_id or None
    cat.is_active = bool(is_active)
    session.add(cat)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed("Категория с таким названием уже есть.", field="name") from None
    audit.record(
        session,
        actor_id=actor.id,
        action="support.category_update" if before else "support.category_create",
        object_type="support_category",
        object_id=cat.id,
        before=before,
        after=cat.model_dump(
            include={"name", "response_hours", "default_department_id", "is_active"}
        ),
        ip=ip,
    )
    session.commit()
    return cat


# --------------------------------------------------------------------------- demo data

DEMO_DEPARTMENTS = [
    ("Отдел продаж", "Заказы, цены, коммерческие предложения", ["manager@demo.local"]),
    ("Бухгалтерия", "Счета, акты сверки, оплаты", ["operator@demo.local"]),
    ("Техническая поддержка", "Вход в кабинет, ошибки, доступы", ["operator@demo.local"]),
]
DEMO_CATEGORIES = [
    ("Вопрос по заказу", 8, "Отдел продаж"),
    ("Документы и оплата", 24, "Бухгалтерия"),
    ("Проблема с доступом", 4, "Техническая поддержка"),
    ("Другое", 48, None),
]


def load_support_demo(session: Session) -> None:
    """Idempotent demo data: departments with staff, categories, one sample request."""
    by_email = {
        u.email: u
        for u in session.exec(
            select(User).where(
                col(User.email).in_(
                    ["manager@demo.local", "operator@demo.local", "client@demo.local"]
                )
            )
        ).all()
    }
    depts: dict[str, SupportDepartment] = {}
    for name, description, emails in DEMO_DEPARTMENTS:
        dept = session.exec(select(SupportDepartment).where(SupportDepartment.name == name)).first()
        if dept is None:
            dept = SupportDepartment(name=name, description=description)
            session.add(dept)
            session.flush()
            for email in emails:
                if email in by_email:
                    session.add(
                        SupportDepartmentMember(
                            department_id=dept.id or 0, user_id=by_email[email].id or 0
                        )
                    )
        depts[name] = dept
    cats: dict[str, SupportCategory] = {}
    for name, hours, dept_name in DEMO_CATEGORIES:
        cat = session.exec(select(SupportCategory).where(SupportCategory.name == name)).first()
        if cat is None:
            cat = SupportCategory(
                name=name,
                response_hours=hours,
                default_department_id=depts[dept_name].id if dept_name else None,
            )
            session.add(cat)
            session.flush()
        cats[name] = cat
    client = by_email.get("client@demo.local")
    if client is not None and session.exec(select(SupportRequest.id).limit(1)).first() is None:
        org = session.exec(select(Organisation).where(Organisation.inn == "7707083893")).first()
        if org is not None:
            now = utcnow()
            cat = cats["Документы и оплата"]
            req = SupportRequest(
                organisation_id=org.id or 0,
                author_id=client.id or 0,
                department_id=cat.default_department_id,
                category_id=cat.id or 0,
                subject="Нужен акт сверки за III квартал",
                search_text=rules.search_text(
                    "Нужен акт сверки за III квартал", client.full_name, client.email, org.name
                ),
                due_at=rules.due_at(now, cat.response_hours),
                created_at=now,
                updated_at=now,
            )
            session.add(req)
            session.flush()
            session.add(
                SupportMessage(
                    request_id=req.id or 0,
                    author_id=client.id,
                    body="Здравствуйте! Пришлите, пожалуйста, акт сверки взаиморасчётов "
                    "за июль–сентябрь.",
                    created_at=now,
                )
            )
    session.commit()


__all__ = [
    "DomainError",
    "add_message",
    "apply_action",
    "assign",
    "create_request",
    "load_support_demo",
    "save_category",
    "save_department",
    "staff_recipients",
]
