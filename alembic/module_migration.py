"""Rebuild one module's migration from its models (allowed until the first release).

    python alembic/module_migration.py <revision> <models.module> [<models.module> ...]

Each business module owns one revision in a linear chain (0001 foundation, 0002 telecom, …,
0008 auctions: see alembic/versions). This script upgrades a scratch SQLite
database to the revision just before, compares it with the tables declared in the given
model modules only, and rewrites the revision's upgrade()/downgrade() with what autogenerate
renders. Other modules' tables (committed or not) are never touched.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from alembic import command

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "alembic" / "versions"


def _tables_of(modules: set[str]) -> set[str]:
    names = set()
    for mapper in SQLModel._sa_registry.mappers:
        if mapper.class_.__module__ in modules:
            names.add(mapper.local_table.name)
    return names


def main(rev: str, modules: list[str]) -> None:
    [path] = VERSIONS.glob(f"*_{rev}_*.py")
    text = path.read_text()
    down = re.search(r'^down_revision: str \| None = "([^"]+)"', text, re.M)
    if not down:
        raise SystemExit(f"{path.name}: no down_revision")
    tables = _tables_of(set(modules))
    if not tables:
        raise SystemExit(f"no tables in {modules}")

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        if type_ == "table":
            return name in tables
        table = getattr(obj, "table", None)
        return table is not None and table.name in tables

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/module.db"
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.set_main_option("script_location", str(ROOT / "alembic"))
        cfg.attributes["database_url"] = url
        command.upgrade(cfg, down.group(1))
        engine = create_engine(url)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "target_metadata": SQLModel.metadata,
                    "include_object": include,
                    "compare_type": True,
                },
            )
            script = produce_migrations(ctx, SQLModel.metadata)
        engine.dispose()
    up = render_python_code(script.upgrade_ops, migration_context=ctx)
    downgrade = render_python_code(script.downgrade_ops, migration_context=ctx)
    head = text.split("\ndef upgrade()", 1)[0]
    path.write_text(
        f"{head}\ndef upgrade() -> None:\n{up}\n\n\ndef downgrade() -> None:\n{downgrade}\n"
    )
    print(f"{path.name}: {len(tables)} tables from {', '.join(modules)}")  # noqa: T201


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:])
