"""post translations

Revision ID: 5a0c7e3d9b21
Revises: e1fbbe2de0b3
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa

import microblog.models.types


# revision identifiers, used by Alembic.
revision = '5a0c7e3d9b21'
down_revision = 'e1fbbe2de0b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('source_digest', sa.String(length=64), nullable=False),
    sa.Column('created', microblog.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_post_translation_post_id_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_translation')),
    sa.UniqueConstraint('post_id', 'language', name=op.f('uq_post_translation_post_id'))
    )


def downgrade():
    op.drop_table('post_translation')
