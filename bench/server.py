"""gunicorn serving the app on a free port of 127.0.0.1, and logging in to it over HTTP."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.data import ROOT, VENV_BIN, flask_env
from servers import free_port


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r"X-CSRFToken&quot;: &quot;([^&]+)&quot;", html
    )
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


@contextmanager
def gunicorn(url: str, workers: int) -> Iterator[int]:
    """gunicorn serving the app on a free port of 127.0.0.1, stopped on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            *("--workers", str(workers)),
            *("--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning"),
            "microblog:create_app()",
        ],
        cwd=ROOT,
        env=flask_env(url),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = http_request(port, "GET", "/avatar/1")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def http_request(
    port: int, method: str, path: str, headers: dict | None = None, body: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
        return response.status, {"set-cookie": "\n".join(cookies)}, response.read().decode()
    finally:
        connection.close()


@dataclass
class Session:
    cookie: str
    csrf: str


def log_in(port: int, username: str) -> Session:
    """Log in over HTTP once; the session cookie and CSRF token are reused by every request."""
    status, headers, html = http_request(port, "GET", "/auth/login")
    cookie = _cookie(headers)
    body = urllib.parse.urlencode(
        {"username": username, "password": f"pw-{username}", "csrf_token": csrf_from(html)}
    )
    form_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = http_request(port, "POST", "/auth/login", form_headers, body)
    if status != 303:
        raise RuntimeError(f"login as {username} failed ({status})")
    cookie = _cookie(headers) or cookie
    status, headers, html = http_request(port, "GET", "/explore", {"Cookie": cookie})
    return Session(cookie=_cookie(headers) or cookie, csrf=csrf_from(html))


def _cookie(headers: dict[str, str]) -> str:
    pairs = [line.split(";", 1)[0] for line in headers["set-cookie"].splitlines() if line]
    return "; ".join(pairs)
