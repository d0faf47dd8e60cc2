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
}


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
        frozenset(
            {Perm.ORG_VIEW, Perm.LINK_REQUEST, Perm.SUPPORT_REQUEST, Perm.APPLICATIONS_CREATE}
        ),
        org_scoped=True,
    ),
    BuiltinRole.CUSTOMER_ADMIN: RoleSpec(
        "Администратор клиента",
        "Customer administrator",
        frozenset(
            {
                Perm.ORG_VIEW,
                Perm.LINK_REQUEST,
                Perm.ORG_USERS_MANAGE,
                Perm.SUPPORT_REQUEST,
                Perm.APPLICATIONS_CREATE,
            }
        ),
        org_scoped=True,
    ),
    BuiltinRole.MANAGER: RoleSpec(
        "Менеджер",
        "Manager",
        frozenset(
            {Perm.ORGS_VIEW, Perm.LINKS_DECIDE, Perm.SUPPORT_HANDLE, Perm.APPLICATIONS_PROCESS}
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
            }
        ),
        org_scoped=False,
    ),
    BuiltinRole.ADMIN: RoleSpec(
        "Администратор",
        "Administrator",
        frozenset(Perm)
        - {
            Perm.ORG_VIEW,
            Perm.ORG_USERS_MANAGE,
            Perm.LINK_REQUEST,
            Perm.SUPPORT_REQUEST,
            Perm.APPLICATIONS_CREATE,
        },
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


# Permissions that only make sense inside one organisation (the customer side). A role made
# only of these is held per organisation; any other role is held platform-wide.
CUSTOMER_PERMS: frozenset[Perm] = frozenset(
    {
        Perm.ORG_VIEW,
        Perm.ORG_USERS_MANAGE,
        Perm.LINK_REQUEST,
        Perm.SUPPORT_REQUEST,
        Perm.APPLICATIONS_CREATE,
    }
)


def is_org_scoped(perms: frozenset[str] | set[str]) -> bool:
    """A role whose permissions are all customer-side is held inside an organisation."""
    return bool(perms) and all(p in CUSTOMER_PERMS for p in perms)


def may_grant(actor: Actor, perms: frozenset[str] | set[str]) -> bool:
    """No escalation: a platform-wide role can only be handed out (created, changed, taken away)
    by someone who holds all of its permissions platform-wide; customer-side roles, held inside
    one organisation, by any user manager."""
    return is_org_scoped(perms) or all(p in actor.global_perms for p in perms)
