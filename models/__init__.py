"""All SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from models.access import Role, RolePermission, UserRole
from models.accounts import LoginAttempt, OneTimeCode, User, UserSession
from models.applications import (
    Application,
    ApplicationComment,
    ApplicationEvent,
    ApplicationFile,
)
from models.audit import AuditEvent
from models.feedback import (
    Feedback,
    QualityRating,
    RatingSubject,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from models.files import StoredFile
from models.help import HelpArticle
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
from models.support import (
    SupportAttachment,
    SupportCategory,
    SupportDepartment,
    SupportDepartmentMember,
    SupportMessage,
    SupportRequest,
)

__all__ = [
    "Application",
    "ApplicationComment",
    "ApplicationEvent",
    "ApplicationFile",
    "AuditEvent",
    "Feedback",
    "HelpArticle",
    "LinkRequest",
    "LinkRequestEvent",
    "LoginAttempt",
    "ManagerAssignment",
    "Membership",
    "Notification",
    "NotificationAttempt",
    "NotificationChannelSwitch",
    "NotificationContact",
    "NotificationDelivery",
    "NotificationPreference",
    "NotificationTemplate",
    "OneTimeCode",
    "Organisation",
    "OutboxMessage",
    "QualityRating",
    "RatingSubject",
    "Role",
    "RolePermission",
    "StoredFile",
    "SupportAttachment",
    "SupportCategory",
    "SupportDepartment",
    "SupportDepartmentMember",
    "SupportMessage",
    "SupportRequest",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "User",
    "UserRole",
    "UserSession",
]
