"""All SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from models.access import Role, RolePermission, UserRole
from models.accounts import LoginAttempt, OneTimeCode, User, UserSession
from models.audit import AuditEvent
from models.files import StoredFile
from models.messaging import OutboxMessage
from models.notifications import (
    Notification,
    NotificationAttempt,
    NotificationChannelSwitch,
    NotificationContact,
    NotificationDelivery,
    NotificationPreference,
    NotificationTemplate,
)
from models.organisations import (
    LinkRequest,
    LinkRequestEvent,
    ManagerAssignment,
    Membership,
    Organisation,
)

__all__ = [
    "AuditEvent",
    "LinkRequest",
    "LinkRequestEvent",
    "LoginAttempt",
    "ManagerAssignment",
    "Membership",
    "OneTimeCode",
    "Organisation",
    "Notification",
    "NotificationAttempt",
    "NotificationChannelSwitch",
    "NotificationContact",
    "NotificationDelivery",
    "NotificationPreference",
    "NotificationTemplate",
    "OutboxMessage",
    "Role",
    "RolePermission",
    "StoredFile",
    "User",
    "UserRole",
    "UserSession",
]
