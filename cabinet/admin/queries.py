"""Administration reads: keyset-paged, scoped lists and detail views as plain dicts of strings.

Every function takes the resolved Actor and checks the permission itself, so a page state
cannot forget it. Lists never use OFFSET and never load a whole table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet.access.rules import PERMISSION_LABELS, Actor, Perm
from cabinet.access.service import require, require_org_visible
from cabinet.admin.rules import (
    KIND_LABELS,
    TWOFA_LABELS,
    USER_STATUS_LABELS,
    UserStatus,
    diff_text,
    like_escape,
    name_prefixes,
    phone_prefixes,
    search_targets,
    user_status,
)
from cabinet.admin.service import role_is_org_scoped
from cabinet.errors import NotFound, ValidationFailed
from cabinet.formatting import fmt_date, fmt_dt
from cabinet.pagination import DEFAULT_LIMIT, Page, SortSpec, fetch_page
from models import (
    AuditEvent,
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

USERS_SPEC = SortSpec("admin.users.new", id=User.id, descending=True)
ORGS_SPEC = SortSpec("admin.orgs.name", id=Organisation.id, key=Organisation.name)
ROLES_SPEC = SortSpec("admin.roles.id", id=Role.id)
AUDIT_SPEC = SortSpec("admin.audit.new", id=AuditEvent.id, descending=True)

MAX_QUERY = 100
OPTIONS_LIMIT = 500


def _like_prefix(column: Any, prefix: str) -> Any:
    return column.like(like_escape(prefix) + "%", escape="\\")


def _prefix_range(column: Any, prefix: str) -> Any:
    """`column` starts with `prefix` as an index range (ASCII columns: e-mail, phone, INN).

    A LIKE with an ESCAPE clause cannot use a B-tree index on SQLite (and case-insensitive
    LIKE never can), so the range does the narrowing and the LIKE keeps the match exact.
    """
    if not prefix:
        return sa.true()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return sa.and_(column >= prefix, column < upper, _like_prefix(column, prefix))


def _like_contains(column: Any, part: str) -> Any:
    return column.like("%" + like_escape(part) + "%", escape="\\")


def _status_row(status: UserStatus) -> dict[str, str]:
    ru, en, color = USER_STATUS_LABELS[status]
    return {"status": str(status), "status_ru": ru, "status_en": en, "status_color": color}


def _role_names(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(UserRole.user_id, Role.name, Organisation.name)
        .join(Role, col(Role.id) == UserRole.role_id)
        .join(Organisation, col(Organisation.id) == UserRole.organisation_id, isouter=True)
        .where(UserRole.user_id.in_(user_ids))  # type: ignore[attr-defined]
        .order_by(col(UserRole.id))
    ).all()
    out: dict[int, list[str]] = {}
    for user_id, role_name, org_name in rows:
        out.setdefault(user_id, []).append(f"{role_name} ({org_name})" if org_name else role_name)
    return out


# ---------------------------------------------------------------------------- users


def users_statement(*, q: str = "", status: str = "", role_id: int | None = None) -> sa.Select[Any]:
    """The users-list query before ordering and LIMIT (also what the benchmark runs)."""
    stmt: sa.Select[Any] = select(  # type: ignore[call-overload]
        User.id,
        User.full_name,
        User.email,
        User.phone,
        User.is_blocked,
        User.email_confirmed_at,
        User.phone_confirmed_at,
        User.created_at,
    )
    q = q.strip()[:MAX_QUERY]
    targets = search_targets(q)
    if targets:
        conds = []
        if "email" in targets:
            conds.append(_prefix_range(User.email, q.lower()))
        if "phone" in targets:
            conds += [_prefix_range(User.phone, p) for p in phone_prefixes(q)]
        if "name" in targets:
            for p in name_prefixes(q):
                conds += [_like_prefix(User.full_name, p), _like_contains(User.full_name, " " + p)]
        stmt = stmt.where(sa.or_(*conds) if conds else sa.false())
    if status == UserStatus.BLOCKED:
        stmt = stmt.where(User.is_blocked.is_(True))  # type: ignore[attr-defined]
    elif status == UserStatus.ACTIVE:
        stmt = stmt.where(
            User.is_blocked.is_(False),  # type: ignore[attr-defined]
            User.email_confirmed_at.is_not(None),  # type: ignore[union-attr]
            User.phone_confirmed_at.is_not(None),  # type: ignore[union-attr]
        )
    elif status == UserStatus.UNCONFIRMED:
        stmt = stmt.where(
            User.is_blocked.is_(False),  # type: ignore[attr-defined]
            sa.or_(
                User.email_confirmed_at.is_(None),  # type: ignore[union-attr]
                User.phone_confirmed_at.is_(None),  # type: ignore[union-attr]
            ),
        )
    if role_id is not None:
        stmt = stmt.where(
            sa.exists().where(col(UserRole.user_id) == User.id, col(UserRole.role_id) == role_id)
        )
    return stmt


def list_users(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    status: str = "",
    role_id: int | None = None,
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    require(actor, Perm.USERS_VIEW)
    page = fetch_page(
        session,
        users_statement(q=q, status=status, role_id=role_id),
        USERS_SPEC,
        after=after,
        before=before,
        limit=limit,
    )
    roles = _role_names(session, [r.id for r in page.rows])
    rows = []
    for r in page.rows:
        st = user_status(
            is_blocked=r.is_blocked,
            email_confirmed=r.email_confirmed_at is not None,
            phone_confirmed=r.phone_confirmed_at is not None,
        )
        rows.append(
            {
                "id": str(r.id),
                "full_name": r.full_name,
                "email": r.email,
                "phone": r.phone,
                "roles": ", ".join(roles.get(r.id, [])) or "—",
                "created": fmt_date(r.created_at),
                **_status_row(st),
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def user_detail(session: Session, actor: Actor, user_id: int) -> dict[str, Any]:
    require(actor, Perm.USERS_VIEW)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Пользователь не найден.")
    st = user_status(
        is_blocked=user.is_blocked,
        email_confirmed=user.email_confirmed_at is not None,
        phone_confirmed=user.phone_confirmed_at is not None,
    )
    orgs = session.exec(
        select(Organisation.id, Organisation.name, Organisation.inn)
        .join(Membership, col(Membership.organisation_id) == Organisation.id)
        .where(Membership.user_id == user_id)
        .order_by(Organisation.name, col(Organisation.id))
        .limit(OPTIONS_LIMIT)
    ).all()
    roles = session.exec(
        select(UserRole.id, Role.name, Role.code, Organisation.name)
        .join(Role, col(Role.id) == UserRole.role_id)
        .join(Organisation, col(Organisation.id) == UserRole.organisation_id, isouter=True)
        .where(UserRole.user_id == user_id)
        .order_by(col(UserRole.id))
    ).all()
    managed = session.exec(
        select(Organisation.id, Organisation.name)
        .join(ManagerAssignment, col(ManagerAssignment.organisation_id) == Organisation.id)
        .where(ManagerAssignment.manager_id == user_id)
        .order_by(Organisation.name)
        .limit(OPTIONS_LIMIT)
    ).all()
    now = utcnow()
    live_sessions = session.exec(
        select(sa.func.count())
        .select_from(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),  # type: ignore[union-attr]
            UserSession.expires_at > now,
        )
    ).one()
    twofa = TWOFA_LABELS.get(user.twofa_method, (user.twofa_method, user.twofa_method))
    return {
        "id": str(user.id),
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "created": fmt_dt(user.created_at),
        "email_confirmed": fmt_dt(user.email_confirmed_at) or "—",
        "phone_confirmed": fmt_dt(user.phone_confirmed_at) or "—",
        "twofa_ru": twofa[0],
        "twofa_en": twofa[1],
        "has_2fa": bool(user.twofa_method),
        "is_blocked": user.is_blocked,
        "sessions": str(live_sessions),
        "is_self": user.id == actor.id,
        **_status_row(st),
        "orgs": [{"id": str(i), "name": n, "inn": inn} for i, n, inn in orgs],
        "managed": [{"id": str(i), "name": n} for i, n in managed],
        "roles": [{"id": str(i), "name": n, "code": c, "org": o or ""} for i, n, c, o in roles],
    }


def role_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Roles for a select: value, label, and whether the role is held inside an organisation."""
    require(actor, Perm.USERS_VIEW)
    roles = session.exec(
        select(Role).order_by(Role.is_builtin.desc(), Role.name).limit(OPTIONS_LIMIT)  # type: ignore[attr-defined]
    ).all()
    perms = _perms_by_role(session, [r.id for r in roles if r.id is not None])
    return [
        {
            "value": str(r.id),
            "label": r.name,
            "scoped": "1" if role_is_org_scoped(r, frozenset(perms.get(r.id or 0, []))) else "0",
        }
        for r in roles
    ]


