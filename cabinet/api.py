"""Plain HTTP routes beside Reflex's own: health, authorised file downloads, and the upload
size limit in front of Reflex's /_upload endpoint."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from cabinet.access.state import SESSION_COOKIE
from cabinet.erp.api import ROUTES as ERP_API_ROUTES
from cabinet.esign.http import ROUTES as ESIGN_ROUTES
from cabinet.settings import settings
from cabinet.telecom.payments import http_routes as telecom_routes

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the event-args field


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"detail": detail}, status_code=status, headers={"Cache-Control": "no-store"}
    )


def download_file(request: Request) -> Response:
    """GET /api/files/{id}: the file's bytes for a caller who may read it.

    The caller is the session cookie's user, re-checked in the database; the file's owner and
    organisation scope decide (cabinet.files.queries.may_read). Missing and forbidden files
    both answer 404. Runs in Starlette's thread pool (sync DB access).
    """
    from cabinet.accounts.sessions import resolve_user_id
    from cabinet.db import session_scope
    from cabinet.errors import DomainError
    from cabinet.files.queries import open_file

    token = request.cookies.get(SESSION_COOKIE, "")
    file_id = request.path_params["file_id"]
    with session_scope() as s:
        user_id = resolve_user_id(s, token)
        if user_id is None:
            return _error(401, "Войдите в личный кабинет.")
        try:
            row, path = open_file(s, actor_id=user_id, file_id=file_id)
        except DomainError as e:
            return _error(404, e.message)
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.filename,
        content_disposition_type="attachment",
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


class UploadLimitMiddleware:
    """Refuses an upload request body larger than the limit before it is read whole.

    Reflex's /_upload endpoint hands the multipart body to Starlette, which spools every file
    part to a temporary file before the event handler runs — with no size limit of its own.
    This ASGI middleware sits in front of it: a Content-Length over the limit is answered 413
    at once without reading the body; a body without Content-Length (chunked) is counted as
    it streams and cut off with 413 as soon as it passes the limit. The limit covers the
    whole request (all files of one upload), `settings.upload_max_bytes` plus multipart
    overhead; store_upload then applies each module's own, possibly smaller, limit.
    """

    def __init__(self, app: Any, max_bytes: int | None = None, suffix: str = "/_upload") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.suffix = suffix

    @property
    def limit(self) -> int:
        base = self.max_bytes if self.max_bytes is not None else settings.upload_max_bytes
        return base + MULTIPART_OVERHEAD

    async def _refuse(self, scope: Any, send: Any) -> None:
        mb = (self.limit - MULTIPART_OVERHEAD) / (1024 * 1024)
        response = _error(413, f"Файл слишком большой: не больше {mb:g} МБ.")
        response.headers["Connection"] = "close"
        await response(scope, _no_receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not scope.get("path", "").endswith(self.suffix)
        ):
            await self.app(scope, receive, send)
            return
        limit = self.limit
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(scope, send)
                    return
        received = 0
        tripped = False
        started = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, tripped
            if tripped:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    tripped = True  # the app sees a client that went away
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if not tripped:
                started = True
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not tripped:
                raise  # a real error, not the disconnect we made up
        if tripped and not started:
            await self._refuse(scope, send)


async def _no_receive() -> dict[str, Any]:  # pragma: no cover - responses do not read
    return {"type": "http.disconnect"}


ROUTES: list[Route] = [
    Route("/api/health", health),
    Route("/api/files/{file_id:int}", download_file, methods=["GET"]),
    *ESIGN_ROUTES,  # public: CA certificate, CRL, certificates, signature bundles
    *ERP_API_ROUTES,  # integration API /api/v1 (token per organisation)
    *telecom_routes(),  # payment webhook; the sandbox provider when PAYMENT_SANDBOX
]

api = Starlette(routes=ROUTES, middleware=[Middleware(UploadLimitMiddleware)])
