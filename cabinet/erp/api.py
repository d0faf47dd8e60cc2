"""The integration API (/api/v1): a customer's own system reads its organisation's orders,
shipping documents and certificates with a token from the page "Доступ по API".

Every call carries `Authorization: Bearer cab_…`; `service.use_token` checks the hash, the
revocation and the per-token rate limit and returns the token's organisation, which every
query filters on (another organisation's id answers 404, as a missing one). Errors are JSON
`{"detail": "..."}` with 401 (no/wrong/revoked token), 404, 422 (bad parameter), 429.
OpenAPI: /api/v1/openapi.json; a readable page: /api/v1/docs (static HTML, no CDN).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from cabinet.erp import queries
from cabinet.erp.service import TokenRefused, use_token
from cabinet.errors import DomainError
from models.documents import Certificate

PREFIX = "/api/v1"
NO_STORE = {"Cache-Control": "no-store"}


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"detail": detail}, status_code=status, headers={**NO_STORE, **(headers or {})}
    )


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise ValueError(name)
    return int(raw)


SessionFactory = Callable[[], AbstractContextManager[Session]]


def _guarded(
    handler: Callable[[Session, int, Request], Response], sessions: SessionFactory
) -> Callable[[Request], Response]:
    """Resolve the token to its organisation, then run the handler in one DB session."""

    def endpoint(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _error(
                401,
                "Нужен заголовок Authorization: Bearer <токен>.",
                {"WWW-Authenticate": "Bearer"},
            )
        with sessions() as s:
            try:
                org_id = use_token(s, secret.strip())
            except TokenRefused as e:
                headers = (
                    {"Retry-After": "60"} if e.status == 429 else {"WWW-Authenticate": "Bearer"}
                )
                return _error(e.status, e.message, headers)
            try:
                return handler(s, org_id, request)
            except ValueError as e:
                return _error(422, f"Неверный параметр: {e}")
            except DomainError as e:
                return _error(404, e.message)

    return endpoint


def _page(rows: list[dict[str, Any]], next_id: int | None) -> JSONResponse:
    return JSONResponse({"items": rows, "next_after": next_id}, headers=NO_STORE)


def orders(s: Session, org_id: int, request: Request) -> Response:
    status = request.query_params.get("status", "")
    if status and status not in ("placed", "in_progress", "completed", "cancelled"):
        raise ValueError("status")
    rows, nxt = queries.api_orders(
        s,
        organisation_id=org_id,
        status=status,
        after_id=_int(request, "after", 0),
        limit=_int(request, "limit", 50),
    )
    return _page(rows, nxt)


def order(s: Session, org_id: int, request: Request) -> Response:
    data = queries.api_order(s, organisation_id=org_id, order_id=request.path_params["order_id"])
    return JSONResponse(data, headers=NO_STORE)


def _prefix(request: Request) -> bool:
    return request.query_params.get("prefix", "") in ("1", "true", "yes")


def documents(s: Session, org_id: int, request: Request) -> Response:
    rows, nxt = queries.api_documents(
        s,
        organisation_id=org_id,
        number=request.query_params.get("number", ""),
        prefix=_prefix(request),
        after_id=_int(request, "after", 0),
        limit=_int(request, "limit", 50),
    )
    return _page(rows, nxt)


def certificates(s: Session, org_id: int, request: Request) -> Response:
    rows, nxt = queries.api_certificates(
        s,
        organisation_id=org_id,
        number=request.query_params.get("number", ""),
        batch=request.query_params.get("batch", ""),
        prefix=_prefix(request),
        after_id=_int(request, "after", 0),
        limit=_int(request, "limit", 50),
    )
    return _page(rows, nxt)


def certificate_pdf(s: Session, org_id: int, request: Request) -> Response:
    cert = queries.api_certificate(
        s, organisation_id=org_id, certificate_id=request.path_params["certificate_id"]
    )
    return Response(
        render_certificate(cert),
        media_type="application/pdf",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="certificate-{cert.id}.pdf"',
        },
    )


def render_certificate(cert: Certificate) -> bytes:
    """A one-page quality certificate (reportlab, DejaVu Sans for Cyrillic)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from cabinet.applications.documents import FONT, FONT_BOLD, _register_fonts

    _register_fonts()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(f"Сертификат качества № {cert.number}")
    _width, height = A4
    y = height - 60
    pdf.setFont(FONT_BOLD, 15)
    pdf.drawString(50, y, f"Сертификат качества № {cert.number}")
    y -= 28
    pdf.setFont(FONT, 10)
    facts = [
        ("Изготовитель", cert.producer),
        ("Продукция", cert.product_name),
        ("Код продукции", cert.product_code),
        ("Марка стали", cert.grade),
        ("Размеры", cert.dimensions),
        ("Стандарт", cert.standard),
        ("Партия", cert.batch),
        ("Плавка", cert.heat),
        ("Количество", f"{cert.quantity or ''} {cert.unit}"),
        ("Дата выдачи", cert.issued_on.strftime("%d.%m.%Y")),
        ("Грузополучатель", cert.consignee),
    ]
    for label, value in facts:
        pdf.drawString(50, y, f"{label}:")
        pdf.drawString(190, y, str(value or "—")[:90])
        y -= 16
    for group, values in (cert.disclosed or {}).items():
        if not isinstance(values, dict):
            continue
        y -= 8
        pdf.setFont(FONT_BOLD, 11)
        title = {"chemistry": "Химический состав, %", "mechanics": "Механические свойства"}
        pdf.drawString(50, y, title.get(group, group))
        y -= 16
        pdf.setFont(FONT, 10)
        for k, v in values.items():
            pdf.drawString(60, y, f"{k}: {v}"[:100])
            y -= 14
    pdf.setFont(FONT, 8)
    pdf.drawString(50, 40, f"Выгружено из личного кабинета; ключ ERP {cert.erp_id}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


# -- OpenAPI and the human page -------------------------------------------------------------
def _list_params(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *extra,
        {
            "name": "after",
            "in": "query",
            "schema": {"type": "integer"},
            "description": "next_after of the previous page (keyset)",
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "default": 50, "maximum": queries.API_MAX_LIMIT},
        },
    ]


