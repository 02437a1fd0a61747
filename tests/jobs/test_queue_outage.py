"""When Redis is down: a task waits in the database with what runs it, is handed to the queue
once Redis is back (by `flask worker` when it starts or reconnects, and by its owner's page),
runs once however many times it was queued, and is given up with a clear reason when the
queue stays away too long. With a Redis server of the test's own, stopped and started."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis

from microblog import config, create_app
from microblog.extensions import db
from microblog.models import Task, User
from microblog.models.task import DONE, FAILED, QUEUED
from microblog.models.types import utcnow
from microblog.services import exports, tasks
from servers.redis_server import RedisServer
from tests.helpers import PASSWORD, Browser, SmtpSink, reset_schema, soup
from tests.jobs import work

KIND = "test_job"


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file work.count_runs writes a line to each time it runs (here and in workers)."""
    path = tmp_path / "runs"
    monkeypatch.setenv("RUNS_FILE", str(path))
    return path


def run_count(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


@pytest.fixture
def outage_app(database_file: str, own_redis: RedisServer, queue_prefix: str) -> Flask:
    """An app whose job queue is `own_redis`, which the test may stop."""
    app = create_app(
        config.TestConfig(database_file, REDIS_URL=own_redis.url, TASK_QUEUE_PREFIX=queue_prefix)
    )
    reset_schema(app)
    return app


def add_user(app: Flask, username: str = "susan") -> int:
    with app.app_context():
        user = User(username=username, email=f"{username}@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def start(app: Flask, user_id: int, job=work.count_to_100, **arguments: object) -> str:
    with app.app_context():
        return tasks.start_task(
            user_id=user_id, kind=KIND, description="A test job", work=job, arguments=arguments
        ).id


def stored(app: Flask, task_id: str) -> Task:
    with app.app_context():
        task = db.session.get(Task, task_id)
        db.session.expunge(task)
        return task


def in_redis(app: Flask, task_id: str) -> bool:
    with app.app_context():
        return tasks.job_queue().has_job(task_id)


def wait_until(condition, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what or condition}"
        time.sleep(0.05)


def worker_settings(own_redis: RedisServer, runs: Path, **more: str) -> dict[str, str]:
    return {"REDIS_URL": own_redis.url, "RUNS_FILE": str(runs), **more}


# A task that waits for the queue.


def test_a_task_started_while_redis_is_down_runs_once_a_worker_starts_after(
    outage_app, own_redis, start_worker, runs
):
    susan = add_user(outage_app)
    own_redis.stop()
    task_id = start(outage_app, susan, work.count_runs, note="waited")
    task = stored(outage_app, task_id)
    assert (task.state, task.enqueued) == (QUEUED, None)
    assert (task.job, task.keyword_arguments) == ("tests.jobs.work:count_runs", {"note": "waited"})
    own_redis.start()  # empty: it never saw the job
    assert not in_redis(outage_app, task_id)
    worker = start_worker(**worker_settings(own_redis, runs))
    wait_until(lambda: stored(outage_app, task_id).state == DONE, what="the task done")
    assert runs.read_text().split()[0] == "waited"  # its arguments came from the row
    assert run_count(runs) == 1
    assert stored(outage_app, task_id).enqueued is not None
    worker.terminate()
    output, _ = worker.communicate(timeout=30)
    assert "Queued 1 waiting task(s) again" in output


def test_a_running_worker_queues_the_waiting_task_once_redis_is_back(
    outage_app, own_redis, start_worker, runs
):
    susan = add_user(outage_app)
    worker = start_worker(**worker_settings(own_redis, runs, TASK_REQUEUE_SECONDS="60"))
    # Listening, not only registered: between the two RQ writes to Redis outside its retry
    # loop, and a Redis that goes away then ends the worker (the flaky failure under load).
    wait_until(lambda: worker_listening(own_redis), timeout=30, what="the worker listening")
    own_redis.stop()
    task_id = start(outage_app, susan, work.count_runs)
    assert stored(outage_app, task_id).enqueued is None
    time.sleep(1)  # the worker notices and retries
    own_redis.start()
    # No page asks for the task: the worker queues it itself as soon as it reconnects, long
    # before its periodic look (60 s).
    wait_until(lambda: stored(outage_app, task_id).state == DONE, what="the task done")
    assert run_count(runs) == 1 and worker.poll() is None


def worker_listening(own_redis: RedisServer) -> bool:
    """Whether a worker of `own_redis` waits for jobs (RQ keeps its state in its key)."""
    client = Redis.from_url(own_redis.url)
    try:
        return any(client.hget(key, "state") == b"idle" for key in client.scan_iter("rq:worker:*"))
    finally:
        client.close()


def test_a_job_lost_when_redis_restarted_empty_is_queued_again(
    outage_app, own_redis, start_worker, runs
):
    susan = add_user(outage_app)
    task_id = start(outage_app, susan, work.count_runs)
    assert in_redis(outage_app, task_id) and stored(outage_app, task_id).enqueued is not None
    own_redis.stop()
    own_redis.start()  # no persistence: the queue is empty, the task still says queued
    assert not in_redis(outage_app, task_id)
    start_worker(**worker_settings(own_redis, runs))
    wait_until(lambda: stored(outage_app, task_id).state == DONE, what="the task done")
    assert run_count(runs) == 1


def test_a_job_still_in_redis_is_not_queued_twice(outage_app, own_redis, runs):
    susan = add_user(outage_app)
    task_id = start(outage_app, susan, work.count_runs)
    assert in_redis(outage_app, task_id)
    with outage_app.app_context():
        queue = tasks.job_queue()
        assert tasks.requeue_waiting() == 0  # Redis holds it
        length = queue.queues[tasks.JOBS].count
    assert length == 1


def test_the_owners_page_hands_the_export_over_when_redis_is_back(
    outage_app, own_redis, start_worker, smtp_sink: SmtpSink, monkeypatch
):
    monkeypatch.setattr(tasks, "RETRY_QUEUE_SECONDS", 1.0)
    outage_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    add_user(outage_app)
    browser = Browser(outage_app.test_client())
    browser.login("susan")
    own_redis.stop()
    browser.post("/export_posts")
    label = "Your export is queued: it will start when the job queue is back."

    def shown() -> str:
        return soup(browser.get("/export_posts", htmx=True)).find("label").get_text()

    assert shown() == label
    own_redis.start()
    # The queue failed a moment ago: pages do not ask Redis again at once (a poll a second
    # must not wait on a dead server each time), but within RETRY_QUEUE_SECONDS they do.
    wait_until(lambda: shown() != label, timeout=10, what="the export handed over")
    assert shown() == "Your export is queued and waiting to start."
    with outage_app.app_context():
        row = Task.latest(user_id=User.by_username("susan").id, kind=exports.KIND)
        assert row.enqueued is not None and tasks.job_queue().has_job(row.id)
    start_worker(REDIS_URL=own_redis.url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_sink.port))
    wait_until(lambda: smtp_sink._received, what="the export's mail")
    [mail] = smtp_sink.received()
    assert mail["To"] == "susan@example.com"
    assert mail["Subject"] == "Your Microblog posts"


# Never twice, never forever.


def test_a_task_queued_twice_runs_once(outage_app, own_redis, start_worker, runs):
    susan = add_user(outage_app)
    task_id = start(outage_app, susan, work.count_runs)
    with outage_app.app_context():  # a second copy of its job, as a race would leave
        tasks.job_queue().queues[tasks.JOBS].enqueue(tasks.run_task, task_id)
    worker = start_worker("--burst", **worker_settings(own_redis, runs))
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    assert stored(outage_app, task_id).state == DONE
    assert run_count(runs) == 1
    assert f"The task {task_id} is not waiting to run" in output


def test_run_task_starts_a_task_only_from_queued(file_app, runs):
    susan = add_user(file_app)
    with file_app.app_context():
        task = Task.create(
            user_id=susan, kind=KIND, description="x", job="tests.jobs.work:count_runs"
        )
        db.session.commit()
        task_id = task.id
        tasks.run_task(task_id)
        tasks.run_task(task_id)
    assert stored(file_app, task_id).state == DONE and run_count(runs) == 1


def test_a_task_that_waited_for_the_queue_too_long_is_given_up_not_run(
    outage_app, own_redis, runs, start_worker
):
    outage_app.config["TASK_QUEUED_SECONDS"] = 60
    susan = add_user(outage_app)
    own_redis.stop()
    old = start(outage_app, susan, work.count_runs)
    john = add_user(outage_app, "john")
    fresh = start(outage_app, john, work.count_runs)
    with outage_app.app_context():
        db.session.execute(
            Task.__table__.update()
            .where(Task.id == old)
            .values(heartbeat=utcnow() - timedelta(seconds=61))
        )
        db.session.commit()
        shown = tasks.latest_task(user_id=susan, kind=KIND)
        assert (shown.state, shown.failure) == (FAILED, "not_started")
        # A copy of its job that turns up late does not run it.
        tasks.run_task(old)
    assert run_count(runs) == 0
    own_redis.start()
    worker = start_worker(**worker_settings(own_redis, runs, TASK_QUEUED_SECONDS="60"))
    wait_until(lambda: stored(outage_app, fresh).state == DONE, what="john's task done")
    given_up = stored(outage_app, old)
    assert (given_up.state, given_up.failure, given_up.active_key) == (FAILED, "not_started", None)
    assert given_up.error == "given up in the queue: the job queue could not be reached"
    assert run_count(runs) == 1  # john's alone
    worker.terminate()
    output, _ = worker.communicate(timeout=30)
    assert "Gave up 1 task(s) that waited too long to start" in output


def test_a_job_must_be_a_function_a_worker_can_import(file_app):
    susan = add_user(file_app)

    def local(task: Task) -> None: ...

    with file_app.app_context():
        with pytest.raises(ValueError, match="not a module-level function"):
            tasks.start_task(user_id=susan, kind=KIND, description="x", work=local)
        assert Task.latest(user_id=susan, kind=KIND) is None


def test_a_task_another_process_is_handing_over_does_not_hold_up_the_rest(
    outage_app, own_redis, monkeypatch
):
    susan, john = add_user(outage_app), add_user(outage_app, "john")
    own_redis.stop()
    first, second = start(outage_app, susan), start(outage_app, john)
    own_redis.start()
    mark = Task.mark_enqueued

    def someone_else_got_the_first(task_id: str, **kwargs) -> bool:
        return False if task_id == first else mark(task_id, **kwargs)

    monkeypatch.setattr(Task, "mark_enqueued", someone_else_got_the_first)
    with outage_app.app_context():
        tasks.job_queue().down_until = 0.0  # the web process's pause after the failure
        assert tasks.requeue_waiting() == 1
    assert not in_redis(outage_app, first) and in_redis(outage_app, second)
