"""Administration writes. One function = one administrator action = one transaction.

Each function reloads the caller from the database, checks the permission with require(),
applies the change, records an audit event with before/after values and the caller's IP,
and commits. A refused action raises a DomainError before anything is written.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cabinet import audit
from cabinet.access.rules import (
    BASELINE_PERMS,
    BUILTIN_ROLES,
    Actor,
    BuiltinRole,
    Perm,
    is_org_scoped,
    may_grant,
)
from cabinet.access.service import load_actor, require, require_org_visible
from cabinet.admin.rules import AdminAction, loses_admin_power
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from models import (
    ManagerAssignment,
    Membership,
    Organisation,
    Role,
    RolePermission,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow

_PERM_VALUES = frozenset(str(p) for p in Perm)


# ---------------------------------------------------------------------------- helpers


def _user_for_update(session: Session, user_id: int) -> User:
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None:
        raise NotFound("Пользователь не найден.")
    return user


def _role_perms(session: Session, role_id: int) -> frozenset[str]:
    return frozenset(
        session.exec(select(RolePermission.permission).where(RolePermission.role_id == role_id))
    )


def role_is_org_scoped(role: Role, perms: frozenset[str]) -> bool:
    """Built-in roles follow their spec; a custom role made only of customer rights is per org."""
    if role.is_builtin and role.code in BUILTIN_ROLES:
        return BUILTIN_ROLES[BuiltinRole(role.code)].org_scoped
    return is_org_scoped(perms)


def _platform_perms(
    session: Session,
    user_id: int,
    *,
    skip_user_role_id: int | None = None,
    override: tuple[int, frozenset[str]] | None = None,
) -> frozenset[str]:
    """The user's platform-wide permissions, optionally as if one role were removed or changed."""
    rows = session.exec(
        select(UserRole.id, UserRole.role_id).where(
            UserRole.user_id == user_id,
            UserRole.organisation_id.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    perms: set[str] = set(BASELINE_PERMS)
    for ur_id, role_id in rows:
        if ur_id == skip_user_role_id:
            continue
        if override is not None and role_id == override[0]:
            perms |= override[1]
        else:
            perms |= _role_perms(session, role_id)
    return frozenset(perms)


def _require_outranks(session: Session, actor: Actor, target: User) -> None:
    """An administrator may not act on an account holding rights they do not hold themself."""
    assert target.id is not None
    if not _platform_perms(session, target.id) <= actor.global_perms:
        raise PermissionDenied(
            "Нельзя менять учётную запись пользователя с более широкими правами."
        )


def _clean_text(value: str, *, field: str, label: str, max_len: int, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed(f"Заполните поле «{label}».", field=field)
    if len(text) > max_len:
        raise ValidationFailed(f"«{label}»: не длиннее {max_len} символов.", field=field)
    return text


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "is_blocked": user.is_blocked,
        "twofa_method": user.twofa_method,
    }


# ---------------------------------------------------------------------------- users


def block_user(session: Session, *, actor_id: int, user_id: int, ip: str = "") -> int:
    """Block the account and end all its sessions; returns how many sessions were ended."""
    actor = require(load_actor(session, actor_id), Perm.USERS_MANAGE)
    if user_id == actor.id:
        raise ValidationFailed("Нельзя заблокировать самого себя.")
    user = _user_for_update(session, user_id)
    _require_outranks(session, actor, user)
    if user.is_blocked:
        return 0
    before = _user_snapshot(user)
    user.is_blocked = True
    session.add(user)
    revoked = session.execute(  # type: ignore[attr-defined]
        sa.update(UserSession)
        .where(
            UserSession.user_id == user_id,  # type: ignore[arg-type]
            UserSession.revoked_at.is_(None),  # type: ignore[union-attr]
        )
        .values(revoked_at=utcnow())
    ).rowcount
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.USER_BLOCK,
        object_type="user",
        object_id=user_id,
        before=before,
        after={**_user_snapshot(user), "sessions_revoked": revoked},
        ip=ip,
    )
    session.commit()
    return int(revoked or 0)


def unblock_user(session: Session, *, actor_id: int, user_id: int, ip: str = "") -> None:
    actor = require(load_actor(session, actor_id), Perm.USERS_MANAGE)
    user = _user_for_update(session, user_id)
    _require_outranks(session, actor, user)
    if not user.is_blocked:
        return
    before = _user_snapshot(user)
    user.is_blocked = False
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.USER_UNBLOCK,
        object_type="user",
        object_id=user_id,
        before=before,
        after=_user_snapshot(user),
        ip=ip,
    )
    session.commit()


