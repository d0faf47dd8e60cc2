"""Domain errors carry a Russian message that the UI shows as it is."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. `message` is shown to the user (Russian)."""

    default = "Действие не выполнено."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default
        self.field = field
        super().__init__(self.message)


class NotFound(DomainError):
    """Missing and forbidden look the same to the caller."""

    default = "Запись не найдена."


class PermissionDenied(DomainError):
    default = "Недостаточно прав для этого действия."


class NotAuthenticated(DomainError):
    default = "Войдите в личный кабинет."


class ValidationFailed(DomainError):
    """Bad input; `field` names the form field the message belongs to."""

    default = "Проверьте введённые данные."


class RateLimited(DomainError):
    default = "Слишком много попыток. Попробуйте позже."
