"""user language and timezone

Revision ID: 77dfeeca17d5
Revises: cf6fabd8809b
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '77dfeeca17d5'
down_revision = 'cf6fabd8809b'
branch_labels = None
depends_on = None


def upgrade():
    # Both preferences are optional: None means "automatic" (from the browser).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.drop_column('language')