def _q(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "schema": schema or {"type": "string"},
        "description": description,
    }


def _obj(fields: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {f: {} for f in fields}}


def _list_of(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
            "next_after": {"type": ["integer", "null"]},
        },
    }


def _ok(schema: dict[str, Any], summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "404": {"$ref": "#/components/responses/NotFound"},
                "429": {"$ref": "#/components/responses/TooMany"},
            },
        }
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_spec() -> dict[str, Any]:
    prefix_param = _q("prefix", "1: number/batch is a prefix (starts with)", {"type": "boolean"})
    status_enum = ["placed", "in_progress", "completed", "cancelled"]
    err = {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}}
    order_id = {"name": "order_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    cert_id = {
        "name": "certificate_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    pdf = _ok({}, "Certificate as PDF", [cert_id])
    pdf["get"]["responses"]["200"] = {
        "description": "PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cabinet integration API",
            "version": "1.0",
            "description": "Orders, shipping documents and quality certificates of the token's "
            "organisation. Tokens: page «Доступ по API» of the portal (customer administrators).",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": {
            "/orders": _ok(
                _list_of("Order"),
                "Orders, newest first",
                _list_params(_q("status", "order status", {"type": "string", "enum": status_enum})),
            ),
            "/orders/{order_id}": _ok(
                _ref("OrderDetail"), "One order with lines and documents", [order_id]
            ),
            "/documents": _ok(
                _list_of("Document"),
                "Shipping and closing documents; search by number",
                _list_params(_q("number", "document number (exact, or prefix)"), prefix_param),
            ),
            "/certificates": _ok(
                _list_of("Certificate"),
                "Quality certificates; search by number or batch",
                _list_params(
                    _q("number", "certificate number"), _q("batch", "batch number"), prefix_param
                ),
            ),
            "/certificates/{certificate_id}/pdf": pdf,
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"detail": {"type": "string"}}},
                "Order": _obj(queries.ORDER_FIELDS),
                "OrderDetail": {
                    **_obj(queries.ORDER_FIELDS),
                    "properties": {
                        **_obj(queries.ORDER_FIELDS)["properties"],
                        "lines": {"type": "array", "items": _obj(queries.LINE_FIELDS)},
                        "documents": {"type": "array", "items": _ref("Document")},
                    },
                },
                "Document": _obj(queries.DOC_FIELDS),
                "Certificate": _obj(queries.CERT_FIELDS),
            },
            "responses": {"Unauthorized": err, "NotFound": err, "TooMany": err},
        },
    }


def openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_spec())


