"""Organisation and link-request actions: the only writers of this module.

One function = one user action = one transaction. Each reloads the actor, checks the permission
through cabinet.access, writes, audits and commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.rules import Actor, BuiltinRole, Perm
from cabinet.access.service import grant_role, load_actor, require, require_org_visible
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.messaging import send_email
from cabinet.organisations import rules
from cabinet.settings import settings
from models import (
    LinkRequest,
    LinkRequestEvent,
    Membership,
    Organisation,
    Role,
    User,
    UserRole,
)
from models.base import utcnow
from models.organisations import LinkAction, LinkStatus


class NeedsCounterparty(DomainError):
    """No organisation with this INN yet: the user must fill the counterparty form."""

    default = "Организация с таким ИНН ещё не зарегистрирована — заполните данные контрагента."


class AlreadyMember(DomainError):
    default = "Вы уже состоите в этой организации."


class DuplicateRequest(DomainError):
    default = "Запрос на привязку к этой организации уже отправлен и ждёт решения."


def _org_snapshot(org: Organisation) -> dict[str, Any]:
    keys = ("kind", "name", "inn", "is_active", *rules.ALL_FIELD_KEYS)
    return {k: getattr(org, k) for k in dict.fromkeys(keys)}


def _request_snapshot(req: LinkRequest) -> dict[str, Any]:
    return {
        "user_id": req.user_id,
        "organisation_id": req.organisation_id,
        "status": req.status,
        "role_code": req.role_code,
        "decision_comment": req.decision_comment,
    }


def find_by_inn(session: Session, inn: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.inn == inn)).first()


def _is_member(session: Session, user_id: int, org_id: int) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.organisation_id == org_id
            )
        ).first()
        is not None
    )


def _pending(session: Session, user_id: int, org_id: int) -> LinkRequest | None:
    return session.exec(
        select(LinkRequest).where(
            LinkRequest.user_id == user_id,
            LinkRequest.organisation_id == org_id,
            LinkRequest.status == LinkStatus.PENDING,
        )
    ).first()


# --------------------------------------------------------------------------- link requests


def request_link(
    session: Session,
    *,
    actor_id: int,
    inn: str,
    message: str = "",
    counterparty: dict[str, str] | None = None,
    kind: str = "",
    ip: str = "",
) -> LinkRequest:
    """Ask to be linked to the organisation with `inn`.

    If it exists, the request points at it. If not, `kind` + `counterparty` describe it: a new
    inactive organisation is created together with the request (one transaction); without them
    NeedsCounterparty is raised so the page can show the form.
    """
    actor = require(load_actor(session, actor_id), Perm.LINK_REQUEST)
    inn = rules.validate_inn(inn)
    message = " ".join((message or "").split())
    if len(message) > rules.MAX_MESSAGE:
        raise ValidationFailed(
            f"Сообщение: не длиннее {rules.MAX_MESSAGE} символов.", field="message"
        )
    org = find_by_inn(session, inn)
    created = False
    if org is None:
        if counterparty is None:
            raise NeedsCounterparty(field="inn")
        data: dict[str, Any] = rules.clean_counterparty(kind, {**counterparty, "inn": inn})
        if data["inn"] != inn:
            raise ValidationFailed("ИНН в форме не совпадает с введённым.", field="inn")
        org = Organisation(**data, is_active=False)
        session.add(org)
        try:
            session.flush()
        except IntegrityError:  # someone registered the same INN a moment ago
            session.rollback()
            raise DomainError(
                "Организация с таким ИНН только что зарегистрирована — отправьте запрос ещё раз.",
                field="inn",
            ) from None
        created = True
        audit.record(
            session,
            actor_id=actor.id,
            action="organisation.create",
            object_type="organisation",
            object_id=org.id,
            after=_org_snapshot(org),
            ip=ip,
        )
    assert org.id is not None
    if _is_member(session, actor.id, org.id):
        raise AlreadyMember(field="inn")
    if _pending(session, actor.id, org.id) is not None:
        raise DuplicateRequest(field="inn")
    req = LinkRequest(
        user_id=actor.id, organisation_id=org.id, message=message, created_org=created
    )
    session.add(req)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise DuplicateRequest(field="inn") from None
    assert req.id is not None
    session.add(
        LinkRequestEvent(
            request_id=req.id,
            actor_id=actor.id,
            action=LinkAction.CREATE,
            status=LinkStatus.PENDING,
            comment=message,
        )
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="link_request.create",
        object_type="link_request",
        object_id=req.id,
        after=_request_snapshot(req),
        ip=ip,
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateRequest(field="inn") from None
    return req


def _locked_request(session: Session, request_id: int) -> LinkRequest:
    req = session.exec(
        select(LinkRequest).where(LinkRequest.id == request_id).with_for_update()
    ).first()
    if req is None:
        raise NotFound("Запрос не найден.")
    session.refresh(req)  # the locked row as it is now, not a stale identity-map copy
    return req


def cancel_link_request(
    session: Session, *, actor_id: int, request_id: int, ip: str = ""
) -> LinkRequest:
    """The requester withdraws their own pending request."""
    actor = require(load_actor(session, actor_id), Perm.LINK_REQUEST)
    req = _locked_request(session, request_id)
    if req.user_id != actor.id:
        raise NotFound("Запрос не найден.")
    step = rules.link_step(req.status, LinkAction.CANCEL)
    before = _request_snapshot(req)
    req.status = step.to
    req.decided_at = utcnow()
    session.add(req)
    session.add(
        LinkRequestEvent(
            request_id=request_id, actor_id=actor.id, action=LinkAction.CANCEL, status=step.to
        )
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="link_request.cancel",
        object_type="link_request",
        object_id=request_id,
        before=before,
        after=_request_snapshot(req),
        ip=ip,
    )
    session.commit()
    return req


def _require_decider(session: Session, actor: Actor, org_id: int) -> None:
    """Staff with LINKS_DECIDE for this organisation (assigned manager, or ORGS_ALL)."""
    if Perm.LINKS_DECIDE not in actor.global_perms:
        raise PermissionDenied()
    if not actor.has(Perm.LINKS_DECIDE, org_id):
        raise NotFound("Запрос не найден.")


def decide_link_request(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    approve: bool,
    role_code: str = BuiltinRole.CUSTOMER,
    comment: str = "",
    ip: str = "",
) -> LinkRequest:
    """Approve (membership + role, activating a new organisation) or reject with a comment.

    The request row is locked so two managers cannot both decide it.
    """
    actor = load_actor(session, actor_id)
    req = _locked_request(session, request_id)
    _require_decider(session, actor, req.organisation_id)
    action = LinkAction.APPROVE if approve else LinkAction.REJECT
    step = rules.link_step(req.status, action)
    comment = rules.clean_comment(comment, required=step.needs_comment)
    org = session.get(Organisation, req.organisation_id)
    user = session.get(User, req.user_id)
    if org is None or user is None:
        raise NotFound("Запрос не найден.")
    assert org.id is not None and user.id is not None
    before = _request_snapshot(req)
    if approve:
        if role_code not in rules.GRANTABLE_ROLES:
            raise ValidationFailed(
                "Выберите роль: пользователь или администратор клиента.", field="role"
            )
        if not org.is_active:
            org_before = _org_snapshot(org)
            org.is_active = True
            session.add(org)
            audit.record(
                session,
                actor_id=actor.id,
                action="organisation.activate",
                object_type="organisation",
                object_id=org.id,
                before=org_before,
                after=_org_snapshot(org),
                ip=ip,
            )
        if not _is_member(session, user.id, org.id):
            session.add(Membership(user_id=user.id, organisation_id=org.id))
            session.flush()
        grant_role(session, user_id=user.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        if role_code == BuiltinRole.CUSTOMER_ADMIN:
            grant_role(session, user_id=user.id, role_code=role_code, organisation_id=org.id)
        req.role_code = role_code
    req.status = step.to
    req.decision_comment = comment
    req.decided_by_id = actor.id
    req.decided_at = utcnow()
    session.add(req)
    session.add(
        LinkRequestEvent(
            request_id=request_id, actor_id=actor.id, action=action, status=step.to, comment=comment
        )
    )
    audit.record(
        session,
        actor_id=actor.id,
        action=f"link_request.{action}",
        object_type="link_request",
        object_id=request_id,
        before=before,
        after=_request_snapshot(req),
        ip=ip,
    )
    if approve:
        subject = f"Запрос на привязку к {org.name} одобрен"
        body = (
            f"Здравствуйте, {user.full_name}!\n\n"
            f"Ваш запрос на привязку к организации {org.name} (ИНН {org.inn}) одобрен.\n"
            + (f"Комментарий: {comment}\n" if comment else "")
            + f"\nОткройте личный кабинет: {settings.public_url}/organisations\n"
        )
    else:
        subject = f"Запрос на привязку к {org.name} отклонён"
        body = (
            f"Здравствуйте, {user.full_name}!\n\n"
            f"Ваш запрос на привязку к организации {org.name} (ИНН {org.inn}) отклонён.\n"
            f"Причина: {comment}\n\n"
            f"История запросов: {settings.public_url}/organisations/requests\n"
        )
    send_email(session, to=user.email, subject=subject, body=body)
    session.commit()
    return req


# --------------------------------------------------------------------------- organisation profile


def _require_org_admin(actor: Actor, org_id: int) -> None:
    """A customer administrator of this organisation, or staff who manage it."""
    require_org_visible(actor, org_id)
    if actor.has(Perm.ORG_USERS_MANAGE, org_id):
        return
    if Perm.ORGS_MANAGE in actor.global_perms and actor.has(Perm.ORGS_MANAGE, org_id):
        return
    raise PermissionDenied()


def update_organisation(
    session: Session, *, actor_id: int, org_id: int, data: dict[str, str], ip: str = ""
) -> Organisation:
    """Edit the counterparty data (re-validated). Kind and INN stay as registered."""
    actor = load_actor(session, actor_id)
    _require_org_admin(actor, org_id)
    org = session.exec(
        select(Organisation).where(Organisation.id == org_id).with_for_update()
    ).first()
    if org is None:
        raise NotFound()
    clean = rules.clean_counterparty(org.kind, {**data, "inn": org.inn})
    before = _org_snapshot(org)
    for key, value in clean.items():
        if key not in ("kind", "inn"):
            setattr(org, key, value)
    session.add(org)
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.update",
        object_type="organisation",
        object_id=org_id,
        before=before,
        after=_org_snapshot(org),
        ip=ip,
    )
    session.commit()
    return org


def _member_or_404(session: Session, org_id: int, user_id: int) -> Membership:
    m = session.exec(
        select(Membership).where(
            Membership.organisation_id == org_id, Membership.user_id == user_id
        )
    ).first()
    if m is None:
        raise NotFound("Пользователь не состоит в организации.")
    return m


def _org_roles(session: Session, org_id: int, user_id: int) -> list[UserRole]:
    return list(
        session.exec(
            select(UserRole).where(UserRole.organisation_id == org_id, UserRole.user_id == user_id)
        ).all()
    )


def _role_codes(session: Session, rows: list[UserRole]) -> list[str]:
    ids = [r.role_id for r in rows]
    if not ids:
        return []
    return sorted(session.exec(select(Role.code).where(col(Role.id).in_(ids))).all())


def remove_member(
    session: Session, *, actor_id: int, org_id: int, user_id: int, ip: str = ""
) -> None:
    """Take a user out of the organisation (membership and every role held in it)."""
    actor = load_actor(session, actor_id)
    _require_org_admin(actor, org_id)
    if user_id == actor.id:
        raise DomainError("Нельзя исключить самого себя — попросите другого администратора.")
    membership = _member_or_404(session, org_id, user_id)
    roles = _org_roles(session, org_id, user_id)
    before = {"user_id": user_id, "roles": _role_codes(session, roles)}
    for r in roles:
        session.delete(r)
    session.delete(membership)
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.member_remove",
        object_type="organisation",
        object_id=org_id,
        before=before,
        after=None,
        ip=ip,
    )
    session.commit()


def set_customer_admin(
    session: Session, *, actor_id: int, org_id: int, user_id: int, make: bool, ip: str = ""
) -> None:
    """Make a member a customer administrator of the organisation, or take that back."""
    actor = load_actor(session, actor_id)
    _require_org_admin(actor, org_id)
    if user_id == actor.id and not make:
        raise DomainError("Нельзя снять права администратора с самого себя.")
    _member_or_404(session, org_id, user_id)
    roles = _org_roles(session, org_id, user_id)
    before = {"user_id": user_id, "roles": _role_codes(session, roles)}
    admin_role = session.exec(select(Role).where(Role.code == BuiltinRole.CUSTOMER_ADMIN)).one()
    if make:
        grant_role(session, user_id=user_id, role_code=BuiltinRole.CUSTOMER, organisation_id=org_id)
        grant_role(
            session, user_id=user_id, role_code=BuiltinRole.CUSTOMER_ADMIN, organisation_id=org_id
        )
    else:
        for r in roles:
            if r.role_id == admin_role.id:
                session.delete(r)
        grant_role(session, user_id=user_id, role_code=BuiltinRole.CUSTOMER, organisation_id=org_id)
    session.flush()
    after = {
        "user_id": user_id,
        "roles": _role_codes(session, _org_roles(session, org_id, user_id)),
    }
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.admin_grant" if make else "organisation.admin_revoke",
        object_type="organisation",
        object_id=org_id,
        before=before,
        after=after,
        ip=ip,
    )
    session.commit()
