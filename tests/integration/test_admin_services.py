"""Administration services on a real database: permissions, self-protection, audit."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from cabinet.access.rules import BuiltinRole, Perm
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.admin import queries, service
from cabinet.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
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

pytestmark = pytest.mark.db

_seq = itertools.count(1)
IP = "203.0.113.7"


def make_user(db, *, role: str | None = None, org: Organisation | None = None, **kw) -> User:
    n = next(_seq)
    now = utcnow()
    user = User(
        full_name=kw.pop("full_name", f"Админтестов {n}"),
        email=kw.pop("email", f"adm{n}@test.local"),
        phone=kw.pop("phone", f"+7902{n:07d}"),
        password_hash="x",
        email_confirmed_at=now,
        phone_confirmed_at=now,
        **kw,
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_org(db, name: str | None = None, **kw) -> Organisation:
    n = next(_seq)
    org = Organisation(name=name or f"Тестовая организация {n}", inn=f"77{n:08d}", **kw)
    db.add(org)
    db.flush()
    return org


@pytest.fixture
def roles(db):
    return ensure_builtin_roles(db)


@pytest.fixture
def admin(db, roles):
    return make_user(db, role=BuiltinRole.ADMIN)


@pytest.fixture
def customer(db, roles):
    return make_user(db, role=BuiltinRole.CUSTOMER, org=make_org(db))


def live_session(db, user: User) -> UserSession:
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        token_hash=f"{user.id:064d}"[-64:] + "",
        expires_at=now + timedelta(hours=1),
    )
    db.add(row)
    db.flush()
    return row


def audit_rows(db, action: str, actor_id: int | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    return list(db.exec(stmt).all())


# ---------------------------------------------------------------------------- refusals


def test_customer_is_refused_every_admin_action_and_nothing_changes(db, roles, customer, admin):
    victim = make_user(db)
    org = make_org(db)
    role_id = roles[BuiltinRole.OPERATOR]
    audit_before = len(db.exec(select(AuditEvent.id)).all())
    calls = [
        lambda: service.block_user(db, actor_id=customer.id, user_id=victim.id),
        lambda: service.unblock_user(db, actor_id=customer.id, user_id=victim.id),
        lambda: service.reset_user_2fa(db, actor_id=customer.id, user_id=victim.id),
        lambda: service.assign_role(db, actor_id=customer.id, user_id=victim.id, role_id=role_id),
        lambda: service.update_organisation(
            db, actor_id=customer.id, organisation_id=org.id, name="Взлом"
        ),
        lambda: service.assign_manager(
            db, actor_id=customer.id, organisation_id=org.id, manager_id=admin.id
        ),
        lambda: service.create_role(
            db, actor_id=customer.id, name="Хакеры", permissions=[Perm.USERS_MANAGE]
        ),
        lambda: service.delete_role(db, actor_id=customer.id, role_id=role_id),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    db.refresh(victim)
    db.refresh(org)
    assert not victim.is_blocked and org.name != "Взлом"
    assert len(db.exec(select(AuditEvent.id)).all()) == audit_before
    actor = load_actor(db, customer.id)
    for read in (
        lambda: queries.list_users(db, actor),
        lambda: queries.list_organisations(db, actor),
        lambda: queries.list_roles(db, actor),
        lambda: queries.list_audit(db, actor),
    ):
        with pytest.raises(PermissionDenied):
            read()


def test_blocked_or_missing_actor_is_not_authenticated(db, admin):
    victim = make_user(db)
    admin.is_blocked = True
    db.add(admin)
    db.flush()
    with pytest.raises(NotAuthenticated):
        service.block_user(db, actor_id=admin.id, user_id=victim.id)
    with pytest.raises(NotAuthenticated):
        service.block_user(db, actor_id=10**9, user_id=victim.id)


# ---------------------------------------------------------------------------- users


def test_block_revokes_all_sessions_and_writes_audit(db, admin):
    victim = make_user(db)
    s1, s2 = live_session(db, victim), live_session(db, admin)
    s3 = UserSession(
        user_id=victim.id, token_hash="b" * 64, expires_at=utcnow() + timedelta(hours=1)
    )
    db.add(s3)
    db.flush()
    ended = service.block_user(db, actor_id=admin.id, user_id=victim.id, ip=IP)
    assert ended == 2
    for row in (s1, s3, victim, s2):
        db.refresh(row)
    assert victim.is_blocked
    assert s1.revoked_at is not None and s3.revoked_at is not None
    assert s2.revoked_at is None  # the admin's own session is untouched
    (ev,) = audit_rows(db, "user.block", admin.id)
    assert ev.actor_id == admin.id and ev.object_id == str(victim.id) and ev.ip == IP
    assert ev.before["is_blocked"] is False and ev.after["is_blocked"] is True
    assert ev.after["sessions_revoked"] == 2
    with pytest.raises(NotAuthenticated):
        load_actor(db, victim.id)


def test_unblock_restores_the_account(db, admin):
    victim = make_user(db, is_blocked=True)
    service.unblock_user(db, actor_id=admin.id, user_id=victim.id, ip=IP)
    db.refresh(victim)
    assert not victim.is_blocked
    assert load_actor(db, victim.id).id == victim.id
    (ev,) = audit_rows(db, "user.unblock", admin.id)
    assert ev.before == {"email": victim.email, "is_blocked": True, "twofa_method": ""}


def test_admin_cannot_block_themself(db, admin):
    with pytest.raises(ValidationFailed, match="самого себя"):
        service.block_user(db, actor_id=admin.id, user_id=admin.id)


def test_admin_cannot_touch_a_superadmin(db, admin):
    boss = make_user(db, role=BuiltinRole.SUPERADMIN)
    with pytest.raises(PermissionDenied):
        service.block_user(db, actor_id=admin.id, user_id=boss.id)
    with pytest.raises(PermissionDenied):
        service.reset_user_2fa(db, actor_id=admin.id, user_id=boss.id)


def test_reset_2fa_clears_method_and_secret(db, admin):
    victim = make_user(db, twofa_method="totp", totp_secret="encrypted-secret")
    service.reset_user_2fa(db, actor_id=admin.id, user_id=victim.id, ip=IP)
    db.refresh(victim)
    assert victim.twofa_method == "" and victim.totp_secret == ""
    (ev,) = audit_rows(db, "user.reset_2fa", admin.id)
    assert ev.before["twofa_method"] == "totp" and ev.after["twofa_method"] == ""
    assert "encrypted-secret" not in str(ev.before) + str(ev.after)


def test_missing_user_is_not_found(db, admin):
    with pytest.raises(NotFound):
        service.block_user(db, actor_id=admin.id, user_id=10**9)


def test_customer_role_needs_an_organisation_the_user_belongs_to(db, roles, admin):
    org, other = make_org(db), make_org(db)
    user = make_user(db)
    db.add(Membership(user_id=user.id, organisation_id=org.id))
    db.flush()
    cust = roles[BuiltinRole.CUSTOMER]
    with pytest.raises(ValidationFailed, match="выберите организацию"):
        service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=cust)
    with pytest.raises(ValidationFailed, match="не состоит"):
        service.assign_role(
            db, actor_id=admin.id, user_id=user.id, role_id=cust, organisation_id=other.id
        )
    service.assign_role(
        db, actor_id=admin.id, user_id=user.id, role_id=cust, organisation_id=org.id, ip=IP
    )
    actor = load_actor(db, user.id)
    assert actor.has(Perm.ORG_VIEW, org.id) and not actor.has(Perm.ORG_VIEW, other.id)
    (ev,) = audit_rows(db, "user.role_assign", admin.id)
    assert ev.before is None and ev.after["role"] == "customer"
    assert ev.after["organisation_id"] == org.id
    with pytest.raises(ValidationFailed, match="уже назначена"):
        service.assign_role(
            db, actor_id=admin.id, user_id=user.id, role_id=cust, organisation_id=org.id
        )


def test_staff_role_is_platform_wide_and_admin_cannot_escalate(db, roles, admin):
    user = make_user(db)
    org = make_org(db)
    with pytest.raises(ValidationFailed, match="во всей системе"):
        service.assign_role(
            db,
            actor_id=admin.id,
            user_id=user.id,
            role_id=roles[BuiltinRole.MANAGER],
            organisation_id=org.id,
        )
    service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=roles[BuiltinRole.MANAGER])
    assert load_actor(db, user.id).has(Perm.LINKS_DECIDE)
    with pytest.raises(PermissionDenied):
        service.assign_role(
            db, actor_id=admin.id, user_id=admin.id, role_id=roles[BuiltinRole.SUPERADMIN]
        )
    assert not load_actor(db, admin.id).has(Perm.ORG_VIEW)


def test_remove_role_writes_before_and_takes_the_permission_away(db, roles, admin):
    user = make_user(db, role=BuiltinRole.OPERATOR)
    ur = db.exec(select(UserRole).where(UserRole.user_id == user.id)).one()
    service.remove_role(db, actor_id=admin.id, user_role_id=ur.id, ip=IP)
    assert not load_actor(db, user.id).has(Perm.OUTBOX_VIEW)
    (ev,) = audit_rows(db, "user.role_remove", admin.id)
    assert ev.before["role"] == "operator" and ev.after is None


def test_admin_cannot_remove_their_own_last_admin_role(db, roles, admin):
    ur = db.exec(select(UserRole).where(UserRole.user_id == admin.id)).one()
    with pytest.raises(ValidationFailed, match="последнюю"):
        service.remove_role(db, actor_id=admin.id, user_role_id=ur.id)
    # With a second admin role, removing one of them is fine.
    service.create_role(
        db,
        actor_id=admin.id,
        name="Запасной админ",
        permissions=[Perm.USERS_MANAGE, Perm.ROLES_MANAGE],
    )
    spare = db.exec(select(Role).where(Role.name == "Запасной админ")).one()
    service.assign_role(db, actor_id=admin.id, user_id=admin.id, role_id=spare.id)
    service.remove_role(db, actor_id=admin.id, user_role_id=ur.id)
    assert load_actor(db, admin.id).has(Perm.USERS_MANAGE)


# ---------------------------------------------------------------------------- roles


def test_custom_role_gives_its_permissions_through_load_actor(db, admin):
    role_id = service.create_role(
        db,
        actor_id=admin.id,
        name="Аудитор",
        description="Только журнал",
        permissions=[Perm.AUDIT_VIEW, Perm.USERS_VIEW],
        ip=IP,
    )
    user = make_user(db)
    assert not load_actor(db, user.id).has(Perm.AUDIT_VIEW)
    service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=role_id)
    actor = load_actor(db, user.id)
    assert actor.has(Perm.AUDIT_VIEW) and actor.has(Perm.USERS_VIEW)
    assert not actor.has(Perm.USERS_MANAGE)
    assert queries.list_audit(db, actor).rows  # the new role opens the audit log
    (ev,) = audit_rows(db, "role.create", admin.id)
    assert ev.before is None and ev.after["permissions"] == ["audit.view", "users.view"]
    assert ev.ip == IP


def test_custom_customer_role_is_held_inside_an_organisation(db, admin):
    role_id = service.create_role(
        db, actor_id=admin.id, name="Бухгалтер клиента", permissions=[Perm.ORG_VIEW]
    )
    org = make_org(db)
    user = make_user(db)
    db.add(Membership(user_id=user.id, organisation_id=org.id))
    db.flush()
    with pytest.raises(ValidationFailed):
        service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=role_id)
    service.assign_role(
        db, actor_id=admin.id, user_id=user.id, role_id=role_id, organisation_id=org.id
    )
    assert load_actor(db, user.id).has(Perm.ORG_VIEW, org.id)


def test_update_role_changes_permissions_everywhere(db, admin):
    role_id = service.create_role(
        db, actor_id=admin.id, name="Наблюдатель", permissions=["users.view"]
    )
    user = make_user(db)
    service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=role_id)
    service.update_role(
        db,
        actor_id=admin.id,
        role_id=role_id,
        name="Наблюдатель+",
        permissions=["users.view", "audit.view"],
        ip=IP,
    )
    assert load_actor(db, user.id).has(Perm.AUDIT_VIEW)
    (ev,) = audit_rows(db, "role.update", admin.id)
    assert ev.before == {"name": "Наблюдатель", "permissions": ["users.view"]}
    assert ev.after == {"name": "Наблюдатель+", "permissions": ["audit.view", "users.view"]}


def test_role_input_is_validated(db, admin):
    with pytest.raises(ValidationFailed, match="хотя бы одно"):
        service.create_role(db, actor_id=admin.id, name="Пустая", permissions=[])
    with pytest.raises(ValidationFailed, match="Неизвестное"):
        service.create_role(db, actor_id=admin.id, name="Странная", permissions=["root.all"])
    with pytest.raises(ValidationFailed, match="уже есть"):
        service.create_role(db, actor_id=admin.id, name="Менеджер", permissions=["users.view"])
    with pytest.raises(ValidationFailed, match="не длиннее"):
        service.create_role(db, actor_id=admin.id, name="Я" * 201, permissions=["users.view"])
    names = {"Пустая", "Странная", "Я" * 201}
    assert db.exec(select(Role).where(Role.name.in_(names))).all() == []


def test_the_database_refuses_a_second_role_with_the_same_name(db, admin):
    """The unique name settles a race that the service's own check cannot see."""
    from sqlalchemy.exc import IntegrityError

    service.create_role(db, actor_id=admin.id, name="Бухгалтерия", permissions=["users.view"])
    db.add(Role(code="custom_race", name="Бухгалтерия"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_role_manager_cannot_create_roles_stronger_than_themself(db, admin):
    role_id = service.create_role(
        db, actor_id=admin.id, name="Только роли", permissions=["roles.manage"]
    )
    user = make_user(db)
    service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=role_id)
    with pytest.raises(PermissionDenied):
        service.create_role(db, actor_id=user.id, name="Всё и сразу", permissions=["audit.view"])
    # Customer-side rights are not staff powers: a role manager may hand them out.
    service.create_role(db, actor_id=user.id, name="Клиент-наблюдатель", permissions=["org.view"])


def test_builtin_roles_cannot_be_edited_or_deleted(db, roles, admin):
    for role_id in roles.values():
        with pytest.raises(ValidationFailed, match="Встроенную"):
            service.delete_role(db, actor_id=admin.id, role_id=role_id)
        with pytest.raises(ValidationFailed, match="Встроенную"):
            service.update_role(
                db, actor_id=admin.id, role_id=role_id, name="X-роль", permissions=["users.view"]
            )
    assert len(db.exec(select(Role).where(Role.is_builtin.is_(True))).all()) == len(roles)


def test_delete_custom_role_only_when_nobody_holds_it(db, admin):
    role_id = service.create_role(
        db, actor_id=admin.id, name="Временная", permissions=["users.view"]
    )
    user = make_user(db)
    ur_id = service.assign_role(db, actor_id=admin.id, user_id=user.id, role_id=role_id)
    with pytest.raises(ValidationFailed, match="назначена"):
        service.delete_role(db, actor_id=admin.id, role_id=role_id)
    service.remove_role(db, actor_id=admin.id, user_role_id=ur_id)
    service.delete_role(db, actor_id=admin.id, role_id=role_id, ip=IP)
    assert db.get(Role, role_id) is None
    assert db.exec(select(RolePermission).where(RolePermission.role_id == role_id)).all() == []
    (ev,) = audit_rows(db, "role.delete", admin.id)
    assert ev.before["name"] == "Временная" and ev.after is None


def test_many_custom_roles_have_no_limit(db, admin):
    for i in range(60):
        service.create_role(
            db, actor_id=admin.id, name=f"Роль номер {i}", permissions=["users.view"]
        )
    actor = load_actor(db, admin.id)
    seen, after = [], ""
    while True:
        page = queries.list_roles(db, actor, after=after, limit=25)
        seen += [r["id"] for r in page.rows]
        if not page.has_next:
            break
        after = page.next_after
    assert len(seen) == len(set(seen)) >= 66


# ---------------------------------------------------------------------------- organisations


def test_update_organisation_records_only_changed_fields(db, admin):
    org = make_org(db, name="Старое имя")
    service.update_organisation(
        db,
        actor_id=admin.id,
        organisation_id=org.id,
        name="  Новое   имя ",
        legal_address="",
        address="",
        is_active=True,
        require_2fa=True,
        ip=IP,
    )
    db.refresh(org)
    assert org.name == "Новое имя" and org.require_2fa
    (ev,) = audit_rows(db, "org.update", admin.id)
    assert ev.before == {"name": "Старое имя", "require_2fa": False}
    assert ev.after == {"name": "Новое имя", "require_2fa": True}
    with pytest.raises(ValidationFailed, match="Название"):
        service.update_organisation(db, actor_id=admin.id, organisation_id=org.id, name=" ")


def test_manager_sees_only_assigned_organisations_and_cannot_edit(db, roles, admin):
    mine, other = make_org(db, name="Моя"), make_org(db, name="Чужая")
    manager = make_user(db, role=BuiltinRole.MANAGER)
    service.assign_manager(
        db, actor_id=admin.id, organisation_id=mine.id, manager_id=manager.id, ip=IP
    )
    actor = load_actor(db, manager.id)
    names = [r["name"] for r in queries.list_organisations(db, actor).rows]
    assert names == ["Моя"]
    with pytest.raises(NotFound):
        queries.organisation_detail(db, actor, other.id)
    with pytest.raises(PermissionDenied):
        service.update_organisation(db, actor_id=manager.id, organisation_id=mine.id, name="X")
    (ev,) = audit_rows(db, "org.manager_assign", admin.id)
    assert ev.after["manager_id"] == manager.id


def test_only_holders_of_the_manager_role_can_be_assigned(db, admin):
    org = make_org(db)
    plain = make_user(db)
    with pytest.raises(ValidationFailed, match="Менеджер"):
        service.assign_manager(db, actor_id=admin.id, organisation_id=org.id, manager_id=plain.id)
    manager = make_user(db, role=BuiltinRole.MANAGER)
    service.assign_manager(db, actor_id=admin.id, organisation_id=org.id, manager_id=manager.id)
    with pytest.raises(ValidationFailed, match="уже назначен"):
        service.assign_manager(db, actor_id=admin.id, organisation_id=org.id, manager_id=manager.id)
    service.unassign_manager(db, actor_id=admin.id, organisation_id=org.id, manager_id=manager.id)
    assert (
        db.exec(select(ManagerAssignment).where(ManagerAssignment.organisation_id == org.id)).all()
        == []
    )
    assert [e.before["manager_id"] for e in audit_rows(db, "org.manager_unassign", admin.id)] == [
        manager.id
    ]


# ---------------------------------------------------------------------------- audit log


def test_audit_log_filters_and_is_never_updated_or_deleted(db, roles, admin):
    """Run every admin write while watching the SQL: no UPDATE/DELETE ever touches audit_events."""
    statements: list[str] = []

    def watch(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        org = make_org(db)
        victim = make_user(db, org=org)
        manager = make_user(db, role=BuiltinRole.MANAGER)
        service.block_user(db, actor_id=admin.id, user_id=victim.id, ip=IP)
        service.unblock_user(db, actor_id=admin.id, user_id=victim.id, ip=IP)
        service.reset_user_2fa(db, actor_id=admin.id, user_id=victim.id, ip=IP)
        ur = service.assign_role(
            db,
            actor_id=admin.id,
            user_id=victim.id,
            role_id=roles[BuiltinRole.CUSTOMER],
            organisation_id=org.id,
        )
        service.remove_role(db, actor_id=admin.id, user_role_id=ur)
        service.update_organisation(db, actor_id=admin.id, organisation_id=org.id, name="Z")
        service.assign_manager(db, actor_id=admin.id, organisation_id=org.id, manager_id=manager.id)
        service.unassign_manager(
            db, actor_id=admin.id, organisation_id=org.id, manager_id=manager.id
        )
        rid = service.create_role(
            db, actor_id=admin.id, name="Тест аудита", permissions=["users.view"]
        )
        service.update_role(
            db, actor_id=admin.id, role_id=rid, name="Тест аудита 2", permissions=["audit.view"]
        )
        service.delete_role(db, actor_id=admin.id, role_id=rid)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    writes = [s for s in statements if re.match(r"\s*(UPDATE|DELETE)\b", s, re.I)]
    assert writes  # the watcher did see the services' own updates and deletes
    assert not [s for s in writes if "audit_events" in s]

    actor = load_actor(db, admin.id)
    mine = admin.email
    all_rows = queries.list_audit(db, actor, actor_email=mine).rows
    assert len(all_rows) == 11
    assert all(r["ip"] == IP for r in all_rows[-3:])
    assert [
        r["action"] for r in queries.list_audit(db, actor, actor_email=mine, action="role.").rows
    ] == [
        "role.delete",
        "role.update",
        "role.create",
    ]
    by_object = queries.list_audit(db, actor, object_type="user", object_id=str(victim.id)).rows
    assert len(by_object) == 5
    assert queries.list_audit(db, actor, actor_email=admin.email[:5]).rows
    assert queries.list_audit(db, actor, actor_email="nobody@").rows == []
    today = utcnow().date()
    both = queries.list_audit(db, actor, actor_email=mine, date_from=today, date_to=today)
    assert len(both.rows) == 11
    assert queries.list_audit(db, actor, date_to=today - timedelta(days=1)).rows == []
    blocked = next(r for r in all_rows if r["action"] == "user.block")
    assert "is_blocked: нет → да" in blocked["changes"]


def test_no_module_writes_update_or_delete_on_audit_events_in_source():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [
        *root.joinpath("cabinet").rglob("*.py"),
        *root.joinpath("components").rglob("*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"(update|delete)\(\s*AuditEvent|audit_events.*\b(UPDATE|DELETE)\b", text):
            offenders.append(str(path))
        if re.search(r"session\.delete\(\s*(ev|event|audit)", text):
            offenders.append(str(path))
    assert offenders == []