def docs(_request: Request) -> HTMLResponse:
    spec = openapi_spec()
    rows = []
    for path, item in spec["paths"].items():
        op = item["get"]
        params = ", ".join(
            f"<code>{html.escape(p['name'])}</code>" for p in op.get("parameters", [])
        )
        summary = SUMMARIES_RU.get(path, op["summary"])
        rows.append(
            f"<tr><td><code>GET {PREFIX}{html.escape(path)}</code></td>"
            f"<td>{html.escape(summary)}</td><td>{params or '—'}</td></tr>"
        )
    page = DOCS_HTML.replace("{rows}", "\n".join(rows)).replace("{prefix}", PREFIX)
    return HTMLResponse(page)


SUMMARIES_RU = {
    "/orders": "Заказы организации, новые первыми; фильтр по статусу",
    "/orders/{order_id}": "Заказ со строками спецификации и документами",
    "/documents": "Отгрузочные и закрывающие документы; поиск по номеру",
    "/certificates": "Сертификаты качества; поиск по номеру или партии",
    "/certificates/{certificate_id}/pdf": "Сертификат качества в PDF",
}

DOCS_HTML = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API личного кабинета</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:24px;
color:#1c2024;background:#f9f9fb;line-height:1.5}
main{max-width:960px;margin:0 auto;background:#fff;border:1px solid #e0e1e6;border-radius:12px;
padding:24px}
h1{font-size:1.5rem;margin-top:0}h2{font-size:1.15rem;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.92rem}
td,th{border-bottom:1px solid #e0e1e6;padding:8px;text-align:left;vertical-align:top}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88rem}
pre{background:#f0f0f3;padding:12px;border-radius:8px;overflow-x:auto}
.wrap{overflow-x:auto}
@media (max-width:600px){body{padding:8px}main{padding:16px}td,th{padding:6px 4px}}
</style></head><body><main>
<h1>API личного кабинета</h1>
<p>Интеграционный API отдаёт вашей учётной системе заказы, отгрузочные документы и сертификаты
качества <b>вашей организации</b>. Токен создаёт администратор организации на странице
«Доступ по API» личного кабинета; токен показывается один раз, его можно отозвать.</p>
<h2>Авторизация</h2>
<pre>curl -H "Authorization: Bearer cab_…" https://&lt;кабинет&gt;{prefix}/orders?limit=20</pre>
<p>Ошибки — JSON <code>{"detail": "…"}</code>: 401 — нет токена, неверный или отозванный;
404 — запись не найдена (в том числе чужая); 422 — неверный параметр; 429 — превышен лимит
запросов в минуту (заголовок <code>Retry-After</code>).</p>
<h2>Методы</h2>
<div class="wrap"><table><thead><tr><th>Запрос</th><th>Что возвращает</th><th>Параметры</th>
</tr></thead><tbody>
{rows}
</tbody></table></div>
<h2>Страницы списков</h2>
<p>Списки возвращают <code>{"items": [...], "next_after": 123}</code>; следующая страница —
тот же запрос с <code>after=123</code>. <code>next_after: null</code> — страниц больше нет.
Поиск по номеру: точный (<code>number=СК-00000012</code>) или по началу номера
(<code>number=СК-000&amp;prefix=1</code>); сертификаты также по партии (<code>batch=</code>).</p>
<h2>Схема</h2>
<p>OpenAPI 3.1: <a href="{prefix}/openapi.json"><code>{prefix}/openapi.json</code></a></p>
</main></body></html>
"""


def routes(sessions: SessionFactory | None = None) -> list[Route]:
    """The API's routes; `sessions` opens the DB session (default: cabinet.db.session_scope)."""
    if sessions is None:
        from cabinet.db import session_scope

        sessions = session_scope
    return [
        Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
        Route(f"{PREFIX}/docs", docs, methods=["GET"]),
        Route(f"{PREFIX}/orders", _guarded(orders, sessions), methods=["GET"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}", _guarded(order, sessions), methods=["GET"]),
        Route(f"{PREFIX}/documents", _guarded(documents, sessions), methods=["GET"]),
        Route(f"{PREFIX}/certificates", _guarded(certificates, sessions), methods=["GET"]),
        Route(
            f"{PREFIX}/certificates/{{certificate_id:int}}/pdf",
            _guarded(certificate_pdf, sessions),
            methods=["GET"],
        ),
    ]


ROUTES = routes()