# ---------------------------------------------------------------------------- organisations


def _org_scope(stmt: Any, actor: Actor) -> Any:
    visible = actor.visible_org_ids()
    if visible is None:
        return stmt
    return stmt.where(Organisation.id.in_(sorted(visible) or [-1]))  # type: ignore[union-attr]


def list_organisations(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    kind: str = "",
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    require(actor, Perm.ORGS_VIEW)
    stmt = _org_scope(
        select(  # type: ignore[call-overload]
            Organisation.id,
            Organisation.name,
            Organisation.inn,
            Organisation.kind,
            Organisation.is_active,
            Organisation.require_2fa,
        ),
        actor,
    )
    q = q.strip()[:MAX_QUERY]
    if q:
        if q.isdigit():
            stmt = stmt.where(_prefix_range(Organisation.inn, q))
        else:
            stmt = stmt.where(
                sa.or_(*[_like_contains(Organisation.name, p) for p in name_prefixes(q)])
            )
    if kind in KIND_LABELS:
        stmt = stmt.where(Organisation.kind == kind)
    page = fetch_page(session, stmt, ORGS_SPEC, after=after, before=before, limit=limit)
    rows = [
        {
            "id": str(r.id),
            "name": r.name,
            "inn": r.inn or "—",
            "kind_ru": KIND_LABELS.get(r.kind, (r.kind, r.kind))[0],
            "kind_en": KIND_LABELS.get(r.kind, (r.kind, r.kind))[1],
            "active": "1" if r.is_active else "",
            "twofa": "1" if r.require_2fa else "",
        }
        for r in page.rows
    ]
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def organisation_detail(session: Session, actor: Actor, organisation_id: int) -> dict[str, Any]:
    require(actor, Perm.ORGS_VIEW)
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("Организация не найдена.")
    require_org_visible(actor, organisation_id)
    members = session.exec(
        select(User.id, User.full_name, User.email)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.full_name, col(User.id))
        .limit(OPTIONS_LIMIT)
    ).all()
    managers = session.exec(
        select(User.id, User.full_name, User.email)
        .join(ManagerAssignment, col(ManagerAssignment.manager_id) == User.id)
        .where(ManagerAssignment.organisation_id == organisation_id)
        .order_by(User.full_name, col(User.id))
    ).all()
    kind = KIND_LABELS.get(org.kind, (org.kind, org.kind))
    return {
        "id": str(org.id),
        "name": org.name,
        "kind_ru": kind[0],
        "kind_en": kind[1],
        "inn": org.inn,
        "kpp": org.kpp,
        "ogrn": org.ogrn,
        "legal_address": org.legal_address,
        "address": org.address,
        "is_active": org.is_active,
        "require_2fa": org.require_2fa,
        "created": fmt_dt(org.created_at),
        "can_manage": actor.has(Perm.ORGS_MANAGE, organisation_id),
        "can_see_users": actor.has(Perm.USERS_VIEW),
        "members": [{"id": str(i), "name": n, "email": e} for i, n, e in members],
        "managers": [{"id": str(i), "name": n, "email": e} for i, n, e in managers],
    }


