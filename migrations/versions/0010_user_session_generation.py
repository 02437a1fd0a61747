"""user session generation, and the generation of each API token

Revision ID: 3f7a9c2e4d10
Revises: 8b3e5f1a2c64
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7a9c2e4d10'
down_revision = '8b3e5f1a2c64'
branch_labels = None
depends_on = None


def upgrade():
    # Part of every session's and remember-me cookie's user id: raising it ends them all.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )
    # An API token is refused once its user's generation has moved past the token's.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('generation', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('generation')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
