"""Company lookup by INN through a DaData-compatible "findById/party" API over httpx.

POST settings.dadata_url with `Authorization: Token <settings.dadata_token>` and
{"query": inn}; the first suggestion's data becomes a `CompanyInfo`. Without a token the lookup
is off (the form works by hand); a timeout, a network error or a 5xx gives a friendly message.
No Reflex, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from cabinet.settings import settings
from models.organisations import CounterpartyKind


@dataclass(frozen=True)
class CompanyInfo:
    inn: str
    kind: str  # CounterpartyKind
    name: str
    kpp: str = ""
    ogrn: str = ""
    address: str = ""

    def as_form(self) -> dict[str, str]:
        """Organisation column values for the counterparty form."""
        out = {"kind": self.kind, "name": self.name, "inn": self.inn, "ogrn": self.ogrn}
        if self.kind == CounterpartyKind.LEGAL:
            out |= {"kpp": self.kpp, "legal_address": self.address}
        else:
            out["address"] = self.address
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class LookupResult:
    enabled: bool  # a token is configured
    company: CompanyInfo | None = None
    message: str = ""  # Russian, for the user when nothing was found or the service failed
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.company is not None


OFF = LookupResult(enabled=False)
NOT_FOUND = "Организация с таким ИНН не найдена в справочнике — заполните данные вручную."
UNAVAILABLE = "Справочник организаций сейчас недоступен — заполните данные вручную."


def _s(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def parse_response(inn: str, payload: Any) -> LookupResult:
    """Map a DaData answer to a LookupResult (the first suggestion wins)."""
    suggestions = payload.get("suggestions") if isinstance(payload, dict) else None
    if not suggestions or not isinstance(suggestions, list):
        return LookupResult(enabled=True, message=NOT_FOUND)
    first = suggestions[0] if isinstance(suggestions[0], dict) else {}
    data = first.get("data") or {}
    if not isinstance(data, dict) or not data:
        return LookupResult(enabled=True, message=NOT_FOUND)
    names = data.get("name") if isinstance(data.get("name"), dict) else {}
    address = data.get("address") if isinstance(data.get("address"), dict) else {}
    kind = (
        CounterpartyKind.SOLE
        if _s(data.get("type")).upper() == "INDIVIDUAL" or len(_s(data.get("inn")) or inn) == 12
        else CounterpartyKind.LEGAL
    )
    name = (
        _s(names.get("short_with_opf")) or _s(names.get("full_with_opf")) or _s(first.get("value"))
    )
    company = CompanyInfo(
        inn=_s(data.get("inn")) or inn,
        kind=str(kind),
        name=name[:300],
        kpp=_s(data.get("kpp"))[:9],
        ogrn=_s(data.get("ogrn"))[:15],
        address=(_s(address.get("unrestricted_value")) or _s(address.get("value")))[:500],
    )
    return LookupResult(enabled=True, company=company)


def _request(inn: str, token: str) -> tuple[dict[str, str], dict[str, str]]:
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    return headers, {"query": inn}


def _answer(inn: str, response: httpx.Response) -> LookupResult:
    if response.status_code >= 400:
        return LookupResult(
            enabled=True, message=UNAVAILABLE, extra={"status": response.status_code}
        )
    try:
        return parse_response(inn, response.json())
    except ValueError:
        return LookupResult(enabled=True, message=UNAVAILABLE)


def lookup_by_inn(
    inn: str, *, url: str | None = None, token: str | None = None, timeout: float | None = None
) -> LookupResult:
    """Find a company by INN (blocking). Never raises for service trouble."""
    token = settings.dadata_token if token is None else token
    if not token:
        return OFF
    headers, body = _request(inn, token)
    try:
        with httpx.Client(timeout=timeout or settings.http_timeout_seconds) as client:
            response = client.post(url or settings.dadata_url, json=body, headers=headers)
    except httpx.HTTPError:
        return LookupResult(enabled=True, message=UNAVAILABLE)
    return _answer(inn, response)


async def alookup_by_inn(
    inn: str, *, url: str | None = None, token: str | None = None, timeout: float | None = None
) -> LookupResult:
    """The same lookup for async event handlers (does not block the event loop)."""
    token = settings.dadata_token if token is None else token
    if not token:
        return OFF
    headers, body = _request(inn, token)
    try:
        async with httpx.AsyncClient(timeout=timeout or settings.http_timeout_seconds) as client:
            response = await client.post(url or settings.dadata_url, json=body, headers=headers)
    except httpx.HTTPError:
        return LookupResult(enabled=True, message=UNAVAILABLE)
    return _answer(inn, response)
