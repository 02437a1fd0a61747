"""The data set and the benchmark databases: generate it once, load it once per database
(SQLite file or PostgreSQL schema per scale), and undo what the write benchmarks changed."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.endpoints import FOLLOW_TARGET_ID, WRITER_ID

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
SCALES = {
    "reference": {"users": 2000, "follows": 50, "posts": 100_000},
    "large": {"users": 10_000, "follows": 100, "posts": 1_000_000},
}
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def at_least_one(value: str) -> int:
    """An argparse type for counts of runs or requests: a whole number of 1 or more (with 0,
    there would be nothing to take the median of)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Which database, which data set, and where it comes from."""
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="reference")
    parser.add_argument(
        "--seed-script", type=Path, default=ROOT.parent / "shared" / "bench" / "seed_data.py"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL database to fill")
    parser.add_argument("--reload", action="store_true", help="load the data even if present")


def prepared_database(args: argparse.Namespace) -> str:
    """The URL of the database `args` name, holding the data set (generated and loaded once)."""
    url = database_url(args.db, args.scale, args.pg_url)
    load_database(url, generate_data(args.seed_script, args.scale), args.scale, args.reload)
    return url


def flask_env(database_url: str) -> dict[str, str]:
    """The environment the app runs in, in the benchmark's processes and in gunicorn: the
    served address is 127.0.0.1 (the test client's is localhost), and rate limits are off, as
    the write benchmarks post and follow hundreds of times a second."""
    return {
        **os.environ,
        "FLASK_APP": "microblog:create_app",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret"),
        "BASE_URL": "http://127.0.0.1",
        "TRUSTED_HOSTS": "localhost",
        "RATELIMIT_ENABLED": "false",
    }


def generate_data(seed_script: Path, scale: str) -> Path:
    out = BENCH / "data" / scale
    if all((out / name).exists() for name in ("users.csv", "follows.csv", "posts.csv")):
        return out
    sizes = SCALES[scale]
    print(f"generating the {scale} data set in {out} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(seed_script),
            str(out),
            *("--users", str(sizes["users"])),
            *("--follows", str(sizes["follows"])),
            *("--posts", str(sizes["posts"])),
        ],
        check=True,
    )
    return out


def database_url(db: str, scale: str, pg_url: str) -> str:
    """SQLite: one file per scale; PostgreSQL: one schema per scale in the `--pg-url` database,
    so both scales can be served side by side."""
    if db == "sqlite":
        return f"sqlite:///{BENCH / 'data' / f'{scale}.db'}"
    separator = "&" if "?" in pg_url else "?"
    return f"{pg_url}{separator}options=-csearch_path%3D{pg_schema(scale)}"


def pg_schema(scale: str) -> str:
    return f"bench_{scale}"


def count_posts(engine) -> int | None:
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM post")).scalar_one()
    except Exception:  # no schema yet
        return None


def schema_revision(engine) -> str | None:
    """The database's Alembic revision (None before the first migration)."""
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic_version table yet
        return None


def head_revision() -> str | None:
    """The code's Alembic revision (its head), read from migrations/ without the app."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def migrate(url: str) -> None:
    """`flask db upgrade`: the database's schema brought to the code's (Alembic's head)."""
    flask = str(VENV_BIN / "flask")
    subprocess.run([flask, "db", "upgrade"], check=True, env=flask_env(url), cwd=ROOT)


def analyze(engine) -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk load or a migration: statistics
    for the planner and a visibility map, without which no index-only scan can skip the
    table."""
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def load_database(url: str, data_dir: Path, scale: str, reload: bool) -> float | None:
    """Load the data set unless the database already holds exactly it; returns seconds taken.
    A database that holds it is migrated to the code's schema (a benchmark database made
    before the latest migration would otherwise miss its columns)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        if not reload and count_posts(engine) == SCALES[scale]["posts"]:
            before = schema_revision(engine)
            if before != head_revision():
                migrate(url)
                print(f"migrated {url} from revision {before}", flush=True)
                analyze(engine)
            return None
        print(f"loading {data_dir} into {url} ...", flush=True)
        if engine.dialect.name == "sqlite":
            engine.dispose()
            Path(engine.url.database).unlink(missing_ok=True)
        else:
            schema = pg_schema(scale)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        started = time.perf_counter()
        migrate(url)
        flask = str(VENV_BIN / "flask")
        subprocess.run(
            [flask, "seed", "load-csv", str(data_dir)], check=True, env=flask_env(url), cwd=ROOT
        )
        analyze(engine)
        return time.perf_counter() - started
    finally:
        engine.dispose()


@contextmanager
def pristine_writes(url: str) -> Iterator[None]:
    """Undo what the write benchmarks did: their posts and their follows."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        last_post = connection.execute(text("SELECT max(id) FROM post")).scalar_one()
        follows = connection.execute(
            text("SELECT followed_id FROM followers WHERE follower_id = :w"), {"w": WRITER_ID}
        ).scalars()
        was_following = FOLLOW_TARGET_ID in set(follows)
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM post WHERE id > :last"), {"last": last_post})
            connection.execute(
                text("DELETE FROM followers WHERE follower_id = :w AND followed_id = :t"),
                {"w": WRITER_ID, "t": FOLLOW_TARGET_ID},
            )
            if was_following:
                connection.execute(
                    text("INSERT INTO followers (follower_id, followed_id) VALUES (:w, :t)"),
                    {"w": WRITER_ID, "t": FOLLOW_TARGET_ID},
                )
        engine.dispose()
