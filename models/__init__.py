"""All SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from models.access import Role, RolePermission, UserRole
from models.accounts import LoginAttempt, OneTimeCode, User, UserSession
from models.audit import AuditEvent
from models.files import StoredFile
from models.messaging import OutboxMessage
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
    "OutboxMessage",
    "Role",
    "RolePermission",
    "StoredFile",
    "User",
    "UserRole",
    "UserSession",
]
