"""task job, arguments and enqueued: a task can be queued again when Redis was down

Revision ID: 6c2d8e4f1a37
Revises: 3f7a2c9d4e15
Create Date: 2026-12-02

"""

from alembic import op
import sqlalchemy as sa

import microblog.models.types


# revision identifiers, used by Alembic.
revision = "6c2d8e4f1a37"
down_revision = "3f7a2c9d4e15"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("arguments", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("enqueued", microblog.models.types.UTCDateTime(), nullable=True)
        )
    # Tasks from before were handed to the queue when they were created (or failed at once).
    op.execute("UPDATE task SET enqueued = created")


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("enqueued")
        batch_op.drop_column("arguments")
        batch_op.drop_column("job")
