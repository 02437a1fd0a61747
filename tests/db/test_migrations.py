"""The migrations build exactly the schema the models describe, on every database."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from microblog.extensions import db
from tests.helpers import drop_every_table, reset_schema

pytestmark = pytest.mark.alldb  # the subject of every test here is the database


def test_migrations_match_the_models_and_downgrade_cleanly(app):
    drop_every_table(app)
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as connection:
                # The options `flask db migrate` compares with (types, and what to leave out).
                options = app.extensions["migrate"].configure_args
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": options["compare_type"],
                        "include_name": options["include_name"],
                    },
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == []
            downgrade(revision="base")
            tables = set(sa.inspect(db.engine).get_table_names())
            assert tables <= {"alembic_version"}
        finally:
            reset_schema(app)
