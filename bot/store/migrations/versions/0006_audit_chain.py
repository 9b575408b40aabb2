"""audit chain: prev_hash and hash on command_record; rows already written chained in id order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime

# A frozen copy of `bot.audit_chain`'s hashing as it was when this migration was written:
# the rows chained here must hash as the product hashes them, even if the product's code moves.
GENESIS = '0' * 64
CHAIN_LOCK = 0x6175646974
HASHED_FIELDS = (
    'at', 'actor_id', 'actor_name', 'platform', 'channel', 'text', 'intent', 'target',
    'decision', 'result', 'duration_ms', 'error', 'pending_action_id',
)
BATCH = 1000

records = sa.table(
    'command_record',
    sa.column('id', sa.Integer()),
    sa.column('at', When()),
    *(sa.column(name, sa.Text()) for name in HASHED_FIELDS if name not in ('at', 'duration_ms')),
    sa.column('duration_ms', sa.Integer()),
    sa.column('prev_hash', Text(length=64)),
    sa.column('hash', Text(length=64)),
)


def _row_hash(row, prev_hash):
    content = {name: getattr(row, name) for name in HASHED_FIELDS}
    content['at'] = row.at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    content['prev_hash'] = prev_hash
    canonical = json.dumps(content, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # New writers wait for the existing rows to be chained first.
        bind.execute(sa.text('SELECT pg_advisory_xact_lock(:key)'), {'key': CHAIN_LOCK})
    with op.batch_alter_table('command_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', Text(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', Text(length=64), nullable=True))
    prev_hash = GENESIS
    after = 0
    while True:
        rows = bind.execute(
            sa.select(records)
            .where(records.c.id > after)
            .order_by(records.c.id)
            .limit(BATCH)
        ).all()
        for row in rows:
            digest = _row_hash(row, prev_hash)
            bind.execute(
                records.update()
                .where(records.c.id == row.id)
                .values(prev_hash=prev_hash, hash=digest)
            )
            prev_hash = digest
        if len(rows) < BATCH:
            break
        after = rows[-1].id
    with op.batch_alter_table('command_record', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_command_record_prev_hash'), ['prev_hash'], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table('command_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_command_record_prev_hash'))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
