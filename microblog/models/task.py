"""Background tasks as their owner sees them: what runs, how far it got, how it ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE_STATES = (QUEUED, RUNNING)

# Why a task failed, for the page to say it in the reader's language. The task's `error`
# keeps the details (an SMTP answer, an exception) for the people running the site.
FAILED_MAIL = "mail"  # the mail server refused or could not be reached
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

    __table_args__ = (Index("ix_task_user_id_kind_created", "user_id", "kind", "created"),)

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.kind} {self.state}>"

    @classmethod
    def create(cls, *, user_id: int, kind: str, description: str) -> Task:
        """A queued task, added to the session; the caller commits (and may hit the unique
        active_key if one of this kind is already active)."""
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
        )

    def start(self) -> None:
        self.state, self.heartbeat = RUNNING, utcnow()

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
