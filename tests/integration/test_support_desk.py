"""Support requests on a real database: creation, thread, workflow, scope, queue, files."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.files.queries import open_file
from cabinet.files.service import blob_path, store_upload
from cabinet.settings import Settings
from cabinet.support import queries, service
from cabinet.support.queries import QueueFilters
from cabinet.support.rules import InvalidTransition
from models import (
    AuditEvent,
    ManagerAssignment,
    Membership,
    Notification,
    Organisation,
    SupportAttachment,
    SupportDepartmentMember,
    SupportMessage,
    SupportRequest,
    User,
)
from models.base import utcnow
from tests.unit.test_files_rules import PDF

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Поддержкин {n}",
        email=f"support{n}@test.local",
        phone=f"+7905{n:07d}",
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


def make_org(db) -> Organisation:
    n = next(_seq)
    org = Organisation(name=f"ООО Обращения {n}", inn=f"79{n:08d}")
    db.add(org)
    db.flush()
    return org


@pytest.fixture
def w(db):
    """Two organisations, their customers, a manager of the first, an operator in the
    accounting department, an administrator; departments and categories."""
    ensure_builtin_roles(db)
    org, other_org = make_org(db), make_org(db)
    client = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    colleague = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    client_admin = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=org)
    stranger = make_user(db, role=BuiltinRole.CUSTOMER, org=other_org)
    manager = make_user(db, role=BuiltinRole.MANAGER)
    other_manager = make_user(db, role=BuiltinRole.MANAGER)
    db.add(ManagerAssignment(manager_id=manager.id, organisation_id=org.id))
    db.add(ManagerAssignment(manager_id=other_manager.id, organisation_id=other_org.id))
    operator = make_user(db, role=BuiltinRole.OPERATOR)
    admin = make_user(db, role=BuiltinRole.ADMIN)
    db.flush()
    accounting = service.save_department(
        db, actor_id=admin.id, name="Бухгалтерия", member_ids=[operator.id]
    )
    sales = service.save_department(db, actor_id=admin.id, name="Отдел продаж")
    docs = service.save_category(
        db,
        actor_id=admin.id,
        name="Документы",
        response_hours=24,
        default_department_id=accounting.id,
    )
    other = service.save_category(db, actor_id=admin.id, name="Другое", response_hours=4)
    return dict(
        org=org,
        other_org=other_org,
        client=client,
        colleague=colleague,
        client_admin=client_admin,
        stranger=stranger,
        manager=manager,
        other_manager=other_manager,
        operator=operator,
        admin=admin,
        accounting=accounting,
        sales=sales,
        docs=docs,
        other=other,
    )


def new_request(db, w, *, recipient: str = "", category=None, author=None, **kw):
    return service.create_request(
        db,
        actor_id=(author or w["client"]).id,
        organisation_id=w["org"].id,
        category_id=(category or w["docs"]).id,
        subject=kw.pop("subject", "Акт сверки"),
        text=kw.pop("text", "Пришлите акт сверки за квартал"),
        recipient=recipient,
        **kw,
    )


def inbox(db, user: User) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.user_id == user.id)).all())


# --------------------------------------------------------------------------- creation


def test_request_to_a_department_notifies_its_members_and_runs_the_deadline(db, w):
    before = utcnow()
    req = new_request(db, w, recipient=f"dept:{w['accounting'].id}")

    assert (req.status, req.department_id, req.addressee_id) == ("new", w["accounting"].id, None)
    assert before + timedelta(hours=24) <= req.due_at <= utcnow() + timedelta(hours=24)
    msgs = db.exec(select(SupportMessage).where(SupportMessage.request_id == req.id)).all()
    assert [m.body for m in msgs] == ["Пришлите акт сверки за квартал"]
    assert [n.event for n in inbox(db, w["operator"])] == ["support.request_created"]
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "support.request_create", AuditEvent.object_id == str(req.id)
        )
    ).first()


def test_request_without_recipient_goes_to_the_category_default_department(db, w):
    req = new_request(db, w)
    assert req.department_id == w["accounting"].id
    with pytest.raises(ValidationFailed) as err:
        new_request(db, w, category=w["other"])  # no default department, nobody chosen
    assert err.value.field == "recipient"


def test_request_to_own_manager_lands_on_their_desk(db, w):
    form = queries.new_request_form(db, load_actor(db, w["client"].id), w["org"].id)
    assert f"user:{w['manager'].id}" in [o.value for o in form.recipients]
    assert f"user:{w['other_manager'].id}" not in [o.value for o in form.recipients]

    req = new_request(db, w, recipient=f"user:{w['manager'].id}")

    assert (req.addressee_id, req.assignee_id, req.department_id) == (
        w["manager"].id,
        w["manager"].id,
        None,
    )
    assert [n.event for n in inbox(db, w["manager"])] == ["support.request_created"]


def test_someone_elses_manager_is_refused(db, w):
    with pytest.raises(ValidationFailed) as err:
        new_request(db, w, recipient=f"user:{w['other_manager'].id}")
    assert err.value.field == "recipient"
    with pytest.raises(ValidationFailed):
        new_request(db, w, recipient=f"user:{w['operator'].id}")
    assert db.exec(select(SupportRequest)).all() == []


def test_only_members_of_the_organisation_may_write_for_it(db, w):
    with pytest.raises(NotFound):
        new_request(db, w, author=w["stranger"])
    with pytest.raises(NotFound):
        new_request(db, w, author=w["manager"])


def test_empty_subject_is_a_field_error_and_leaves_nothing(db, w):
    with pytest.raises(ValidationFailed) as err:
        new_request(db, w, subject="  ")
    assert err.value.field == "subject"
    assert db.exec(select(SupportRequest)).all() == []


# --------------------------------------------------------------------------- thread + workflow


def test_replies_move_the_status_and_notify_the_other_side(db, w):
    req = new_request(db, w, recipient=f"user:{w['manager'].id}")

    service.add_message(db, actor_id=w["manager"].id, request_id=req.id, text="Акт во вложении")
    db.refresh(req)
    assert req.status == "waiting"
    assert req.due_at is None and req.first_response_at is not None
    assert [n.event for n in inbox(db, w["client"])] == ["support.message_added"]

    service.add_message(db, actor_id=w["client"].id, request_id=req.id, text="Спасибо, но нет")
    db.refresh(req)
    assert req.status == "in_progress"
    assert req.due_at is not None  # the deadline restarts
    assert [n.event for n in inbox(db, w["manager"])] == [
        "support.request_created",
        "support.message_added",
    ]
    events = db.exec(
        select(SupportMessage.status_from, SupportMessage.status_to).where(
            SupportMessage.request_id == req.id, SupportMessage.kind == "event"
        )
    ).all()
    assert list(events) == [("new", "waiting"), ("waiting", "in_progress")]


def test_internal_note_is_hidden_from_the_customer_and_does_not_move_the_status(db, w):
    req = new_request(db, w, recipient=f"user:{w['manager'].id}")
    service.add_message(
        db, actor_id=w["manager"].id, request_id=req.id, text="Проверить оплату", internal=True
    )
    db.refresh(req)
    assert req.status == "new"
    staff_view = queries.request_view(db, load_actor(db, w["manager"].id), req.id)
    customer_view = queries.request_view(db, load_actor(db, w["client"].id), req.id)
    assert "Проверить оплату" in [m.body for m in staff_view.thread]
    assert "Проверить оплату" not in [m.body for m in customer_view.thread]
    assert inbox(db, w["client"]) == []
    with pytest.raises(PermissionDenied):
        service.add_message(db, actor_id=w["client"].id, request_id=req.id, text="x", internal=True)


def test_transitions_allowed_and_refused_per_side(db, w):
    req = new_request(db, w, recipient=f"user:{w['manager'].id}")
    with pytest.raises(InvalidTransition):
        service.apply_action(db, actor_id=w["client"].id, request_id=req.id, action="take")
    with pytest.raises(InvalidTransition):
        service.apply_action(db, actor_id=w["manager"].id, request_id=req.id, action="reopen")

    service.apply_action(db, actor_id=w["manager"].id, request_id=req.id, action="take")
    service.apply_action(db, actor_id=w["manager"].id, request_id=req.id, action="resolve")
    db.refresh(req)
    assert req.status == "resolved" and req.resolved_at is not None and req.due_at is None
    assert [n.event for n in inbox(db, w["client"])] == [
        "support.status_changed",
        "support.status_changed",
    ]

    service.apply_action(db, actor_id=w["client"].id, request_id=req.id, action="close")
    db.refresh(req)
    assert req.status == "closed"
    with pytest.raises(InvalidTransition):
        service.add_message(db, actor_id=w["client"].id, request_id=req.id, text="ещё")

    service.apply_action(db, actor_id=w["client"].id, request_id=req.id, action="reopen")
    db.refresh(req)
    assert req.status == "in_progress" and req.closed_at is None and req.due_at is not None
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "support.reopen", AuditEvent.object_id == str(req.id)
        )
    ).first()


def test_customer_cannot_reopen_after_the_limit(db, w):
    req = new_request(db, w, recipient=f"user:{w['manager'].id}")
    service.apply_action(db, actor_id=w["client"].id, request_id=req.id, action="close")
    req.closed_at = utcnow() - timedelta(days=30)
    db.add(req)
    db.flush()
    with pytest.raises(InvalidTransition):
        service.apply_action(db, actor_id=w["client"].id, request_id=req.id, action="reopen")
    service.apply_action(db, actor_id=w["manager"].id, request_id=req.id, action="reopen")


# --------------------------------------------------------------------------- scope


def test_other_organisations_request_is_not_found(db, w):
    req = new_request(db, w)
    for user in (w["stranger"], w["other_manager"], w["colleague"]):
        actor = load_actor(db, user.id)
        with pytest.raises(NotFound):
            queries.request_view(db, actor, req.id)
        with pytest.raises(NotFound):
            service.add_message(db, actor_id=user.id, request_id=req.id, text="чужое")
        with pytest.raises(NotFound):
            service.apply_action(db, actor_id=user.id, request_id=req.id, action="close")
    with pytest.raises(NotFound):
        queries.request_view(db, load_actor(db, w["client"].id), 2**31 - 1)


def test_customer_admin_sees_the_organisations_requests_members_only_their_own(db, w):
    mine = new_request(db, w)
    theirs = new_request(db, w, author=w["colleague"], subject="Другое дело")
    client_rows = queries.my_requests(db, load_actor(db, w["client"].id)).rows
    admin_rows = queries.my_requests(db, load_actor(db, w["client_admin"].id)).rows
    assert [r.id for r in client_rows] == [mine.id]
    assert {r.id for r in admin_rows} == {mine.id, theirs.id}
    assert queries.my_requests(db, load_actor(db, w["stranger"].id)).rows == []


def test_staff_scope_assigned_orgs_department_and_personal(db, w):
    to_dept = new_request(db, w, recipient=f"dept:{w['accounting'].id}")
    to_sales = new_request(db, w, recipient=f"dept:{w['sales'].id}")

    def seen(user):
        return {r.id for r in queries.queue(db, load_actor(db, user.id), QueueFilters()).rows}

    assert seen(w["manager"]) == {to_dept.id, to_sales.id}  # assigned organisation
    assert seen(w["operator"]) == {to_dept.id}  # their department only
    assert seen(w["other_manager"]) == set()  # outside their assignment
    assert seen(w["admin"]) == {to_dept.id, to_sales.id}  # ORGS_ALL
    with pytest.raises(NotFound):
        queries.request_view(db, load_actor(db, w["operator"].id), to_sales.id)
    with pytest.raises(PermissionDenied):
        queries.queue(db, load_actor(db, w["client"].id), QueueFilters())


# --------------------------------------------------------------------------- queue


def test_assignment_to_self_and_to_another_staff_member(db, w):
    req = new_request(db, w, recipient=f"dept:{w['accounting'].id}")
    service.assign(db, actor_id=w["operator"].id, request_id=req.id, assignee_id=w["operator"].id)
    db.refresh(req)
    assert req.assignee_id == w["operator"].id

    service.assign(db, actor_id=w["operator"].id, request_id=req.id, assignee_id=w["manager"].id)
    db.refresh(req)
    assert req.assignee_id == w["manager"].id
    assert [n.event for n in inbox(db, w["manager"])] == ["support.request_created"]
    rows = queries.queue(db, load_actor(db, w["manager"].id), QueueFilters(assignee="me")).rows
    assert [r.id for r in rows] == [req.id]

    with pytest.raises(ValidationFailed):
        service.assign(db, actor_id=w["manager"].id, request_id=req.id, assignee_id=w["client"].id)
    with pytest.raises(PermissionDenied):
        service.assign(db, actor_id=w["client"].id, request_id=req.id, assignee_id=None)


def test_queue_filters_overdue_search_and_pages(db, w):
    late = new_request(db, w, subject="Просроченный вопрос")
    fresh = new_request(
        db, w, subject="Свежий вопрос", category=w["other"], recipient=f"dept:{w['sales'].id}"
    )
    waiting = new_request(db, w, subject="Ждём клиента")
    service.add_message(db, actor_id=w["manager"].id, request_id=waiting.id, text="Уточните")
    late.due_at = utcnow() - timedelta(hours=1)
    db.add(late)
    db.flush()
    admin = load_actor(db, w["admin"].id)

    def ids(**kw):
        return [r.id for r in queries.queue(db, admin, QueueFilters(**kw)).rows]

    assert ids(overdue=True) == [late.id]
    assert ids(status="waiting") == [waiting.id]
    assert ids(status="open") == [waiting.id, fresh.id, late.id]
    assert ids(category_id=w["other"].id) == [fresh.id]
    assert ids(department_id=w["sales"].id) == [fresh.id]
    assert ids(assignee="none") == [fresh.id, late.id]
    assert ids(q="просроч") == [late.id]
    assert ids(q=f"№{fresh.id}") == [fresh.id]
    assert ids(q=w["client"].full_name) == [waiting.id, fresh.id, late.id]
    row = next(r for r in queries.queue(db, admin, QueueFilters()).rows if r.id == late.id)
    assert row.overdue and row.deadline.startswith("просрочено")

    first = queries.queue(db, admin, QueueFilters(), limit=2)
    assert [r.id for r in first.rows] == [waiting.id, fresh.id] and first.next_after
    second = queries.queue(db, admin, QueueFilters(), limit=2, after=first.next_after)
    assert [r.id for r in second.rows] == [late.id] and not second.next_after


# --------------------------------------------------------------------------- files


@pytest.fixture
def config(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, upload_max_bytes=1024 * 1024)


def test_attachments_are_stored_with_checksum_and_linked_to_the_message(db, w, config):
    data = PDF + b"scan" * 100
    stored = store_upload(
        db,
        actor_id=w["client"].id,
        filename="счёт.pdf",
        source=data,
        allowed_types=("pdf",),
        organisation_id=w["org"].id,
        config=config,
    )
    req = new_request(db, w, recipient=f"user:{w['manager'].id}", file_ids=[stored.id])

    att = db.exec(select(SupportAttachment).where(SupportAttachment.request_id == req.id)).one()
    assert att.file_id == stored.id
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert blob_path(stored.storage_key, config).read_bytes() == data
    view = queries.request_view(db, load_actor(db, w["manager"].id), req.id)
    assert [f.filename for f in view.thread[0].files] == ["счёт.pdf"]


def test_department_staff_may_read_the_attachments_of_requests_they_see(db, w, config):
    stored = store_upload(
        db,
        actor_id=w["client"].id,
        filename="акт.pdf",
        source=PDF + b"dept",
        allowed_types=("pdf",),
        organisation_id=w["org"].id,
        config=config,
    )
    req = new_request(db, w, recipient=f"dept:{w['accounting'].id}", file_ids=[stored.id])
    assert req.department_id == w["accounting"].id
    operator = load_actor(db, w["operator"].id)  # in the department, not assigned to the org
    assert queries.may_read_attachment(db, operator, stored.id)
    assert not queries.may_read_attachment(db, load_actor(db, w["other_manager"].id), stored.id)
    assert not queries.may_read_attachment(db, load_actor(db, w["stranger"].id), stored.id)
    # The download path applies the same rule.
    row, _path = open_file(db, actor_id=w["operator"].id, file_id=stored.id, config=config)
    assert row.id == stored.id
    with pytest.raises(NotFound):
        open_file(db, actor_id=w["stranger"].id, file_id=stored.id, config=config)


def test_someone_elses_file_cannot_be_attached(db, w, config):
    foreign = store_upload(
        db,
        actor_id=w["stranger"].id,
        filename="чужой.pdf",
        source=PDF + b"x",
        allowed_types=("pdf",),
        organisation_id=w["other_org"].id,
        config=config,
    )
    with pytest.raises(ValidationFailed) as err:
        new_request(db, w, file_ids=[foreign.id])
    assert err.value.field == "files"
    assert db.exec(select(SupportRequest)).all() == []


# --------------------------------------------------------------------------- reference data


def test_departments_and_categories_need_support_manage(db, w):
    with pytest.raises(PermissionDenied):
        service.save_department(db, actor_id=w["manager"].id, name="Склад")
    with pytest.raises(PermissionDenied):
        service.save_category(db, actor_id=w["operator"].id, name="Склад", response_hours=3)
    with pytest.raises(ValidationFailed):
        service.save_department(db, actor_id=w["admin"].id, name="Бухгалтерия")  # duplicate
    with pytest.raises(ValidationFailed):
        service.save_department(
            db, actor_id=w["admin"].id, name="Склад", member_ids=[w["client"].id]
        )
    dept = service.save_department(
        db,
        actor_id=w["admin"].id,
        department_id=w["accounting"].id,
        name="Бухгалтерия и финансы",
        member_ids=[w["manager"].id],
    )
    members = db.exec(
        select(SupportDepartmentMember.user_id).where(
            SupportDepartmentMember.department_id == dept.id
        )
    ).all()
    assert list(members) == [w["manager"].id]
    cat = service.save_category(
        db, actor_id=w["admin"].id, category_id=w["other"].id, name="Другое", response_hours=72
    )
    assert cat.response_hours == 72
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "support.category_update")).first()


def test_demo_data_is_idempotent(db):
    from cabinet.demo import load_demo

    load_demo(db)
    service.load_support_demo(db)
    service.load_support_demo(db)
    assert len(queries.departments(db)) >= 3
    assert len(db.exec(select(SupportRequest)).all()) == 1
