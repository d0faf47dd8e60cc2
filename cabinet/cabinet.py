"""The Reflex app: adds every module's pages; nothing else."""

from __future__ import annotations

import reflex as rx

import models  # noqa: F401  (registers the tables)
from cabinet import home
from cabinet.admin import pages as admin
from cabinet.api import api

app = rx.App(
    api_transformer=api,
    head_components=[rx.el.link(rel="icon", href="/logo.svg")],
)

home.add_pages(app)
admin.add_pages(app)
