"""journals: a journal entry's signature row points at its e-signature (foreign key)

Revision ID: 0011
Revises: 0010

`journal_entry_signatures.signature_id` was a bare integer: when the journals revision was
first written the e-signature tables came later in the chain. They come first now (0004), so
the database itself keeps the link whole. E-signatures are never deleted; rows without one
(NULL) stay allowed. SQLite rebuilds the small table (batch mode); PostgreSQL checks the
existing rows while adding the constraint.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "fk_journal_entry_signatures_signature_id_esign_signatures"


def upgrade() -> None:
    with op.batch_alter_table("journal_entry_signatures") as batch:
        batch.create_foreign_key(NAME, "esign_signatures", ["signature_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("journal_entry_signatures") as batch:
        batch.drop_constraint(NAME, type_="foreignkey")
