"""The Reflex app: adds every module's pages and background tasks, and tunes the garbage collector."""

from __future__ import annotations

import gc

import reflex as rx

# Reflex imports reflex.model (and with it alembic, mako, pygments: ~100 ms) the first time an
# event carries a dict argument (every form submit: `submit_bid(form_data)`, logins, filters),
# on the event loop: each worker stalled for that long at its first such event — at an
# auction's start, under the first burst of bids. Imported here, it is paid at start-up.
import reflex.model

import models  # noqa: F401  (registers the tables)
from cabinet import home, messaging
from cabinet.accounts import pages as accounts
from cabinet.admin import pages as admin
from cabinet.api import api
from cabinet.applications import pages as applications
from cabinet.auctions import closer as auction_closer
from cabinet.auctions import organiser_pages as auction_organiser
from cabinet.auctions import participant_pages as auction_participant_pages
from cabinet.documents import pages as documents
from cabinet.erp import pages as erp_pages
from cabinet.erp import worker as erp_worker
from cabinet.esign import ca as esign_ca
from cabinet.esign import pages as esign
from cabinet.feedback import pages as feedback
from cabinet.finance import pages as finance
from cabinet.help import pages as help_pages
from cabinet.journals import pages as journals
from cabinet.notifications import delivery as notification_delivery
from cabinet.notifications import pages as notifications
from cabinet.orders import pages as orders
from cabinet.organisations import pages as organisations
from cabinet.outbox import pages as outbox
from cabinet.support import pages as support
from cabinet.telecom import admin_pages as telecom_admin
from cabinet.telecom import autopay as telecom_autopay
from cabinet.telecom import pages as telecom_pages

app = rx.App(
    api_transformer=api,
    head_components=[rx.el.link(rel="icon", href="/logo.svg")],
)

home.add_pages(app)
accounts.add_pages(app)
admin.add_pages(app)
organisations.add_pages(app)
outbox.add_pages(app)
help_pages.add_pages(app)
feedback.add_pages(app)
support.add_pages(app)
notifications.add_pages(app)
applications.add_pages(app)
orders.add_pages(app)
finance.add_pages(app)
documents.add_pages(app)
erp_pages.add_pages(app)
journals.add_pages(app)
esign.add_pages(app)
auction_organiser.add_pages(app)
auction_participant_pages.add_pages(app)
telecom_pages.add_pages(app)
telecom_admin.add_pages(app)

# Sends queued e-mail/SMS when SMTP / the SMS gateway are configured (returns at once otherwise).
app.register_lifespan_task(messaging.delivery_loop)
# Works the notification queue (in-app, e-mail, SMS, Telegram) in every worker process.
app.register_lifespan_task(notification_delivery.delivery_loop)
# Sends customers' order requests to the ERP and runs the ERP delta sync when due (lease).
app.register_lifespan_task(erp_worker.erp_loop)
# Starts auctions, closes lots at their (extended) end and decides winners, once.
app.register_lifespan_task(auction_closer.closer_loop)
# Creates the e-signature CA on first start (race-safe across workers).
app.register_lifespan_task(esign_ca.ensure_ca_on_start)
# Charges due monthly auto-payments (one run per period, claimed before charging) and
# re-checks payments whose outcome never arrived.
app.register_lifespan_task(telecom_autopay.autopay_loop)

# The garbage collector, tuned for a server that keeps many live pages: everything built up to
# here (pages, components, compiled state classes) moves to the permanent generation, so a
# full collection no longer walks it, and young collections run every 20,000 allocations
# instead of 700. Measured on 70 participants x 5 bids/s: the full collections were the
# latency tail (acknowledgement p99 120-129 ms -> 52-58 ms, all pages see a bid p99
# 178-181 -> 121-135 ms) at the same CPU.
gc.freeze()
gc.set_threshold(20_000, 20, 50)
