"""Link requests, decisions and the organisation profile on a real database."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole, Perm
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.organisations import queries, service
from cabinet.organisations.rules import CounterpartyInvalid, InvalidTransition
from models import (
    AuditEvent,
    LinkRequest,
    LinkRequestEvent,
    ManagerAssignment,
    Membership,
    Organisation,
    OutboxMessage,
    Role,
    User,
    UserRole,
)

pytestmark = pytest.mark.db


_seq = itertools.count(1)

NEW_LEGAL = {
    "name": 'АО "Альфа-Банк"',
    "kpp": "770401001",
    "ogrn": "1027700067328",
    "legal_address": "107078, г. Москва, ул. Каланчевская, д. 27",
}


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Тестов {n}",
        email=f"user{n}@test.local",
        phone=f"+7901{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_org(db, inn: str = "7707083893", *, active: bool = True) -> Organisation:
    org = Organisation(
        name=f"Организация {inn}",
        inn=inn,
        kpp="773601001",
        ogrn="1027700132195",
        is_active=active,
    )
    db.add(org)
    db.flush()
    return org


def assign(db, manager: User, org: Organisation) -> None:
    db.add(ManagerAssignment(manager_id=manager.id, organisation_id=org.id))
    db.flush()


@pytest.fixture
def world(db):
    ensure_builtin_roles(db)
    org = make_org(db)
    other_org = make_org(db, "500100732259")
    manager = make_user(db, role=BuiltinRole.MANAGER)
    assign(db, manager, org)
    admin = make_user(db, role=BuiltinRole.ADMIN)
    client = make_user(db)
    return {
        "org": org,
        "other_org": other_org,
        "manager": manager,
        "admin": admin,
        "client": client,
    }


def roles_in(db, user_id: int, org_id: int) -> set[str]:
    return set(
        db.exec(
            select(Role.code)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user_id, UserRole.organisation_id == org_id)
        ).all()
    )


def test_request_for_existing_organisation_points_at_it(db, world):
    req = service.request_link(
        db, actor_id=world["client"].id, inn="7707083893", message="Я бухгалтер"
    )
    assert req.organisation_id == world["org"].id
    assert req.status == "pending" and not req.created_org
    history = db.exec(select(LinkRequestEvent).where(LinkRequestEvent.request_id == req.id)).all()
    assert [e.action for e in history] == ["create"]
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "link_request.create", AuditEvent.object_id == str(req.id)
        )
    ).first()


def test_request_for_unknown_inn_asks_for_the_counterparty_form(db, world):
    with pytest.raises(service.NeedsCounterparty):
        service.request_link(db, actor_id=world["client"].id, inn="7728168971")
    assert db.exec(select(Organisation).where(Organisation.inn == "7728168971")).first() is None


def test_request_for_new_organisation_creates_it_inactive_with_the_request(db, world):
    req = service.request_link(
        db, actor_id=world["client"].id, inn="7728168971", kind="legal", counterparty=NEW_LEGAL
    )
    org = db.get(Organisation, req.organisation_id)
    assert org.inn == "7728168971" and org.kpp == "770401001" and not org.is_active
    assert req.created_org


def test_invalid_counterparty_writes_nothing(db, world):
    with pytest.raises(CounterpartyInvalid) as e:
        service.request_link(
            db,
            actor_id=world["client"].id,
            inn="7728168971",
            kind="legal",
            counterparty={**NEW_LEGAL, "ogrn": "1027700067329", "kpp": "12"},
        )
    assert set(e.value.errors) == {"ogrn", "kpp"}
    assert db.exec(select(Organisation).where(Organisation.inn == "7728168971")).first() is None
    assert db.exec(select(LinkRequest)).first() is None


def test_invalid_inn_is_refused_before_anything(db, world):
    with pytest.raises(ValidationFailed) as e:
        service.request_link(db, actor_id=world["client"].id, inn="7707083894")
    assert "контрольное число" in e.value.message


def test_duplicate_pending_request_is_refused(db, world):
    service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    with pytest.raises(service.DuplicateRequest):
        service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    assert len(db.exec(select(LinkRequest)).all()) == 1


def test_member_cannot_request_again(db, world):
    member = make_user(db, role=BuiltinRole.CUSTOMER, org=world["org"])
    with pytest.raises(service.AlreadyMember):
        service.request_link(db, actor_id=member.id, inn="7707083893")


def test_approve_creates_membership_and_role_and_notifies(db, world):
    client = world["client"]
    req = service.request_link(db, actor_id=client.id, inn="7707083893")
    service.decide_link_request(
        db,
        actor_id=world["manager"].id,
        request_id=req.id,
        approve=True,
        role_code=BuiltinRole.CUSTOMER_ADMIN,
    )
    db.refresh(req)
    assert req.status == "approved" and req.decided_by_id == world["manager"].id
    assert db.exec(
        select(Membership).where(
            Membership.user_id == client.id, Membership.organisation_id == world["org"].id
        )
    ).first()
    assert roles_in(db, client.id, world["org"].id) == {"customer", "customer_admin"}
    actor = load_actor(db, client.id)
    assert actor.has(Perm.ORG_USERS_MANAGE, world["org"].id)
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == client.email)).one()
    assert "одобрен" in mail.subject
    rows = queries.my_link_requests(db, actor)
    assert [h.action for h in rows[0].history] == ["create", "approve"]
    assert [o.id for o in queries.my_organisations(db, actor)] == [world["org"].id]


def test_approving_a_new_organisation_activates_it(db, world):
    req = service.request_link(
        db, actor_id=world["client"].id, inn="7728168971", kind="legal", counterparty=NEW_LEGAL
    )
    service.decide_link_request(
        db, actor_id=world["admin"].id, request_id=req.id, approve=True, role_code="customer"
    )
    assert db.get(Organisation, req.organisation_id).is_active
    assert roles_in(db, world["client"].id, req.organisation_id) == {"customer"}


def test_reject_needs_a_comment(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    with pytest.raises(ValidationFailed) as e:
        service.decide_link_request(
            db, actor_id=world["manager"].id, request_id=req.id, approve=False, comment="  "
        )
    assert e.value.field == "comment"
    service.decide_link_request(
        db, actor_id=world["manager"].id, request_id=req.id, approve=False, comment="Не сотрудник"
    )
    db.refresh(req)
    assert req.status == "rejected" and req.decision_comment == "Не сотрудник"
    assert not db.exec(select(Membership).where(Membership.user_id == world["client"].id)).first()
    mail = db.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == world["client"].email)
    ).one()
    assert "Не сотрудник" in mail.body


def test_decided_request_cannot_be_decided_again(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    service.decide_link_request(
        db, actor_id=world["manager"].id, request_id=req.id, approve=False, comment="Нет"
    )
    with pytest.raises(InvalidTransition):
        service.decide_link_request(db, actor_id=world["admin"].id, request_id=req.id, approve=True)


def test_only_grantable_roles_on_approval(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    with pytest.raises(ValidationFailed):
        service.decide_link_request(
            db, actor_id=world["manager"].id, request_id=req.id, approve=True, role_code="admin"
        )


def test_manager_outside_assignment_is_refused_and_does_not_see_it(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="500100732259")
    with pytest.raises(NotFound):
        service.decide_link_request(
            db, actor_id=world["manager"].id, request_id=req.id, approve=True
        )
    page = queries.link_request_queue(db, load_actor(db, world["manager"].id))
    assert req.id not in [r.id for r in page.rows]
    page = queries.link_request_queue(db, load_actor(db, world["admin"].id))
    assert req.id in [r.id for r in page.rows]


def test_customer_cannot_decide_or_list_the_queue(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    with pytest.raises(PermissionDenied):
        service.decide_link_request(
            db, actor_id=world["client"].id, request_id=req.id, approve=True
        )
    with pytest.raises(PermissionDenied):
        queries.link_request_queue(db, load_actor(db, world["client"].id))


def test_user_cancels_own_pending_request_only(db, world):
    req = service.request_link(db, actor_id=world["client"].id, inn="7707083893")
    stranger = make_user(db)
    with pytest.raises(NotFound):
        service.cancel_link_request(db, actor_id=stranger.id, request_id=req.id)
    service.cancel_link_request(db, actor_id=world["client"].id, request_id=req.id)
    db.refresh(req)
    assert req.status == "cancelled"
    # a new request may follow a cancelled one
    service.request_link(db, actor_id=world["client"].id, inn="7707083893")


def test_queue_filters_search_and_keyset_pages(db, world):
    users = [make_user(db) for _ in range(5)]
    ids = [service.request_link(db, actor_id=u.id, inn="7707083893").id for u in users]
    service.decide_link_request(
        db, actor_id=world["manager"].id, request_id=ids[0], approve=False, comment="Нет"
    )
    actor = load_actor(db, world["manager"].id)
    first = queries.link_request_queue(db, actor, limit=2)
    assert [r.id for r in first.rows] == [ids[4], ids[3]] and first.prev_before == ""
    second = queries.link_request_queue(db, actor, limit=2, after=first.next_after)
    assert [r.id for r in second.rows] == [ids[2], ids[1]]
    third = queries.link_request_queue(db, actor, limit=2, after=second.next_after)
    assert [r.id for r in third.rows] == [ids[0]] and third.next_after == ""
    back = queries.link_request_queue(db, actor, limit=2, before=third.prev_before)
    assert [r.id for r in back.rows] == [ids[2], ids[1]]
    pending = queries.link_request_queue(db, actor, status="pending")
    assert ids[0] not in [r.id for r in pending.rows] and len(pending.rows) == 4
    by_inn = queries.link_request_queue(db, actor, q="770708")
    assert len(by_inn.rows) == 5
    by_name = queries.link_request_queue(db, actor, q=users[2].full_name)
    assert [r.id for r in by_name.rows] == [ids[2]]
    assert queries.link_request_queue(db, actor, q="9999").rows == []


def test_other_organisations_record_by_id_is_not_found(db, world):
    member = make_user(db, role=BuiltinRole.CUSTOMER, org=world["org"])
    actor = load_actor(db, member.id)
    assert queries.organisation_profile(db, actor, world["org"].id).inn == "7707083893"
    with pytest.raises(NotFound):
        queries.organisation_profile(db, actor, world["other_org"].id)
    with pytest.raises(NotFound):
        queries.organisation_profile(db, actor, 999999)
    with pytest.raises(NotFound):
        service.update_organisation(db, actor_id=member.id, org_id=world["other_org"].id, data={})


def test_member_sees_profile_but_not_members_and_cannot_edit(db, world):
    member = make_user(db, role=BuiltinRole.CUSTOMER, org=world["org"])
    profile = queries.organisation_profile(db, load_actor(db, member.id), world["org"].id)
    assert not profile.can_manage and profile.members == []
    with pytest.raises(PermissionDenied):
        service.update_organisation(
            db, actor_id=member.id, org_id=world["org"].id, data=profile.form_values()
        )


def test_customer_admin_edits_counterparty_data_revalidated(db, world):
    boss = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=world["org"])
    profile = queries.organisation_profile(db, load_actor(db, boss.id), world["org"].id)
    data = profile.form_values() | {"name": 'ООО "Новое имя"', "legal_address": "Москва"}
    with pytest.raises(CounterpartyInvalid):
        service.update_organisation(
            db, actor_id=boss.id, org_id=world["org"].id, data=data | {"kpp": "12"}
        )
    service.update_organisation(
        db, actor_id=boss.id, org_id=world["org"].id, data=data | {"inn": "7728168971"}
    )
    org = db.get(Organisation, world["org"].id)
    assert org.name == 'ООО "Новое имя"' and org.inn == "7707083893"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "organisation.update")).one()
    assert event.before["name"] != event.after["name"]


def test_customer_admin_manages_members(db, world):
    org = world["org"]
    boss = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=org)
    worker = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    profile = queries.organisation_profile(db, load_actor(db, boss.id), org.id)
    assert {m.user_id for m in profile.members} == {boss.id, worker.id}
    service.set_customer_admin(db, actor_id=boss.id, org_id=org.id, user_id=worker.id, make=True)
    assert roles_in(db, worker.id, org.id) == {"customer", "customer_admin"}
    service.set_customer_admin(db, actor_id=boss.id, org_id=org.id, user_id=worker.id, make=False)
    assert roles_in(db, worker.id, org.id) == {"customer"}
    with pytest.raises(Exception, match="самого себя"):
        service.remove_member(db, actor_id=boss.id, org_id=org.id, user_id=boss.id)
    service.remove_member(db, actor_id=boss.id, org_id=org.id, user_id=worker.id)
    assert roles_in(db, worker.id, org.id) == set()
    assert org.id not in load_actor(db, worker.id).member_org_ids


def test_customer_admin_of_one_org_cannot_manage_another(db, world):
    boss = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=world["org"])
    outsider = make_user(db, role=BuiltinRole.CUSTOMER, org=world["other_org"])
    with pytest.raises(NotFound):
        service.remove_member(
            db, actor_id=boss.id, org_id=world["other_org"].id, user_id=outsider.id
        )
    with pytest.raises(NotFound):
        service.set_customer_admin(
            db, actor_id=boss.id, org_id=world["org"].id, user_id=outsider.id, make=True
        )


def test_contact_belongs_to_several_organisations(db, world):
    client = world["client"]
    for inn in ("7707083893", "500100732259"):
        req = service.request_link(db, actor_id=client.id, inn=inn)
        service.decide_link_request(db, actor_id=world["admin"].id, request_id=req.id, approve=True)
    names = [o.inn for o in queries.my_organisations(db, load_actor(db, client.id))]
    assert sorted(names) == ["500100732259", "7707083893"]


def test_database_refuses_a_second_pending_request_for_the_same_pair(db, world):
    from sqlalchemy.exc import IntegrityError

    client, org = world["client"], world["org"]
    db.add(LinkRequest(user_id=client.id, organisation_id=org.id))
    db.flush()
    db.add(LinkRequest(user_id=client.id, organisation_id=org.id, status="rejected"))
    db.flush()  # decided requests do not count
    nested = db.begin_nested()
    db.add(LinkRequest(user_id=client.id, organisation_id=org.id))
    with pytest.raises(IntegrityError):
        db.flush()
    nested.rollback()


def test_database_refuses_two_organisations_with_one_inn(db, world):
    from sqlalchemy.exc import IntegrityError

    nested = db.begin_nested()
    db.add(Organisation(name="Дубль", inn="7707083893"))
    with pytest.raises(IntegrityError):
        db.flush()
    nested.rollback()
    db.add(Organisation(name="Без ИНН 1", inn=""))
    db.add(Organisation(name="Без ИНН 2", inn=""))
    db.flush()


def test_every_write_is_audited(db, world):
    client = world["client"]
    req = service.request_link(
        db, actor_id=client.id, inn="7728168971", kind="legal", counterparty=NEW_LEGAL
    )
    service.decide_link_request(
        db, actor_id=world["admin"].id, request_id=req.id, approve=True, role_code="customer_admin"
    )
    actions = set(db.exec(select(AuditEvent.action)).all())
    assert {
        "organisation.create",
        "link_request.create",
        "organisation.activate",
        "link_request.approve",
    } <= actions
