"""the record: attendance in the room, meeting documents, recording consent, synthesis
statements, draft reconciliation, visits between meetings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:21:05.352104
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meetingdocument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('storage_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meetingdocument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingdocument_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('recordingconsent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'person_id')
    )
    with op.batch_alter_table('recordingconsent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordingconsent_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('synthesisstatement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['line_id'], ['lineofwork.id'], ),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('synthesisstatement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesisstatement_process_id'), ['process_id'], unique=False)

    op.create_table('synthesissource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['statement_id'], ['synthesisstatement.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('statement_id', 'item_id')
    )
    with op.batch_alter_table('synthesissource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesissource_statement_id'), ['statement_id'], unique=False)

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_person', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('documentversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generated', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('public_markdown', sqlmodel.sql.sqltypes.AutoString(), nullable=True))

    with op.batch_alter_table('lineofwork', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=''))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_visit_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('previous_visit_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('previous_visit_at')
        batch_op.drop_column('last_visit_at')

    with op.batch_alter_table('lineofwork', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('documentversion', schema=None) as batch_op:
        batch_op.drop_column('public_markdown')
        batch_op.drop_column('note')
        batch_op.drop_column('generated')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('in_person')

    with op.batch_alter_table('synthesissource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesissource_statement_id'))

    op.drop_table('synthesissource')
    with op.batch_alter_table('synthesisstatement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesisstatement_process_id'))

    op.drop_table('synthesisstatement')
    with op.batch_alter_table('recordingconsent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordingconsent_meeting_id'))

    op.drop_table('recordingconsent')
    with op.batch_alter_table('meetingdocument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetingdocument_meeting_id'))

    op.drop_table('meetingdocument')
