"""The payment-provider adapter over httpx: create a payment (the card holder confirms it on
the provider's page), read its status, charge a saved card token, refund.

The wire protocol is the one the sandbox (cabinet/telecom/sandbox.py) speaks, modelled on the
usual Russian acquiring APIs: HTTP Basic auth with the shop id and secret key, an
`Idempotence-Key` header on every POST (the same key returns the same payment instead of a
second one), JSON bodies with amounts in kopecks. A real provider plugs in by pointing
PAYMENT_PROVIDER_URL / PAYMENT_SHOP_ID / PAYMENT_SECRET at it (or by a subclass that maps its
own fields).

Errors: `ProviderTimeout` when the provider did not answer in time (the outcome is unknown:
the payment may exist there), `ProviderUnavailable` for connection failures and 5xx,
`ProviderRejected` for a 4xx (our request was wrong; nothing was created).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from cabinet.settings import Settings, settings

SANDBOX_PREFIX = "/api/sandbox-pay"


class ProviderError(Exception):
    """The provider could not be asked or refused the request."""


class ProviderTimeout(ProviderError):
    """No answer in time: the payment may or may not exist at the provider."""


class ProviderUnavailable(ProviderError):
    """Connection refused, DNS, 5xx: the request did not get through."""


class ProviderRejected(ProviderError):
    """4xx: the provider refused the request itself."""


@dataclass(frozen=True)
class CardInfo:
    token: str
    last4: str
    brand: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ProviderPayment:
    id: str
    status: str  # "pending" | "succeeded" | "canceled"
    amount_kopecks: int
    confirmation_url: str = ""
    decline_code: str = ""  # why a canceled payment was declined
    card: CardInfo | None = None  # the saved card, when the payer asked to save it
    refunded_kopecks: int = 0


def _payment(data: dict[str, Any]) -> ProviderPayment:
    card = data.get("card") or None
    return ProviderPayment(
        id=str(data["id"]),
        status=str(data.get("status", "pending")),
        amount_kopecks=int(data.get("amount", 0)),
        confirmation_url=str(data.get("confirmation_url") or ""),
        decline_code=str(data.get("cancellation_reason") or ""),
        card=CardInfo(
            token=str(card["token"]),
            last4=str(card.get("last4", "")),
            brand=str(card.get("brand", "")),
            exp_month=int(card.get("exp_month", 0)),
            exp_year=int(card.get("exp_year", 0)),
        )
        if isinstance(card, dict) and card.get("token")
        else None,
        refunded_kopecks=int(data.get("refunded", 0)),
    )


class PaymentProvider:
    """A client of one provider account. Thread-safe; one httpx.Client per call."""

    def __init__(
        self,
        *,
        base_url: str,
        shop_id: str,
        secret: str,
        timeout: float = 10.0,
        webhook_url: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.shop_id = shop_id
        self.secret = secret
        self.timeout = timeout
        self.webhook_url = webhook_url
        self._transport = transport

    # -------------------------------------------------------------- HTTP

    def _request(
        self, method: str, path: str, *, key: str = "", body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotence-Key": key} if key else {}
        try:
            with httpx.Client(
                timeout=self.timeout,
                auth=(self.shop_id, self.secret),
                transport=self._transport,
            ) as client:
                response = client.request(method, self.base_url + path, json=body, headers=headers)
        except httpx.TimeoutException as e:
            raise ProviderTimeout(str(e) or "timeout") from e
        except httpx.HTTPError as e:
            raise ProviderUnavailable(str(e) or type(e).__name__) from e
        if response.status_code >= 500:
            raise ProviderUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("description", ""))
            except ValueError:
                detail = response.text[:200]
            raise ProviderRejected(f"HTTP {response.status_code}: {detail}")
        try:
            data = response.json()
        except ValueError as e:
            raise ProviderUnavailable("not JSON") from e
        if not isinstance(data, dict):
            raise ProviderUnavailable("not a JSON object")
        return data

    # -------------------------------------------------------------- API

    def create_payment(
        self,
        *,
        idempotency_key: str,
        amount_kopecks: int,
        description: str,
        return_url: str,
        save_card: bool = False,
        metadata: dict[str, str] | None = None,
    ) -> ProviderPayment:
        """A payment the card holder confirms on `confirmation_url` (the provider's page)."""
        body = {
            "amount": amount_kopecks,
            "currency": "RUB",
            "description": description[:128],
            "return_url": return_url,
            "save_payment_method": save_card,
            "metadata": metadata or {},
            "webhook_url": self.webhook_url,
        }
        return _payment(self._request("POST", "/v1/payments", key=idempotency_key, body=body))

    def charge_token(
        self,
        *,
        idempotency_key: str,
        amount_kopecks: int,
        token: str,
        description: str,
        metadata: dict[str, str] | None = None,
    ) -> ProviderPayment:
        """Charge a saved card without the card holder: the outcome comes in the answer."""
        body = {
            "amount": amount_kopecks,
            "currency": "RUB",
            "description": description[:128],
            "payment_method_id": token,
            "metadata": metadata or {},
            "webhook_url": self.webhook_url,
        }
        return _payment(self._request("POST", "/v1/payments", key=idempotency_key, body=body))

    def get_payment(self, provider_payment_id: str) -> ProviderPayment:
        return _payment(self._request("GET", f"/v1/payments/{provider_payment_id}"))

    def refund(
        self, *, idempotency_key: str, provider_payment_id: str, amount_kopecks: int
    ) -> ProviderPayment:
        """Return money of a succeeded payment; answers the refund (status succeeded/canceled)."""
        body = {"payment_id": provider_payment_id, "amount": amount_kopecks}
        return _payment(self._request("POST", "/v1/refunds", key=idempotency_key, body=body))


# --------------------------------------------------------------------------- configuration


def sandbox_enabled(config: Settings | None = None) -> bool:
    cfg = config or settings
    if cfg.payment_sandbox is not None:
        return cfg.payment_sandbox
    return not cfg.payment_shop_id


def backend_url() -> str:
    """This app's own backend address (where /api/... is served)."""
    try:
        from reflex.config import get_config

        return str(get_config().api_url).rstrip("/")
    except Exception:  # pragma: no cover - outside a Reflex app
        return "http://localhost:8000"


def provider_from_settings(config: Settings | None = None) -> PaymentProvider:
    """The configured provider; the mounted sandbox when no provider URL is set."""
    cfg = config or settings
    base = cfg.payment_provider_url
    shop, secret = cfg.payment_shop_id, cfg.payment_secret
    if not base:
        base = backend_url() + SANDBOX_PREFIX
        shop, secret = shop or "sandbox", secret or "sandbox-secret"
    webhook = cfg.payment_webhook_url or backend_url() + "/api/telecom/payment-webhook"
    return PaymentProvider(
        base_url=base,
        shop_id=shop,
        secret=secret,
        timeout=cfg.payment_timeout_seconds,
        webhook_url=webhook,
    )


# --------------------------------------------------------------------------- HTTP routes


def webhook_endpoint(config: Settings | None = None) -> Any:
    """POST /api/telecom/payment-webhook: the provider says a payment changed.

    The body is only a hint: the payment is looked up by the provider's id and its status is
    asked from the provider itself, so a forged call can at most trigger a re-check."""
    import asyncio

    async def payment_webhook(request: Request) -> JSONResponse:
        try:
            data = await request.json()
            provider_id = str((data.get("object") or {}).get("id", ""))[:64]
        except (ValueError, AttributeError, TypeError):
            return JSONResponse({"detail": "bad body"}, status_code=400)
        status = await asyncio.to_thread(_recheck_by_provider_id, provider_id, config)
        if status is None:
            return JSONResponse({"detail": "unknown payment"}, status_code=404)
        return JSONResponse({"status": status})

    return payment_webhook


def _recheck_by_provider_id(provider_id: str, config: Settings | None) -> str | None:
    from cabinet.db import session_scope
    from cabinet.telecom import service

    with session_scope() as s:
        payment_id = service.payment_by_provider_id(s, provider_id)
        if payment_id is None:
            return None
        pay = service.refresh_payment(
            s, payment_id=payment_id, provider=provider_from_settings(config)
        )
        return str(pay.status)


def http_routes(config: Settings | None = None) -> list[BaseRoute]:
    """Routes for cabinet/api.py: the webhook, and the sandbox provider when it is on."""
    routes: list[BaseRoute] = [
        Route("/api/telecom/payment-webhook", webhook_endpoint(config), methods=["POST"])
    ]
    if sandbox_enabled(config):
        from cabinet.telecom.sandbox import mounted_app

        routes.append(Mount(SANDBOX_PREFIX, app=mounted_app()))
    return routes
