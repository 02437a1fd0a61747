"""post edited_at

Revision ID: 3f7a2c9d4e15
Revises: 3f7a9c2e4d10
Create Date: 2026-12-02

"""

from alembic import op
import sqlalchemy as sa

import microblog.models.types


# revision identifiers, used by Alembic.
revision = "3f7a2c9d4e15"
down_revision = "3f7a9c2e4d10"
branch_labels = None
depends_on = None


def upgrade():
    # When the author last changed the text; NULL for posts never edited. Not in batch mode:
    # SQLite adds and drops the column in place, where a copy of the table would lose the
    # search index's triggers on it.
    op.add_column(
        "post", sa.Column("edited_at", microblog.models.types.UTCDateTime(), nullable=True)
    )


def downgrade():
    op.drop_column("post", "edited_at")
