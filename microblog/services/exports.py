"""The export of a user's posts: a background task that writes them as posts.json and mails it.

The posts are read from the database a batch at a time (keyset pagination on the author's
`(user_id, timestamp, id)` index) and written to a temporary file as they come; the mail is
streamed from that file to the SMTP server. Memory stays the same for 100 or 100,000 posts.
"""

from __future__ import annotations

import json
import logging
import smtplib
import tempfile
from collections.abc import Callable
from typing import IO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from microblog.extensions import db
from microblog.models import Post, Task, User
from microblog.models.task import FAILED_MAIL, FAILED_NO_MAIL, TaskStatus
from microblog.services import tasks
from microblog.services.email import SmtpSettings, build_message, send_with_attachment
from templates.emails import export_html, export_text

logger = logging.getLogger("microblog.exports")

KIND = "export_posts"
FILENAME = "posts.json"
# Screen readers hear an export start, pass each of these percentages, and end.
STEPS = (25, 50, 75)
# Share of the bar for writing the file; the rest is for sending the mail.
WRITING_SHARE = 90


def latest_export(user_id: int) -> TaskStatus | None:
    """The user's most recent export as it stands now (one query)."""
    return tasks.latest_task(user_id=user_id, kind=KIND)


def reached_step(status: TaskStatus | None) -> int:
    """The last of STEPS a running export has passed (0 before the first)."""
    if status is None or status.state != "running":
        return 0
    return max([step for step in STEPS if status.progress >= step], default=0)


def start_export(user: User, *, locale: str) -> TaskStatus:
    """Queue an export of `user`'s posts, mailed in `locale`. Raises tasks.AlreadyActive
    when one is queued or running."""
    return tasks.start_task(
        user_id=user.id,
        kind=KIND,
        description=f"Export of the posts of {user.username}",
        work=export_posts,
        arguments={"locale": locale},
    )


def write_posts(
    user_id: int,
    out: IO[str],
    *,
    batch: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the user's posts, oldest first, as {"posts": [...]} to `out`; the count.
    `progress(done, total)` is called after each batch."""
    total = db.session.scalar(select(func.count()).where(Post.user_id == user_id)) or 0
    columns = (Post.id, Post.body, Post.timestamp, Post.language)
    statement = (
        select(*columns)
        .where(Post.user_id == user_id)
        .order_by(Post.timestamp, Post.id)
        .limit(batch)
    )
    out.write('{"posts": [')
    done, last = 0, None
    while True:
        page = statement
        if last is not None:
            # After the last post written, in (timestamp, id) order: a range on the index that
            # every database reads directly (as the pager's cursors do), however deep.
            time, id_ = last
            page = statement.where(
                (Post.timestamp >= time) & ((Post.timestamp > time) | (Post.id > id_))
            )
        rows = db.session.execute(page).all()
        for row in rows:
            out.write(",\n  " if done else "\n  ")
            item = {
                "body": row.body,
                "timestamp": row.timestamp.isoformat(),
                "language": row.language,
            }
            out.write(json.dumps(item, ensure_ascii=False))
            done += 1
        # Nothing of the batch stays in the session: the rows are plain tuples.
        if progress is not None:
            progress(done, max(total, done))
        if len(rows) < batch:
            break
        last = (rows[-1].timestamp, rows[-1].id)
    out.write("\n]}\n" if done else "]}\n")
    return done


def export_posts(task: Task, *, locale: str) -> None:
    """The export job: write the task owner's posts to a file, reporting progress, and mail
    it to them as posts.json. A mail server that refuses ends the task failed ("mail")."""
    user = db.session.get(User, task.user_id)
    if user is None:
        return
    settings = SmtpSettings.from_config(current_app.config)
    if settings is None:
        raise tasks.TaskFailed(
            FAILED_NO_MAIL, "MAIL_SERVER is not set: the export cannot be mailed"
        )

    def progress(done: int, total: int) -> None:
        task.report(done * WRITING_SHARE // total if total else WRITING_SHARE)
        db.session.commit()

    username, address = user.username, user.email
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        count = write_posts(
            task.user_id, out, batch=current_app.config["EXPORT_BATCH_SIZE"], progress=progress
        )
        out.flush()
        out.buffer.seek(0)
        with force_locale(locale):
            # TRANSLATORS: the subject of the mail that brings a user's exported posts.
            subject = _("Your Microblog posts")
            text_body = export_text(username=username, count=count, filename=FILENAME)
            html_body = str(
                export_html(subject=subject, username=username, count=count, filename=FILENAME)
            )
        message = build_message(
            subject=subject,
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
            recipients=[address],
            text_body=text_body,
            html_body=html_body,
        )
        try:
            send_with_attachment(
                settings, message, out.buffer, filename=FILENAME, content_type="application/json"
            )
        except (smtplib.SMTPException, OSError) as error:
            raise tasks.TaskFailed(FAILED_MAIL, f"{type(error).__name__}: {error}") from None
    logger.info("Mailed %s posts of %s to %s", count, username, address)
