"""claims: owners, epochs and expiries on inbox, outbox, plans and locks; a fenced lease

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table('leader_lease', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epoch', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', Text(length=160), nullable=True))
        batch_op.add_column(sa.Column('owner', Text(length=128), nullable=True))
        batch_op.add_column(sa.Column('epoch', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claimed_until', When(), nullable=True))
        batch_op.create_unique_constraint('uq_inbound_event_dedupe_key', ['dedupe_key'])
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', Text(length=128), nullable=True))
        batch_op.add_column(sa.Column('epoch', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', When(), nullable=True))
    with op.batch_alter_table('pending_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', Text(length=128), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', When(), nullable=True))
        batch_op.add_column(sa.Column('follow', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_event', Text(length=64), nullable=True))
    with op.batch_alter_table('operation_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', Text(length=128), nullable=True))
    # A row left `sending` by the previous version may have reached the platform: it is
    # pending again, to be looked for before it is posted.
    op.execute(
        "UPDATE outbox_message SET status = 'pending', maybe_sent = true "
        "WHERE status = 'sending'"
    )


def downgrade() -> None:
    op.execute("UPDATE outbox_message SET status = 'sending' WHERE status = 'claimed'")
    op.execute("UPDATE inbound_event SET status = 'pending' WHERE status = 'claimed'")
    op.execute("UPDATE pending_action SET status = 'approved' WHERE status = 'applying'")
    with op.batch_alter_table('operation_lock', schema=None) as batch_op:
        batch_op.drop_column('owner')
    with op.batch_alter_table('pending_action', schema=None) as batch_op:
        batch_op.drop_column('decided_by_event')
        batch_op.drop_column('follow')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('owner')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('epoch')
        batch_op.drop_column('owner')
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inbound_event_dedupe_key', type_='unique')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('epoch')
        batch_op.drop_column('owner')
        batch_op.drop_column('dedupe_key')
    with op.batch_alter_table('leader_lease', schema=None) as batch_op:
        batch_op.drop_column('epoch')
