"""Operator admin services on a real database: who may change what, delete rules, partner
profit for a period, request decisions with notifications, blocking history, CSV import
all-or-nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, func, select
from stdnum import luhn

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from cabinet.telecom import admin_queries as aq
from cabinet.telecom import admin_rules as ar
from cabinet.telecom import admin_service as svc
from models import Membership, Notification, Organisation, User
from models.telecom import (
    ActivationRequest,
    BlockRequest,
    Partner,
    Payment,
    PaymentKind,
    PaymentStatus,
    RequestStatus,
    SimBlockEvent,
    SimCard,
    SimStatus,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
)
from models.telecom_admin import ImportJob, ImportStatus

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def iccid(n: int) -> str:
    body = f"897010{n:012d}"
    return body + luhn.calc_check_digit(body)


def msisdn(n: int) -> str:
    return f"+7926{n:07d}"


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Связист {n}",
        email=f"tel{n}@test.local",
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


@pytest.fixture
def w(db):
    ensure_builtin_roles(db)
    n = next(_seq)
    org = Organisation(name=f"ООО Абонент {n}", inn=f"77{n:08d}")
    db.add(org)
    db.flush()
    tariff = Tariff(name=f"Базовый {n}", monthly_fee_kopecks=350_00)
    partner = Partner(name=f"Дилер {n}", profit_share_percent=Decimal("10.00"))
    db.add(tariff)
    db.add(partner)
    db.flush()
    contract = TelecomContract(number=f"Д-{n}", organisation_id=org.id, partner_id=partner.id)
    db.add(contract)
    db.flush()
    w = type("W", (), {})()
    w.org, w.tariff, w.partner, w.contract = org, tariff, partner, contract
    w.admin = make_user(db, role=BuiltinRole.ADMIN)
    w.operator = make_user(db, role=BuiltinRole.OPERATOR)  # TELECOM_VIEW only
    w.client = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    return w


def new_sim(db, n: int, **kw) -> SimCard:
    sim = SimCard(iccid=iccid(n), msisdn=msisdn(n), search_text=f"{iccid(n)} {msisdn(n)}", **kw)
    db.add(sim)
    db.flush()
    return sim


def pay(db, sim: SimCard, amount: int, status: str, when: datetime, *, kind=PaymentKind.TOPUP):
    p = Payment(
        sim_id=sim.id,
        contract_id=sim.contract_id,
        partner_id=sim.partner_id,
        amount_kopecks=amount,
        status=status,
        kind=kind,
        idempotency_key=f"k{next(_seq)}",
        created_at=when,
    )
    db.add(p)
    db.flush()
    return p


# -- scope -----------------------------------------------------------------------------------


def test_telecom_view_staff_reads_but_cannot_change(db, w):
    sim_id = svc.create_sim(db, actor_id=w.admin.id, iccid=iccid(1), msisdn=msisdn(1))
    operator = load_actor(db, w.operator.id)
    assert aq.list_sims(db, operator, q=iccid(1)).rows[0]["id"] == str(sim_id)
    for call in (
        lambda: svc.create_sim(db, actor_id=w.operator.id, iccid=iccid(2), msisdn=msisdn(2)),
        lambda: svc.block_sim(db, actor_id=w.operator.id, sim_id=sim_id, reason="тест"),
        lambda: svc.delete_sim(db, actor_id=w.operator.id, sim_id=sim_id),
        lambda: svc.save_tariff(db, actor_id=w.operator.id, name="Новый", fee="100"),
        lambda: svc.save_partner(db, actor_id=w.operator.id, name="Новый партнёр"),
        lambda: svc.start_import(db, actor_id=w.operator.id, filename="a.csv", data=b"x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert db.get(SimCard, sim_id).status == SimStatus.INACTIVE


def test_customers_cannot_call_admin_services_or_reads(db, w):
    client = load_actor(db, w.client.id)
    with pytest.raises(PermissionDenied):
        aq.list_sims(db, client)
    with pytest.raises(PermissionDenied):
        aq.list_payments(db, client)
    with pytest.raises(PermissionDenied):
        svc.create_sim(db, actor_id=w.client.id, iccid=iccid(3), msisdn=msisdn(3))
    with pytest.raises(NotAuthenticated):
        svc.create_sim(db, actor_id=999_999, iccid=iccid(3), msisdn=msisdn(3))
    assert db.exec(select(SimCard).where(SimCard.iccid == iccid(3))).first() is None


def test_hand_entered_sim_is_checked_like_a_csv_row(db, w):
    with pytest.raises(ValidationFailed) as err:
        svc.create_sim(db, actor_id=w.admin.id, iccid=iccid(4)[:-1] + "0", msisdn=msisdn(4))
    assert err.value.field == "iccid" or "Луна" in err.value.message
    sim_id = svc.create_sim(
        db,
        actor_id=w.admin.id,
        iccid=iccid(5),
        msisdn="8 926 000-00-05",
        tariff_id=w.tariff.id,
        partner_id=w.partner.id,
    )
    sim = db.get(SimCard, sim_id)
    assert sim.msisdn == "+79260000005"
    with pytest.raises(ValidationFailed) as dup:
        svc.create_sim(db, actor_id=w.admin.id, iccid=iccid(6), msisdn="+79260000005")
    assert dup.value.field == "msisdn"


# -- delete rules ----------------------------------------------------------------------------


def test_only_stock_sims_without_payments_can_be_deleted(db, w):
    stock = new_sim(db, 10)
    given = new_sim(db, 11, contract_id=w.contract.id)
    paid = new_sim(db, 12)
    pay(db, paid, 100_00, PaymentStatus.DECLINED, datetime.now(UTC))
    for sim in (given, paid):
        with pytest.raises(ValidationFailed):
            svc.delete_sim(db, actor_id=w.admin.id, sim_id=sim.id)
    svc.delete_sim(db, actor_id=w.admin.id, sim_id=stock.id)
    assert db.get(SimCard, stock.id) is None
    assert db.get(SimCard, given.id) is not None


def test_tariff_deleted_only_if_never_used_otherwise_archived(db, w):
    unused = svc.save_tariff(db, actor_id=w.admin.id, name="Пробный", fee="0", minutes="100")
    svc.delete_tariff(db, actor_id=w.admin.id, tariff_id=unused)
    assert db.get(Tariff, unused) is None
    new_sim(db, 20, tariff_id=w.tariff.id)
    with pytest.raises(ValidationFailed) as err:
        svc.delete_tariff(db, actor_id=w.admin.id, tariff_id=w.tariff.id)
    assert "архив" in err.value.message
    svc.set_tariff_archived(db, actor_id=w.admin.id, tariff_id=w.tariff.id, archived=True)
    assert db.get(Tariff, w.tariff.id).status == "archived"
    with pytest.raises(ValidationFailed):
        svc.save_tariff(db, actor_id=w.admin.id, name=w.tariff.name.upper(), fee="1")


def test_partner_deleted_only_if_unused(db, w):
    lonely = svc.save_partner(
        db, actor_id=w.admin.id, name="Новый дилер", inn="7707083893", share="12,5"
    )
    assert db.get(Partner, lonely).profit_share_percent == Decimal("12.50")
    svc.delete_partner(db, actor_id=w.admin.id, partner_id=lonely)
    assert db.get(Partner, lonely) is None
    with pytest.raises(ValidationFailed):
        svc.delete_partner(db, actor_id=w.admin.id, partner_id=w.partner.id)  # has a contract
    with pytest.raises(ValidationFailed) as bad_inn:
        svc.save_partner(db, actor_id=w.admin.id, name="Дилер с ошибкой", inn="7707083890")
    assert bad_inn.value.field == "inn"


# -- partner profit --------------------------------------------------------------------------


def test_partner_profit_total_and_for_a_period(db, w):
    sim = new_sim(db, 30, contract_id=w.contract.id, partner_id=w.partner.id)
    other = new_sim(db, 31)  # no partner
    t = datetime(2026, 3, 10, 12, tzinfo=UTC)
    pay(db, sim, 1000_00, PaymentStatus.SUCCEEDED, t)
    pay(db, sim, 500_05, PaymentStatus.SUCCEEDED, t + timedelta(days=30), kind=PaymentKind.AUTOPAY)
    pay(db, sim, 700_00, PaymentStatus.DECLINED, t + timedelta(days=31))
    pay(db, sim, 200_00, PaymentStatus.REFUNDED, t + timedelta(days=32))
    pay(db, other, 999_00, PaymentStatus.SUCCEEDED, t)
    admin = load_actor(db, w.admin.id)
    assert aq.partner_profit(db, admin, w.partner.id) == (1500_05, 150_01)  # 10 %, half-up
    start, end = ar.period_bounds(date(2026, 4, 1), date(2026, 4, 30), "Europe/Moscow")
    assert aq.partner_profit(db, admin, w.partner.id, start=start, end=end) == (500_05, 50_01)
    detail = aq.partner_detail(db, admin, w.partner.id, start=start, end=end)
    assert detail["sims_total"] == "1"
    assert detail["subscribers"] == "1"
    assert detail["period_profit"].startswith("50,01")
    assert detail["delete_refusal"]


# -- requests --------------------------------------------------------------------------------


def test_activation_approved_makes_sim_active_and_notifies_requester(db, w):
    sim = new_sim(db, 40, contract_id=w.contract.id)
    req = ActivationRequest(
        sim_id=sim.id, organisation_id=w.org.id, requested_by_id=w.client.id, tariff_id=w.tariff.id
    )
    db.add(req)
    db.flush()
    svc.decide_activation(db, actor_id=w.admin.id, request_id=req.id, decision=ar.APPROVE)
    db.refresh(sim)
    assert sim.status == SimStatus.ACTIVE
    assert sim.tariff_id == w.tariff.id
    assert db.get(ActivationRequest, req.id).status == RequestStatus.APPROVED
    note = db.exec(select(Notification).where(Notification.user_id == w.client.id)).all()
    assert any("одобрена" in (n.title + n.body) for n in note)
    with pytest.raises(ValidationFailed):  # decided once
        svc.decide_activation(db, actor_id=w.admin.id, request_id=req.id, decision=ar.REJECT)


def test_rejection_needs_a_comment_and_changes_no_sim(db, w):
    sim = new_sim(db, 41, contract_id=w.contract.id)
    req = TariffChangeRequest(
        sim_id=sim.id,
        organisation_id=w.org.id,
        to_tariff_id=w.tariff.id,
        requested_by_id=w.client.id,
    )
    db.add(req)
    db.flush()
    with pytest.raises(ValidationFailed) as err:
        svc.decide_tariff_change(db, actor_id=w.admin.id, request_id=req.id, decision=ar.REJECT)
    assert err.value.field == "comment"
    svc.decide_tariff_change(
        db, actor_id=w.admin.id, request_id=req.id, decision=ar.REJECT, comment="Нет покрытия"
    )
    db.refresh(sim)
    assert sim.tariff_id is None
    with pytest.raises(PermissionDenied):
        svc.decide_tariff_change(db, actor_id=w.operator.id, request_id=req.id, decision=ar.APPROVE)


def test_block_request_approval_blocks_with_history_and_unblock_closes_it(db, w):
    sim = new_sim(db, 42, contract_id=w.contract.id, status=SimStatus.ACTIVE)
    sim.activated_at = datetime.now(UTC)
    req = BlockRequest(
        sim_id=sim.id, organisation_id=w.org.id, reason_code="lost", requested_by_id=w.client.id
    )
    db.add(req)
    db.flush()
    svc.decide_block(db, actor_id=w.admin.id, request_id=req.id, decision=ar.APPROVE)
    db.refresh(sim)
    assert sim.status == SimStatus.BLOCKED
    assert sim.blocked_by_id == w.admin.id
    admin = load_actor(db, w.admin.id)
    current = aq.list_blocks(db, admin).rows
    assert [r["sim_id"] for r in current] == [str(sim.id)]
    svc.unblock_sim(db, actor_id=w.admin.id, sim_id=sim.id, comment="Нашлась")
    db.refresh(sim)
    assert sim.status == SimStatus.ACTIVE  # it had been activated before
    assert aq.list_blocks(db, admin).rows == []
    [event] = db.exec(select(SimBlockEvent).where(SimBlockEvent.sim_id == sim.id)).all()
    assert event.unblocked_by_id == w.admin.id and event.unblock_comment == "Нашлась"


def test_staff_limited_to_assigned_orgs_do_not_see_other_subscribers(db, w):
    manager = make_user(db, role=BuiltinRole.MANAGER)  # TELECOM_VIEW, no organisation assigned
    new_sim(db, 50, contract_id=w.contract.id)
    new_sim(db, 51)
    actor = load_actor(db, manager.id)
    rows = aq.list_sims(db, actor).rows
    assert {r["iccid"] for r in rows} >= {iccid(51)}
    assert iccid(50) not in {r["iccid"] for r in rows}
    with pytest.raises(NotFound):
        aq.contract_detail(db, actor, w.contract.id)


# -- CSV import ------------------------------------------------------------------------------


def csv_bytes(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["ICCID;Номер;Тариф;Партнёр"] + [";".join(r) for r in rows]
    return "\r\n".join(lines).encode("cp1251")


def test_import_preview_reports_db_duplicates_and_writes_nothing(db, w):
    new_sim(db, 60)
    data = csv_bytes(
        [
            (iccid(61), msisdn(61), w.tariff.name, w.partner.name),
            (iccid(60), msisdn(62), "", ""),  # ICCID already in the database
            (iccid(63), msisdn(63), "Нет такого", ""),
        ]
    )
    job_id = svc.start_import(db, actor_id=w.admin.id, filename="sims.csv", data=data)
    status = svc.check_import(db, actor_id=w.admin.id, job_id=job_id)
    assert status == ImportStatus.INVALID
    view = aq.import_job(db, load_actor(db, w.admin.id), job_id)
    assert {(e["row"], e["column"]) for e in view["errors"]} == {("3", "ICCID"), ("4", "Тариф")}
    assert view["encoding"] == "Windows-1251"
    with pytest.raises(ValidationFailed):
        svc.run_import(db, actor_id=w.admin.id, job_id=job_id)
    assert db.exec(select(SimCard).where(SimCard.iccid == iccid(61))).first() is None


def test_import_writes_all_rows_in_one_transaction(db, w):
    rows = [(iccid(100 + i), msisdn(100 + i), w.tariff.name, w.partner.name) for i in range(30)]
    job_id = svc.start_import(db, actor_id=w.admin.id, filename="ok.csv", data=csv_bytes(rows))
    assert svc.check_import(db, actor_id=w.admin.id, job_id=job_id) == ImportStatus.READY
    seen: list[int] = []
    assert svc.run_import(db, actor_id=w.admin.id, job_id=job_id, progress=seen.append) == 30
    sims = db.exec(select(SimCard).where(SimCard.partner_id == w.partner.id)).all()
    assert len(sims) == 30
    assert {s.tariff_id for s in sims} == {w.tariff.id}
    assert db.get(ImportJob, job_id).status == ImportStatus.DONE
    with pytest.raises(ValidationFailed):  # the same job cannot run twice
        svc.run_import(db, actor_id=w.admin.id, job_id=job_id)
    exported = aq.export_sims(db, load_actor(db, w.admin.id), partner_id=w.partner.id)
    from cabinet.telecom.csv_import import parse_sim_csv

    back = parse_sim_csv(exported)
    assert sorted(r.iccid for r in back.rows) == sorted(r[0] for r in rows)


def test_import_rolls_back_everything_when_the_database_changed_after_preview(db, w):
    rows = [(iccid(200 + i), msisdn(200 + i), "", "") for i in range(5)]
    job_id = svc.start_import(db, actor_id=w.admin.id, filename="late.csv", data=csv_bytes(rows))
    assert svc.check_import(db, actor_id=w.admin.id, job_id=job_id) == ImportStatus.READY
    new_sim(db, 204)  # someone added the last row's SIM by hand meanwhile
    before = db.exec(select(func.count()).select_from(SimCard)).one()
    with pytest.raises(ValidationFailed) as err:
        svc.run_import(db, actor_id=w.admin.id, job_id=job_id)
    assert "строка 6" in err.value.message
    assert db.exec(select(func.count()).select_from(SimCard)).one() == before
    job = db.get(ImportJob, job_id)
    db.refresh(job)
    assert job.status == ImportStatus.FAILED
    assert "ничего не записано" in job.message


def test_import_refuses_binary_and_malformed_files_with_row_and_column(db, w):
    with pytest.raises(ValidationFailed):
        svc.start_import(db, actor_id=w.admin.id, filename="x.csv", data=b"%PDF-1.7\n\x00\x01")
    job_id = svc.start_import(
        db, actor_id=w.admin.id, filename="bad.csv", data="ICCID;Тариф\n1;2\n".encode()
    )
    assert svc.check_import(db, actor_id=w.admin.id, job_id=job_id) == ImportStatus.INVALID
    job = db.get(ImportJob, job_id)
    assert "Строка 1" in job.message and "Номер" in job.message


# -- CSV import: change and delete by ICCID (the case study's "import mode") ----------------


def import_file(db, w, text: str, mode: str) -> int:
    job_id = svc.start_import(
        db, actor_id=w.admin.id, filename=f"{mode}.csv", data=text.encode("utf-8"), mode=mode
    )
    svc.check_import(db, actor_id=w.admin.id, job_id=job_id)
    return job_id


def test_update_import_changes_only_the_files_columns_with_the_manual_steps(db, w):
    plain = new_sim(db, 300, partner_id=w.partner.id)  # number and tariff change
    stock = new_sim(db, 301, partner_id=w.partner.id)  # activated by the file
    to_block = new_sim(db, 302, status=SimStatus.ACTIVE, activated_at=datetime.now(UTC))
    was_active = new_sim(db, 303, activated_at=datetime.now(UTC))
    svc.block_sim(db, actor_id=w.admin.id, sim_id=was_active.id, reason="Утеряна")
    same = new_sim(db, 304)
    text = "\n".join(
        [
            "ICCID;Номер;Тариф;Статус",
            f"{iccid(300)};{msisdn(310)};{w.tariff.name};",
            f"{iccid(301)};{msisdn(301)};;Активна",
            f"{iccid(302)};{msisdn(302)};;Заблокирована",
            f"{iccid(303)};{msisdn(303)};;Активна",
            f"{iccid(304)};{msisdn(304)};;Неактивна",
        ]
    )
    job_id = import_file(db, w, text, "update")
    view = aq.import_job(db, load_actor(db, w.admin.id), job_id)
    assert view["status"] == ImportStatus.READY, view["errors"]
    assert view["mode_ru"] == "Изменение"
    assert svc.run_import(db, actor_id=w.admin.id, job_id=job_id) == 4
    for sim in (plain, stock, to_block, was_active, same):
        db.refresh(sim)
    assert (plain.msisdn, plain.tariff_id, plain.partner_id) == (
        msisdn(310),
        w.tariff.id,
        w.partner.id,
    )
    assert plain.version == 2 and msisdn(310) in plain.search_text
    assert stock.status == SimStatus.ACTIVE and stock.activated_at is not None
    assert stock.partner_id == w.partner.id  # no partner column: kept
    assert to_block.status == SimStatus.BLOCKED and to_block.block_reason == "Импорт из CSV"
    assert was_active.status == SimStatus.ACTIVE and was_active.blocked_at is None
    assert same.version == 1  # already as in the file
    events = {e.sim_id: e for e in db.exec(select(SimBlockEvent)).all()}
    assert (
        events[to_block.id].reason == "Импорт из CSV" and events[to_block.id].unblocked_at is None
    )
    assert events[was_active.id].unblocked_at is not None
    job = db.get(ImportJob, job_id)
    db.refresh(job)
    assert (job.status, job.created_count, job.unchanged_count) == (ImportStatus.DONE, 4, 1)
    assert job.message == "Изменено сим-карт: 4. Уже совпадали с файлом: 1."


def test_update_import_refuses_what_the_manual_actions_refuse_and_writes_nothing(db, w):
    new_sim(db, 320)
    new_sim(db, 321)
    new_sim(db, 322, status=SimStatus.ACTIVE, activated_at=datetime.now(UTC))
    text = "\n".join(
        [
            "ICCID;Номер;Статус",
            f"{iccid(329)};{msisdn(329)};",  # no such card
            f"{iccid(320)};{msisdn(321)};",  # the number belongs to another card
            f"{iccid(322)};{msisdn(322)};Неактивна",  # active -> inactive: only a block
            f"{iccid(321)};{msisdn(325)};",  # fine on its own
        ]
    )
    job_id = import_file(db, w, text, "update")
    view = aq.import_job(db, load_actor(db, w.admin.id), job_id)
    assert view["status"] == ImportStatus.INVALID
    assert {(e["row"], e["column"]) for e in view["errors"]} == {
        ("2", "ICCID"),
        ("3", "Номер"),
        ("4", "Статус"),
    }
    with pytest.raises(ValidationFailed):
        svc.run_import(db, actor_id=w.admin.id, job_id=job_id)
    assert db.exec(select(SimCard).where(SimCard.msisdn == msisdn(325))).first() is None
    # a file that names no column to change is refused as a whole
    only_key = import_file(db, w, f"ICCID\n{iccid(320)}\n", "update")
    assert "ни одного столбца" in db.get(ImportJob, only_key).message


def test_delete_import_removes_stock_cards_only_and_rechecks_before_writing(db, w):
    gone = new_sim(db, 340)
    svc.block_sim(db, actor_id=w.admin.id, sim_id=gone.id, reason="Брак")
    also = new_sim(db, 341)
    new_sim(db, 342, contract_id=w.contract.id)
    paid = new_sim(db, 343)
    pay(db, paid, 100_00, PaymentStatus.SUCCEEDED, datetime.now(UTC))
    refused = import_file(
        db, w, f"ICCID;Номер\n{iccid(340)};x\n{iccid(342)};\n{iccid(343)};\n", "delete"
    )
    view = aq.import_job(db, load_actor(db, w.admin.id), refused)
    assert view["status"] == ImportStatus.INVALID
    assert [e["row"] for e in view["errors"]] == ["3", "4"]  # the number column is not read
    job_id = import_file(db, w, f"ICCID\n{iccid(340)}\n{iccid(341)}\n", "delete")
    assert db.get(ImportJob, job_id).status == ImportStatus.READY
    assert svc.run_import(db, actor_id=w.admin.id, job_id=job_id) == 2
    assert (
        db.exec(select(SimCard).where(col(SimCard.iccid).in_([iccid(340), iccid(341)]))).all() == []
    )
    assert db.exec(select(SimBlockEvent).where(SimBlockEvent.sim_id == gone.id)).all() == []
    # checked, then the card got a payment: the write refuses and deletes nothing
    late = new_sim(db, 344)
    spare = new_sim(db, 345)
    job_id = import_file(db, w, f"ICCID\n{iccid(345)}\n{iccid(344)}\n", "delete")
    assert db.get(ImportJob, job_id).status == ImportStatus.READY
    pay(db, late, 50_00, PaymentStatus.SUCCEEDED, datetime.now(UTC))
    with pytest.raises(ValidationFailed) as err:
        svc.run_import(db, actor_id=w.admin.id, job_id=job_id)
    assert "платежи" in err.value.message
    assert db.get(SimCard, spare.id) is not None and db.get(SimCard, also.id) is None


def test_import_modes_are_checked_and_one_file_may_be_read_in_each_mode(db, w):
    with pytest.raises(ValidationFailed):
        svc.start_import(
            db, actor_id=w.admin.id, filename="x.csv", data=b"ICCID\n1\n", mode="drop table"
        )
    new_sim(db, 360, partner_id=w.partner.id)
    exported = aq.export_sims(db, load_actor(db, w.admin.id), partner_id=w.partner.id)
    created = svc.start_import(db, actor_id=w.admin.id, filename="e.csv", data=exported)
    assert svc.check_import(db, actor_id=w.admin.id, job_id=created) == ImportStatus.INVALID
    # the registry's export read back in update mode: nothing to change
    updated = svc.start_import(
        db, actor_id=w.admin.id, filename="e.csv", data=exported, mode="update"
    )
    assert svc.check_import(db, actor_id=w.admin.id, job_id=updated) == ImportStatus.READY
    assert svc.run_import(db, actor_id=w.admin.id, job_id=updated) == 0
    assert db.get(ImportJob, updated).unchanged_count == 1
