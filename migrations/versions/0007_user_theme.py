"""user theme

Revision ID: 5d1c9e0a7b21
Revises: 700894e09f12
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c9e0a7b21'
down_revision = '700894e09f12'
branch_labels = None
depends_on = None


def upgrade():
    # None means automatic: the system's light or dark setting.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('theme')