def manager_candidates(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Active users holding the built-in manager role platform-wide (for the assign select)."""
    require(actor, Perm.ORGS_MANAGE)
    rows = session.exec(
        select(User.id, User.full_name, User.email)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .join(Role, col(Role.id) == UserRole.role_id)
        .where(
            Role.code == "manager",
            UserRole.organisation_id.is_(None),  # type: ignore[union-attr]
            User.is_blocked.is_(False),  # type: ignore[attr-defined]
        )
        .order_by(User.full_name, col(User.id))
        .limit(OPTIONS_LIMIT)
    ).all()
    return [{"value": str(i), "label": f"{n} <{e}>"} for i, n, e in rows]


# ---------------------------------------------------------------------------- roles


def _perms_by_role(session: Session, role_ids: list[int]) -> dict[int, list[str]]:
    if not role_ids:
        return {}
    out: dict[int, list[str]] = {}
    for role_id, perm in session.exec(
        select(RolePermission.role_id, RolePermission.permission).where(
            RolePermission.role_id.in_(role_ids)  # type: ignore[attr-defined]
        )
    ).all():
        out.setdefault(role_id, []).append(perm)
    return out


def _perm_order(perm: str) -> int:
    values = [str(p) for p in Perm]
    return values.index(perm) if perm in values else len(values)


def list_roles(
    session: Session,
    actor: Actor,
    *,
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, Any]]:
    require(actor, Perm.ROLES_MANAGE)
    page = fetch_page(
        session, select(Role), ROLES_SPEC, after=after, before=before, limit=limit, scalars=True
    )
    ids = [r.id for r in page.rows]
    perms = _perms_by_role(session, ids)
    holders = (
        dict(
            session.exec(
                select(UserRole.role_id, sa.func.count())
                .where(UserRole.role_id.in_(ids))  # type: ignore[attr-defined]
                .group_by(col(UserRole.role_id))
            ).all()
        )
        if ids
        else {}
    )
    rows = []
    for r in page.rows:
        role_perms = sorted(perms.get(r.id, []), key=_perm_order)
        rows.append(
            {
                "id": str(r.id),
                "code": r.code,
                "name": r.name,
                "description": r.description,
                "builtin": "1" if r.is_builtin else "",
                "scoped": "1" if role_is_org_scoped(r, frozenset(role_perms)) else "",
                "holders": str(holders.get(r.id, 0)),
                "perms": role_perms,
                "perm_labels": [
                    {
                        "ru": PERMISSION_LABELS[Perm(p)][0] if p in PERMISSION_LABELS else p,
                        "en": PERMISSION_LABELS[Perm(p)][1] if p in PERMISSION_LABELS else p,
                    }
                    for p in role_perms
                ],
            }
        )
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)


def role_detail(session: Session, actor: Actor, role_id: int) -> dict[str, Any]:
    require(actor, Perm.ROLES_MANAGE)
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("Роль не найдена.")
    perms = sorted(_perms_by_role(session, [role_id]).get(role_id, []), key=_perm_order)
    return {
        "id": str(role.id),
        "name": role.name,
        "description": role.description,
        "builtin": role.is_builtin,
        "perms": perms,
    }


def permission_choices() -> list[dict[str, str]]:
    return [{"value": str(p), "ru": ru, "en": en} for p, (ru, en) in PERMISSION_LABELS.items()]


# ---------------------------------------------------------------------------- audit


def parse_day(text: str, *, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ValidationFailed("Дата в формате ГГГГ-ММ-ДД.", field=field) from exc


def list_audit(
    session: Session,
    actor: Actor,
    *,
    actor_email: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    after: str = "",
    before: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Page[dict[str, str]]:
    """The audit log, newest first. Read-only: nothing in the portal edits or deletes it."""
    require(actor, Perm.AUDIT_VIEW)
    stmt = select(  # type: ignore[call-overload]
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.ip,
        User.email.label("actor_email"),  # type: ignore[attr-defined]
        User.full_name.label("actor_name"),  # type: ignore[attr-defined]
    ).join(User, User.id == AuditEvent.actor_id, isouter=True)
    email = actor_email.strip().lower()[:MAX_QUERY]
    if email:
        stmt = stmt.where(
            AuditEvent.actor_id.in_(  # type: ignore[union-attr]
                select(User.id).where(_like_prefix(User.email, email))
            )
        )
    if action.strip():
        stmt = stmt.where(_like_prefix(AuditEvent.action, action.strip()[:80]))
    if object_type.strip():
        stmt = stmt.where(AuditEvent.object_type == object_type.strip()[:50])
    if object_id.strip():
        stmt = stmt.where(AuditEvent.object_id == object_id.strip()[:50])
    if date_from is not None:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(date_from, time.min, tzinfo=UTC))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
        stmt = stmt.where(AuditEvent.at < end)
    page = fetch_page(session, stmt, AUDIT_SPEC, after=after, before=before, limit=limit)
    rows = [
        {
            "id": str(r.id),
            "at": fmt_dt(r.at),
            "actor": r.actor_email or "—",
            "actor_name": r.actor_name or "",
            "action": r.action,
            "object": f"{r.object_type} #{r.object_id}" if r.object_id else r.object_type,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "changes": diff_text(r.before, r.after) or "—",
            "ip": r.ip or "—",
        }
        for r in page.rows
    ]
    return Page(rows=rows, next_after=page.next_after, prev_before=page.prev_before)
