"""gunicorn.conf.py: its settings, and gunicorn really serving the app with it."""

from __future__ import annotations

import multiprocessing
import runpy
import signal

import pytest

from servers import free_port
from tests.deploy.processes import (
    BIN,
    PROJECT,
    app_environment,
    http_status,
    running,
    wait_until,
)

CONF = PROJECT / "gunicorn.conf.py"


def settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "PORT", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_workers_follow_the_cpu_count_unless_web_concurrency_says(monkeypatch):
    assert settings(monkeypatch)["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


@pytest.mark.parametrize(
    ("env", "bind"),
    [
        ({}, ["127.0.0.1:8000"]),
        ({"PORT": "8123"}, ["0.0.0.0:8123"]),
        ({"PORT": "8123", "GUNICORN_BIND": "unix:/run/mb.sock"}, ["unix:/run/mb.sock"]),
    ],
)
def test_bind_address_comes_from_the_environment(monkeypatch, env, bind):
    assert settings(monkeypatch, **env)["bind"] == bind


def test_logs_go_to_standard_output_and_timeouts_are_set(monkeypatch):
    conf = settings(monkeypatch, GUNICORN_TIMEOUT="45")
    assert conf["accesslog"] == "-"
    assert conf["errorlog"] == "-"
    assert conf["timeout"] == 45
    assert conf["graceful_timeout"] == 30
    assert conf["chdir"] == str(PROJECT)


def _booted_workers(log) -> int:
    return log.read_text().count("Booting worker")


def test_gunicorn_serves_the_app_reloads_on_hup_and_stops_on_term(tmp_path):
    port = free_port()
    env = app_environment(
        SECRET_KEY="gunicorn-test-secret",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}",
        BASE_URL="http://127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        TRUSTED_PROXIES="1",
        LOG_TO_STDOUT="1",
    )
    log = tmp_path / "gunicorn.log"
    healthz = f"http://127.0.0.1:{port}/healthz"
    # Started from elsewhere: the configuration finds the project by itself.
    command = [str(BIN / "gunicorn"), "-c", str(CONF)]
    with running(command, env=env, log=log, cwd=tmp_path) as gunicorn:
        wait_until(lambda: http_status(healthz) == 200, what=f"gunicorn on {port}")
        assert _booted_workers(log) == 1

        # The access log names the client that the (one trusted) proxy reported.
        forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        assert http_status(healthz, headers=forwarded) == 200
        line = '203.0.113.9 [198.51.100.1, 203.0.113.9] "GET /healthz HTTP/1.1" 200'
        wait_until(lambda: line in log.read_text(), what="the access log line")

        # HUP: a fresh worker replaces the old one, and the site answers throughout.
        gunicorn.send_signal(signal.SIGHUP)
        wait_until(lambda: _booted_workers(log) == 2, what="a new worker after HUP")
        assert http_status(healthz) == 200
        assert gunicorn.poll() is None

        gunicorn.send_signal(signal.SIGTERM)
        assert gunicorn.wait(timeout=35) == 0
    assert "Shutting down: Master" in log.read_text()
