"""sync storage: room on PostgreSQL pages for in-place (HOT) updates of synced documents

Revision ID: 0009
Revises: 0008

The ERP delta sync rewrites rows that keep their indexed values (a consignee, a status text):
with free space on the page PostgreSQL writes such a change in place (a HOT update) and leaves
the nine certificate / seven document indexes alone; with full pages (fillfactor 100, the
default) every change of a row adds an entry to every index. Applies to pages filled from now
on: a table loaded before needs `VACUUM FULL` (or pg_repack) to get the room. SQLite has no
such setting. Hand-written: autogenerate does not compare storage parameters.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> fillfactor (percent of a page filled by inserts); the same values are declared in
# the models' __table_args__ (postgresql_with) for metadata.create_all.
FILLFACTOR = {"certificates": 80, "shipping_documents": 90}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILLFACTOR.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILLFACTOR:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
