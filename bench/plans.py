"""EXPLAIN output of the statements that load the timeline and explore pages."""

from __future__ import annotations

import os

from bench.data import flask_env
from bench.endpoints import READER


def query_plans(url: str, per_page: int) -> dict[str, str]:
    """EXPLAIN of the SQL that loads the timeline and explore pages, first and deep."""
    os.environ.update(flask_env(url))
    from sqlalchemy import event, text

    from microblog import create_app
    from microblog.extensions import db
    from microblog.models import PostList, User, paginate

    app = create_app()
    plans: dict[str, str] = {}
    with app.app_context():
        reader = User.by_username(READER)
        timeline, explore = PostList.timeline_for(reader), PostList.explore()

        def older_than_page(posts: PostList, number: int) -> int:
            return paginate(posts, page=number, per_page=per_page).items[-1].id

        cases = [
            ("home timeline page 1", timeline, 1, None),
            ("home timeline page 90 (link)", timeline, 90, older_than_page(timeline, 89)),
            ("home timeline page 90 (typed URL)", timeline, 90, None),
            ("explore page 1", explore, 1, None),
            ("explore page 200 (link)", explore, 200, older_than_page(explore, 199)),
            ("explore page 200 (typed URL)", explore, 200, None),
        ]
        for name, query, page, before in cases:
            statements: list[tuple[str, object]] = []

            def record(
                _conn, _cursor, statement, parameters, _context, _executemany, into=statements
            ):
                into.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                paginate(query, page=page, per_page=per_page, before=before)
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            db.session.rollback()
            lines = []
            for statement, parameters in statements:
                if db.engine.dialect.name == "sqlite":
                    rows = db.session.connection().exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                    lines += [_sqlite_plan_line(row) for row in rows]
                else:
                    rows = db.session.connection().exec_driver_sql(
                        "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters
                    )
                    lines += [row[0] for row in rows]
                lines.append("")
            plans[name] = "\n".join(lines).rstrip()
            db.session.rollback()
        db.session.execute(text("SELECT 1"))
    return plans


def _sqlite_plan_line(row) -> str:
    return f"{row[0]:>3} {row[1]:>3}  {row[3]}"
