"""The job queue: RQ workers on Redis when REDIS_URL is set, else threads of the web process.

Both backends take the same call, `enqueue(function, *args, queue=...)`, where `function` is a
module-level function and the arguments plain, picklable data (RQ stores them in Redis). A job
runs inside an application context: the worker's (`flask worker`) or the web app's.

Jobs a user waits for are tasks (microblog.models.task): `start_task` records one and queues
`run_task`, which marks it running, keeps its heartbeat going and records how it ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from microblog.extensions import db
from microblog.models.task import (
    FAILED_ERROR,
    FAILED_NOT_STARTED,
    QUEUED,
    Task,
    TaskStatus,
)

logger = logging.getLogger("microblog.tasks")

MAIL = "mail"  # short jobs that people wait for (a reset link): never behind an export
JOBS = "jobs"  # everything else
QUEUES = (MAIL, JOBS)  # in the order workers take them
# Threads per queue when jobs run inside the web process.
THREADS = {MAIL: 4, JOBS: 2}


class TaskFailed(Exception):
    """Raised by a task's job to end it as failed for a reason the page can explain."""

    def __init__(self, failure: str, error: str) -> None:
        super().__init__(error)
        self.failure = failure


class JobQueue(Protocol):
    """Where jobs go."""

    def enqueue(
        self, function: Callable[..., object], *args: object, queue: str, job_id: str | None
    ) -> None: ...


# One pool per queue for the whole process, shared by every app in it (the test suite makes
# hundreds): a job carries its app along, so the pool needs none of its own.
_pools: dict[str, ThreadPoolExecutor] = {}
_pending: dict[str, set[Future]] = {name: set() for name in QUEUES}
_lock = threading.Lock()


def _pool(queue: str) -> ThreadPoolExecutor:
    with _lock:
        if queue not in _pools:
            # Not daemon threads: at exit Python lets them finish the jobs they have accepted.
            _pools[queue] = ThreadPoolExecutor(THREADS[queue], thread_name_prefix=f"{queue}-job")
        return _pools[queue]


class ThreadQueue:
    """Runs jobs in threads of this process (the embedded default: no Redis, no worker).
    Jobs queued here die with the process; their tasks then go stale and show as failed."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def enqueue(
        self,
        function: Callable[..., object],
        *args: object,
        queue: str = JOBS,
        job_id: str | None = None,
    ) -> None:
        future = _pool(queue).submit(self._run, function, args)
        with _lock:
            _pending[queue].add(future)
        future.add_done_callback(lambda done: _forget(queue, done))

    def _run(self, function: Callable[..., object], args: tuple[object, ...]) -> None:
        with self.app.app_context():
            try:
                function(*args)
            except Exception:
                logger.exception("The job %s failed", function.__qualname__)


def _forget(queue: str, future: Future) -> None:
    with _lock:
        _pending[queue].discard(future)


def wait_for_threads(queue: str, timeout: float) -> bool:
    """Wait until the jobs queued on this process's threads so far have finished; False if
    some still run after `timeout` seconds. For commands that exit right after, and tests."""
    deadline = time.monotonic() + timeout
    with _lock:
        futures = list(_pending[queue])
    for future in futures:
        try:
            future.exception(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False
    return True


class RedisQueue:
    """Hands jobs to RQ; `flask worker` processes (any number, on any host) run them."""

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        config = app.config
        # Fail fast when Redis is down: a page that queues a mail must not hang on it.
        self.connection = Redis.from_url(
            config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
        prefix = config["TASK_QUEUE_PREFIX"]
        self.queues = {
            name: Queue(f"{prefix}:{name}", connection=self.connection) for name in QUEUES
        }
        self.timeout = config["TASK_TIMEOUT_SECONDS"]
        self.ttl = int(config["TASK_QUEUED_SECONDS"])

    def enqueue(
        self,
        function: Callable[..., object],
        *args: object,
        queue: str = JOBS,
        job_id: str | None = None,
    ) -> None:
        self.queues[queue].enqueue(
            function,
            *args,
            job_id=job_id,
            job_timeout=self.timeout,
            # A job nobody took in time is dropped, as its task then shows failed.
            ttl=self.ttl,
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )


def init_app(app: Flask) -> None:
    """Give `app` the queue its configuration asks for."""
    app.extensions["tasks"] = RedisQueue(app) if app.config["REDIS_URL"] else ThreadQueue(app)


def job_queue() -> JobQueue:
    """The current app's queue."""
    return current_app.extensions["tasks"]


