"""The job queue: RQ workers on Redis when REDIS_URL is set, else threads of the web process.

Both backends take the same call, `enqueue(function, *args, queue=...)`, where `function` is a
module-level function and the arguments plain, picklable data (RQ stores them in Redis). A job
runs inside an application context: the worker's (`flask worker`) or the web app's.

Jobs a user waits for are tasks (microblog.models.task): `start_task` records one, with the
function and arguments that run it, and queues `run_task(task id)`, which marks it running,
keeps its heartbeat going and records how it ended. When Redis cannot be reached the task
stays queued in the database and is handed to the queue once Redis is back: by `flask worker`
(when it starts, every TASK_REQUEUE_SECONDS and after it reconnects) and by the page its owner
watches. The job id is the task id, and only one job moves a task from queued to running, so
a task queued twice still runs once.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from microblog.extensions import db
from microblog.models.task import FAILED_ERROR, Task, TaskStatus
from microblog.models.types import utcnow

logger = logging.getLogger("microblog.tasks")

MAIL = "mail"  # short jobs that people wait for (a reset link): never behind an export
JOBS = "jobs"  # everything else
QUEUES = (MAIL, JOBS)  # in the order workers take them
# Threads per queue when jobs run inside the web process.
THREADS = {MAIL: 4, JOBS: 2}
# After Redis failed to take a job, this process does not ask it again for this long (a page
# polled every second must not wait on a connection timeout each time).
RETRY_QUEUE_SECONDS = 5.0


class QueueUnavailable(Exception):
    """The job queue (Redis) cannot be reached just now."""


class TaskFailed(Exception):
    """Raised by a task's job to end it as failed for a reason the page can explain."""

    def __init__(self, failure: str, error: str) -> None:
        super().__init__(error)
        self.failure = failure


class JobQueue(Protocol):
    """Where jobs go."""

    def enqueue(
        self,
        function: Callable[..., object],
        *args: object,
        queue: str,
        job_id: str | None,
        ttl: int | None = None,
    ) -> None: ...

    def resting(self) -> bool:
        """Whether the queue failed a moment ago and is not asked again yet."""
        ...


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
        ttl: int | None = None,
    ) -> None:
        future = _pool(queue).submit(self._run, function, args)
        with _lock:
            _pending[queue].add(future)
        future.add_done_callback(lambda done: _forget(queue, done))

    def resting(self) -> bool:
        return False

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
        self.down_until = 0.0  # time.monotonic() before which Redis is not asked again

    def enqueue(
        self,
        function: Callable[..., object],
        *args: object,
        queue: str = JOBS,
        job_id: str | None = None,
        ttl: int | None = None,
    ) -> None:
        """Raises QueueUnavailable when Redis cannot be reached (or could not a moment ago)."""
        from redis.exceptions import RedisError

        if self.resting():
            raise QueueUnavailable("Redis could not be reached a moment ago")
        try:
            self.queues[queue].enqueue(
                function,
                *args,
                job_id=job_id,
                job_timeout=self.timeout,
                # A job nobody took in time is dropped, as its task then shows failed.
                ttl=ttl or self.ttl,
                result_ttl=0,
                failure_ttl=7 * 24 * 3600,
            )
        except RedisError as error:
            self.down_until = time.monotonic() + RETRY_QUEUE_SECONDS
            raise QueueUnavailable(f"{type(error).__name__}: {error}") from error
        self.down_until = 0.0

    def resting(self) -> bool:
        return time.monotonic() < self.down_until

    def has_job(self, job_id: str) -> bool:
        """Whether Redis holds the job (queued, running, or failed and kept)."""
        from rq.job import Job

        return Job.exists(job_id, connection=self.connection)


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
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rq import Queue, Worker

    queue = job_queue()
    if not isinstance(queue, RedisQueue):
        raise RuntimeError("REDIS_URL is not set: jobs run inside the web process")
    interval = max(1, int(current_app.config["TASK_REQUEUE_SECONDS"]))
    parent = os.getpid()
    # time.monotonic() of the next look for tasks to queue again; 0 once Redis failed (when
    # it answers again, what was started meanwhile or lost with its contents is queued).
    next_requeue = 0.0

    class WatchedQueue(Queue):
        @classmethod
        def dequeue_any(cls, *args, **kwargs):
            nonlocal next_requeue
            try:
                return super().dequeue_any(*args, **kwargs)
            except RedisConnectionError:
                next_requeue = 0.0
                raise

    class AppWorker(Worker):
        queue_class = WatchedQueue

        def main_work_horse(self, job, queue):
            # The child must not share the parent's database connections.
            db.engine.dispose(close=False)
            return super().main_work_horse(job, queue)

        def heartbeat(self, timeout=None, pipeline=None):
            # Called before each wait for a job (which lasts at most `interval`, see
            # worker_ttl), also when RQ tries Redis again after it failed.
            nonlocal next_requeue
            try:
                super().heartbeat(timeout, pipeline=pipeline)
            except RedisConnectionError:
                next_requeue = 0.0
                raise
            if pipeline is None and os.getpid() == parent and time.monotonic() >= next_requeue:
                next_requeue = time.monotonic() + interval
                requeue_waiting()

    worker = AppWorker(
        [queue.queues[name].name for name in QUEUES],  # made WatchedQueues by the worker
        connection=queue.connection,
        # RQ waits for a job for worker_ttl - 15 s at a time, then sends a heartbeat.
        worker_ttl=interval + 15,
    )
    requeue_waiting()  # what was started while Redis was down, or lost with its contents
    worker.work(burst=burst, with_scheduler=False, logging_level="INFO")


