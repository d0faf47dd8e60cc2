"""telecom imports: a mode (create, update or delete SIM cards) and the rows left unchanged

Revision ID: 0010
Revises: 0009

The case study (003) lets the operator add SIM cards from a CSV file and also change or
delete them "in import mode". Jobs uploaded before this revision were all "create".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telecom_import_jobs") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(length=10), nullable=False, server_default="create")
        )
        batch.add_column(
            sa.Column("unchanged_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("telecom_import_jobs") as batch:
        batch.drop_column("unchanged_count")
        batch.drop_column("mode")
