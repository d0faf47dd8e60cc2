"""lower() folds Cyrillic on both engines, so case-insensitive searches find "Трубы" by
"трубы" (SQLite's built-in lower() folds ASCII only; cabinet.db registers Python's)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Role

pytestmark = pytest.mark.db


def test_lower_folds_cyrillic_capitals(db):
    assert db.exec(sa.select(sa.func.lower("ТРУБЫ Ёлка ABC"))).one()[0] == "трубы ёлка abc"
    assert db.exec(sa.select(sa.func.lower(None))).one()[0] is None


def test_a_search_through_lower_finds_a_capitalised_cyrillic_name(db):
    db.add(Role(code="test-unicode-lower", name="Закупщик ТРУБ"))
    db.flush()
    found = db.exec(
        sa.select(Role.code).where(sa.func.lower(Role.name).contains("закупщик труб"))
    ).all()
    assert ("test-unicode-lower",) in [tuple(r) for r in found]
