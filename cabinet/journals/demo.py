"""Demo data of the journals module (idempotent): journal types, two service objects of
ООО «Ромашка» with journals and people, and a few entries — one signed by both sides, one
waiting for the subscriber, one draft.

Signatures need the demo certificates the e-signature demo issues (operator@ and client-admin@,
PIN 1234); without them the entries stay waiting, and a later run signs them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from cabinet.errors import DomainError
from cabinet.journals import service
from models import Journal, JournalEntry, JournalType, Organisation, ServiceObject, User
from models.base import utcnow
from models.journals import EntryState, JournalStatus, PersonRole

DEMO_PIN = "1234"
SUBSCRIBER_INN = "7707083893"  # ООО «Ромашка»
TYPES = [
    ("fire", "Пожарная сигнализация", "АПС, СОУЭ: техническое обслуживание и проверки"),
    ("security", "Охранная сигнализация", "ОС, тревожные кнопки"),
    ("video", "Видеонаблюдение", "Камеры, регистраторы, хранение записей"),
    ("access", "Контроль доступа (СКУД)", "Считыватели, замки, турникеты"),
    ("smoke", "Противодымная вентиляция", "Клапаны, вентиляторы дымоудаления"),
]
OBJECTS = [
    (
        "Склад № 1",
        "г. Москва, ул. Складская, д. 7",
        "АПС, СОУЭ, видеонаблюдение",
        ["fire", "video"],
    ),
    ("Офис на Тверской", "г. Москва, ул. Тверская, д. 12, оф. 301", "ОС, СКУД", ["security"]),
]
ENTRIES = [
    (
        "Плановое техническое обслуживание АПС",
        "Проверена работоспособность 24 дымовых извещателей, ППКП «Сигнал-20», шлейфы 1–4. "
        "Проведено тестирование СОУЭ.",
        "Замечаний нет.",
    ),
    (
        "Замена неисправного извещателя",
        "Заменён дымовой извещатель ИП 212-141 в помещении 104 (шлейф 2). Проверена связь с "
        "прибором.",
        "Рекомендуется очистка извещателей в помещениях склада — высокая запылённость.",
    ),
    ("Внеплановый выезд по вызову", "Ложное срабатывание в зоне 3: проверка шлейфа.", ""),
]


def _user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def _sign(session: Session, user: User, entry: JournalEntry) -> None:
    try:
        service.sign_entry(
            session,
            actor_id=user.id or 0,
            entry_id=entry.id or 0,
            version=entry.version,
            pin=DEMO_PIN,
        )
    except DomainError:  # no demo certificate yet, or already signed
        session.rollback()


def load_journals_demo(session: Session) -> None:
    org = session.exec(select(Organisation).where(Organisation.inn == SUBSCRIBER_INN)).first()
    admin = _user(session, "admin@demo.local")
    operator = _user(session, "operator@demo.local")
    client_admin = _user(session, "client-admin@demo.local")
    if org is None or admin is None or operator is None or client_admin is None:
        return
    types: dict[str, JournalType] = {}
    for code, name, description in TYPES:
        row = session.exec(select(JournalType).where(JournalType.code == code)).first()
        if row is None:
            row = JournalType(code=code, name=name, description=description)
            session.add(row)
            session.flush()
        types[code] = row
    session.commit()

    for name, address, systems, type_codes in OBJECTS:
        obj = session.exec(
            select(ServiceObject).where(
                ServiceObject.organisation_id == org.id, ServiceObject.name == name
            )
        ).first()
        if obj is None:
            obj = service.save_object(
                session,
                actor_id=admin.id or 0,
                object_id=None,
                organisation_id=org.id,
                name=name,
                address=address,
                systems=systems,
            )
            for user, role, by in (
                (operator, PersonRole.STAFF, admin),
                (operator, PersonRole.OPERATOR_RESPONSIBLE, admin),
                (client_admin, PersonRole.SUBSCRIBER_RESPONSIBLE, client_admin),
            ):
                service.set_person(
                    session,
                    actor_id=by.id or 0,
                    object_id=obj.id or 0,
                    user_id=user.id or 0,
                    role=role,
                    add=True,
                )
            for code in type_codes:
                service.open_journal(
                    session,
                    actor_id=operator.id or 0,
                    object_id=obj.id or 0,
                    type_id=types[code].id or 0,
                )
        fire = session.exec(
            select(Journal).where(
                Journal.object_id == obj.id,
                Journal.type_id == types["fire"].id,
                Journal.status == JournalStatus.ACTIVE,
            )
        ).first()
        if fire is None:
            continue
        entries = session.exec(
            select(JournalEntry)
            .where(JournalEntry.journal_id == fire.id)
            .order_by(JournalEntry.number)  # type: ignore[arg-type]
        ).all()
        if not entries:
            now = utcnow()
            for i, (kind, text, findings) in enumerate(ENTRIES):
                entry = service.create_entry(
                    session,
                    actor_id=operator.id or 0,
                    journal_id=fire.id or 0,
                    work_at=now - timedelta(days=20 - 7 * i, hours=3),
                    work_kind=kind,
                    description=text,
                    findings=findings,
                )
                if i < 2:
                    service.submit_entry(session, actor_id=operator.id or 0, entry_id=entry.id or 0)
            entries = session.exec(
                select(JournalEntry)
                .where(JournalEntry.journal_id == fire.id)
                .order_by(JournalEntry.number)  # type: ignore[arg-type]
            ).all()
        # Entry 1: signed by both sides; entry 2: by the operator, waiting for the subscriber.
        if len(entries) >= 2:
            first, second = entries[0], entries[1]
            if first.state in (EntryState.AWAITING, EntryState.PARTIAL):
                _sign(session, operator, first)
                session.refresh(first)
                _sign(session, client_admin, first)
            if second.state == EntryState.AWAITING:
                _sign(session, operator, second)
    session.commit()