def enqueue(function: Callable[..., object], *args: object, queue: str = JOBS) -> None:
    """Run `function(*args)` later, in a worker or a thread, inside an application context.
    Raises (e.g. redis.ConnectionError) when the queue cannot be reached."""
    job_queue().enqueue(function, *args, queue=queue, job_id=None)


def run_worker(*, burst: bool = False) -> None:
    """Work on the queues until stopped (or, with `burst`, until they are empty). Each job
    runs in a forked child process that inherits this app context."""
    from rq import Worker

    queue = job_queue()
    if not isinstance(queue, RedisQueue):
        raise RuntimeError("REDIS_URL is not set: jobs run inside the web process")

    class AppWorker(Worker):
        def main_work_horse(self, job, queue):
            # The child must not share the parent's database connections.
            db.engine.dispose(close=False)
            return super().main_work_horse(job, queue)

    worker = AppWorker([queue.queues[name] for name in QUEUES], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=False, logging_level="INFO")


def task_status(task: Task) -> TaskStatus:
    """`task` as it stands now (a silent one counts as failed), by this app's settings."""
    config = current_app.config
    return task.status(
        stale_after=timedelta(seconds=config["TASK_STALE_SECONDS"]),
        queued_for=timedelta(seconds=config["TASK_QUEUED_SECONDS"]),
    )


def latest_task(*, user_id: int, kind: str) -> TaskStatus | None:
    task = Task.latest(user_id=user_id, kind=kind)
    return task_status(task) if task else None


class AlreadyActive(Exception):
    """The user already has a task of this kind queued or running."""

    def __init__(self, status: TaskStatus) -> None:
        super().__init__(status.id)
        self.status = status


def start_task(
    *, user_id: int, kind: str, description: str, work: Callable[[Task], None]
) -> TaskStatus:
    """Record a task and queue `work(task)` to run it: one active task per kind and user.
    Raises AlreadyActive when one is queued or running; a silent one is given up first.
    When the queue cannot be reached, the task is recorded as failed and returned."""
    latest = Task.latest(user_id=user_id, kind=kind)
    if latest is not None and latest.active_key is not None:
        status = task_status(latest)
        if status.active:
            raise AlreadyActive(status)
        latest.fail(status.failure or FAILED_ERROR, "gave up: no heartbeat")
    task = Task.create(user_id=user_id, kind=kind, description=description)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request started one in the meantime.
        db.session.rollback()
        raise AlreadyActive(task_status(Task.latest(user_id=user_id, kind=kind))) from None
    try:
        job_queue().enqueue(run_task, task.id, work, queue=JOBS, job_id=task.id)
    except Exception as error:  # the queue is down: say so rather than show a task that waits
        logger.error("Could not queue the task %s (%s): %s", task.id, kind, error)
        task.fail(FAILED_NOT_STARTED, f"could not queue: {error}")
        db.session.commit()
    return task_status(task)


def run_task(task_id: str, work: Callable[[Task], None]) -> None:
    """The job behind every task: mark it running, run `work`, record how it ended."""
    task = db.session.get(Task, task_id)
    if task is None or task.state != QUEUED:
        return  # deleted with its user, or already given up
    task.start()
    db.session.commit()
    with _heartbeat(current_app._get_current_object(), task_id):  # type: ignore[attr-defined]
        try:
            work(task)
        except TaskFailed as failed:
            db.session.rollback()
            logger.error("The task %s (%s) failed: %s", task_id, task.kind, failed)
            task.fail(failed.failure, str(failed))
        except Exception as error:
            db.session.rollback()
            logger.exception("The task %s (%s) failed", task_id, task.kind)
            task.fail(FAILED_ERROR, f"{type(error).__name__}: {error}")
        else:
            task.finish()
        db.session.commit()


@contextmanager
def _heartbeat(app: Flask, task_id: str) -> Iterator[None]:
    """While the block runs, a thread marks the task alive every TASK_HEARTBEAT_SECONDS, also
    when the job waits (on a slow mail server, say). It stops when the process dies."""
    interval = app.config["TASK_HEARTBEAT_SECONDS"]
    stop = threading.Event()

    def beat() -> None:
        with app.app_context():
            while not stop.wait(interval):
                try:
                    Task.beat(task_id)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    logger.exception("Could not record the heartbeat of task %s", task_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{task_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
