"""The event websocket's CORS origins: strict in production, open in development."""

from __future__ import annotations

import pytest

import rxconfig
from cabinet.settings import settings


@pytest.fixture
def prod(monkeypatch):
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    monkeypatch.delenv("REFLEX_FRONTEND_PORT", raising=False)
    monkeypatch.setattr(settings, "cors_origins", ["http://localhost:3000"])
    monkeypatch.setattr(settings, "public_url", "https://lk.example.ru/cabinet/")
    return monkeypatch


def test_production_accepts_only_configured_origins_and_the_public_url(prod):
    assert rxconfig._cors_allowed_origins() == ("http://localhost:3000", "https://lk.example.ru")


def test_production_accepts_localhost_on_the_frontend_port(prod):
    prod.setenv("REFLEX_FRONTEND_PORT", "3105")
    origins = rxconfig._cors_allowed_origins()
    assert "http://localhost:3105" in origins
    assert "http://127.0.0.1:3105" in origins
    assert "*" not in origins


def test_unknown_run_mode_counts_as_production(prod):
    prod.delenv("REFLEX_ENV_MODE")
    assert "*" not in rxconfig._cors_allowed_origins()


def test_development_accepts_any_origin(prod):
    prod.setenv("REFLEX_ENV_MODE", "dev")
    assert rxconfig._cors_allowed_origins() == ("*",)


def test_a_star_in_cors_origins_opens_production_on_purpose(prod):
    prod.setattr(settings, "cors_origins", ["*"])
    assert rxconfig._cors_allowed_origins() == ("*",)
