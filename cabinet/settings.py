"""One settings class, read from environment variables (and an optional .env file).

Read by rxconfig.py, alembic/env.py, the services and the tests.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    # Storage
    database_url: str = f"sqlite:///{ROOT / 'var' / 'cabinet.db'}"
    redis_url: str = ""
    data_dir: Path = ROOT / "var"

    # Public site
    public_url: str = "http://localhost:3000"
    display_timezone: str = "Europe/Moscow"  # how stored UTC times are shown
    cors_origins: list[str] = ["http://localhost:3000", "http://127.0.0.1:3000"]

    # Security
    secret_key: str = "dev-insecure-change-me"
    session_ttl_minutes: int = 60 * 12
    session_idle_minutes: int = 60 * 2
    code_ttl_seconds: int = 600
    code_max_attempts: int = 5
    code_resend_seconds: int = 60
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_window_minutes: int = 15
    upload_max_bytes: int = 10 * 1024 * 1024

    # External services (empty = not configured: local fallbacks are used)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "cabinet@localhost"
    smtp_tls: bool = False
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    dadata_url: str = "https://suggestions.dadata.ru/suggestions/api/4_1/rs/findById/party"
    dadata_token: str = ""
    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    notify_worker_enabled: bool = True  # the in-process notification delivery task
    http_timeout_seconds: float = 5.0

    # ERP integration (cabinet/erp): empty ERP_URL = no sync worker, no outbound sends.
    # `make run` starts the fake ERP (tests/fakes/erp_server.py) and points ERP_URL at it.
    erp_url: str = ""
    erp_token: str = ""
    erp_sync_interval: int = 20 * 60  # seconds between scheduled delta runs
    erp_sync_batch: int = 5000  # rows per ERP page = per committed batch (bench: 5000 beats 2000)
    erp_worker_enabled: bool = True  # the in-process sync/outbound lifespan task
    api_rate_limit_per_minute: int = 120  # integration API requests per token per minute

    # Electronic signatures (cabinet/esign): the system's CA and users' certificates
    esign_ca_name: str = "Удостоверяющий центр Кабинета"  # CN of the CA certificate
    esign_owner_organisation: str = "ООО «Кабинет»"  # O of the CA; staff certificates' O
    esign_ca_years: int = 10
    esign_cert_days: int = 365  # default validity of a user's certificate
    esign_pin_max_failures: int = 5  # wrong PINs in a row before the key is locked
    esign_pin_lockout_minutes: int = 30

    # Telecom payment provider (cabinet/telecom/payments.py). Without a shop id the built-in
    # sandbox provider is mounted under /api/sandbox-pay and used (PAYMENT_SANDBOX=false: off).
    payment_provider_url: str = ""  # e.g. https://pay.example.ru/api; "" = the sandbox
    payment_shop_id: str = ""
    payment_secret: str = ""
    payment_timeout_seconds: float = 10.0
    payment_sandbox: bool | None = None  # None: on when no shop id is configured
    payment_webhook_url: str = ""  # where the provider posts outcomes; "" = this app's API
    autopay_worker_enabled: bool = True  # the in-process auto-payment task

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


settings = Settings()
