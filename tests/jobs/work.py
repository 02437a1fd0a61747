"""Jobs for the tests of the queue: module-level functions, so an RQ worker can import them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from microblog.extensions import db
from microblog.models import Task
from microblog.services.tasks import TaskFailed


def count_to_100(task: Task) -> None:
    for percent in (25, 50, 75):
        task.report(percent)
        db.session.commit()


def raise_an_error(task: Task) -> None:
    task.report(40)
    db.session.commit()
    raise ValueError("the disk is full")


def refuse_politely(task: Task) -> None:
    raise TaskFailed("mail", "550 no such mailbox")


def wait_for_release(task: Task) -> None:
    """Report 40%, then wait until the file named by $RELEASE_FILE exists (at most 60 s)."""
    task.report(40)
    db.session.commit()
    release = Path(os.environ["RELEASE_FILE"])
    Path(f"{release}.waiting").write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def count_runs(task: Task, *, note: str = "") -> None:
    """Append a line (`note`, the process id) to the file named by $RUNS_FILE: one per run."""
    with Path(os.environ["RUNS_FILE"]).open("a") as runs:
        runs.write(f"{note} {os.getpid()}\n")
