"""publishable contributions, erased people

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:58:28.974713
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publishable', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('publishable')

