"""sync storage: room on PostgreSQL pages for in-place (HOT) updates of synced documents;
orders (erp_id, id) index for the sync's key -> id lookups

Revision ID: 0009
Revises: 0008

The ERP delta sync rewrites rows that keep their indexed values (a consignee, a status text):
with free space on the page PostgreSQL writes such a change in place (a HOT update) and leaves
the nine certificate / seven document indexes alone; with full pages (fillfactor 100, the
default) every change of a row adds an entry to every index. Applies to pages filled from now
on: a table loaded before needs `VACUUM FULL` (or pg_repack) to get the room. SQLite has no
such setting. Hand-written: autogenerate does not compare storage parameters.

The sync maps the order keys of every page of documents and certificates to order ids; the
(erp_id, id) index answers that on PostgreSQL without reading the orders table (an index-only
scan). SQLite's key index already carries the rowid: there it is redundant, and small.
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
    op.create_index("ix_orders_erp_id_id", "orders", ["erp_id", "id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILLFACTOR.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")


def downgrade() -> None:
    op.drop_index("ix_orders_erp_id_id", table_name="orders")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILLFACTOR:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