def reset_user_2fa(session: Session, *, actor_id: int, user_id: int, ip: str = "") -> None:
    """Turn the user's second factor off (lost phone): they log in with the password and set it up
    again."""
    actor = require(load_actor(session, actor_id), Perm.USERS_MANAGE)
    user = _user_for_update(session, user_id)
    _require_outranks(session, actor, user)
    before = _user_snapshot(user) | {"totp_secret": "***" if user.totp_secret else ""}
    user.twofa_method = ""
    user.totp_secret = ""
    if hasattr(user, "totp_last_step"):
        user.totp_last_step = 0
    session.add(user)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.USER_RESET_2FA,
        object_type="user",
        object_id=user_id,
        before=before,
        after=_user_snapshot(user) | {"totp_secret": ""},
        ip=ip,
    )
    session.commit()


def assign_role(
    session: Session,
    *,
    actor_id: int,
    user_id: int,
    role_id: int,
    organisation_id: int | None = None,
    ip: str = "",
) -> int:
    """Give a role platform-wide, or inside one of the user's organisations (customer roles)."""
    actor = require(load_actor(session, actor_id), Perm.USERS_MANAGE)
    user = _user_for_update(session, user_id)
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("Роль не найдена.")
    perms = _role_perms(session, role_id)
    if role_is_org_scoped(role, perms):
        if organisation_id is None:
            raise ValidationFailed(
                "Эта роль действует внутри организации: выберите организацию.",
                field="organisation_id",
            )
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("Организация не найдена.")
        require_org_visible(actor, organisation_id)
        member = session.exec(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        ).first()
        if member is None:
            raise ValidationFailed(
                "Пользователь не состоит в этой организации.", field="organisation_id"
            )
    elif organisation_id is not None:
        raise ValidationFailed(
            "Эта роль действует во всей системе: организацию не выбирают.",
            field="organisation_id",
        )
    if not may_grant(actor, perms):
        raise PermissionDenied("Нельзя выдать роль с правами, которых нет у вас самих.")
    org_clause = (
        UserRole.organisation_id == organisation_id
        if organisation_id is not None
        else UserRole.organisation_id.is_(None)  # type: ignore[union-attr]
    )
    if session.exec(
        select(UserRole.id).where(
            UserRole.user_id == user_id, UserRole.role_id == role_id, org_clause
        )
    ).first():
        raise ValidationFailed("Эта роль уже назначена.", field="role_id")
    row = UserRole(user_id=user_id, role_id=role_id, organisation_id=organisation_id)
    session.add(row)
    session.flush()
    assert row.id is not None and user.id is not None
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.USER_ROLE_ASSIGN,
        object_type="user",
        object_id=user_id,
        before=None,
        after={"role": role.code, "role_name": role.name, "organisation_id": organisation_id},
        ip=ip,
    )
    session.commit()
    return row.id