def requeue_waiting(*, limit: int = 500) -> int:
    """Hand to the job queue every queued task it does not hold (started while Redis was
    down, or lost when Redis restarted empty), and give up those queued for longer than
    TASK_QUEUED_SECONDS; how many were queued. Never raises: it runs inside the worker."""
    queue = job_queue()
    try:
        given_up = Task.give_up_waiting(queued_before=utcnow() - _queued_for())
        db.session.commit()
        if given_up:
            logger.warning("Gave up %d task(s) that waited too long to start", given_up)
        queued = 0
        for task in Task.waiting(limit=limit):
            if task.job is None:  # from before tasks kept their job: the stale rules end it
                continue
            held = task.enqueued is not None and isinstance(queue, RedisQueue)
            if held and queue.has_job(task.id):
                continue
            if hand_over(task):
                queued += 1
            elif queue.resting():
                break  # the queue is down again
        if queued:
            logger.info("Queued %d waiting task(s) again", queued)
        return queued
    except Exception:
        db.session.rollback()
        logger.exception("Could not queue the waiting tasks again")
        return 0


def _queued_for() -> timedelta:
    return timedelta(seconds=current_app.config["TASK_QUEUED_SECONDS"])


def hand_over(task: Task) -> bool:
    """Give a queued task's job to the job queue, unless another process just did; True when
    the queue holds it. When the queue cannot be reached the task stays waiting for it."""
    queue = job_queue()
    was, now = task.enqueued, utcnow()
    left = _queued_for() - (now - task.heartbeat)
    if queue.resting() or left.total_seconds() < 1:
        return False
    if not Task.mark_enqueued(task.id, when=now, was=was):
        db.session.rollback()
        return False
    db.session.commit()
    try:
        queue.enqueue(run_task, task.id, queue=JOBS, job_id=task.id, ttl=int(left.total_seconds()))
    except Exception as error:  # the queue is down: the task waits for it
        logger.warning("Could not queue the task %s (%s): %s", task.id, task.kind, error)
        Task.mark_enqueued(task.id, when=was, was=now)
        db.session.commit()
        db.session.refresh(task)
        return False
    db.session.refresh(task)
    return True


def task_status(task: Task) -> TaskStatus:
    """`task` as it stands now (a silent one counts as failed), by this app's settings."""
    config = current_app.config
    return task.status(
        stale_after=timedelta(seconds=config["TASK_STALE_SECONDS"]),
        queued_for=timedelta(seconds=config["TASK_QUEUED_SECONDS"]),
    )


def latest_task(*, user_id: int, kind: str) -> TaskStatus | None:
    """The user's most recent task of this kind as it stands now. One still waiting for the
    job queue is handed to it now if the queue is back (its owner's page polls this)."""
    task = Task.latest(user_id=user_id, kind=kind)
    if task is None:
        return None
    status = task_status(task)
    if status.active and not status.enqueued and task.job is not None:
        hand_over(task)
        status = task_status(task)
    return status


class AlreadyActive(Exception):
    """The user already has a task of this kind queued or running."""

    def __init__(self, status: TaskStatus) -> None:
        super().__init__(status.id)
        self.status = status


def job_name(work: Callable[..., object]) -> str:
    """ "module:function" of a module-level function, which `run_task` imports again."""
    name = f"{work.__module__}:{work.__qualname__}"
    if "<" in work.__qualname__ or _resolve(name) is not work:
        raise ValueError(f"{name} is not a module-level function")
    return name


def _resolve(name: str) -> Callable[..., object]:
    module, _, qualname = name.partition(":")
    target: object = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"{name} is not callable")
    return target


def start_task(
    *,
    user_id: int,
    kind: str,
    description: str,
    work: Callable[..., None],
    arguments: Mapping[str, object] | None = None,
) -> TaskStatus:
    """Record a task and queue `work(task, **arguments)` to run it (`work` a module-level
    function, `arguments` JSON-able): one active task per kind and user. Raises AlreadyActive
    when one is queued or running; a silent one is given up first. When the queue cannot be
    reached, the task stays queued, waiting for it (`status.enqueued` is False)."""
    job = job_name(work)
    latest = Task.latest(user_id=user_id, kind=kind)
    if latest is not None and latest.active_key is not None:
        status = task_status(latest)
        if status.active:
            raise AlreadyActive(status)
        latest.fail(status.failure or FAILED_ERROR, "gave up: no heartbeat")
    task = Task.create(
        user_id=user_id,
        kind=kind,
        description=description,
        job=job,
        arguments=dict(arguments or {}),
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request started one in the meantime.
        db.session.rollback()
        raise AlreadyActive(task_status(Task.latest(user_id=user_id, kind=kind))) from None
    hand_over(task)
    return task_status(task)


def run_task(task_id: str, work: Callable[[Task], None] | None = None) -> None:
    """The job behind every task: mark it running, run its job, record how it ended. Only
    the first copy of the job to get here runs it; a task given up is not started. (`work`:
    jobs queued before tasks kept their function in the row.)"""
    if not Task.claim(task_id, queued_since=utcnow() - _queued_for()):
        db.session.rollback()
        logger.info("The task %s is not waiting to run (it ran, runs, or was given up)", task_id)
        return
    db.session.commit()
    task = db.session.get(Task, task_id)
    if task is None:
        return  # deleted with its user
    with _heartbeat(current_app._get_current_object(), task_id):  # type: ignore[attr-defined]
        try:
            if work is not None:
                work(task)
            elif task.job is None:
                raise RuntimeError("the task does not say which job runs it")
            else:
                _resolve(task.job)(task, **task.keyword_arguments)
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
