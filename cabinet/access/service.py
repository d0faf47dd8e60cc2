"""Resolve the actor from the database and check permissions. The one place for "may X do Y"."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cabinet.access.rules import BASELINE_PERMS, BUILTIN_ROLES, Actor, Perm
from cabinet.errors import NotAuthenticated, NotFound, PermissionDenied
from models import ManagerAssignment, Membership, Role, RolePermission, User, UserRole


def load_actor(session: Session, user_id: int) -> Actor:
    """Build the Actor for `user_id` from the database (roles, memberships, assignments)."""
    user = session.get(User, user_id)
    if user is None or user.is_blocked:
        raise NotAuthenticated()
    rows = session.exec(
        select(UserRole.organisation_id, Role.code, RolePermission.permission)
        .join(Role, col(Role.id) == UserRole.role_id)
        .join(RolePermission, col(RolePermission.role_id) == Role.id, isouter=True)
        .where(UserRole.user_id == user_id)
    ).all()
    global_perms: set[str] = set(BASELINE_PERMS)
    org_perms: dict[int, set[str]] = {}
    codes: set[str] = set()
    for org_id, code, perm in rows:
        codes.add(code)
        if perm is None:
            continue
        if org_id is None:
            global_perms.add(perm)
        else:
            org_perms.setdefault(org_id, set()).add(perm)
    members = frozenset(
        session.exec(select(Membership.organisation_id).where(Membership.user_id == user_id)).all()
    )
    managed = frozenset(
        session.exec(
            select(ManagerAssignment.organisation_id).where(ManagerAssignment.manager_id == user_id)
        ).all()
    )
    # Organisation-scoped roles only count in organisations the user belongs to.
    return Actor(
        id=user_id,
        full_name=user.full_name,
        email=user.email,
        global_perms=frozenset(global_perms),
        org_perms={k: frozenset(v) for k, v in org_perms.items() if k in members},
        member_org_ids=members,
        managed_org_ids=managed,
        role_codes=frozenset(codes),
    )


def require(actor: Actor | None, perm: Perm | str, org_id: int | None = None) -> Actor:
    """Raise unless `actor` holds `perm` (inside `org_id` when given)."""
    if actor is None:
        raise NotAuthenticated()
    if not actor.has(perm, org_id):
        raise PermissionDenied()
    return actor


def require_org_visible(actor: Actor, org_id: int) -> None:
    """Reading another organisation's record answers "not found", as for a missing one."""
    visible = actor.visible_org_ids()
    if visible is not None and org_id not in visible:
        raise NotFound()


def ensure_builtin_roles(session: Session) -> dict[str, int]:
    """Create or refresh the built-in roles and their permissions. Idempotent; no commit."""
    ids: dict[str, int] = {}
    for code, spec in BUILTIN_ROLES.items():
        role = session.exec(select(Role).where(Role.code == code)).first()
        if role is None:
            role = Role(code=code, name=spec.name_ru, description=spec.name_en, is_builtin=True)
            session.add(role)
            session.flush()
        assert role.id is not None
        have = set(
            session.exec(
                select(RolePermission.permission).where(RolePermission.role_id == role.id)
            ).all()
        )
        for perm in spec.perms:
            if perm not in have:
                session.add(RolePermission(role_id=role.id, permission=perm))
        for stale in have - {str(p) for p in spec.perms}:
            row = session.exec(
                select(RolePermission).where(
                    RolePermission.role_id == role.id, RolePermission.permission == stale
                )
            ).first()
            if row is not None:
                session.delete(row)
        ids[code] = role.id
    session.flush()
    return ids


def grant_role(
    session: Session, *, user_id: int, role_code: str, organisation_id: int | None = None
) -> None:
    """Give a role (no commit, no permission check: callers check)."""
    role = session.exec(select(Role).where(Role.code == role_code)).first()
    if role is None:
        raise NotFound("Роль не найдена.")
    exists = session.exec(
        select(UserRole).where(
            UserRole.user_id == user_id,
            UserRole.role_id == role.id,
            UserRole.organisation_id == organisation_id
            if organisation_id is not None
            else UserRole.organisation_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if exists is None:
        assert role.id is not None
        session.add(UserRole(user_id=user_id, role_id=role.id, organisation_id=organisation_id))
        session.flush()
