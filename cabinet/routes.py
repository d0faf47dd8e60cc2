"""Route constants and URL builders: one place for every path of the portal."""

from __future__ import annotations

from urllib.parse import urlencode

HOME = "/"
LOGIN = "/login"
REGISTER = "/register"
CONFIRM = "/register/confirm"
RESET_PASSWORD = "/reset-password"
LOGIN_2FA = "/login/2fa"
PROFILE = "/profile"
SECURITY = "/profile/security"
SESSIONS = "/profile/sessions"
ORGANISATIONS = "/organisations"
LINK_REQUESTS = "/organisations/requests"
ORGANISATION_PROFILE = "/organisations/profile"  # ?id=<organisation id>

ADMIN = "/admin"
ADMIN_USERS = "/admin/users"
ADMIN_ORGANISATIONS = "/admin/organisations"
ADMIN_LINK_REQUESTS = "/admin/link-requests"
ADMIN_ROLES = "/admin/roles"
ADMIN_AUDIT = "/admin/audit"
ADMIN_OUTBOX = "/admin/outbox"
NOTIFICATIONS = "/notifications"
PROFILE_NOTIFICATIONS = "/profile/notifications"
ADMIN_NOTIFY_TEMPLATES = "/admin/notifications/templates"  # ?event=&channel=&lang=
ADMIN_NOTIFY_STATS = "/admin/notifications/stats"  # ?from=&to=&channel=&q=&after=
ADMIN_USER = "/admin/users/view"  # ?id=<user id>
ADMIN_ORGANISATION = "/admin/organisations/view"  # ?id=<organisation id>


