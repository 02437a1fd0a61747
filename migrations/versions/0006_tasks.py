"""background tasks (exports): state, progress and heartbeat

Revision ID: 700894e09f12
Revises: 9c41d2e7f0a8
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa

import microblog.models.types


# revision identifiers, used by Alembic.
revision = '700894e09f12'
down_revision = '9c41d2e7f0a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=140), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('failure', sa.String(length=16), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created', microblog.models.types.UTCDateTime(), nullable=False),
    sa.Column('heartbeat', microblog.models.types.UTCDateTime(), nullable=False),
    sa.Column('finished', microblog.models.types.UTCDateTime(), nullable=True),
    sa.Column('active_key', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_task_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task')),
    sa.UniqueConstraint('active_key', name=op.f('uq_task_active_key'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_user_id_kind_created', ['user_id', 'kind', 'created'], unique=False)


def downgrade():
    # Dropping the table drops its indexes; MariaDB refuses to drop an index a foreign key uses.
    op.drop_table('task')
