"""Command-line tools: `flask seed …` for demo and benchmark data, `flask translate …`,
`flask worker` for background jobs."""

from __future__ import annotations

import csv
from contextlib import chdir
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, insert, select, update
from werkzeug.security import generate_password_hash

from microblog.config import TRANSLATIONS
from microblog.extensions import db
from microblog.models import Post, User, followers
from microblog.models.post import tags_of
from microblog.models.types import utcnow
from microblog.services import tasks
from microblog.services.languages import detect_language
from microblog.services.search import reindex as rebuild_search_index

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000
# Benchmark users all have known passwords (pw-<username>); hashing 10,000 of them with the
# production scrypt cost would take minutes, so the loader uses a cheap PBKDF2 instead.
LOADER_HASH_METHOD = "pbkdf2:sha256:1000"

DEMO_USERS = [
    ("susan", "I write about gardens, bicycles and the occasional recipe."),
    ("miguel", "Flask, htmx and too much coffee."),
    ("ana", "Photographer. Hablo español y un poco de inglés."),
]
DEMO_POSTS = [
    ("susan", "The tomatoes finally turned red. Summer has officially begun!", "en"),
    ("miguel", "Building a site with htmx: small fragments, no build step.", "en"),
    ("ana", "Hoy la luz de la tarde era perfecta para fotografiar el puerto.", "es"),
    ("susan", "Cycled 40 km today & only got lost twice.", "en"),
    ("miguel", "Reminder: every form should still work with JavaScript off.", "en"),
    ("ana", "New photo series coming soon. Stay tuned!", "en"),
    (
        "susan",
        "@ana your harbour photos are lovely. Printing one for the kitchen. #photography",
        "en",
    ),
    (
        "miguel",
        "How search works here, with notes for PostgreSQL: "
        "https://www.postgresql.org/docs/current/textsearch.html #flask",
        "en",
    ),
]
DEMO_PASSWORD = "demo-password"  # noqa: S105 - demo accounts, printed by make run


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@click.group(cls=AppGroup)
def seed() -> None:
    """Load demo or benchmark data."""


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """A few users who follow each other, with some posts."""
    if db.session.scalar(select(func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has users; no demo data added.")
            return
        raise click.ClickException("the database already has users; demo data not added")
    users = {}
    for username, about in DEMO_USERS:
        user = User(username=username, email=f"{username}@example.com", about_me=about)
        user.set_password(DEMO_PASSWORD)
        users[username] = user
        db.session.add(user)
    db.session.flush()
    users["susan"].follow(users["miguel"])
    users["miguel"].follow(users["susan"])
    users["ana"].follow(users["susan"])
    start = utcnow() - timedelta(hours=len(DEMO_POSTS))
    for hours, (username, body, language) in enumerate(DEMO_POSTS):
        db.session.add(
            Post(
                body=body,
                author=users[username],
                language=language,
                timestamp=start + timedelta(hours=hours, minutes=7 * hours),
            )
        )
    db.session.commit()
    names = ", ".join(users)
    click.echo(f"Demo data added. Log in as {names} with the password '{DEMO_PASSWORD}'.")


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _insert_rows(table, rows) -> int:
    """Insert `rows` (dicts with the same keys) into `table`, a batch at a time, or on
    PostgreSQL as one COPY stream (a million posts in about a minute rather than many): memory
    stays flat either way."""
    if db.engine.dialect.name == "postgresql":
        return _copy_rows(table, rows)
    return _insert_batches(table, rows)


def _copy_rows(table, rows) -> int:
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # COPY knows nothing of SQLAlchemy's defaults (a follow's time): they are worked out here,
    # once, for the columns the rows leave out.
    defaults = {
        column.name: column.default.arg(None) if column.default.is_callable else column.default.arg
        for column in table.columns
        if column.name not in first and column.default is not None and not column.primary_key
    }
    columns = [*first, *defaults]
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    count = 0
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in chain([first], rows):
            copy.write_row([*row.values(), *defaults.values()])
            count += 1
    return count


def _insert_batches(table, rows) -> int:
    count = 0
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
        count += len(batch)
    return count


@seed.command("load-csv")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def seed_load_csv(directory: Path) -> None:
    """Load users.csv, follows.csv and posts.csv (see shared/bench/README.md) into an empty
    database. Every user's password is pw-<username>."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise click.ClickException("the database already has users; load into an empty one")
    now = utcnow()

    def users():
        for row in _rows(directory / "users.csv"):
            username = row["username"]
            yield {
                "id": int(row["id"]),
                "username": username,
                "username_key": username.lower(),
                "email": row["email"].lower(),
                "password_hash": generate_password_hash(
                    f"pw-{username}", method=LOADER_HASH_METHOD
                ),
                "about_me": row["about_me"] or None,
                "last_seen": _parse_time(row["last_seen"]),
                "created": now,
            }

    def follows():
        for row in _rows(directory / "follows.csv"):
            yield {"follower_id": int(row["follower_id"]), "followed_id": int(row["followed_id"])}

    def posts():
        for row in _rows(directory / "posts.csv"):
            yield {
                "id": int(row["id"]),
                "user_id": int(row["user_id"]),
                "body": row["body"],
                "tags": tags_of(row["body"]),
                "timestamp": _parse_time(row["timestamp"]),
                "language": row["language"] or None,
            }

    n_users = _insert_rows(User.__table__, users())
    n_follows = _insert_rows(followers, follows())
    n_posts = _insert_rows(Post.__table__, posts())
    db.session.commit()
    _reset_sequences()
    click.echo(f"Loaded {n_users} users, {n_follows} follows and {n_posts} posts.")


def _reset_sequences() -> None:
    """After inserting explicit ids, PostgreSQL's sequences must continue past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (User, Post):
        table = model.__table__
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
        db.session.execute(select(func.setval(sequence, func.coalesce(func.max(table.c.id), 1))))
    db.session.commit()


@click.group(cls=AppGroup)
def translate() -> None:
    """Translation and localization commands (wrapping pybabel)."""


def _pybabel(*args: str, quiet: bool = True) -> None:
    if CommandLineInterface().run(["pybabel", *(["-q"] if quiet else []), *args]):
        raise click.ClickException(f"pybabel {args[0]} failed")


def _report(catalog_path: Path) -> None:
    """Tell the translator what is left to do in one catalog."""
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [message for message in catalog if message.id]
    untranslated = sum(
        1
        for message in messages
        if not all(message.string if isinstance(message.string, tuple) else [message.string])
    )
    fuzzy = sum(1 for message in messages if message.fuzzy)
    name = catalog_path.relative_to(PROJECT_ROOT)
    if untranslated or fuzzy:
        click.echo(
            f"{name}: {untranslated} untranslated, {fuzzy} fuzzy (to check) of {len(messages)}"
        )
    else:
        click.echo(f"{name}: all {len(messages)} messages translated")


def _extract(pot: Path) -> None:
    """Extract the messages into `pot`, with source references relative to the project."""
    with chdir(PROJECT_ROOT):
        _extract_here(pot)


def _extract_here(pot: Path) -> None:
    _pybabel(
        "extract",
        "-F",
        str(PROJECT_ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "lazy_ngettext:1,2",
        "--add-comments=TRANSLATORS:",
        "--sort-by-file",
        "--no-wrap",
        "--project=microblog",
        "-o",
        str(pot),
        ".",
    )


@translate.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start a catalog for a new language (a code such as fr or pt_BR)."""
    catalog = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if catalog.exists():
        raise click.ClickException(
            f"{catalog.relative_to(PROJECT_ROOT)} exists already; "
            "`flask translate update` brings it up to date"
        )
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError) as error:
        raise click.ClickException(f"{language!r} is not a language code Babel knows") from error
    pot = PROJECT_ROOT / "messages.pot"
    _extract(pot)
    _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", language, "--no-wrap")
    pot.unlink()
    click.echo(f"Created {catalog.relative_to(PROJECT_ROOT)}: translate it, then compile.")


@translate.command("update")
def translate_update() -> None:
    """Bring every catalog up to date with the strings in the code."""
    pot = PROJECT_ROOT / "messages.pot"
    _extract(pot)
    _pybabel(
        "update",
        "-i",
        str(pot),
        "-d",
        str(TRANSLATIONS),
        "--no-wrap",
        "--ignore-obsolete",
    )
    pot.unlink()
    for catalog in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        _report(catalog)


@translate.command("compile")
def translate_compile() -> None:
    """Compile the catalogs to the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics", quiet=False)


@click.group(cls=AppGroup)
def posts() -> None:
    """Maintenance of stored posts."""


@posts.command("detect-languages")
@click.option("--all", "every_post", is_flag=True, help="Detect again for posts that have one.")
def posts_detect_languages(every_post: bool) -> None:
    """Give posts without a language the one their text is written in."""
    checked = changed = 0
    last_id = 0
    while True:
        query = select(Post.id, Post.body).where(Post.id > last_id).order_by(Post.id).limit(BATCH)
        if not every_post:
            query = query.where(Post.language.is_(None))
        rows = db.session.execute(query).all()
        if not rows:
            break
        for post_id, body in rows:
            language = detect_language(body)
            if language is not None or every_post:
                db.session.execute(update(Post).where(Post.id == post_id).values(language=language))
                changed += language is not None
        db.session.commit()
        checked += len(rows)
        last_id = rows[-1].id
    click.echo(f"Posts checked: {checked}; given a language: {changed}.")


@click.group(cls=AppGroup)
def search() -> None:
    """The full-text index of posts."""


@search.command("reindex")
def search_reindex() -> None:
    """Rebuild the index from the posts (after importing posts around the app)."""
    rebuild_search_index()
    click.echo("The search index is rebuilt.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run background jobs (mail, exports) from Redis; start as many as you like."""
    try:
        tasks.run_worker(burst=burst)
    except RuntimeError as error:
        raise click.ClickException(
            f"{error}; set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to use workers"
        ) from None


def init_app(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(translate)
    app.cli.add_command(posts)
    app.cli.add_command(search)
    app.cli.add_command(worker)
