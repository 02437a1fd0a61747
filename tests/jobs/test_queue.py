"""The job queue: tasks run in threads without Redis and in `flask worker` processes with it,
end done or failed with a reason, and a task whose worker died shows failed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from microblog.extensions import db
from microblog.models import Task, User
from microblog.models.task import DONE, FAILED, QUEUED, RUNNING
from microblog.models.types import utcnow
from microblog.services import tasks
from microblog.services.email import send_email, wait_for_pending_mail
from tests.helpers import SmtpSink
from tests.jobs import work
from tests.jobs.conftest import run_burst

KIND = "test_job"


def add_user(app, username: str = "susan") -> int:
    with app.app_context():
        user = User(username=username, email=f"{username}@example.com")
        db.session.add(user)
        db.session.commit()
        return user.id


def start(app, user_id: int, job) -> str:
    with app.app_context():
        return tasks.start_task(user_id=user_id, kind=KIND, description="A test job", work=job).id


def status(app, user_id: int):
    with app.app_context():
        return tasks.latest_task(user_id=user_id, kind=KIND)


def stored(app, task_id: str) -> Task:
    with app.app_context():
        task = db.session.get(Task, task_id)
        db.session.expunge(task)
        return task


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def finish_threads() -> None:
    assert tasks.wait_for_threads(tasks.JOBS, timeout=30)


# Without Redis: threads of the web process.


def test_without_redis_a_task_runs_in_a_thread_of_the_app_and_ends_done(file_app):
    assert isinstance(file_app.extensions["tasks"], tasks.ThreadQueue)
    susan = add_user(file_app)
    task_id = start(file_app, susan, work.count_to_100)
    finish_threads()
    task = stored(file_app, task_id)
    assert (task.state, task.progress, task.active_key) == (DONE, 100, None)
    assert task.description == "A test job" and task.finished is not None
    assert status(file_app, susan).state == DONE


def test_a_job_that_raises_leaves_its_task_failed_with_the_error(file_app, caplog):
    susan = add_user(file_app)
    task_id = start(file_app, susan, work.raise_an_error)
    finish_threads()
    task = stored(file_app, task_id)
    assert (task.state, task.failure) == (FAILED, "error")
    assert task.error == "ValueError: the disk is full"
    assert task.progress == 40  # as far as it got
    [record] = [r for r in caplog.records if r.name == "microblog.tasks"]
    assert record.levelno == logging.ERROR and record.exc_info


def test_a_job_may_fail_with_a_reason_the_page_can_explain(file_app):
    susan = add_user(file_app)
    task_id = start(file_app, susan, work.refuse_politely)
    finish_threads()
    task = stored(file_app, task_id)
    assert (task.state, task.failure, task.error) == (FAILED, "mail", "550 no such mailbox")


def test_one_task_of_a_kind_at_a_time_per_user(file_app, tmp_path, monkeypatch):
    monkeypatch.setenv("RELEASE_FILE", str(tmp_path / "release"))
    susan, john = add_user(file_app), add_user(file_app, "john")
    first = start(file_app, susan, work.wait_for_release)
    wait_until(lambda: (tmp_path / "release.waiting").exists())
    with pytest.raises(tasks.AlreadyActive) as refused, file_app.app_context():
        tasks.start_task(user_id=susan, kind=KIND, description="again", work=work.count_to_100)
    assert refused.value.status.id == first
    assert refused.value.status.state == RUNNING and refused.value.status.progress == 40
    start(file_app, john, work.count_to_100)  # someone else's is no obstacle
    (tmp_path / "release").touch()
    finish_threads()
    second = start(file_app, susan, work.count_to_100)
    finish_threads()
    assert second != first and stored(file_app, second).state == DONE


def test_the_heartbeat_goes_on_while_a_job_waits(file_app, tmp_path, monkeypatch):
    monkeypatch.setenv("RELEASE_FILE", str(tmp_path / "release"))
    file_app.config["TASK_HEARTBEAT_SECONDS"] = 0.1
    susan = add_user(file_app)
    task_id = start(file_app, susan, work.wait_for_release)
    wait_until(lambda: (tmp_path / "release.waiting").exists())
    first = stored(file_app, task_id).heartbeat
    wait_until(lambda: stored(file_app, task_id).heartbeat > first)
    (tmp_path / "release").touch()
    finish_threads()


def make_task(app, user_id: int, *, state: str, silent_for: timedelta) -> str:
    with app.app_context():
        task = Task.create(user_id=user_id, kind=KIND, description="old")
        task.state, task.progress = state, 40
        task.heartbeat = task.enqueued = utcnow() - silent_for
        db.session.commit()
        return task.id


@pytest.mark.parametrize(
    ("state", "silent_for", "shown", "failure"),
    [
        (RUNNING, timedelta(seconds=30), RUNNING, None),
        (RUNNING, timedelta(seconds=61), FAILED, "lost"),
        (QUEUED, timedelta(minutes=5), QUEUED, None),
        (QUEUED, timedelta(minutes=16), FAILED, "not_started"),
    ],
)
def test_a_task_whose_heartbeat_went_silent_shows_failed(
    file_app, state, silent_for, shown, failure
):
    susan = add_user(file_app)
    make_task(file_app, susan, state=state, silent_for=silent_for)
    now = status(file_app, susan)
    assert (now.state, now.failure, now.progress) == (shown, failure, 40)


def test_a_silent_task_does_not_block_a_new_one(file_app):
    susan = add_user(file_app)
    old = make_task(file_app, susan, state=RUNNING, silent_for=timedelta(minutes=5))
    new = start(file_app, susan, work.count_to_100)
    finish_threads()
    assert (stored(file_app, old).state, stored(file_app, old).failure) == (FAILED, "lost")
    assert stored(file_app, new).state == DONE


# With Redis: RQ and `flask worker` processes.


def test_with_redis_a_task_waits_for_a_worker_and_the_worker_runs_it(redis_app, start_worker):
    assert isinstance(redis_app.extensions["tasks"], tasks.RedisQueue)
    susan = add_user(redis_app)
    task_id = start(redis_app, susan, work.count_to_100)
    time.sleep(0.2)
    assert stored(redis_app, task_id).state == QUEUED  # nothing runs it in the web process
    run_burst(start_worker)
    task = stored(redis_app, task_id)
    assert (task.state, task.progress) == (DONE, 100)


def test_a_job_that_raises_in_a_worker_leaves_its_task_failed(redis_app, start_worker):
    susan = add_user(redis_app)
    task_id = start(redis_app, susan, work.raise_an_error)
    run_burst(start_worker)
    task = stored(redis_app, task_id)
    assert (task.state, task.failure, task.error) == (
        FAILED,
        "error",
        "ValueError: the disk is full",
    )


def test_mail_goes_through_the_queue_to_a_worker(redis_app, start_worker, smtp_sink: SmtpSink):
    redis_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with redis_app.app_context():
        send_email(
            subject="Hello from a worker",
            recipients=["susan@example.com"],
            text_body="Plain text, ñ",
            html_body="<p>HTML</p>",
        )
    assert wait_for_pending_mail(timeout=0)  # nothing pending here: it is in Redis
    run_burst(start_worker, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_sink.port))
    [mail] = smtp_sink.received()
    assert mail["Subject"] == "Hello from a worker"
    assert mail["To"] == "susan@example.com"
    assert mail.get_body(preferencelist=("plain",)).get_content().rstrip() == "Plain text, ñ"


def test_a_worker_that_dies_mid_job_leaves_the_task_failed(redis_app, start_worker, tmp_path):
    redis_app.config["TASK_STALE_SECONDS"] = 1.5
    susan = add_user(redis_app)
    task_id = start(redis_app, susan, work.wait_for_release)
    worker = start_worker(TASK_HEARTBEAT_SECONDS="0.2")
    wait_until(lambda: (tmp_path / "release.waiting").exists())
    # Alive but busy: the heartbeat keeps the task running past TASK_STALE_SECONDS.
    time.sleep(2)
    assert (status(redis_app, susan).state, status(redis_app, susan).progress) == (RUNNING, 40)
    # The machine goes down: the worker and the work horse (in a process group of its own,
    # running the job) die at once.
    horse = int((tmp_path / "release.waiting").read_text())
    os.kill(horse, signal.SIGKILL)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    # Silent for TASK_STALE_SECONDS, the task shows failed.
    wait_until(lambda: status(redis_app, susan).state != RUNNING, timeout=10)
    now = status(redis_app, susan)
    assert (now.state, now.failure, now.progress) == (FAILED, "lost", 40)
    assert stored(redis_app, task_id).state == RUNNING  # a GET does not write; it only says


# When the queue cannot be reached.


def test_with_redis_down_a_task_waits_with_its_job_and_mail_is_logged(
    database_file, closed_port, caplog
):
    from microblog import create_app
    from microblog.config import TestConfig
    from tests.helpers import reset_schema

    app = create_app(
        TestConfig(
            database_file,
            REDIS_URL=f"redis://127.0.0.1:{closed_port}/0",
            MAIL_SERVER="127.0.0.1",
        )
    )
    reset_schema(app)
    susan = add_user(app)
    task_id = start(app, susan, work.count_to_100)
    now = status(app, susan)
    assert (now.state, now.enqueued, now.failure) == (QUEUED, False, None)
    task = stored(app, task_id)
    assert (task.job, task.keyword_arguments) == ("tests.jobs.work:count_to_100", {})
    [warning] = [r for r in caplog.records if r.name == "microblog.tasks"]
    assert f"Could not queue the task {task_id}" in warning.getMessage()
    with app.app_context():
        send_email(subject="Hi", recipients=["a@example.com"], text_body="x", html_body="y")
    [record] = [r for r in caplog.records if r.name == "microblog.mail"]
    assert "Could not queue the mail 'Hi' to a@example.com" in record.getMessage()


def test_flask_worker_says_what_to_do_without_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "FLASK_"))}
    env.update(
        FLASK_APP="microblog:create_app",
        SECRET_KEY="x",
        BASE_URL="http://localhost",
        LOG_TO_STDOUT="1",
    )
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    result = subprocess.run(
        [sys.executable, "-m", "flask", "worker", "--burst"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "REDIS_URL is not set" in result.stderr
