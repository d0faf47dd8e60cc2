"""The integration API /api/v1: tokens (none, wrong, revoked, another organisation's), scope
by id and by search, PDF, rate limit, OpenAPI and the docs page."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.erp import rules, service, sync
from cabinet.erp.api import routes
from cabinet.erp.client import ErpClient
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from models import Membership, Organisation, User
from models.base import utcnow
from models.documents import Certificate, ShippingDocument
from models.erp import ApiToken
from models.orders import Order
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db
_seq = itertools.count(1)


def make_user(db: Session, *, role: str, org: Organisation) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Интегратор {n}",
        email=f"api{n}@test.local",
        phone=f"+7907{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, organisation_id=org.id))
    db.flush()
    grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id)
    return user


@dataclass
class World:
    db: Session
    app: Starlette
    mine: Organisation
    other: Organisation
    admin: User
    other_admin: User
    token: str
    other_token: str

    def get(self, url: str, token: str | None = None, **kw: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get(url, headers=headers, **kw)  # type: ignore[arg-type]

        return asyncio.run(go())


@pytest.fixture
def world(db: Session) -> Iterator[World]:
    with FakeErp(ErpData(orgs=6, orders=60, documents=300)) as erp, ErpClient(url=erp.url) as c:
        assert sync.run_sync(db, c, batch=500).status == "ok"  # type: ignore[union-attr]
    ensure_builtin_roles(db)
    mine = db.exec(select(Organisation).where(Organisation.inn == "7707083893")).one()
    other = db.exec(select(Organisation).where(Organisation.inn == "500100732259")).one()
    admin = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=mine)
    other_admin = make_user(db, role=BuiltinRole.CUSTOMER_ADMIN, org=other)
    token = service.create_token(db, actor_id=admin.id, organisation_id=mine.id, name="1С:УПП")
    other_token = service.create_token(
        db, actor_id=other_admin.id, organisation_id=other.id, name="SAP"
    )
    app = Starlette(routes=routes(sessions=lambda: nullcontext(db)))
    yield World(db, app, mine, other, admin, other_admin, token.secret, other_token.secret)


def _first(db: Session, model, org: Organisation):  # type: ignore[no-untyped-def]
    return db.exec(select(model).where(model.organisation_id == org.id).limit(1)).one()


def test_no_token_wrong_token_and_revoked_token_are_refused(world: World):
    assert world.get("/api/v1/orders").status_code == 401
    assert world.get("/api/v1/orders", token="cab_wrong").status_code == 401
    assert world.get("/api/v1/orders", token="not-even-ours").status_code == 401
    token_id = world.db.exec(select(ApiToken.id).where(ApiToken.name == "1С:УПП")).one()
    service.revoke_token(world.db, actor_id=world.admin.id, token_id=token_id)
    response = world.get("/api/v1/orders", token=world.token)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_reads_its_own_organisations_orders_only(world: World):
    response = world.get("/api/v1/orders?limit=5", token=world.token)

    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 5 and body["next_after"]
    ids = {o.id for o in world.db.exec(select(Order).where(Order.organisation_id == world.mine.id))}
    assert {o["id"] for o in body["items"]} <= ids
    page2 = world.get(f"/api/v1/orders?limit=5&after={body['next_after']}", token=world.token)
    assert not {o["id"] for o in page2.json()["items"]} & {o["id"] for o in body["items"]}
    order = _first(world.db, Order, world.mine)
    detail = world.get(f"/api/v1/orders/{order.id}", token=world.token).json()
    assert detail["number"] == order.number and detail["lines"]


def test_another_organisations_token_sees_no_foreign_order_by_id_or_search(world: World):
    order = _first(world.db, Order, world.mine)
    doc = _first(world.db, ShippingDocument, world.mine)
    cert = _first(world.db, Certificate, world.mine)

    assert world.get(f"/api/v1/orders/{order.id}", token=world.other_token).status_code == 404
    found = world.get(f"/api/v1/documents?number={doc.number}", token=world.other_token)
    assert found.status_code == 200 and found.json()["items"] == []
    by_batch = world.get(
        f"/api/v1/certificates?batch={cert.batch}", token=world.other_token
    ).json()["items"]
    assert all(c["id"] != cert.id for c in by_batch)
    pdf = world.get(f"/api/v1/certificates/{cert.id}/pdf", token=world.other_token)
    assert pdf.status_code == 404
    listed = world.get("/api/v1/orders?limit=200", token=world.other_token).json()["items"]
    assert order.id not in {o["id"] for o in listed}


def test_document_and_certificate_search_exact_and_prefix(world: World):
    doc = _first(world.db, ShippingDocument, world.mine)
    exact = world.get(f"/api/v1/documents?number={doc.number.lower()}", token=world.token)
    assert [d["id"] for d in exact.json()["items"]] == [doc.id]
    prefix = world.get(f"/api/v1/documents?number={doc.number[:5]}&prefix=1", token=world.token)
    items = prefix.json()["items"]
    assert doc.id in {d["id"] for d in items}
    assert all(d["number"].startswith(doc.number[:5]) for d in items)
    cert = _first(world.db, Certificate, world.mine)
    got = world.get(f"/api/v1/certificates?batch={cert.batch}", token=world.token).json()
    assert cert.id in {c["id"] for c in got["items"]}
    pdf = world.get(f"/api/v1/certificates/{cert.id}/pdf", token=world.token)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_parameters_answer_422(world: World):
    assert world.get("/api/v1/orders?limit=abc", token=world.token).status_code == 422
    assert world.get("/api/v1/orders?status=lost", token=world.token).status_code == 422


def test_token_is_stored_hashed_and_records_its_last_use(world: World):
    row = world.db.exec(select(ApiToken).where(ApiToken.name == "1С:УПП")).one()
    assert row.token_hash == rules.hash_token(world.token)
    assert world.token not in (row.prefix + row.token_hash) and world.token.startswith(row.prefix)
    assert row.last_used_at is None
    world.get("/api/v1/orders", token=world.token)
    world.db.refresh(row)
    assert row.last_used_at is not None


def test_rate_limit_per_token(world: World):
    now = utcnow()
    for _ in range(3):
        service.use_token(world.db, world.token, now=now, limit=3)
    with pytest.raises(service.TokenRefused) as refused:
        service.use_token(world.db, world.token, now=now, limit=3)
    assert refused.value.status == 429
    # the other organisation's token has its own window; a minute later it opens again
    service.use_token(world.db, world.other_token, now=now, limit=3)
    service.use_token(world.db, world.token, now=now + timedelta(seconds=61), limit=3)


def test_only_the_organisations_administrator_creates_and_revokes_tokens(world: World):
    customer = make_user(world.db, role=BuiltinRole.CUSTOMER, org=world.mine)
    with pytest.raises(PermissionDenied):
        service.create_token(
            world.db, actor_id=customer.id, organisation_id=world.mine.id, name="x"
        )
    with pytest.raises(PermissionDenied):
        service.create_token(
            world.db, actor_id=world.other_admin.id, organisation_id=world.mine.id, name="x"
        )
    with pytest.raises(ValidationFailed):
        service.create_token(
            world.db, actor_id=world.admin.id, organisation_id=world.mine.id, name=" "
        )
    token_id = world.db.exec(select(ApiToken.id).where(ApiToken.name == "1С:УПП")).one()
    with pytest.raises(NotFound):
        service.revoke_token(world.db, actor_id=world.other_admin.id, token_id=token_id)
    assert world.get("/api/v1/orders", token=world.token).status_code == 200


def test_openapi_and_docs_page_need_no_token(world: World):
    spec = world.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/orders/{order_id}" in spec["paths"]
    page = world.get("/api/v1/docs")
    assert page.status_code == 200 and "Authorization: Bearer" in page.text