def with_query(path: str, **params: object) -> str:
    """`path?k=v` for the non-empty params (filters kept in the URL)."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(clean)}" if clean else path


def organisation_url(org_id: int | str) -> str:
    return with_query(ORGANISATION_PROFILE, id=org_id)


SUPPORT = "/support"  # my support requests
SUPPORT_NEW = "/support/new"
SUPPORT_REQUEST = "/support/view"  # ?id=<request id>
ADMIN_SUPPORT = "/admin/support"  # staff queue
ADMIN_SUPPORT_SETTINGS = "/admin/support/settings"  # departments and categories


def support_request_url(request_id: int | str) -> str:
    return with_query(SUPPORT_REQUEST, id=request_id)


FEEDBACK = "/feedback"  # the form to the site administrator (also for anonymous visitors)
HELP = "/help"  # public help: list and search (?q=)
HELP_ARTICLE = "/help/[help_slug]"  # one article
SURVEYS = "/surveys"  # active surveys for the logged-in user
RATE = "/rate"  # one-click quality ratings
ADMIN_FEEDBACK = "/admin/feedback"  # staff list of feedback (?status=&topic=&q=)
ADMIN_HELP = "/admin/help"  # help articles for editors
ADMIN_HELP_EDIT = "/admin/help/edit"  # ?id=<article id>; without id: a new article
ADMIN_SURVEYS = "/admin/surveys"
ADMIN_SURVEY = "/admin/surveys/edit"  # ?id=<survey id>
ADMIN_SURVEY_STATS = "/admin/surveys/stats"  # ?id=<survey id>
ADMIN_RATINGS = "/admin/ratings"  # quality-rating statistics


def help_article_url(slug: str) -> str:
    return f"{HELP}/{slug}"


APPLICATIONS = "/applications"  # my grid-connection applications (?tab=&status=&from=&to=&q=…)
APPLICATION_EDIT = "/applications/edit"  # ?id=<application id>: the draft form
APPLICATION_VIEW = "/applications/view"  # ?id=<application id>
ADMIN_APPLICATIONS = "/admin/applications"  # staff registry


def application_url(application_id: int | str) -> str:
    return with_query(APPLICATION_VIEW, id=application_id)


ESIGN_MY = "/esign"  # my electronic signature: request, certificate, revoke, PIN
ESIGN_ADMIN = "/admin/esign"  # the owner: certificate requests, issue/reject, revoke (?status=&q=)
VERIFY = "/verify"  # public: ?code=<signature code>
ESIGN_CA_PEM = "/api/esign/ca.pem"  # public: the CA certificate
ESIGN_CRL_DER = "/api/esign/crl.der"  # public: the CRL (DER)
ESIGN_CRL_PEM = "/api/esign/crl.pem"  # public: the CRL (PEM)
ESIGN_CERT_PEM = "/api/esign/certificates"  # public: /<serial>.pem, an issued certificate


def verify_url(code: str) -> str:
    return with_query(VERIFY, code=code)


def esign_bundle_url(code: str) -> str:
    return f"/api/esign/signatures/{code}.zip"


AUCTIONS = "/auctions"  # participants: the auction calendar (?month=2026-12&view=month|list)
AUCTION = "/auctions/view"  # ?id=<auction id>: one auction and its lots
AUCTION_LOTS = "/auctions/lots"  # participants: lot list with search and filters
AUCTION_LOT = "/auctions/lot"  # ?id=<lot id>: the live lot page
ADMIN_AUCTIONS = "/admin/auctions"  # organiser: every auction with its status
ADMIN_AUCTION = "/admin/auctions/view"  # ?id=<auction id>: lots, ledger, results
ADMIN_AUCTION_EDIT = "/admin/auctions/edit"  # ?id=<auction id>; without id: a new auction


def auction_url(auction_id: int | str) -> str:
    return with_query(AUCTION, id=auction_id)


def auction_lot_url(lot_id: int | str) -> str:
    return with_query(AUCTION_LOT, id=lot_id)


def admin_auction_url(auction_id: int | str) -> str:
    return with_query(ADMIN_AUCTION, id=auction_id)


TELECOM = "/telecom"  # subscriber: contracts, SIM cards (?sim=<id>&from=&to=&kind=&status=&after=)


def telecom_sim_url(sim_id: int | str) -> str:
    return with_query(TELECOM, sim=sim_id)


JOURNALS = "/journals"  # maintenance journals: the caller's service objects
JOURNAL_OBJECT = "/journals/object"  # ?id=<object id>
JOURNAL_VIEW = "/journals/journal"  # ?id=<journal id>&from=&to=&after=
JOURNAL_ENTRY = "/journals/entry"  # ?id=<entry id>
JOURNALS_AWAITING = "/journals/awaiting"  # entries waiting for my signature
ADMIN_JOURNAL_TYPES = "/admin/journals/types"
ADMIN_JOURNAL_OBJECTS = "/admin/journals/objects"  # objects of all subscribers (?q=&org=)


ORDERS = "/orders"  # orders registry (?tab=&from=&to=&route=&product=&number=&min=&max=&q=&sort=)
ORDER_VIEW = "/orders/view"  # ?id=<order id>
FINANCE = "/finance"  # overview: credit limit, debt, ageing, schedule, operations
INVOICES = "/finance/invoices"  # invoices registry
CONTRACT_VIEW = "/finance/contract"  # ?id=<contract id>: the contract card
CERTIFICATES = "/documents/certificates"  # quality certificates (?number=&batch=&exact=…)
DOCUMENTS = "/documents"  # shipping and closing documents
TRACE = "/trace"  # ?c=<public code>: a certificate's public QR page (no login)


def order_url(order_id: int | str) -> str:
    return with_query(ORDER_VIEW, id=order_id)


def contract_url(contract_id: int | str) -> str:
    return with_query(CONTRACT_VIEW, id=contract_id)


def trace_url(public_code: str) -> str:
    return with_query(TRACE, c=public_code)


ADMIN_ERP = "/admin/erp"  # ERP sync runs, "run now", outbound queue (?after=/before=)
API_ACCESS = "/api-access"  # integration API tokens of an organisation (?org=<id>)
API_DOCS = "/api/v1/docs"  # the integration API's documentation (a backend route)


# Telecom operator admin (tel2): SIM stock, import, subscribers, partners, payments, tariffs,
# requests, blocking, administrators. Filters and cursors live in the query string.
ADMIN_TELECOM_SIMS = "/admin/telecom/sims"  # ?status=&partner=&tariff=&q=&after=
ADMIN_TELECOM_SIM = "/admin/telecom/sim"  # ?id=<SIM id>
ADMIN_TELECOM_IMPORT = "/admin/telecom/import"  # ?job=<import job id>
ADMIN_TELECOM_SUBSCRIBERS = "/admin/telecom/subscribers"  # ?q=&status=&after=
ADMIN_TELECOM_SUBSCRIBER = "/admin/telecom/subscriber"  # ?id=<contract id>
ADMIN_TELECOM_PARTNERS = "/admin/telecom/partners"  # ?q=&after=
ADMIN_TELECOM_PARTNER = "/admin/telecom/partner"  # ?id=<partner id>&from=&to=
ADMIN_TELECOM_PAYMENTS = "/admin/telecom/payments"  # ?from=&to=&min=&max=&status=&partner=&who=
ADMIN_TELECOM_TARIFFS = "/admin/telecom/tariffs"
ADMIN_TELECOM_REQUESTS = "/admin/telecom/requests"  # ?kind=activation|tariff|block&status=
ADMIN_TELECOM_BLOCKS = "/admin/telecom/blocks"  # ?all=1
ADMIN_TELECOM_ADMINS = "/admin/telecom/admins"
