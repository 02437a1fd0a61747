"""user avatar choice

Revision ID: 8b3e5f1a2c64
Revises: d58110394d01
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b3e5f1a2c64'
down_revision = 'd58110394d01'
branch_labels = None
depends_on = None


def upgrade():
    # "local" (an identicon) or "gravatar"; None means the site's AVATAR_PROVIDER.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('avatar')
