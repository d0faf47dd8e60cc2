"""The DaData adapter against a real local fake server (no monkeypatching)."""

from __future__ import annotations

import asyncio

import pytest

from cabinet.organisations.dadata import (
    NOT_FOUND,
    UNAVAILABLE,
    alookup_by_inn,
    lookup_by_inn,
    parse_response,
)
from tests.fakes.dadata_server import SERVER_ERROR_INN, SLOW_INN, FakeDaData


@pytest.fixture(scope="module")
def fake():
    with FakeDaData(slow_seconds=2.0) as server:
        yield server


def test_found_company_is_mapped_to_counterparty_fields(fake):
    result = lookup_by_inn("7707083893", url=fake.url, token=fake.token)
    assert result.enabled and result.found
    c = result.company
    assert (c.kind, c.inn, c.kpp, c.ogrn) == ("legal", "7707083893", "773601001", "1027700132195")
    assert c.name == 'ПАО "СБЕРБАНК"'
    assert c.address.startswith("117312")
    assert fake.requests[-1] == {"auth": f"Token {fake.token}", "body": {"query": "7707083893"}}


def test_sole_proprietor_is_recognised(fake):
    c = lookup_by_inn("500100732259", url=fake.url, token=fake.token).company
    assert c is not None
    assert (c.kind, c.ogrn) == ("sole", "304500116000157")
    assert c.as_form()["address"].startswith("141800")


def test_unknown_inn_is_not_found_with_a_message(fake):
    result = lookup_by_inn("7702070139", url=fake.url, token=fake.token)
    assert result.enabled and not result.found
    assert result.message == NOT_FOUND


def test_server_error_gives_friendly_message(fake):
    result = lookup_by_inn(SERVER_ERROR_INN, url=fake.url, token=fake.token)
    assert not result.found
    assert result.message == UNAVAILABLE


def test_timeout_gives_friendly_message(fake):
    result = lookup_by_inn(SLOW_INN, url=fake.url, token=fake.token, timeout=0.3)
    assert not result.found
    assert result.message == UNAVAILABLE


def test_wrong_token_is_refused_politely(fake):
    result = lookup_by_inn("7707083893", url=fake.url, token="wrong")
    assert not result.found
    assert result.message == UNAVAILABLE


def test_without_token_lookup_is_off_and_sends_nothing(fake):
    before = len(fake.requests)
    result = lookup_by_inn("7707083893", url=fake.url, token="")
    assert not result.enabled and not result.found and result.message == ""
    assert len(fake.requests) == before


def test_unreachable_service_gives_friendly_message():
    with FakeDaData() as server:
        url = server.url
    result = lookup_by_inn("7707083893", url=url, token="t", timeout=1)
    assert result.message == UNAVAILABLE


def test_async_lookup_finds_the_same_company(fake):
    result = asyncio.run(alookup_by_inn("7728168971", url=fake.url, token=fake.token))
    assert result.found and result.company.kpp == "770401001"


def test_async_lookup_timeout(fake):
    result = asyncio.run(alookup_by_inn(SLOW_INN, url=fake.url, token=fake.token, timeout=0.3))
    assert result.message == UNAVAILABLE


@pytest.mark.parametrize("payload", [None, [], {}, {"suggestions": None}, {"suggestions": [1]}])
def test_odd_payloads_are_not_found(payload):
    assert not parse_response("7707083893", payload).found
