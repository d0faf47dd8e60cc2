"""Russian by default, English as the second language.

`t("Войти", "Log in")` gives a component-ready Var that follows the user's language switch.
Server messages (DomainError) are Russian.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx


class LangState(rx.State):
    """The interface language, kept in a cookie so a reload keeps it."""

    lang: str = rx.Cookie("ru", name="cabinet_lang", max_age=365 * 24 * 3600)

    @rx.event
    def set_lang(self, lang: str):
        self.lang = "en" if lang == "en" else "ru"

    @rx.event
    def toggle_lang(self):
        self.lang = "ru" if self.lang == "en" else "en"


def t(ru: str, en: str) -> rx.Var:
    """A string in the current language."""
    return rx.cond(LangState.lang == "en", en, ru)


def code_label(code: Any, labels: Mapping[str, tuple[str, str]], fallback: Any) -> rx.Var:
    """A code's (ru, en) label in the current language; `fallback` (the server's Russian
    label, say) for a code the mapping does not know."""
    return rx.match(code, *[(c, t(ru, en)) for c, (ru, en) in labels.items()], fallback)
