"""Debian's supervisord runs the web server and the worker from deploy/supervisor's programs,
rendered as the README says (with this checkout as MICROBLOG_HOME): both serve, gunicorn
reloads on the README's HUP, and `supervisorctl stop` stops them."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import flask_migrate
from redis import Redis
from rq import Worker

from microblog import config, create_app
from microblog.services.email import send_email
from servers import free_port
from servers.redis_server import RedisServer, RedisUnavailable
from tests.deploy.processes import (
    BIN,
    PROJECT,
    app_environment,
    http_status,
    running,
    wait_until,
)
from tests.helpers import SmtpSink, skip_or_fail

TEMPLATE = PROJECT / "deploy" / "supervisor" / "microblog.conf.template"
PROGRAMS = ("microblog:microblog-web", "microblog:microblog-worker")


def supervisord_config(folder: Path, socket: Path, programs: Path) -> Path:
    """A supervisord.conf of this test's own (Debian's is root's, in /etc) that includes the
    rendered programs, as Debian's includes /etc/supervisor/conf.d/*.conf."""
    conf = folder / "supervisord.conf"
    conf.write_text(
        "[supervisord]\n"
        "nodaemon=true\n"
        f"logfile={folder}/supervisord.log\n"
        f"pidfile={folder}/supervisord.pid\n"
        f"childlogdir={folder}\n"
        "[unix_http_server]\n"
        f"file={socket}\n"
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
        "[supervisorctl]\n"
        f"serverurl=unix://{socket}\n"
        "[include]\n"
        f"files={programs}\n"
    )
    return conf


def test_supervisord_runs_web_and_worker_from_the_deploy_programs(tmp_path):
    supervisord, supervisorctl = shutil.which("supervisord"), shutil.which("supervisorctl")
    if supervisord is None or supervisorctl is None:
        skip_or_fail("supervisor is not installed (apt-get install supervisor)")
    if not (PROJECT / ".venv" / "bin" / "gunicorn").exists():
        skip_or_fail(f"the programs run {PROJECT}/.venv, which has no gunicorn (make install)")
    try:
        redis = RedisServer()
        redis.start()
    except RedisUnavailable as error:
        skip_or_fail(str(error))
        raise
    sink = SmtpSink()
    sink.controller.start()
    # A Unix socket's path must be short: not under pytest's long tmp_path.
    sockets = Path(tempfile.mkdtemp(prefix="mb-sv-"))
    try:
        _run(tmp_path, sockets / "supervisor.sock", redis, sink, supervisord, supervisorctl)
    finally:
        sink.controller.stop()
        redis.remove()
        shutil.rmtree(sockets, ignore_errors=True)


def _run(tmp_path, socket, redis, sink, supervisord, supervisorctl) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    rendered = subprocess.run(  # noqa: S603
        [str(PROJECT / "deploy" / "render"), str(TEMPLATE)],
        env={
            "PATH": os.environ["PATH"],
            "MICROBLOG_HOME": str(PROJECT),
            "MICROBLOG_USER": pwd.getpwuid(os.geteuid()).pw_name,
            "MICROBLOG_LOG_DIR": str(logs),
        },
        capture_output=True,
        text=True,
    )
    assert rendered.returncode == 0, rendered.stderr
    programs = tmp_path / "microblog.conf"
    programs.write_text(rendered.stdout)
    conf = supervisord_config(tmp_path, socket, programs)
    port, prefix = free_port(), f"sv-{uuid.uuid4().hex[:8]}"
    database = f"sqlite:///{tmp_path / 'site.db'}"
    # supervisord passes its environment on to the programs; it beats the checkout's .env.
    env = app_environment(
        PATH=f"{BIN}:{os.environ['PATH']}",
        DATABASE_URL=database,
        REDIS_URL=redis.url,
        TASK_QUEUE_PREFIX=prefix,
        SECRET_KEY="supervisor-test-secret",
        BASE_URL="http://127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(sink.port),
        LOG_TO_STDOUT="1",
    )
    # The site's app (as the worker will build it), which migrates the database here.
    app = create_app(
        config.TestConfig(
            database, REDIS_URL=redis.url, TASK_QUEUE_PREFIX=prefix, MAIL_SERVER="127.0.0.1"
        )
    )
    with app.app_context():
        flask_migrate.upgrade()

    def ctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [supervisorctl, "-c", str(conf), *args], capture_output=True, text=True, timeout=60
        )

    def states() -> dict[str, str]:
        lines = ctl("status").stdout.splitlines()
        return {line.split()[0]: line.split()[1] for line in lines if line.strip()}

    healthz = f"http://127.0.0.1:{port}/healthz"
    with running([supervisord, "-c", str(conf)], env=env, log=tmp_path / "supervisord.out"):
        # gunicorn first: each look at the states is a supervisorctl, a Python of its own.
        wait_until(
            lambda: http_status(healthz) == 200 and states() == dict.fromkeys(PROGRAMS, "RUNNING"),
            timeout=60,
            what="supervisord running both programs, gunicorn answering",
        )
        # The worker runs the site's jobs: a mail queued by the site arrives.
        with app.app_context():
            send_email(
                subject="Sent by the supervised worker",
                recipients=["susan@example.com"],
                text_body="hello",
                html_body="<p>hello</p>",
            )
        wait_until(lambda: sink._received, timeout=30, what="the mail from the worker")
        assert sink.received()[0]["Subject"] == "Sent by the supervised worker"
        # A new release, as the README says: HUP makes gunicorn reload its workers in place.
        signalled = ctl("signal", "HUP", "microblog:microblog-web")
        assert signalled.returncode == 0, signalled.stdout + signalled.stderr
        wait_until(
            lambda: "Handling signal: hup" in (tmp_path / "logs" / "web.log").read_text(),
            what="gunicorn reloading",
        )
        wait_until(lambda: http_status(healthz) == 200, what="gunicorn serving after the reload")
        assert "GET /healthz" in (tmp_path / "logs" / "web.log").read_text()  # logs go there
        client = Redis.from_url(redis.url)
        assert len(Worker.all(connection=client)) == 1
        stopped = ctl("stop", "microblog:*")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert states() == dict.fromkeys(PROGRAMS, "STOPPED")
        assert http_status(healthz) is None
        assert Worker.all(connection=client) == []  # the worker signed off (a warm shutdown)
        client.close()
        assert ctl("shutdown").returncode == 0
