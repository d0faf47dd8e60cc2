"""Grid-connection applications on a real database: drafts, the whole workflow, documents,
version conflicts, refusals that change nothing, scope."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import pypdf
import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.applications import queries, service
from cabinet.applications.queries import Filters
from cabinet.applications.rules import Action, InvalidTransition
from cabinet.applications.service import StaleVersion
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.files.service import blob_path, store_upload
from models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    AuditEvent,
    ManagerAssignment,
    Membership,
    Notification,
    Organisation,
    StoredFile,
    User,
)
from models.applications import AppStatus
from tests.unit.test_files_rules import PDF

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Заявитель {n}",
        email=f"applicant{n}@test.local",
        phone=f"+7906{n:07d}",
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


def make_org(db, kind: str = "legal", name: str | None = None) -> Organisation:
    n = next(_seq)
    org = Organisation(
        name=name or f"ООО Энергия {n}",
        inn=f"74{n:08d}",
        kind=kind,
        legal_address="г. Магнитогорск, пр. Ленина, 10",
    )
    db.add(org)
    db.flush()
    return org


class World:
    def __init__(self, db):
        ensure_builtin_roles(db)
        self.org = make_org(db, name="ООО «Уральская сталь»")
        self.other_org = make_org(db)
        self.client = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org)
        self.colleague = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org)
        self.stranger = make_user(db, role=BuiltinRole.CUSTOMER, org=self.other_org)
        self.manager = make_user(db, role=BuiltinRole.MANAGER)
        self.manager2 = make_user(db, role=BuiltinRole.MANAGER)
        self.foreign_manager = make_user(db, role=BuiltinRole.MANAGER)
        db.add(ManagerAssignment(manager_id=self.manager.id, organisation_id=self.org.id))
        db.add(ManagerAssignment(manager_id=self.manager2.id, organisation_id=self.org.id))
        db.add(
            ManagerAssignment(manager_id=self.foreign_manager.id, organisation_id=self.other_org.id)
        )
        db.flush()


@pytest.fixture
def w(db):
    return World(db)


FIELDS = {
    "object_name": "Цех холодной прокатки",
    "object_address": "г. Магнитогорск, ул. Кирова, 93",
    "cadastral_number": "74:33:0123456:789",
    "max_power_kw": "250,5",
    "existing_power_kw": "",
    "voltage": "10",
    "reliability": "II",
    "reason": "new",
    "stages": "Один этап, 2027 год",
}


def _draft(db, w, **kw):
    return service.create_draft(
        db, actor_id=w.client.id, organisation_id=w.org.id, fields={**FIELDS, **kw}
    )


def _attach_required(db, w, app, kinds=("site_plan", "title_document", "single_line")):
    for kind in kinds:
        service.attach_file(
            db,
            actor_id=w.client.id,
            application_id=app.id,
            kind=kind,
            filename=f"{kind}.pdf",
            source=PDF + kind.encode(),
        )


def _go(db, actor, app, action, **kw):
    return service.transition(
        db,
        actor_id=actor.id,
        application_id=app.id,
        action=action,
        expected_version=app.version,
        **kw,
    )


def _scan(db, w, app, name="scan.pdf"):
    """The applicant uploads a scan (not yet linked); the signing step links it."""
    return store_upload(
        db,
        actor_id=w.client.id,
        filename=name,
        source=PDF + name.encode(),
        allowed_types=("pdf",),
        organisation_id=app.organisation_id,
    ).id


def _pdf_text(db, file_id: int) -> str:
    stored = db.get(StoredFile, file_id)
    data = blob_path(stored.storage_key).read_bytes()
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


# --------------------------------------------------------------------------- drafts


def test_a_draft_takes_the_applicant_kind_from_the_counterparty_profile(db, w):
    person_org = make_org(db, kind="person", name="Петров Пётр Петрович")
    user = make_user(db, role=BuiltinRole.CUSTOMER, org=person_org)
    app = service.create_draft(db, actor_id=user.id, organisation_id=person_org.id, fields={})
    assert app.status == AppStatus.DRAFT
    assert app.applicant_kind == "person"
    assert app.number == ""


def test_draft_saves_keep_format_checks_and_bump_the_version(db, w):
    app = _draft(db, w, max_power_kw="")
    v = app.version
    app = service.save_draft(
        db,
        actor_id=w.client.id,
        application_id=app.id,
        fields={**FIELDS, "max_power_kw": "15"},
        expected_version=v,
    )
    assert app.max_power_kw == Decimal("15.000")
    assert app.version == v + 1
    with pytest.raises(ValidationFailed) as exc:
        service.save_draft(
            db,
            actor_id=w.client.id,
            application_id=app.id,
            fields={**FIELDS, "cadastral_number": "12345"},
        )
    assert exc.value.field == "cadastral_number"
    with pytest.raises(StaleVersion):
        service.save_draft(
            db, actor_id=w.client.id, application_id=app.id, fields=FIELDS, expected_version=v
        )


def test_a_draft_can_be_deleted_but_a_submitted_application_cannot(db, w):
    app = _draft(db, w)
    service.delete_draft(db, actor_id=w.client.id, application_id=app.id)
    assert db.get(Application, app.id) is None
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    with pytest.raises(InvalidTransition):
        service.delete_draft(db, actor_id=w.client.id, application_id=app.id)


def test_submit_requires_fields_and_the_attachments_of_the_applicant_kind(db, w):
    app = _draft(db, w, object_address="")
    with pytest.raises(ValidationFailed) as exc:
        service.submit(db, actor_id=w.client.id, application_id=app.id)
    assert exc.value.field == "object_address"
    app = service.save_draft(db, actor_id=w.client.id, application_id=app.id, fields=FIELDS)
    _attach_required(db, w, app, kinds=("site_plan", "title_document"))
    with pytest.raises(ValidationFailed, match="однолинейная схема"):
        service.submit(db, actor_id=w.client.id, application_id=app.id)
    assert db.get(Application, app.id).status == AppStatus.DRAFT
    _attach_required(db, w, app, kinds=("single_line",))
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    assert app.status == AppStatus.SUBMITTED
    assert app.number.startswith("ТП-")
    assert app.due_at is not None
    told = {
        n.user_id
        for n in db.exec(select(Notification).where(Notification.title.contains(app.number)))
    }
    assert {w.manager.id, w.manager2.id} <= told  # nobody has taken it yet: the managers
    assert w.foreign_manager.id not in told


# --------------------------------------------------------------------------- the whole path


def test_draft_to_completed_with_a_return_for_revision(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    app = _go(db, w.manager, app, Action.TAKE)
    assert app.assignee_id == w.manager.id
    with pytest.raises(InvalidTransition, match="комментарий"):
        _go(db, w.manager, app, Action.RETURN)
    app = _go(db, w.manager, app, Action.RETURN, comment="Уточните кадастровый номер")
    assert app.status == AppStatus.RETURNED
    # editable again; the applicant corrects and resubmits
    app = service.save_draft(
        db,
        actor_id=w.client.id,
        application_id=app.id,
        fields={**FIELDS, "cadastral_number": "74:33:0123456:790"},
        expected_version=app.version,
    )
    number = app.number
    app = _go(db, w.client, app, Action.SUBMIT)
    assert app.number == number
    app = _go(db, w.manager, app, Action.TAKE)
    app = _go(db, w.manager, app, Action.ACCEPT)
    app = _go(db, w.manager, app, Action.PREPARE_CONTRACT)
    app = _go(db, w.manager, app, Action.SEND_CONTRACT)
    with pytest.raises(InvalidTransition, match="файл"):
        _go(db, w.client, app, Action.SIGN_CONTRACT)
    app = _go(db, w.client, app, Action.SIGN_CONTRACT, file_ids=[_scan(db, w, app)])
    app = _go(db, w.manager, app, Action.ISSUE_INVOICE)
    app = _go(db, w.manager, app, Action.CONFIRM_PAYMENT)
    app = _go(db, w.manager, app, Action.ISSUE_TC)
    app = _go(db, w.manager, app, Action.START_GRID_WORKS)
    app = _go(db, w.manager, app, Action.GRID_WORKS_DONE)
    app = _go(db, w.client, app, Action.REPORT_DONE)
    app = _go(db, w.manager, app, Action.START_INSPECTION)
    app = _go(db, w.manager, app, Action.ADMIT_METER)
    app = _go(db, w.manager, app, Action.CONNECT)
    app = _go(db, w.client, app, Action.SIGN_ACT, file_ids=[_scan(db, w, app, "act.pdf")])
    app = _go(db, w.manager, app, Action.COMPLETE)
    assert app.status == AppStatus.COMPLETED
    assert app.completed_at is not None

    kinds = {
        f.kind
        for f in db.exec(select(ApplicationFile).where(ApplicationFile.application_id == app.id))
    }
    assert {
        "contract",
        "invoice",
        "tech_conditions",
        "act_meter",
        "act_tc",
        "act_connection",
        "signed_scan",
    } <= kinds
    events = db.exec(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == app.id, ApplicationEvent.status_to != "")
        .order_by(ApplicationEvent.id)
    ).all()
    assert events[0].status_from == "draft"
    assert events[2].comment == "Уточните кадастровый номер"
    assert events[-1].status_to == "completed"
    notes = db.exec(select(Notification).where(Notification.user_id == w.client.id)).all()
    assert any("Завершена".lower() in n.title.lower() for n in notes)
    view = queries.application_view(db, load_actor(db, w.client.id), app.id)
    assert len(view.documents) >= 8
    assert view.buttons == []


def test_generated_pdfs_hold_the_application_data_in_cyrillic(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    for action in (Action.TAKE, Action.ACCEPT, Action.PREPARE_CONTRACT, Action.SEND_CONTRACT):
        app = _go(db, w.manager, app, action)
    contract = db.exec(
        select(ApplicationFile).where(
            ApplicationFile.application_id == app.id, ApplicationFile.kind == "contract"
        )
    ).one()
    stored = db.get(StoredFile, contract.file_id)
    assert len(stored.sha256) == 64
    assert stored.content_type == "application/pdf"
    text = _pdf_text(db, contract.file_id)
    assert "Договор об осуществлении технологического присоединения" in text
    assert "ООО «Уральская сталь»" in text
    assert "Цех холодной прокатки" in text
    assert "74:33:0123456:789" in text
    assert app.number in text
    assert "250,5 кВт" in text


# --------------------------------------------------------------------------- refusals


def test_a_refused_transition_changes_nothing(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    before = (app.status, app.version)
    audits = len(db.exec(select(AuditEvent)).all())
    events = len(db.exec(select(ApplicationEvent)).all())
    for actor, action in (
        (w.client, Action.ACCEPT),  # staff's step
        (w.manager, Action.COMPLETE),  # not declared from "submitted"
        (w.manager, Action.SUBMIT),  # the applicant's step
        (w.manager, "drop_table"),
    ):
        with pytest.raises(InvalidTransition):
            _go(db, actor, app, action)
    db.expire_all()
    fresh = db.get(Application, app.id)
    assert (fresh.status, fresh.version) == before
    assert len(db.exec(select(AuditEvent)).all()) == audits
    assert len(db.exec(select(ApplicationEvent)).all()) == events


def test_two_staff_members_cannot_both_win(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    seen = app.version  # both pages show this version
    service.transition(
        db, actor_id=w.manager.id, application_id=app.id, action="take", expected_version=seen
    )
    with pytest.raises(StaleVersion):
        service.transition(
            db,
            actor_id=w.manager2.id,
            application_id=app.id,
            action="return",
            comment="Не хватает данных",
            expected_version=seen,
        )
    db.expire_all()
    fresh = db.get(Application, app.id)
    assert fresh.status == AppStatus.UNDER_REVIEW
    assert fresh.assignee_id == w.manager.id


def test_a_stale_version_is_refused_before_generating_documents(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    for action in (Action.TAKE, Action.ACCEPT, Action.PREPARE_CONTRACT):
        app = _go(db, w.manager, app, action)
    files = len(db.exec(select(StoredFile)).all())
    with pytest.raises(StaleVersion):
        service.transition(
            db,
            actor_id=w.manager2.id,
            application_id=app.id,
            action="send_contract",
            expected_version=app.version - 1,
        )
    assert len(db.exec(select(StoredFile)).all()) == files


# --------------------------------------------------------------------------- scope


def test_an_applicant_sees_only_their_organisations_applications(db, w):
    app = _draft(db, w)
    stranger = load_actor(db, w.stranger.id)
    with pytest.raises(NotFound):
        queries.application_view(db, stranger, app.id)
    with pytest.raises(NotFound):
        service.save_draft(db, actor_id=w.stranger.id, application_id=app.id, fields=FIELDS)
    with pytest.raises(NotFound):
        service.add_comment(db, actor_id=w.stranger.id, application_id=app.id, text="привет")
    assert queries.my_applications(db, stranger, Filters()).rows == []
    colleague = load_actor(db, w.colleague.id)
    assert [r.id for r in queries.my_applications(db, colleague, Filters()).rows] == [app.id]


def test_staff_see_submitted_applications_in_their_scope_only(db, w):
    draft = _draft(db, w)
    manager = load_actor(db, w.manager.id)
    with pytest.raises(NotFound):
        queries.application_view(db, manager, draft.id)  # drafts are the applicant's own
    _attach_required(db, w, draft)
    app = service.submit(db, actor_id=w.client.id, application_id=draft.id)
    assert queries.application_view(db, manager, app.id).side == "staff"
    foreign = load_actor(db, w.foreign_manager.id)
    with pytest.raises(NotFound):
        _go(db, w.foreign_manager, app, Action.TAKE)
    assert queries.registry(db, foreign, Filters()).rows == []
    assert [r.id for r in queries.registry(db, manager, Filters()).rows] == [app.id]
    with pytest.raises(PermissionDenied):
        queries.registry(db, load_actor(db, w.client.id), Filters())


def test_list_filters_tabs_and_keyset_pages(db, w):
    actor = load_actor(db, w.client.id)
    ids = []
    for i in range(7):
        ids.append(_draft(db, w, object_name=f"Склад № {i}").id)
    target = _draft(db, w, object_name="Котельная")
    _attach_required(db, w, target)
    submitted = service.submit(db, actor_id=w.client.id, application_id=target.id)
    drafts = queries.my_applications(db, actor, Filters(tab="draft"), limit=3)
    assert len(drafts.rows) == 3 and drafts.next_after
    seen = [r.id for r in drafts.rows]
    nxt = queries.my_applications(db, actor, Filters(tab="draft"), after=drafts.next_after, limit=3)
    seen += [r.id for r in nxt.rows]
    assert len(set(seen)) == 6
    assert queries.my_applications(db, actor, Filters(object="котельная")).rows[0].id == target.id
    by_number = queries.my_applications(db, actor, Filters(number=submitted.number[-6:]))
    assert [r.id for r in by_number.rows] == [target.id]
    assert [r.id for r in queries.my_applications(db, actor, Filters(status="submitted")).rows] == [
        target.id
    ]
    oldest = queries.my_applications(db, actor, Filters(sort="old"), limit=1).rows[0]
    assert oldest.id == ids[0]
    manager = load_actor(db, w.manager.id)
    csv_rows = list(queries.export_rows(db, manager, Filters()))
    assert csv_rows[0][0] == submitted.number


def test_staff_assign_a_colleague_and_the_applicant_cannot(db, w):
    app = _draft(db, w)
    _attach_required(db, w, app)
    app = service.submit(db, actor_id=w.client.id, application_id=app.id)
    app = service.assign(
        db, actor_id=w.manager.id, application_id=app.id, assignee_id=w.manager2.id
    )
    assert app.assignee_id == w.manager2.id
    manager2 = load_actor(db, w.manager2.id)
    rows = queries.registry(db, manager2, Filters(assignee="me")).rows
    assert [r.id for r in rows] == [app.id]
    with pytest.raises(ValidationFailed):
        service.assign(db, actor_id=w.manager.id, application_id=app.id, assignee_id=w.client.id)
    with pytest.raises(PermissionDenied):
        service.assign(db, actor_id=w.client.id, application_id=app.id, assignee_id=w.client.id)
    app = service.assign(db, actor_id=w.manager.id, application_id=app.id, assignee_id=None)
    assert app.assignee_id is None
