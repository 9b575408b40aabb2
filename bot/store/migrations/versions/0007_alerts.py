"""alerts: Alertmanager deliveries, alert groups with their living message, alerts and changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', When(), nullable=False),
    sa.Column('receiver', sa.Text(), nullable=False),
    sa.Column('group_key', sa.Text(), nullable=False),
    sa.Column('digest', Text(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', Text(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('owner', Text(length=128), nullable=True),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('claimed_until', When(), nullable=True),
    sa.Column('finished_at', When(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_delivery_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_delivery_status'), ['status'], unique=False)

    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', Text(length=160), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('received_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'dedupe_key')
    )
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.create_index('ix_alert_event_group_received', ['group_id', 'received_at'], unique=False)

    op.create_table('alert_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', Text(length=64), nullable=False),
    sa.Column('receiver', sa.Text(), nullable=False),
    sa.Column('group_key', sa.Text(), nullable=False),
    sa.Column('platform', Text(length=32), nullable=True),
    sa.Column('channel', Text(length=128), nullable=True),
    sa.Column('group_labels', sa.JSON(), nullable=False),
    sa.Column('common_labels', sa.JSON(), nullable=False),
    sa.Column('common_annotations', sa.JSON(), nullable=False),
    sa.Column('external_url', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rendered_version', sa.Integer(), nullable=False),
    sa.Column('render_seq', sa.Integer(), nullable=False),
    sa.Column('render_after', When(), nullable=True),
    sa.Column('episode', sa.Integer(), nullable=False),
    sa.Column('message_ref', Text(length=64), nullable=True),
    sa.Column('opened_at', When(), nullable=True),
    sa.Column('started_at', When(), nullable=True),
    sa.Column('shown', sa.JSON(), nullable=False),
    sa.Column('acked_by', Text(length=128), nullable=True),
    sa.Column('acked_at', When(), nullable=True),
    sa.Column('silence_id', Text(length=64), nullable=True),
    sa.Column('silenced_by', Text(length=128), nullable=True),
    sa.Column('silenced_until', When(), nullable=True),
    sa.Column('enrichment', sa.JSON(), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('alert_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_group_render_after'), ['render_after'], unique=False)

    op.create_table('alert_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', Text(length=64), nullable=False),
    sa.Column('status', Text(length=16), nullable=False),
    sa.Column('starts_at', When(), nullable=False),
    sa.Column('ends_at', When(), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('annotations', sa.JSON(), nullable=False),
    sa.Column('generator_url', sa.Text(), nullable=True),
    sa.Column('resolved_seen_at', When(), nullable=True),
    sa.Column('updated_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'fingerprint')
    )
    with op.batch_alter_table('alert_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_instance_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_instance_group_id'))
    op.drop_table('alert_instance')
    with op.batch_alter_table('alert_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_group_render_after'))
    op.drop_table('alert_group')
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_event_group_received')
    op.drop_table('alert_event')
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_alert_delivery_received_at'))
    op.drop_table('alert_delivery')
