"""The ERP's HTTP API over httpx: the change feed and order requests.

    GET  {ERP_URL}/api/changes/<entity>?since=<cursor>&limit=N
    POST {ERP_URL}/api/order-requests

Network errors, timeouts, 5xx and 429 are `ErpError(transient=True)` (retry later); other
answers that are not what we expect are `ErpError(transient=False)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from cabinet.settings import Settings, settings


class ErpError(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        self.reason = reason
        self.transient = transient
        super().__init__(reason)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next: str
    has_more: bool


@dataclass(frozen=True)
class Answer:
    status: str  # accepted | rejected
    answer: str


class ChangeFeed(Protocol):
    def changes(self, entity: str, since: str, limit: int) -> Page: ...


class ErpClient:
    """One httpx connection pool to the ERP; close() it (or use `with`)."""

    def __init__(self, config: Settings | None = None, *, url: str = "", token: str = "") -> None:
        config = config or settings
        base = (url or config.erp_url).rstrip("/")
        if not base:
            raise ErpError("ERP не настроена (ERP_URL пуст).", transient=False)
        headers = {"Accept": "application/json"}
        if token or config.erp_token:
            headers["Authorization"] = f"Bearer {token or config.erp_token}"
        self._client_args: dict[str, Any] = {
            "base_url": base,
            "headers": headers,
            "timeout": max(config.http_timeout_seconds, 30.0),
        }
        self.http = httpx.Client(**self._client_args)

    def for_child(self) -> ErpClient:
        """The same client with connections of its own, for a forked process (the sync's
        page reader): the inherited pool's sockets stay the parent's. The inherited pool is
        left alone, never closed, in the child."""
        twin = object.__new__(ErpClient)
        twin._client_args = self._client_args
        twin.http = httpx.Client(**self._client_args)
        return twin

    def __enter__(self) -> ErpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            raise ErpError(f"ERP недоступна: {type(e).__name__}: {e}", transient=True) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ErpError(f"ERP ответила {response.status_code}", transient=True)
        if response.status_code != 200:
            raise ErpError(
                f"ERP ответила {response.status_code}: {response.text[:200]}", transient=False
            )
        try:
            return response.json()
        except ValueError:
            raise ErpError("ERP прислала не JSON", transient=True) from None

    def changes(self, entity: str, since: str, limit: int) -> Page:
        data = self._request(
            "GET", f"/api/changes/{entity}", params={"since": since, "limit": limit}
        )
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise ErpError("ERP прислала страницу без rows", transient=True)
        return Page(
            rows=data["rows"],
            next=str(data.get("next") or since),
            has_more=bool(data.get("has_more")),
        )

    def send_request(
        self, *, key: str, order: str, kind: str, payload: Any, comment: str
    ) -> Answer:
        data = self._request(
            "POST",
            "/api/order-requests",
            json={"key": key, "order": order, "kind": kind, "payload": payload, "comment": comment},
        )
        status = data.get("status") if isinstance(data, dict) else None
        if status not in ("accepted", "rejected"):
            raise ErpError(f"ERP прислала непонятный ответ: {str(data)[:200]}", transient=True)
        return Answer(status=status, answer=str(data.get("answer") or "")[:2000])
