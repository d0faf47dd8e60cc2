"""HTTP side of files: the authorised download route and the upload size limit middleware."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from sqlmodel import Session, col, delete
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cabinet.access.state import SESSION_COOKIE
from cabinet.accounts.sessions import create_session
from cabinet.api import UploadLimitMiddleware, api
from cabinet.files.service import store_upload
from models import AuditEvent, StoredFile, User, UserSession
from models.base import utcnow
from tests.unit.test_files_rules import PDF

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def request(app, method: str, url: str, **kw) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, **kw)

    return asyncio.run(go())


# --- download ------------------------------------------------------------------------------


@pytest.fixture
def committed(migrated_engine):
    """Two users with live sessions and one private file, committed (the route opens its own
    database session), removed afterwards."""
    users: list[int] = []
    with Session(migrated_engine, expire_on_commit=False) as s:
        tokens = []
        for _ in range(2):
            n = next(_seq)
            u = User(
                full_name=f"Скачивающий {n}",
                email=f"dl{n}-{id(s)}@test.local",
                phone=f"+7905{id(s) % 1000:03d}{n:04d}",
                password_hash="x",
                email_confirmed_at=utcnow(),
                phone_confirmed_at=utcnow(),
            )
            s.add(u)
            s.flush()
            users.append(u.id)
            tokens.append(create_session(s, user_id=u.id))
        s.commit()
        row = store_upload(s, actor_id=users[0], filename="Счёт №7.pdf", source=PDF + b"invoice-7")
    yield {"owner": tokens[0], "other": tokens[1], "file": row}
    with Session(migrated_engine) as s:
        s.exec(delete(StoredFile).where(col(StoredFile.owner_id).in_(users)))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(users)))
        s.exec(delete(UserSession).where(col(UserSession.user_id).in_(users)))
        s.exec(delete(User).where(col(User.id).in_(users)))
        s.commit()


def test_owner_downloads_the_file_as_an_attachment(committed):
    f = committed["file"]
    resp = request(
        api,
        "GET",
        f"/api/files/{f.id}",
        headers={"cookie": f"{SESSION_COOKIE}={committed['owner']}"},
    )
    assert resp.status_code == 200
    assert resp.content == PDF + b"invoice-7"
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in resp.headers["content-disposition"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in resp.headers["cache-control"]


def test_anonymous_download_is_refused(committed):
    resp = request(api, "GET", f"/api/files/{committed['file'].id}")
    assert resp.status_code == 401
    resp = request(
        api,
        "GET",
        f"/api/files/{committed['file'].id}",
        headers={"cookie": f"{SESSION_COOKIE}=forged"},
    )
    assert resp.status_code == 401


def test_another_users_download_looks_like_a_missing_file(committed):
    f = committed["file"]
    other = request(
        api,
        "GET",
        f"/api/files/{f.id}",
        headers={"cookie": f"{SESSION_COOKIE}={committed['other']}"},
    )
    missing = request(
        api,
        "GET",
        "/api/files/999999999",
        headers={"cookie": f"{SESSION_COOKIE}={committed['owner']}"},
    )
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


# --- upload size limit ---------------------------------------------------------------------


def limited_app(limit: int) -> tuple[Starlette, list[int]]:
    """A stand-in for Reflex's /_upload: reads the whole multipart form like Reflex does."""
    seen: list[int] = []

    async def upload(request: Request) -> JSONResponse:
        form = await request.form()
        sizes = [len(await f.read()) for f in form.getlist("files")]  # type: ignore[union-attr]
        seen.extend(sizes)
        return JSONResponse({"sizes": sizes})

    app = Starlette(
        routes=[Route("/_upload", upload, methods=["POST"])],
        middleware=[Middleware(UploadLimitMiddleware, max_bytes=limit)],
    )
    return app, seen


def test_upload_within_the_limit_passes():
    app, seen = limited_app(100_000)
    resp = request(app, "POST", "/_upload", files={"files": ("a.pdf", PDF + b"0" * 50_000)})
    assert resp.status_code == 200
    assert seen == [len(PDF) + 50_000]


def test_upload_with_a_large_content_length_is_refused_unread():
    app, seen = limited_app(100_000)
    resp = request(app, "POST", "/_upload", files={"files": ("a.pdf", b"0" * 300_000)})
    assert resp.status_code == 413
    assert "не больше" in resp.json()["detail"]
    assert seen == []


def test_chunked_upload_is_cut_off_past_the_limit():
    app, seen = limited_app(100_000)
    sent = 0

    async def body():
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
        for _ in range(100):  # 100 x 16 KB: far beyond the limit
            sent += 16 * 1024
            yield b"0" * (16 * 1024)
        yield b"\r\n--b--\r\n"

    resp = request(
        app,
        "POST",
        "/_upload",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert resp.status_code == 413
    assert seen == []


def test_other_paths_are_not_limited():
    app, _ = limited_app(10)
    resp = request(app, "POST", "/not-upload", content=b"0" * 1000)
    assert resp.status_code in (404, 405)
