"""Background tasks as their owner sees them: what runs, how far it got, how it ended."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE_STATES = (QUEUED, RUNNING)

# Why a task failed, for the page to say it in the reader's language. The task's `error`
# keeps the details (an SMTP answer, an exception) for the people running the site.
FAILED_MAIL = "mail"  # the mail server refused or could not be reached
FAILED_NO_MAIL = "no_mail"  # the site has no mail server (MAIL_SERVER unset)
FAILED_ERROR = "error"  # the job raised
FAILED_LOST = "lost"  # the worker died: no heartbeat for TASK_STALE_SECONDS
FAILED_NOT_STARTED = "not_started"  # no worker took it, or the queue could not be reached


@dataclass(frozen=True)
class TaskStatus:
    """A task's state as it stands now: a queued or running task whose heartbeat went silent
    is shown as failed, whatever its row still says, so nobody watches a bar stuck at 40%."""

    id: str
    kind: str
    description: str
    state: str
    progress: int
    failure: str | None
    created: datetime
    finished: datetime | None
    # False while a queued task waits for the job queue itself (Redis could not be reached
    # when it was started): it is handed over as soon as the queue is back.
    enqueued: bool = True

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


class Task(db.Model):
    """One background job started by a user (e.g. an export of their posts)."""

    __tablename__ = "task"

    # Also the job's id in the queue (RQ), so a worker's log and the row name the same job.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(140))
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "<kind>:<user id>" while the task is queued or running, else NULL. Unique, so that two
    # requests racing to start the same kind of task for one user cannot both succeed (NULLs
    # never collide, on every database).
    active_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    # What runs the task: "module:function", called as function(task, **arguments), with the
    # arguments as a JSON object. Kept here, not only in the job queue, so that a task the
    # queue could not take (Redis down) or lost (Redis restarted empty) can be queued again.
    job: Mapped[str | None] = mapped_column(String(200))
    arguments: Mapped[str | None] = mapped_column(Text)
    # When the task was last handed to the job queue; NULL while it waits for the queue.
    enqueued: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_task_user_id_kind_created", "user_id", "kind", "created"),)

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.kind} {self.state}>"

    @classmethod
    def create(
        cls,
        *,
        user_id: int,
        kind: str,
        description: str,
        job: str | None = None,
        arguments: dict[str, object] | None = None,
    ) -> Task:
        """A queued task, not yet handed to the job queue, added to the session; the caller
        commits (and may hit the unique active_key if one of this kind is already active).
        `job` ("module:function") and its JSON-able keyword `arguments` are what runs it."""
        task = cls(
            id=str(uuid.uuid4()),
            user_id=user_id,
            kind=kind,
            description=description[:140],
            state=QUEUED,
            progress=0,
            created=utcnow(),
            heartbeat=utcnow(),
            active_key=f"{kind}:{user_id}",
            job=job,
            arguments=json.dumps(arguments or {}, sort_keys=True),
            enqueued=None,
        )
        db.session.add(task)
        return task

    @classmethod
    def latest(cls, *, user_id: int, kind: str) -> Task | None:
        """The user's most recent task of this kind."""
        return db.session.scalar(
            select(cls)
            .where(cls.user_id == user_id, cls.kind == kind)
            .order_by(cls.created.desc())
            .limit(1)
        )

    def status(
        self, *, stale_after: timedelta, queued_for: timedelta, now: datetime | None = None
    ) -> TaskStatus:
        """The task as it stands: silent for longer than `stale_after` while running, or not
        taken for longer than `queued_for`, counts as failed."""
        now = now or utcnow()
        state, failure = self.state, self.failure
        if state == RUNNING and now - self.heartbeat > stale_after:
            state, failure = FAILED, FAILED_LOST
        elif state == QUEUED and now - self.heartbeat > queued_for:
            state, failure = FAILED, FAILED_NOT_STARTED
        return TaskStatus(
            id=self.id,
            kind=self.kind,
            description=self.description,
            state=state,
            progress=self.progress,
            failure=failure,
            created=self.created,
            finished=self.finished,
            enqueued=self.enqueued is not None,
        )

    @property
    def keyword_arguments(self) -> dict[str, object]:
        """The arguments its job is called with, besides the task."""
        return json.loads(self.arguments) if self.arguments else {}

    def start(self) -> None:
        """Mark the task running (see `claim` for a job that may have a twin)."""
        self.state, self.heartbeat = RUNNING, utcnow()

    @classmethod
    def claim(cls, task_id: str, *, queued_since: datetime) -> bool:
        """Mark a queued task running, in one statement: True for the one caller that moved it
        from queued to running, False for any other (a second copy of its job, a worker late
        after the task was given up). The task must have been queued after `queued_since`
        (the task is given up after TASK_QUEUED_SECONDS), else it is not started."""
        result = db.session.execute(
            update(cls)
            .where(cls.id == task_id, cls.state == QUEUED, cls.heartbeat >= queued_since)
            .values(state=RUNNING, heartbeat=utcnow())
        )
        return result.rowcount == 1

    @classmethod
    def mark_enqueued(cls, task_id: str, *, when: datetime | None, was: datetime | None) -> bool:
        """Set when a queued task was handed to the job queue (None: it was not after all),
        if it still is as the caller saw it (`was`): True for the one caller that changed it,
        so two processes do not both queue the same task."""
        seen = cls.enqueued.is_(None) if was is None else cls.enqueued == was
        result = db.session.execute(
            update(cls).where(cls.id == task_id, cls.state == QUEUED, seen).values(enqueued=when)
        )
        return result.rowcount == 1

    @classmethod
    def waiting(cls, *, limit: int) -> list[Task]:
        """Queued tasks, oldest first: those the job queue should hold."""
        return list(
            db.session.scalars(
                select(cls)
                .where(cls.active_key.is_not(None), cls.state == QUEUED)
                .order_by(cls.created)
                .limit(limit)
            )
        )

    @classmethod
    def give_up_waiting(cls, *, queued_before: datetime) -> int:
        """End as failed ("not_started") every task still queued since before `queued_before`,
        in statements that leave alone a task a worker has just started; how many."""
        given_up = 0
        for handed_over, error in (
            (False, "the job queue could not be reached"),
            (True, "no worker started it"),
        ):
            which = cls.enqueued.is_not(None) if handed_over else cls.enqueued.is_(None)
            result = db.session.execute(
                update(cls)
                # active_key: the few active tasks, by its index, not every task ever run.
                .where(cls.active_key.is_not(None), cls.state == QUEUED)
                .where(cls.heartbeat < queued_before, which)
                .values(
                    state=FAILED,
                    failure=FAILED_NOT_STARTED,
                    error=f"given up in the queue: {error}",
                    active_key=None,
                    finished=utcnow(),
                )
            )
            given_up += result.rowcount
        return given_up

    def report(self, progress: int) -> None:
        """Record how far the job got (0 to 100); it is also a heartbeat."""
        self.progress = max(0, min(100, progress))
        self.heartbeat = utcnow()

    def finish(self) -> None:
        self.state, self.progress, self.active_key = DONE, 100, None
        self.finished = self.heartbeat = utcnow()

    def fail(self, failure: str, error: str | None = None) -> None:
        self.state, self.failure, self.active_key = FAILED, failure, None
        self.error = error[:500] if error else None
        self.finished = utcnow()

    @classmethod
    def beat(cls, task_id: str) -> None:
        """Mark a running task as alive, in a statement of its own (the heartbeat thread's)."""
        db.session.execute(
            update(cls).where(cls.id == task_id, cls.state == RUNNING).values(heartbeat=utcnow())
        )
