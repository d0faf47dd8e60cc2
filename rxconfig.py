"""Reflex configuration; every value comes from cabinet.settings (environment variables)."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from cabinet.settings import settings

_extra: dict = {}
if settings.redis_url:
    _extra["redis_url"] = settings.redis_url

config = rx.Config(
    app_name="cabinet",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=settings.cors_origins,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    disable_plugins=[SitemapPlugin],
    **_extra,
)
