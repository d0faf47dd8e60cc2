"""Maintenance journals on a real database: scope, one active journal per type, entries and
their versions, two-party signing through the e-signature module, refusals that change nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.esign import queries as esign_queries
from cabinet.esign import service as esign
from cabinet.files.queries import open_file
from cabinet.files.service import store_upload
from cabinet.journals import queries, service
from cabinet.journals.rules import SigningRefused, StaleVersion
from models import (
    EntrySignature,
    EntryVersion,
    Journal,
    JournalType,
    Membership,
    Notification,
    Organisation,
    User,
)
from models.base import utcnow
from models.journals import EntryState, JournalStatus, PersonRole
from tests.unit.test_files_rules import PNG

pytestmark = pytest.mark.db

_seq = itertools.count(1)
PIN = "1234"


def make_user(db, name: str, *, role: str, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"{name} {n}",
        email=f"journals{n}@test.local",
        phone=f"+7907{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_org(db, name: str) -> Organisation:
    n = next(_seq)
    org = Organisation(name=name, inn=f"77{n:08d}")
    db.add(org)
    db.flush()
    return org


def certify(db, user: User, issuer: User, org: Organisation | None = None) -> None:
    cert = esign.request_certificate(
        db,
        actor_id=user.id,
        position="Инженер",
        organisation_id=org.id if org else None,
        pin=PIN,
        pin_repeat=PIN,
        confirmed=True,
    )
    esign.issue_certificate(db, actor_id=issuer.id, certificate_id=cert.id)


class World:
    def __init__(self, db):
        ensure_builtin_roles(db)
        self.org = make_org(db, "ООО «Ромашка»")
        self.other_org = make_org(db, "ООО «Лютик»")
        self.root = make_user(db, "Суперадмин", role=BuiltinRole.SUPERADMIN)
        self.admin = make_user(db, "Админ оператора", role=BuiltinRole.ADMIN)
        self.staff = make_user(db, "Монтажник", role=BuiltinRole.OPERATOR)
        self.unassigned = make_user(db, "Чужой монтажник", role=BuiltinRole.OPERATOR)
        self.op_resp = make_user(db, "Начальник участка", role=BuiltinRole.OPERATOR)
        self.sub_admin = make_user(
            db, "Админ абонента", role=BuiltinRole.CUSTOMER_ADMIN, org=self.org
        )
        self.sub_resp = make_user(db, "Завхоз", role=BuiltinRole.CUSTOMER, org=self.org)
        self.sub_user = make_user(db, "Сотрудник абонента", role=BuiltinRole.CUSTOMER, org=self.org)
        self.stranger = make_user(
            db, "Чужой абонент", role=BuiltinRole.CUSTOMER_ADMIN, org=self.other_org
        )
        self.fire = JournalType(code="fire", name="Пожарная сигнализация")
        self.video = JournalType(code="video", name="Видеонаблюдение")
        db.add_all([self.fire, self.video])
        db.flush()
        self.obj = service.save_object(
            db,
            actor_id=self.admin.id,
            object_id=None,
            organisation_id=self.org.id,
            name="Склад № 1",
            address="г. Москва, ул. Ленина, 1",
            systems="АПС, СОУЭ",
        )
        for user, role, by in (
            (self.staff, PersonRole.STAFF, self.admin),
            (self.op_resp, PersonRole.OPERATOR_RESPONSIBLE, self.admin),
            (self.sub_resp, PersonRole.SUBSCRIBER_RESPONSIBLE, self.sub_admin),
        ):
            service.set_person(
                db, actor_id=by.id, object_id=self.obj.id, user_id=user.id, role=role, add=True
            )
        self.journal = service.open_journal(
            db, actor_id=self.staff.id, object_id=self.obj.id, type_id=self.fire.id
        )


@pytest.fixture
def w(db):
    return World(db)


@pytest.fixture
def certified(db, w):
    certify(db, w.op_resp, w.root)
    certify(db, w.sub_resp, w.root, w.org)
    return w


def new_entry(db, w, **kw):
    args = {
        "work_at": utcnow() - timedelta(hours=2),
        "work_kind": "Плановое ТО",
        "description": "Проверены извещатели, шлейфы в норме",
        "findings": "",
    }
    args.update(kw)
    return service.create_entry(db, actor_id=w.staff.id, journal_id=w.journal.id, **args)


def submitted(db, w, **kw):
    entry = new_entry(db, w, **kw)
    return service.submit_entry(db, actor_id=w.staff.id, entry_id=entry.id)


def sign(db, user, entry, version=None, pin=PIN):
    return service.sign_entry(
        db, actor_id=user.id, entry_id=entry.id, version=version or entry.version, pin=pin
    )


# --------------------------------------------------------------------------- scope


def test_each_side_sees_only_its_objects(db, w):
    def visible(user):
        return {r["id"] for r in queries.list_objects(db, load_actor(db, user.id)).rows}

    assert visible(w.admin) >= {w.obj.id}
    assert visible(w.staff) == {w.obj.id}
    assert visible(w.sub_user) == {w.obj.id}
    assert visible(w.unassigned) == set()
    assert visible(w.stranger) == set()
    for user in (w.unassigned, w.stranger):
        with pytest.raises(NotFound):
            queries.object_detail(db, load_actor(db, user.id), w.obj.id)
        with pytest.raises(NotFound):
            queries.journal_detail(db, load_actor(db, user.id), w.journal.id)


def test_only_assigned_operator_staff_write_entries(db, w):
    for user in (w.unassigned, w.sub_admin, w.sub_resp, w.admin):
        with pytest.raises((PermissionDenied, NotFound)):
            service.create_entry(
                db,
                actor_id=user.id,
                journal_id=w.journal.id,
                work_at=utcnow(),
                work_kind="ТО",
                description="x",
            )
    with pytest.raises(NotFound):
        service.create_entry(
            db,
            actor_id=w.stranger.id,
            journal_id=w.journal.id,
            work_at=utcnow(),
            work_kind="ТО",
            description="x",
        )
    entry = new_entry(db, w)
    assert entry.number == 1 and entry.state == EntryState.DRAFT


def test_people_are_assigned_by_their_own_side(db, w):
    with pytest.raises(PermissionDenied):  # the subscriber's admin cannot assign operator staff
        service.set_person(
            db,
            actor_id=w.sub_admin.id,
            object_id=w.obj.id,
            user_id=w.unassigned.id,
            role=PersonRole.STAFF,
            add=True,
        )
    with pytest.raises(PermissionDenied):  # the operator admin cannot pick the subscriber's
        service.set_person(
            db,
            actor_id=w.admin.id,
            object_id=w.obj.id,
            user_id=w.sub_user.id,
            role=PersonRole.SUBSCRIBER_RESPONSIBLE,
            add=True,
        )
    with pytest.raises(ValidationFailed):  # another organisation's user is no candidate
        service.set_person(
            db,
            actor_id=w.sub_admin.id,
            object_id=w.obj.id,
            user_id=w.stranger.id,
            role=PersonRole.SUBSCRIBER_RESPONSIBLE,
            add=True,
        )
    with pytest.raises(NotFound):
        service.set_person(
            db,
            actor_id=w.stranger.id,
            object_id=w.obj.id,
            user_id=w.stranger.id,
            role=PersonRole.SUBSCRIBER_RESPONSIBLE,
            add=True,
        )


def test_subscriber_admin_adds_objects_only_to_own_organisation(db, w):
    obj = service.save_object(
        db,
        actor_id=w.sub_admin.id,
        object_id=None,
        organisation_id=w.org.id,
        name="Офис",
        address="г. Москва, ул. Мира, 5",
    )
    assert obj.organisation_id == w.org.id
    with pytest.raises(NotFound):
        service.save_object(
            db,
            actor_id=w.sub_admin.id,
            object_id=None,
            organisation_id=w.other_org.id,
            name="Чужой",
            address="x",
        )


# --------------------------------------------------------------------------- journals


def test_opening_a_journal_archives_the_previous_one_which_stays_readable(db, w):
    entry = new_entry(db, w)
    newer = service.open_journal(db, actor_id=w.admin.id, object_id=w.obj.id, type_id=w.fire.id)
    db.refresh(w.journal)
    assert w.journal.status == JournalStatus.ARCHIVED and w.journal.archived_at is not None
    assert newer.status == JournalStatus.ACTIVE
    other_type = service.open_journal(
        db, actor_id=w.admin.id, object_id=w.obj.id, type_id=w.video.id
    )
    assert other_type.status == JournalStatus.ACTIVE  # another type: both stay active
    old = queries.journal_detail(db, load_actor(db, w.sub_user.id), w.journal.id)
    assert [r["id"] for r in old["page"].rows] == [entry.id]
    with pytest.raises(ValidationFailed, match="архиве"):
        new_entry(db, w)
    with pytest.raises(ValidationFailed, match="архиве"):
        service.update_entry(
            db,
            actor_id=w.staff.id,
            entry_id=entry.id,
            expected_version=1,
            work_at=utcnow(),
            work_kind="ТО",
            description="другое",
        )


def test_the_database_refuses_a_second_active_journal_of_a_type(db, w):
    db.add(Journal(object_id=w.obj.id, type_id=w.fire.id))
    with pytest.raises(IntegrityError):
        db.flush()


# --------------------------------------------------------------------------- entries and signing


def test_draft_edit_changes_the_version_in_place(db, w):
    entry = new_entry(db, w)
    service.update_entry(
        db,
        actor_id=w.staff.id,
        entry_id=entry.id,
        expected_version=1,
        work_at=entry.work_at,
        work_kind="Внеплановый ремонт",
        description="Заменён извещатель",
    )
    versions = db.exec(select(EntryVersion).where(EntryVersion.entry_id == entry.id)).all()
    assert [(v.version, v.work_kind) for v in versions] == [(1, "Внеплановый ремонт")]


def test_signed_by_both_sides_in_any_order(db, certified):
    w = certified
    entry = submitted(db, w)
    assert entry.state == EntryState.AWAITING
    me = load_actor(db, w.sub_resp.id)
    assert [r["id"] for r in queries.awaiting_me(db, me).rows] == [entry.id]
    assert queries.awaiting_count(db, load_actor(db, w.op_resp.id)) == 1
    first = sign(db, w.sub_resp, entry)
    assert first.side == "subscriber" and first.certificate_serial
    db.refresh(entry)
    assert entry.state == EntryState.PARTIAL
    assert queries.awaiting_count(db, me) == 0
    sign(db, w.op_resp, entry)
    db.refresh(entry)
    assert entry.state == EntryState.SIGNED
    check = esign_queries.verify_signature(db, first.signature_code)
    assert check.valid and check.content_unchanged is True
    assert check.certificate_serial == first.certificate_serial
    events = {
        n.event
        for n in db.exec(select(Notification).where(Notification.user_id == w.staff.id)).all()
    }
    assert "journals.entry_signed" in events


def test_refusals_when_signing(db, certified):
    w = certified
    entry = submitted(db, w)
    with pytest.raises(SigningRefused):  # not responsible: the writer himself
        sign(db, w.staff, entry)
    with pytest.raises(NotFound):  # another organisation
        sign(db, w.stranger, entry)
    sign(db, w.op_resp, entry)
    db.refresh(entry)
    second = make_user(db, "Второй начальник", role=BuiltinRole.OPERATOR)
    certify(db, second, w.root)
    service.set_person(
        db,
        actor_id=w.admin.id,
        object_id=w.obj.id,
        user_id=second.id,
        role=PersonRole.OPERATOR_RESPONSIBLE,
        add=True,
    )
    with pytest.raises(SigningRefused, match="сторона"):  # the operator side already signed
        sign(db, second, entry)
    with pytest.raises(StaleVersion):
        sign(db, w.sub_resp, entry, version=entry.version + 1)


def test_wrong_pin_changes_nothing(db, certified):
    w = certified
    entry = submitted(db, w)
    count = db.exec(select(func.count()).select_from(EntrySignature)).one()
    with pytest.raises(DomainError, match="PIN"):
        sign(db, w.sub_resp, entry, pin="9999")
    db.refresh(entry)
    assert entry.state == EntryState.AWAITING
    assert db.exec(select(func.count()).select_from(EntrySignature)).one() == count


def test_revoked_certificate_cannot_sign(db, certified):
    w = certified
    entry = submitted(db, w)
    cert = esign_queries.active_certificate(db, w.sub_resp.id)
    esign.revoke_certificate(db, actor_id=w.root.id, certificate_id=cert.id, reason="unspecified")
    with pytest.raises(DomainError):
        sign(db, w.sub_resp, entry)
    db.refresh(entry)
    assert entry.state == EntryState.AWAITING


def test_changing_a_signed_entry_withdraws_signatures_and_keeps_every_version(db, certified):
    w = certified
    entry = submitted(db, w)
    old_sig = sign(db, w.op_resp, entry)
    sign(db, w.sub_resp, entry)
    db.refresh(entry)
    assert entry.state == EntryState.SIGNED
    service.update_entry(
        db,
        actor_id=w.staff.id,
        entry_id=entry.id,
        expected_version=1,
        work_at=entry.work_at,
        work_kind="Плановое ТО",
        description="Проверены извещатели, заменён один",
    )
    db.refresh(entry)
    assert entry.version == 2 and entry.state == EntryState.AWAITING
    sigs = db.exec(select(EntrySignature).where(EntrySignature.entry_id == entry.id)).all()
    assert len(sigs) == 2 and all(s.withdrawn_at is not None and s.version == 1 for s in sigs)
    detail = queries.entry_detail(db, load_actor(db, w.sub_resp.id), entry.id)
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert len(detail["versions"][1]["signatures"]) == 2
    assert detail["sign_side"] == "subscriber"
    # The e-signature module reads the current bytes: the old signature is over changed content.
    assert (
        queries.current_canonical(db, str(entry.id))
        != db.exec(
            select(EntryVersion.canonical).where(
                EntryVersion.entry_id == entry.id, EntryVersion.version == 1
            )
        )
        .one()
        .encode()
    )
    check = esign_queries.verify_signature(db, old_sig.signature_code)
    assert check.found and not check.valid and check.content_unchanged is False
    with pytest.raises(StaleVersion):
        sign(db, w.op_resp, entry, version=1)
    withdrawn = db.exec(
        select(Notification).where(
            Notification.user_id == w.op_resp.id,
            Notification.event == "journals.signatures_withdrawn",
        )
    ).all()
    assert withdrawn
    sign(db, w.op_resp, entry)
    sign(db, w.sub_resp, entry)
    db.refresh(entry)
    assert entry.state == EntryState.SIGNED


def test_stale_edit_is_refused(db, w):
    entry = submitted(db, w)
    with pytest.raises(StaleVersion):
        service.update_entry(
            db,
            actor_id=w.staff.id,
            entry_id=entry.id,
            expected_version=5,
            work_at=entry.work_at,
            work_kind="x",
            description="y",
        )


def test_attachments_are_read_by_who_sees_the_entry(db, w):
    stored = store_upload(
        db,
        actor_id=w.staff.id,
        filename="фото.png",
        source=PNG,
        allowed_types=("png", "jpeg"),
        organisation_id=None,
    )
    entry = new_entry(db, w, file_ids=[stored.id])
    version = db.exec(select(EntryVersion).where(EntryVersion.entry_id == entry.id)).one()
    assert version.attachments[0]["sha256"] == stored.sha256
    assert stored.sha256 in version.canonical
    row, _path = open_file(db, actor_id=w.sub_user.id, file_id=stored.id)
    assert row.id == stored.id
    with pytest.raises(NotFound):
        open_file(db, actor_id=w.stranger.id, file_id=stored.id)
    # Someone else's upload cannot be attached.
    foreign = store_upload(
        db, actor_id=w.stranger.id, filename="x.png", source=PNG + b"1", allowed_types=("png",)
    )
    with pytest.raises(NotFound):
        new_entry(db, w, file_ids=[foreign.id])


def test_submit_needs_responsible_people_of_both_sides(db, w):
    service.set_person(
        db,
        actor_id=w.sub_admin.id,
        object_id=w.obj.id,
        user_id=w.sub_resp.id,
        role=PersonRole.SUBSCRIBER_RESPONSIBLE,
        add=False,
    )
    entry = new_entry(db, w)
    with pytest.raises(ValidationFailed, match="обеих"):
        service.submit_entry(db, actor_id=w.staff.id, entry_id=entry.id)
