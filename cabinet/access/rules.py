"""Permissions and built-in roles as data. No DB, no Reflex.

A permission is "area.verb". Built-in roles are seeded by the migration-independent
`service.ensure_builtin_roles`; administrators create further roles from PERMISSIONS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Perm(StrEnum):
    # Customer side (held inside one organisation)
    ORG_VIEW = "org.view"  # see own organisation and its data
    ORG_USERS_MANAGE = "org.users_manage"  # customer administrator: own org's users
    LINK_REQUEST = "links.request"  # ask to be linked to an organisation
    # Staff side
    LINKS_DECIDE = "links.decide"  # approve/reject link requests (assigned orgs or all)
    ORGS_VIEW = "orgs.view"  # see organisations (assigned, or all with ORGS_ALL)
    ORGS_ALL = "orgs.all"  # scope: every organisation, not only assigned ones
    ORGS_MANAGE = "orgs.manage"  # create/edit organisations, assign managers
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"  # block, reset 2FA, assign roles
    ROLES_MANAGE = "roles.manage"
    AUDIT_VIEW = "audit.view"
    OUTBOX_VIEW = "outbox.view"  # local e-mail outbox and SMS log
    NOTIFY_TEMPLATES_MANAGE = "notify.templates_manage"  # notification templates, channels
    NOTIFY_STATS_VIEW = "notify.stats_view"  # delivery statistics, resend failed deliveries
    # Support desk
    SUPPORT_REQUEST = "support.request"  # customer side: write requests for own organisation
    SUPPORT_HANDLE = "support.handle"  # staff: answer, assign and move requests in scope
    SUPPORT_MANAGE = "support.manage"  # staff: edit support departments and categories
    # Feedback, help and surveys
    FEEDBACK_VIEW = "feedback.view"  # staff: read feedback, mark it, quality-rating statistics
    HELP_MANAGE = "help.manage"  # staff: write and publish help articles
    SURVEYS_MANAGE = "surveys.manage"  # staff: edit surveys, see their statistics
    # Grid-connection applications
    APPLICATIONS_CREATE = "applications.create"  # customer side: file and follow own org's
    APPLICATIONS_PROCESS = "applications.process"  # staff: review and move applications in scope
    # Telecom (SIM cards, tariffs, payments)
    TELECOM_USE = "telecom.use"  # customer side: own contracts, SIMs, top-up, auto-payment
    TELECOM_VIEW = "telecom.view"  # staff: read SIM stock, subscribers, partners, payments
    TELECOM_ADMIN = "telecom.admin"  # staff: change them, import, tariffs, activation, blocking
    # Maintenance journals and electronic signatures
    JOURNALS_VIEW = "journals.view"  # subscriber staff: own objects' journals, sign as subscriber
    JOURNALS_SUBSCRIBER_ADMIN = "journals.subscriber_admin"  # subscriber admin: objects, people
    JOURNALS_WRITE = "journals.write"  # operator staff: write entries on assigned objects
    JOURNALS_ADMIN = "journals.admin"  # operator admin: all objects, journal types, assignments
    ESIGN_USE = "esign.use"  # ask for a signature certificate, sign, ask to revoke
    ESIGN_ISSUE = "esign.issue"  # the system owner: issue and revoke certificates
    # Orders, documents, finance, ERP
    ORDERS_VIEW = "orders.view"  # customer side: own organisation's orders and documents
    ORDERS_REQUEST = "orders.request"  # customer side: ask to change or cancel an order
    FINANCE_VIEW = "finance.view"  # customer side: invoices, contracts, balances, debt
    API_TOKENS_MANAGE = "api.tokens_manage"  # customer side: tokens for the integration API
    ORDERS_STAFF = "orders.staff"  # staff: orders, documents, finance of organisations in scope
    ERP_SYNC_MANAGE = "erp.sync_manage"  # staff: sync runs, run now, outbound queue
    # Auctions
    AUCTIONS_BID = "auctions.bid"  # customer side: bid and make price offers
    AUCTIONS_ORGANISE = "auctions.organise"  # staff: auctions, lots, results, annul bids


PERMISSION_LABELS: dict[Perm, tuple[str, str]] = {
    Perm.ORG_VIEW: ("Просмотр своей организации", "View own organisation"),
    Perm.ORG_USERS_MANAGE: (
        "Управление пользователями своей организации",
        "Manage own organisation's users",
    ),
    Perm.LINK_REQUEST: ("Запрос привязки к организации", "Request organisation link"),
    Perm.LINKS_DECIDE: ("Решение по запросам привязки", "Decide link requests"),
    Perm.ORGS_VIEW: ("Просмотр организаций", "View organisations"),
    Perm.ORGS_ALL: ("Доступ ко всем организациям", "Access all organisations"),
    Perm.ORGS_MANAGE: ("Управление организациями", "Manage organisations"),
    Perm.USERS_VIEW: ("Просмотр пользователей", "View users"),
    Perm.USERS_MANAGE: ("Управление пользователями", "Manage users"),
    Perm.ROLES_MANAGE: ("Управление ролями", "Manage roles"),
    Perm.AUDIT_VIEW: ("Журнал аудита", "Audit log"),
    Perm.OUTBOX_VIEW: ("Исходящие письма и SMS", "Outgoing e-mail and SMS"),
    Perm.NOTIFY_TEMPLATES_MANAGE: ("Шаблоны уведомлений", "Notification templates"),
    Perm.NOTIFY_STATS_VIEW: (
        "Статистика доставки уведомлений, повторная отправка",
        "Notification delivery statistics, resend",
    ),
    Perm.SUPPORT_REQUEST: ("Обращения в поддержку", "Support requests"),
    Perm.SUPPORT_HANDLE: ("Работа с обращениями клиентов", "Handle support requests"),
    Perm.SUPPORT_MANAGE: ("Настройка отделов и категорий обращений", "Support desk settings"),
    Perm.FEEDBACK_VIEW: (
        "Обратная связь и оценки качества",
        "Feedback and quality ratings",
    ),
    Perm.HELP_MANAGE: ("Редактирование справки", "Edit help pages"),
    Perm.SURVEYS_MANAGE: ("Опросы и их статистика", "Surveys and their statistics"),
    Perm.APPLICATIONS_CREATE: (
        "Заявки на технологическое присоединение",
        "Grid-connection applications",
    ),
    Perm.APPLICATIONS_PROCESS: (
        "Обработка заявок на присоединение",
        "Process grid-connection applications",
    ),
    Perm.TELECOM_USE: ("Сим-карты, баланс и платежи", "SIM cards, balance and payments"),
    Perm.TELECOM_VIEW: ("Просмотр сим-карт, абонентов и платежей", "View SIM stock and payments"),
    Perm.TELECOM_ADMIN: (
        "Управление сим-картами, тарифами, партнёрами",
        "Manage SIM cards, tariffs, partners",
    ),
    Perm.JOURNALS_VIEW: ("Журналы обслуживания своих объектов", "Own objects' journals"),
    Perm.JOURNALS_SUBSCRIBER_ADMIN: (
        "Объекты и ответственные лица абонента",
        "Subscriber's objects and responsible persons",
    ),
    Perm.JOURNALS_WRITE: ("Записи в журналах обслуживания", "Write journal entries"),
    Perm.JOURNALS_ADMIN: ("Администрирование журналов", "Administer journals"),
    Perm.ESIGN_USE: ("Электронная подпись", "Electronic signature"),
    Perm.ESIGN_ISSUE: ("Выпуск и отзыв сертификатов подписи", "Issue and revoke certificates"),
    Perm.ORDERS_VIEW: ("Заказы и документы организации", "Organisation's orders and documents"),
    Perm.ORDERS_REQUEST: ("Запросы на изменение и отмену заказов", "Change or cancel orders"),
    Perm.FINANCE_VIEW: ("Финансы: счета, договоры, задолженность", "Finance: invoices, debt"),
    Perm.API_TOKENS_MANAGE: ("Токены API для интеграции", "Integration API tokens"),
    Perm.ORDERS_STAFF: (
        "Заказы, документы и финансы клиентов",
        "Customers' orders, documents and finance",
    ),
    Perm.ERP_SYNC_MANAGE: ("Синхронизация с ERP", "ERP synchronisation"),
    Perm.AUCTIONS_BID: ("Участие в торгах", "Take part in auctions"),
    Perm.AUCTIONS_ORGANISE: ("Организация торгов", "Organise auctions"),
}

# Permissions that only make sense inside one organisation (the customer side). A role made
# only of these is held per organisation; any other role is held platform-wide.
CUSTOMER_PERMS: frozenset[Perm] = frozenset(
    {
        Perm.ORG_VIEW,
        Perm.ORG_USERS_MANAGE,
        Perm.LINK_REQUEST,
        Perm.SUPPORT_REQUEST,
        Perm.APPLICATIONS_CREATE,
        Perm.TELECOM_USE,
        Perm.JOURNALS_VIEW,
        Perm.JOURNALS_SUBSCRIBER_ADMIN,
        Perm.ESIGN_USE,
        Perm.ORDERS_VIEW,
        Perm.ORDERS_REQUEST,
        Perm.FINANCE_VIEW,
        Perm.API_TOKENS_MANAGE,
        Perm.AUCTIONS_BID,
    }
)
_CUSTOMER_USER = frozenset(
    {
        Perm.ORG_VIEW,
        Perm.LINK_REQUEST,
        Perm.SUPPORT_REQUEST,
        Perm.APPLICATIONS_CREATE,
        Perm.TELECOM_USE,
        Perm.JOURNALS_VIEW,
        Perm.ESIGN_USE,
        Perm.ORDERS_VIEW,
        Perm.ORDERS_REQUEST,
        Perm.FINANCE_VIEW,
        Perm.AUCTIONS_BID,
    }
)


class BuiltinRole(StrEnum):
    CUSTOMER = "customer"
    CUSTOMER_ADMIN = "customer_admin"
    MANAGER = "manager"
    OPERATOR = "operator"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"


@dataclass(frozen=True)
class RoleSpec:
    name_ru: str
    name_en: str
    perms: frozenset[Perm]
    org_scoped: bool  # held inside one organisation (customer side)


BUILTIN_ROLES: dict[BuiltinRole, RoleSpec] = {
    BuiltinRole.CUSTOMER: RoleSpec(
        "Пользователь клиента",
        "Customer user",
        _CUSTOMER_USER,
        org_scoped=True,
    ),
    BuiltinRole.CUSTOMER_ADMIN: RoleSpec(
        "Администратор клиента",
        "Customer administrator",
        _CUSTOMER_USER
        | {Perm.ORG_USERS_MANAGE, Perm.JOURNALS_SUBSCRIBER_ADMIN, Perm.API_TOKENS_MANAGE},
        org_scoped=True,
    ),
    BuiltinRole.MANAGER: RoleSpec(
        "Менеджер",
        "Manager",
        frozenset(
            {
                Perm.ORGS_VIEW,
                Perm.LINKS_DECIDE,
                Perm.SUPPORT_HANDLE,
                Perm.APPLICATIONS_PROCESS,
                Perm.TELECOM_VIEW,
                Perm.ORDERS_STAFF,
                Perm.AUCTIONS_ORGANISE,
                Perm.ESIGN_USE,
            }
        ),
        org_scoped=False,
    ),
    BuiltinRole.OPERATOR: RoleSpec(
        "Сотрудник оператора",
        "Operator staff",
        frozenset(
            {
                Perm.ORGS_VIEW,
                Perm.OUTBOX_VIEW,
                Perm.SUPPORT_HANDLE,
                Perm.NOTIFY_STATS_VIEW,
                Perm.FEEDBACK_VIEW,
                Perm.APPLICATIONS_PROCESS,
                Perm.TELECOM_VIEW,
                Perm.JOURNALS_WRITE,
                Perm.ESIGN_USE,
                Perm.ORDERS_STAFF,
            }
        ),
        org_scoped=False,
    ),
    BuiltinRole.ADMIN: RoleSpec(
        "Администратор",
        "Administrator",
        frozenset(Perm) - (CUSTOMER_PERMS - {Perm.ESIGN_USE}),
        org_scoped=False,
    ),
    BuiltinRole.SUPERADMIN: RoleSpec(
        "Суперадминистратор",
        "Superadmin",
        frozenset(Perm),
        org_scoped=False,
    ),
}

# Every registered user may ask to be linked, even before holding any role.
BASELINE_PERMS: frozenset[Perm] = frozenset({Perm.LINK_REQUEST})


@dataclass(frozen=True)
class Actor:
    """Who is calling, resolved from the database for one request."""

    id: int
    full_name: str
    email: str
    global_perms: frozenset[str] = frozenset()
    org_perms: dict[int, frozenset[str]] = field(default_factory=dict)
    member_org_ids: frozenset[int] = frozenset()
    managed_org_ids: frozenset[int] = frozenset()
    role_codes: frozenset[str] = frozenset()

    def has(self, perm: Perm | str, org_id: int | None = None) -> bool:
        """May the actor use `perm`, platform-wide or inside organisation `org_id`?"""
        if perm in self.global_perms:
            if org_id is None or not perm.startswith(("orgs.", "links.")):
                return True
            return Perm.ORGS_ALL in self.global_perms or org_id in self.managed_org_ids
        if org_id is None:
            return any(perm in p for p in self.org_perms.values())
        return perm in self.org_perms.get(org_id, frozenset())

    @property
    def sees_all_orgs(self) -> bool:
        return Perm.ORGS_ALL in self.global_perms

    def visible_org_ids(self) -> frozenset[int] | None:
        """Organisations whose data the actor may read; None means all of them."""
        if self.sees_all_orgs:
            return None
        staff = self.managed_org_ids if Perm.ORGS_VIEW in self.global_perms else frozenset()
        return self.member_org_ids | staff

    @property
    def is_staff(self) -> bool:
        return bool(self.global_perms - BASELINE_PERMS)


def is_org_scoped(perms: frozenset[str] | set[str]) -> bool:
    """A role whose permissions are all customer-side is held inside an organisation."""
    return bool(perms) and all(p in CUSTOMER_PERMS for p in perms)


def may_grant(actor: Actor, perms: frozenset[str] | set[str]) -> bool:
    """No escalation: a platform-wide role can only be handed out (created, changed, taken away)
    by someone who holds all of its permissions platform-wide; customer-side roles, held inside
    one organisation, by any user manager."""
    return is_org_scoped(perms) or all(p in actor.global_perms for p in perms)
