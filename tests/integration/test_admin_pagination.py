"""Keyset pages on a real database: disjoint, complete, stable at equal sort keys, both ways."""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.admin import queries
from cabinet.pagination import InvalidCursor, SortSpec, fetch_page
from models import Organisation, Role, User
from models.base import utcnow

pytestmark = pytest.mark.db


def _walk_forward(fetch):
    pages, after = [], ""
    while True:
        page = fetch(after=after, before="")
        pages.append(page)
        if not page.has_next:
            return pages
        after = page.next_after


def _walk_backward(fetch, last_page):
    pages = [last_page]
    while pages[-1].has_prev:
        pages.append(fetch(after="", before=pages[-1].prev_before))
    return pages[::-1]


@pytest.fixture
def admin_actor(db):
    ensure_builtin_roles(db)
    admin = User(
        full_name="Листалов", email="lister@test.local", phone="+79030000000", password_hash="x"
    )
    db.add(admin)
    db.flush()
    grant_role(db, user_id=admin.id, role_code=BuiltinRole.ADMIN)
    return load_actor(db, admin.id)


def test_users_list_pages_are_disjoint_and_complete_both_ways(db, admin_actor):
    tag = f"kset{secrets.token_hex(3)}"
    now = utcnow()
    db.add_all(
        User(
            full_name=f"Пользователь {i:03d}",
            email=f"{tag}-{i:03d}@test.local",
            phone=f"+7904{i:07d}",
            password_hash="x",
            email_confirmed_at=now,
            phone_confirmed_at=now,
            is_blocked=i % 10 == 0,
        )
        for i in range(317)
    )
    db.flush()
    expected = sorted(
        db.exec(select(User.id).where(User.email.like(f"{tag}-%"))).all(), reverse=True
    )

    def fetch(after, before, **kw):
        return queries.list_users(
            db, admin_actor, q=tag, after=after, before=before, limit=50, **kw
        )

    pages = _walk_forward(fetch)
    ids = [int(r["id"]) for p in pages for r in p.rows]
    assert ids == expected  # complete, newest first, no duplicates
    assert [len(p.rows) for p in pages] == [50] * 6 + [17]
    assert not pages[0].has_prev and pages[1].has_prev

    back = _walk_backward(fetch, pages[-1])
    assert [[r["id"] for r in p.rows] for p in back] == [[r["id"] for r in p.rows] for p in pages]

    blocked = _walk_forward(lambda after, before: fetch(after, before, status="blocked"))
    blocked_ids = [int(r["id"]) for p in blocked for r in p.rows]
    assert len(blocked_ids) == 32 and all(r["status"] == "blocked" for p in blocked for r in p.rows)


def test_a_cursor_is_bound_to_its_list_and_tampering_is_refused(db, admin_actor):
    db.add(
        User(full_name="Второй", email="second@test.local", phone="+79030000001", password_hash="x")
    )
    db.flush()
    page = queries.list_users(db, admin_actor, limit=1)
    assert page.has_next
    with pytest.raises(InvalidCursor):
        queries.list_audit(db, admin_actor, after=page.next_after)
    with pytest.raises(InvalidCursor):
        queries.list_users(db, admin_actor, after=page.next_after[:-2] + "AA")


@pytest.mark.parametrize("descending", [False, True])
def test_equal_sort_keys_are_split_by_id_at_page_boundaries(db, descending):
    tag = secrets.token_hex(3)
    names = ["Б", "А", "Б", "Б", "В", "А", "Б", "В", "Б"]
    db.add_all(Organisation(name=f"{tag} {n}", inn="") for n in names)
    db.flush()
    stmt = select(Organisation.id, Organisation.name).where(Organisation.name.like(f"{tag} %"))
    spec = SortSpec("test.orgs", id=Organisation.id, key=Organisation.name, descending=descending)
    expected = sorted(db.exec(stmt).all(), key=lambda r: (r.name, r.id), reverse=descending)

    def fetch(after, before):
        return fetch_page(db, stmt, spec, after=after, before=before, limit=2)

    pages = _walk_forward(fetch)
    got = [(r.name, r.id) for p in pages for r in p.rows]
    assert got == [(r.name, r.id) for r in expected]
    assert len(pages) == 5 and all(len(p.rows) == 2 for p in pages[:-1])
    back = _walk_backward(fetch, pages[-1])
    assert [[r.id for r in p.rows] for p in back] == [[r.id for r in p.rows] for p in pages]


def test_previous_from_the_second_page_gives_a_full_first_page(db):
    tag = secrets.token_hex(3)
    db.add_all(Organisation(name=f"{tag} {i}", inn="") for i in range(5))
    db.flush()
    stmt = select(Organisation.id, Organisation.name).where(Organisation.name.like(f"{tag} %"))
    spec = SortSpec("test.orgs2", id=Organisation.id, key=Organisation.name)
    first = fetch_page(db, stmt, spec, limit=3)
    second = fetch_page(db, stmt, spec, after=first.next_after, limit=3)
    assert len(second.rows) == 2 and not second.has_next
    again = fetch_page(db, stmt, spec, before=second.prev_before, limit=3)
    assert [r.id for r in again.rows] == [r.id for r in first.rows]
    assert not again.has_prev and again.has_next


def test_organisation_search_by_inn_prefix_and_name_part(db, admin_actor):
    tag = f"t{secrets.token_hex(3)}"  # never all digits: that would be searched as an INN
    db.add_all(
        [
            Organisation(name=f'ООО "Ромашка {tag}"', inn="7707083893", kind="legal"),
            Organisation(name=f"ИП Ромашкин {tag}", inn="500100732259", kind="sole"),
        ]
    )
    db.flush()
    names = {
        r["name"] for r in queries.list_organisations(db, admin_actor, q=f"ромашка {tag}").rows
    }
    assert names == {f'ООО "Ромашка {tag}"'}
    by_inn = queries.list_organisations(db, admin_actor, q="5001007").rows
    assert f"ИП Ромашкин {tag}" in {r["name"] for r in by_inn}
    sole = queries.list_organisations(db, admin_actor, q=tag, kind="sole").rows
    assert [r["name"] for r in sole] == [f"ИП Ромашкин {tag}"]


def test_users_filtered_by_role_and_unconfirmed_status(db, admin_actor):
    ensure_builtin_roles(db)
    tag = f"rf{secrets.token_hex(3)}"
    now = utcnow()
    users = [
        User(
            full_name=f"Роль {i}",
            email=f"{tag}-{i}@test.local",
            phone=f"+7907{secrets.randbelow(10**7):07d}",
            password_hash="x",
            email_confirmed_at=None if i == 2 else now,
            phone_confirmed_at=now,
        )
        for i in range(4)
    ]
    db.add_all(users)
    db.flush()
    grant_role(db, user_id=users[1].id, role_code=BuiltinRole.OPERATOR)
    operator_id = db.exec(select(Role.id).where(Role.code == "operator")).one()
    rows = queries.list_users(db, admin_actor, q=tag, role_id=operator_id).rows
    assert [r["email"] for r in rows] == [users[1].email]
    assert "Сотрудник оператора" in rows[0]["roles"]
    rows = queries.list_users(db, admin_actor, q=tag, status="unconfirmed").rows
    assert [r["email"] for r in rows] == [users[2].email]
    assert rows[0]["status_ru"] == "Не подтверждён"