def remove_role(session: Session, *, actor_id: int, user_role_id: int, ip: str = "") -> None:
    actor = require(load_actor(session, actor_id), Perm.USERS_MANAGE)
    row = session.exec(
        select(UserRole).where(UserRole.id == user_role_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound("Назначение роли не найдено.")
    role = session.get(Role, row.role_id)
    assert role is not None
    perms = _role_perms(session, row.role_id)
    if row.organisation_id is not None:
        require_org_visible(actor, row.organisation_id)
    if not may_grant(actor, perms):
        raise PermissionDenied("Нельзя снять роль с правами, которых нет у вас самих.")
    if row.user_id == actor.id and row.organisation_id is None:
        after = _platform_perms(session, actor.id, skip_user_role_id=row.id)
        if loses_admin_power(actor.global_perms, after):
            raise ValidationFailed("Нельзя снять с себя последнюю администраторскую роль.")
    before = {"role": role.code, "role_name": role.name, "organisation_id": row.organisation_id}
    user_id = row.user_id
    session.delete(row)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.USER_ROLE_REMOVE,
        object_type="user",
        object_id=user_id,
        before=before,
        after=None,
        ip=ip,
    )
    session.commit()


# ---------------------------------------------------------------------------- organisations


def _org_for_update(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    org = session.exec(
        select(Organisation).where(Organisation.id == organisation_id).with_for_update()
    ).first()
    if org is None:
        raise NotFound("Организация не найдена.")
    require_org_visible(actor, organisation_id)
    require(actor, Perm.ORGS_MANAGE, organisation_id)
    return org


_ORG_FIELDS = ("name", "legal_address", "address", "is_active", "require_2fa")


def update_organisation(
    session: Session,
    *,
    actor_id: int,
    organisation_id: int,
    name: str,
    legal_address: str = "",
    address: str = "",
    is_active: bool = True,
    require_2fa: bool = False,
    ip: str = "",
) -> None:
    actor = require(load_actor(session, actor_id), Perm.ORGS_MANAGE)
    org = _org_for_update(session, actor, organisation_id)
    values = {
        "name": _clean_text(name, field="name", label="Название", max_len=300, required=True),
        "legal_address": _clean_text(
            legal_address,
            field="legal_address",
            label="Юридический адрес",
            max_len=500,
            required=False,
        ),
        "address": _clean_text(
            address, field="address", label="Адрес", max_len=500, required=False
        ),
        "is_active": bool(is_active),
        "require_2fa": bool(require_2fa),
    }
    before = {k: getattr(org, k) for k in _ORG_FIELDS}
    if before == values:
        return
    for key, value in values.items():
        setattr(org, key, value)
    session.add(org)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ORG_UPDATE,
        object_type="organisation",
        object_id=organisation_id,
        before={k: v for k, v in before.items() if values[k] != v},
        after={k: v for k, v in values.items() if before[k] != v},
        ip=ip,
    )
    session.commit()


def _manager_role_id(session: Session) -> int:
    role_id = session.exec(select(Role.id).where(Role.code == BuiltinRole.MANAGER)).first()
    if role_id is None:
        raise NotFound("Роль «Менеджер» не найдена.")
    return role_id


def assign_manager(
    session: Session, *, actor_id: int, organisation_id: int, manager_id: int, ip: str = ""
) -> None:
    actor = require(load_actor(session, actor_id), Perm.ORGS_MANAGE)
    _org_for_update(session, actor, organisation_id)
    manager = session.get(User, manager_id)
    if manager is None:
        raise NotFound("Пользователь не найден.")
    holds = session.exec(
        select(UserRole.id).where(
            UserRole.user_id == manager_id,
            UserRole.role_id == _manager_role_id(session),
            UserRole.organisation_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if holds is None or manager.is_blocked:
        raise ValidationFailed(
            "Назначить можно только действующего пользователя с ролью «Менеджер».",
            field="manager_id",
        )
    if session.exec(
        select(ManagerAssignment.id).where(
            ManagerAssignment.manager_id == manager_id,
            ManagerAssignment.organisation_id == organisation_id,
        )
    ).first():
        raise ValidationFailed("Этот менеджер уже назначен.", field="manager_id")
    session.add(ManagerAssignment(manager_id=manager_id, organisation_id=organisation_id))
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ORG_MANAGER_ASSIGN,
        object_type="organisation",
        object_id=organisation_id,
        before=None,
        after={"manager_id": manager_id, "manager": manager.email},
        ip=ip,
    )
    session.commit()


def unassign_manager(
    session: Session, *, actor_id: int, organisation_id: int, manager_id: int, ip: str = ""
) -> None:
    actor = require(load_actor(session, actor_id), Perm.ORGS_MANAGE)
    _org_for_update(session, actor, organisation_id)
    row = session.exec(
        select(ManagerAssignment).where(
            ManagerAssignment.manager_id == manager_id,
            ManagerAssignment.organisation_id == organisation_id,
        )
    ).first()
    if row is None:
        raise NotFound("Этот менеджер не назначен на организацию.")
    manager = session.get(User, manager_id)
    session.delete(row)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ORG_MANAGER_UNASSIGN,
        object_type="organisation",
        object_id=organisation_id,
        before={"manager_id": manager_id, "manager": manager.email if manager else ""},
        after=None,
        ip=ip,
    )
    session.commit()


# ---------------------------------------------------------------------------- roles


def _clean_perms(permissions: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    if len(permissions) > 10 * len(_PERM_VALUES):
        raise ValidationFailed("Слишком много прав в запросе.", field="permissions")
    perms = frozenset(str(p) for p in permissions)
    unknown = perms - _PERM_VALUES
    if unknown:
        raise ValidationFailed("Неизвестное право.", field="permissions")
    if not perms:
        raise ValidationFailed("Отметьте хотя бы одно право.", field="permissions")
    return perms


_DUPLICATE_ROLE = "Роль с таким названием уже есть."


def _check_role_name(session: Session, name: str, *, skip_id: int | None = None) -> str:
    clean = _clean_text(name, field="name", label="Название роли", max_len=200, required=True)
    if len(clean) < 2:
        raise ValidationFailed("Название роли — не короче 2 символов.", field="name")
    # SQLite's lower() knows only ASCII: compare the usual spellings of the name as well.
    spellings = {clean, clean.lower(), clean.capitalize(), clean.upper(), clean.title()}
    stmt = select(Role.id).where(
        sa.or_(
            sa.func.lower(Role.name) == clean.lower(),
            Role.name.in_(sorted(spellings)),  # type: ignore[attr-defined]
        )
    )
    if skip_id is not None:
        stmt = stmt.where(Role.id != skip_id)
    if session.exec(stmt).first() is not None:
        raise ValidationFailed(_DUPLICATE_ROLE, field="name")
    return clean


def _flush_role(session: Session) -> None:
    """Write the role row; the unique name decides a race between two administrators."""
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        session.rollback()
        raise ValidationFailed(_DUPLICATE_ROLE, field="name") from exc


def create_role(
    session: Session,
    *,
    actor_id: int,
    name: str,
    permissions: list[str] | tuple[str, ...] | set[str],
    description: str = "",
    ip: str = "",
) -> int:
    """A custom role from the permission list. No limit on how many."""
    actor = require(load_actor(session, actor_id), Perm.ROLES_MANAGE)
    perms = _clean_perms(permissions)
    clean_name = _check_role_name(session, name)
    desc = _clean_text(
        description, field="description", label="Описание", max_len=1000, required=False
    )
    if not may_grant(actor, perms):
        raise PermissionDenied("Нельзя создать роль с правами, которых нет у вас самих.")
    role = Role(code=f"custom_{secrets.token_hex(6)}", name=clean_name, description=desc)
    session.add(role)
    _flush_role(session)
    assert role.id is not None
    for perm in sorted(perms):
        session.add(RolePermission(role_id=role.id, permission=perm))
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ROLE_CREATE,
        object_type="role",
        object_id=role.id,
        before=None,
        after={"code": role.code, "name": clean_name, "permissions": sorted(perms)},
        ip=ip,
    )
    session.commit()
    return role.id


def _custom_role_for_update(session: Session, role_id: int, verb: str) -> Role:
    role = session.exec(select(Role).where(Role.id == role_id).with_for_update()).first()
    if role is None:
        raise NotFound("Роль не найдена.")
    if role.is_builtin:
        raise ValidationFailed(f"Встроенную роль {verb} нельзя.")
    return role


def update_role(
    session: Session,
    *,
    actor_id: int,
    role_id: int,
    name: str,
    permissions: list[str] | tuple[str, ...] | set[str],
    description: str = "",
    ip: str = "",
) -> None:
    actor = require(load_actor(session, actor_id), Perm.ROLES_MANAGE)
    role = _custom_role_for_update(session, role_id, "изменить")
    perms = _clean_perms(permissions)
    clean_name = _check_role_name(session, name, skip_id=role_id)
    desc = _clean_text(
        description, field="description", label="Описание", max_len=1000, required=False
    )
    old = _role_perms(session, role_id)
    if not may_grant(actor, old ^ perms):
        raise PermissionDenied("Нельзя менять права, которых нет у вас самих.")
    after_perms = _platform_perms(session, actor.id, override=(role_id, perms))
    if loses_admin_power(actor.global_perms, after_perms):
        raise ValidationFailed("Нельзя отнять у себя последние права администратора.")
    held_in_org = session.exec(
        select(UserRole.id).where(
            UserRole.role_id == role_id,
            UserRole.organisation_id.is_not(None),  # type: ignore[union-attr]
        )
    ).first()
    held_global = session.exec(
        select(UserRole.id).where(
            UserRole.role_id == role_id,
            UserRole.organisation_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if (held_in_org and not is_org_scoped(perms)) or (held_global and is_org_scoped(perms)):
        raise ValidationFailed(
            "Роль уже назначена: нельзя переключить её между правами клиента и сотрудника.",
            field="permissions",
        )
    before = {"name": role.name, "description": role.description, "permissions": sorted(old)}
    after = {"name": clean_name, "description": desc, "permissions": sorted(perms)}
    if before == after:
        return
    role.name, role.description = clean_name, desc
    session.add(role)
    _flush_role(session)
    for perm in old - perms:
        session.execute(
            sa.delete(RolePermission).where(
                RolePermission.role_id == role_id,  # type: ignore[arg-type]
                RolePermission.permission == perm,  # type: ignore[arg-type]
            )
        )
    for perm in sorted(perms - old):
        session.add(RolePermission(role_id=role_id, permission=perm))
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ROLE_UPDATE,
        object_type="role",
        object_id=role_id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        ip=ip,
    )
    session.commit()


def delete_role(session: Session, *, actor_id: int, role_id: int, ip: str = "") -> None:
    """Delete a custom role that nobody holds. Built-in roles stay."""
    actor = require(load_actor(session, actor_id), Perm.ROLES_MANAGE)
    role = _custom_role_for_update(session, role_id, "удалить")
    if session.exec(select(UserRole.id).where(UserRole.role_id == role_id)).first():
        raise ValidationFailed("Роль назначена пользователям: сначала снимите её с них.")
    perms = _role_perms(session, role_id)
    if not may_grant(actor, perms):
        raise PermissionDenied("Нельзя удалить роль с правами, которых нет у вас самих.")
    before = {"code": role.code, "name": role.name, "permissions": sorted(perms)}
    session.execute(
        sa.delete(RolePermission).where(RolePermission.role_id == role_id)  # type: ignore[arg-type]
    )
    session.delete(role)
    audit.record(
        session,
        actor_id=actor.id,
        action=AdminAction.ROLE_DELETE,
        object_type="role",
        object_id=role_id,
        before=before,
        after=None,
        ip=ip,
    )
    session.commit()
