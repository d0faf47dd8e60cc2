"""Idempotent demo data: one user per role with known passwords (listed in README).

Run with `python -m cabinet.demo` (part of `make run`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.accounts.passwords import hash_password
from cabinet.applications.service import load_applications_demo
from cabinet.auctions.demo import load_auctions_demo
from cabinet.db import get_engine
from cabinet.erp.demo import load_erp_demo
from cabinet.esign.demo import load_esign_demo
from cabinet.feedback.service import load_demo as load_feedback_demo
from cabinet.journals.demo import load_journals_demo
from cabinet.notifications.service import seed_default_templates
from cabinet.orders.demo import load_orders_demo
from cabinet.support.service import load_support_demo
from cabinet.telecom.demo import load_telecom_demo
from models import ManagerAssignment, Membership, Organisation, User
from models.base import utcnow
from models.organisations import CounterpartyKind

DEMO_PASSWORD = "Demo-2026!"


@dataclass(frozen=True)
class DemoUser:
    email: str
    phone: str
    full_name: str
    role: BuiltinRole
    org_inn: str | None = None  # member of this organisation (customer roles)


ORGS = [
    dict(
        kind=CounterpartyKind.LEGAL,
        name='ООО "Ромашка"',
        inn="7707083893",
        kpp="773601001",
        ogrn="1027700132195",
        legal_address="117997, г. Москва, ул. Вавилова, д. 19",
    ),
    dict(
        kind=CounterpartyKind.SOLE,
        name="ИП Иванов Иван Иванович",
        inn="500100732259",
        ogrn="304500116000157",
        address="141800, Московская обл., г. Дмитров, ул. Советская, д. 1",
    ),
    dict(
        kind=CounterpartyKind.LEGAL,
        name='АО "Северсталь-Сервис"',
        inn="7736207543",
        kpp="770401001",
        ogrn="1027739850962",
        legal_address="119021, г. Москва, ул. Льва Толстого, д. 16",
    ),
]

USERS = [
    DemoUser(
        "superadmin@demo.local",
        "+79000000001",
        "Суперадминистратор Системы",
        BuiltinRole.SUPERADMIN,
    ),
    DemoUser("admin@demo.local", "+79000000002", "Админова Анна Сергеевна", BuiltinRole.ADMIN),
    DemoUser(
        "manager@demo.local", "+79000000003", "Менеджеров Максим Петрович", BuiltinRole.MANAGER
    ),
    DemoUser("operator@demo.local", "+79000000004", "Операторов Олег Ильич", BuiltinRole.OPERATOR),
    DemoUser(
        "client-admin@demo.local",
        "+79000000005",
        "Клиентова Ксения Андреевна",
        BuiltinRole.CUSTOMER_ADMIN,
        "7707083893",
    ),
    DemoUser(
        "client@demo.local",
        "+79000000006",
        "Покупателев Павел Олегович",
        BuiltinRole.CUSTOMER,
        "7707083893",
    ),
    DemoUser(
        "other@demo.local",
        "+79000000007",
        "Иванов Иван Иванович",
        BuiltinRole.CUSTOMER,
        "500100732259",
    ),
]

# The manager looks after the first organisation only.
MANAGED = {"manager@demo.local": ["7707083893", "500100732259"]}


def load_demo(session: Session) -> None:
    ensure_builtin_roles(session)
    orgs: dict[str, Organisation] = {}
    for data in ORGS:
        org = session.exec(select(Organisation).where(Organisation.inn == data["inn"])).first()
        if org is None:
            org = Organisation(**data)
            session.add(org)
            session.flush()
        orgs[org.inn] = org
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    for du in USERS:
        user = session.exec(select(User).where(User.email == du.email)).first()
        if user is None:
            user = User(
                email=du.email,
                phone=du.phone,
                full_name=du.full_name,
                password_hash=password_hash,
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            session.add(user)
            session.flush()
        assert user.id is not None
        org_id = None
        if du.org_inn:
            org_id = orgs[du.org_inn].id
            assert org_id is not None
            if not session.exec(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.organisation_id == org_id
                )
            ).first():
                session.add(Membership(user_id=user.id, organisation_id=org_id))
                session.flush()
        grant_role(session, user_id=user.id, role_code=du.role, organisation_id=org_id)
        for inn in MANAGED.get(du.email, []):
            oid = orgs[inn].id
            assert oid is not None
            if not session.exec(
                select(ManagerAssignment).where(
                    ManagerAssignment.manager_id == user.id,
                    ManagerAssignment.organisation_id == oid,
                )
            ).first():
                session.add(ManagerAssignment(manager_id=user.id, organisation_id=oid))
    session.commit()
    seed_default_templates(session)  # notification templates, editable by staff
    load_support_demo(session)  # support departments, categories, a sample request
    load_feedback_demo(session)  # help articles, rating subjects, a survey
    load_applications_demo(session)  # grid-connection applications at several stages
    load_telecom_demo(session)  # tariffs, partners, Ромашка: contract, 3 SIM cards, payments
    load_orders_demo(session)  # orders, invoices, documents: Ромашка, Северсталь-Сервис
    load_erp_demo(session)  # the fake ERP's demo set through the sync (40 orgs, 800 orders)
    load_esign_demo(session)  # the CA; certificates (PIN 1234) for operator@, client-admin@
    load_auctions_demo(session)  # steel auctions: running, announced, finished
    load_journals_demo(session)  # service objects, journals, signed entries (after esign)
    session.commit()


def main() -> None:
    with Session(get_engine()) as session:
        load_demo(session)
    print(f"demo data ready: {len(USERS)} users, password {DEMO_PASSWORD}")


if __name__ == "__main__":
    main()
