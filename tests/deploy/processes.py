"""Real server processes for the deployment tests: free ports, bounded waits, and processes
that are always stopped, whatever the test does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
# Settings a developer's environment or .env might hold that would change what is tested.
APP_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "BASE_URL",
    "TRUSTED_HOSTS",
    "TRUSTED_PROXIES",
    "PORT",
    "GUNICORN_BIND",
)


def wait_until(condition: Callable[[], object], *, timeout: float = 20, what: str = "") -> object:
    """Poll `condition` until it returns something true, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout} s waiting for {what or condition}")


def http_status(url: str, *, headers: Mapping[str, str] | None = None) -> int | None:
    """The status of GET `url`, or None when nothing answers (within 20 s: workers that
    are starting up, after a reload, on a busy machine, make a request wait)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - our URL
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def app_environment(**settings: str) -> dict[str, str]:
    """The current environment with the app's own settings cleared (empty values beat a .env
    file, which never overrides the environment) and `settings` applied."""
    env = dict(os.environ)
    env.update({name: "" for name in APP_VARIABLES})
    env.update(settings)
    return env


@contextmanager
def running(
    command: list[str], *, env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen]:
    """Run `command` in its own process group, output to `log`; stop it (TERM, then KILL
    after 15 s) when the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            env=dict(env),
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
