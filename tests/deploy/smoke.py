"""The deployment smoke test (`make deploy-smoke`): the site as it runs in production, on this
machine, started from the project's own deployment files.

    .venv/bin/python -m tests.deploy.smoke [--keep-logs DIR]

- PostgreSQL: a fresh database on the local server (DEPLOY_SMOKE_POSTGRES, default
  postgresql://postgres@127.0.0.1:5432), made for this run and dropped after it, migrated with
  the Procfile's `release` command;
- Redis: a redis-server of its own on a free port (so it can be stopped and started again);
- two gunicorn instances (2 workers each) from gunicorn.conf.py (the Procfile's `web`);
- Debian's nginx with deploy/nginx/microblog.conf.template, rendered by deploy/render with an
  upstream of both instances and a throwaway certificate, on free ports of 127.0.0.1;
- one RQ worker (the Procfile's `worker`), and an SMTP sink in this process.

Then a journey through nginx over HTTPS — register, log in, post, follow, search, message,
export (the mail arrives at the sink) — whose requests nginx's access log shows alternating
between the two instances; static files come from nginx with their cache headers. One web
instance is stopped and the journey goes on; the worker is stopped and an export waits,
queued, until it is back; Redis is stopped and the site keeps serving, and an export started
then says it is queued and is mailed once Redis is back (the worker queues it again). Exits 1
with the reason (and the logs' tails) when anything is not as it should be. Every process
stops at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import requests
from bs4 import BeautifulSoup

from servers import free_port
from tests.deploy.processes import BIN, PROJECT, app_environment, wait_until
from tests.helpers import SmtpSink

PASSWORD = "smoke-test-password-9"
ADMIN_URL = os.environ.get("DEPLOY_SMOKE_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PROCFILE = dict(
    line.split(": ", 1) for line in (PROJECT / "Procfile").read_text().splitlines() if ": " in line
)


class SmokeFailed(Exception):
    pass


def check(condition: object, what: str) -> None:
    if not condition:
        raise SmokeFailed(what)


def step(text: str) -> None:
    print(f"deploy-smoke: {text}", flush=True)


class Processes:
    """Started processes, each in a process group of its own, stopped (TERM, then KILL) when
    the run ends or when asked by name."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            env=env,
            cwd=PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.running[name] = process
        return process

    def stop(self, name: str, *, timeout: float = 40) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name, timeout=15)

    def tail(self, lines: int = 15) -> str:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database on the local PostgreSQL server; dropped at the end."""
    name = f"deploy_smoke_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_URL.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    finally:
        with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def procfile_command(kind: str) -> list[str]:
    return shlex.split(PROCFILE[kind])


class Site:
    """A visitor's browser without JavaScript, through nginx: follows no redirect by itself,
    sends the CSRF token of the last form it read."""

    def __init__(self, base: str, ca: Path) -> None:
        self.base = base
        self.session = requests.Session()
        self.ca = str(ca)  # the throwaway certificate of this run
        self.token: str | None = None
        # Browsers send the page a form is on as Referer (the site's policy is same-origin),
        # and Flask-WTF checks it on HTTPS.
        self.referer = base + "/"

    def get(self, path: str, **kwargs: object) -> requests.Response:
        response = self.session.get(
            self.base + path, allow_redirects=False, timeout=30, verify=self.ca, **kwargs
        )
        self.referer = self.base + path
        token = BeautifulSoup(response.text, "html.parser").find("input", {"name": "csrf_token"})
        if token is not None:
            self.token = token["value"]
        return response

    def page(self, path: str) -> BeautifulSoup:
        response = self.get(path)
        check(response.status_code == 200, f"GET {path}: {response.status_code}")
        return BeautifulSoup(response.text, "html.parser")

    def post(self, path: str, data: dict[str, str] | None = None) -> requests.Response:
        if self.token is None:
            self.get("/auth/login")
        form = {"csrf_token": self.token or "", **(data or {})}
        return self.session.post(
            self.base + path,
            data=form,
            headers={"Referer": self.referer},
            allow_redirects=False,
            timeout=30,
            verify=self.ca,
        )

    def posted(self, path: str, data: dict[str, str] | None = None) -> str:
        """POST a form that must succeed (303, post/redirect/get); where it leads."""
        response = self.post(path, data)
        check(
            response.status_code == 303,
            f"POST {path}: {response.status_code} {response.text[:300]}",
        )
        return response.headers["Location"]


def upstreams(access_log: Path, since: int) -> list[tuple[str, str]]:
    """(request, upstream) for each request nginx logged after line `since`."""
    rows = []
    for line in access_log.read_text().splitlines()[since:]:
        request, _, upstream = line.rpartition(" ")
        rows.append((request, upstream))
    return rows


def log_lines(access_log: Path) -> int:
    return len(access_log.read_text().splitlines()) if access_log.exists() else 0


def export_state(site: Site) -> str:
    panel = site.page("/export_posts").find(id="export")
    for name in ("export-done", "export-failed"):
        if panel.find(class_=name):
            return panel.find(class_=name).get_text(" ", strip=True)
    label = panel.find("label")
    return label.get_text(" ", strip=True) if label else panel.get_text(" ", strip=True)


def run(tmp: Path, processes: Processes, stack: ExitStack) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check(os.access(nginx, os.X_OK), "nginx is not installed (apt-get install nginx)")
    redis_server = shutil.which("redis-server")
    check(redis_server, "redis-server is not installed (apt-get install redis-server)")

    database = stack.enter_context(fresh_database())
    sink = SmtpSink()
    sink.controller.start()
    stack.callback(sink.controller.stop)
    redis_port, http_port, https_port = free_port(), free_port(), free_port()
    web_ports = {"web1": free_port(), "web2": free_port()}
    base = f"https://127.0.0.1:{https_port}"
    env = app_environment(
        PATH=f"{BIN}:{os.environ['PATH']}",
        DATABASE_URL=database,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        SECRET_KEY=uuid.uuid4().hex,
        BASE_URL=base,
        TRUSTED_PROXIES="1",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(sink.port),
        LOG_TO_STDOUT="1",
        WEB_CONCURRENCY="2",
        TASK_QUEUE_PREFIX=f"smoke-{uuid.uuid4().hex[:8]}",
        RATELIMIT_ENABLED="true",
    )

    def start_redis() -> None:
        processes.start(
            "redis",
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp)],
            env,
        )  # fmt: skip
        wait_until(lambda: _redis_answers(redis_port), what="Redis")

    start_redis()
    step(f"PostgreSQL database {database.rsplit('/', 1)[1]}, Redis on {redis_port}")
    release = subprocess.run(  # noqa: S603
        procfile_command("release"), env=env, cwd=PROJECT, capture_output=True, text=True
    )
    check(release.returncode == 0, f"the release command failed: {release.stderr[-2000:]}")

    def start_web(name: str) -> None:
        processes.start(
            name, procfile_command("web"), {**env, "GUNICORN_BIND": f"127.0.0.1:{web_ports[name]}"}
        )

    for name in web_ports:
        start_web(name)
    processes.start("worker", procfile_command("worker"), env)

    subprocess.run(  # noqa: S603 - a throwaway certificate for this run
        [shutil.which("openssl") or "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    settings = {
        "SERVER_NAME": "127.0.0.1",
        "LISTEN_HTTP": f"127.0.0.1:{http_port}",
        "LISTEN_HTTPS": f"127.0.0.1:{https_port}",
        "HTTPS_PORT_SUFFIX": f":{https_port}",
        "UPSTREAM_SERVERS": " ".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in web_ports.values()
        ),
        "STATIC_ROOT": str(PROJECT / "static"),
        "TLS_CERTIFICATE": str(tmp / "cert.pem"),
        "TLS_CERTIFICATE_KEY": str(tmp / "key.pem"),
    }
    rendered = subprocess.run(  # noqa: S603
        [str(PROJECT / "deploy" / "render"), str(PROJECT / "deploy/nginx/microblog.conf.template")],
        env={"PATH": os.environ["PATH"], **settings},
        capture_output=True,
        text=True,
    )
    check(rendered.returncode == 0, f"deploy/render failed: {rendered.stderr}")
    (tmp / "site.conf").write_text(rendered.stdout)
    ca = str(tmp / "cert.pem")
    access_log = tmp / "nginx-access.log"
    # The main configuration is this run's (Debian's would listen on port 80 and need root's
    # paths); the site inside it is the project's file as rendered. The log names the
    # instance (upstream) that served each request.
    (tmp / "nginx.conf").write_text(
        f"daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log;\n"
        "worker_processes 1; user root;\n"
        "events {}\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        "  log_format smoke '$request_method $request_uri $status $upstream_addr';\n"
        f"  access_log {access_log} smoke;\n"
        f"  include {tmp}/site.conf;\n"
        "}\n"
    )
    processes.start("nginx", [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], env)

    def healthz() -> int | None:
        try:
            return requests.get(f"{base}/healthz", verify=ca, timeout=10).status_code
        except requests.RequestException:
            return None

    wait_until(
        lambda: all(_answers(port) for port in web_ports.values()) and healthz() == 200,
        timeout=60,
        what="both gunicorn instances and nginx",
    )
    step(f"nginx on {https_port} (HTTPS) in front of gunicorn on {sorted(web_ports.values())}")

    # The plain-HTTP server only redirects to HTTPS.
    plain = requests.get(f"http://127.0.0.1:{http_port}/explore", allow_redirects=False, timeout=10)
    check(
        plain.status_code == 301 and plain.headers["Location"] == f"{base}/explore",
        f"HTTP is not redirected to HTTPS: {plain.status_code} {plain.headers.get('Location')}",
    )

    # The journey.
    start = log_lines(access_log)
    alice, bob = Site(base, ca), Site(base, ca)
    for who, name in ((alice, "alice"), (bob, "bob")):
        who.get("/auth/register")
        who.posted(
            "/auth/register",
            {"username": name, "email": f"{name}@example.com", "password": PASSWORD,
             "password2": PASSWORD},
        )  # fmt: skip
    alice.posted("/auth/logout")
    alice.get("/auth/login")
    check(
        alice.posted("/auth/login", {"username": "alice", "password": PASSWORD}).endswith("/"),
        "logging in did not lead home",
    )
    alice.get("/")
    alice.posted("/", {"post": "Hello from the deployment smoke test #smoketest"})
    bob.get("/")
    bob.posted("/", {"post": "Bob was here first, smoketest too"})
    alice.get("/user/bob")
    alice.posted("/follow/bob")
    home = alice.page("/")
    bodies = [p.get_text(" ", strip=True) for p in home.select("#post-list .post-body")]
    check(
        any("Bob was here first" in body for body in bodies)
        and any("deployment smoke test" in body for body in bodies),
        f"alice's timeline lacks her post or bob's: {bodies}",
    )
    found = alice.page("/search?q=smoketest").get_text(" ", strip=True)
    check("Hello from the deployment smoke test" in found, "search does not find alice's post")
    alice.get("/messages/bob")
    alice.posted("/send_message/bob", {"message": "Hi Bob, from behind nginx"})
    check(
        "Hi Bob, from behind nginx" in bob.page("/messages/alice").get_text(" ", strip=True),
        "bob does not see alice's message",
    )
    alice.get("/user/alice")
    alice.posted("/export_posts")
    wait_until(lambda: sink._received, timeout=60, what="the export's mail")
    [mail] = sink._received
    [part] = list(mail.iter_attachments())
    posts = json.loads(part.get_content())["posts"]
    check(
        part.get_filename() == "posts.json"
        and [p["body"] for p in posts] == ["Hello from the deployment smoke test #smoketest"],
        f"the export mail is wrong: {part.get_filename()} {posts}",
    )
    # The worker records the export done just after the mail server took the mail.
    wait_until(
        lambda: export_state(alice).startswith("Sent to your email"),
        timeout=20,
        what="the export to say it was sent",
    )
    step("journey: register, log in, post, follow, search, message, export (mail received)")

    # Rate limits are counted in Redis, for both instances: the sixth wrong password for one
    # account is refused whichever instance gets it (in memory, each would have seen three).
    carol = Site(base, ca)
    carol.get("/auth/register")
    carol.posted(
        "/auth/register",
        {"username": "carol", "email": "carol@example.com", "password": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip
    carol.posted("/auth/logout")
    carol.get("/auth/login")
    statuses = [
        carol.post("/auth/login", {"username": "carol", "password": "wrong-password"}).status_code
        for _ in range(6)
    ]
    check(statuses[-1] == 429 and 429 not in statuses[:5], f"login limits: {statuses}")

    served = upstreams(access_log, start)
    app_requests = [
        upstream for request, upstream in served if not request.startswith("GET /static")
    ]
    counts = {port: sum(f":{port}" in u for u in app_requests) for port in web_ports.values()}
    switches = sum(a != b for a, b in itertools.pairwise(app_requests))
    check(
        min(counts.values()) >= len(app_requests) // 3 and switches >= len(app_requests) // 3,
        f"requests did not alternate between the instances: {counts}, {switches} switches",
    )
    step(
        f"{len(app_requests)} requests through nginx: {counts} per instance, "
        f"{switches} switches; sessions, CSRF tokens and login limits held across them"
    )

    # Static files: from nginx itself (neither instance sees them), cached for a year,
    # compressed. (The site file logs no static requests.)
    stylesheet = alice.page("/").find("link", rel="stylesheet")["href"]
    static = alice.session.get(
        base + stylesheet, headers={"Accept-Encoding": "gzip"}, timeout=10, verify=ca
    )
    check(static.status_code == 200, f"{stylesheet}: {static.status_code}")
    check(
        static.headers.get("Cache-Control") == "public, max-age=31536000, immutable",
        f"{stylesheet} Cache-Control: {static.headers.get('Cache-Control')}",
    )
    check(static.headers.get("Content-Encoding") == "gzip", f"{stylesheet} is not compressed")
    check("?v=" in stylesheet, f"the stylesheet's URL does not change with it: {stylesheet}")
    reached = [
        name for name in web_ports if "/static/" in (processes.logs / f"{name}.log").read_text()
    ]
    check(not reached, f"{stylesheet} reached gunicorn ({reached}), not only nginx")
    step(f"static {stylesheet}: nginx, {static.headers['Cache-Control']}, gzip")

    # One web instance goes away: the journey goes on through the other.
    processes.stop("web1")
    before = log_lines(access_log)
    alice.posted("/", {"post": "Posted while one web server was down"})
    check(
        "Posted while one web server was down" in alice.page("/").get_text(" ", strip=True),
        "the post made with one instance down is not on the timeline",
    )
    alice.page("/search?q=smoketest")
    bob.page("/messages")
    survivors = {u for _, u in upstreams(access_log, before)}
    check(
        all(f":{web_ports['web2']}" in u for u in survivors if u != "-"),
        f"requests after web1 stopped: {survivors}",
    )
    step("web1 stopped: posting, timeline, search and messages go on through web2")
    start_web("web1")
    wait_until(lambda: _answers(web_ports["web1"]), timeout=60, what="web1 again")

    # No worker: the export waits, queued, and completes once a worker is back.
    processes.stop("worker")
    sink._received.clear()
    alice.posted("/export_posts")
    time.sleep(2)
    state = export_state(alice)
    check(
        state == "Your export is queued and waiting to start.",
        f"without a worker the export says {state!r}",
    )
    check(healthz() == 200, "/healthz fails without a worker")
    processes.start("worker", procfile_command("worker"), env)
    wait_until(lambda: sink._received, timeout=60, what="the export's mail once the worker is back")
    wait_until(lambda: export_state(alice).startswith("Sent"), timeout=20, what="the export done")
    step("worker stopped: the export said it was queued, and was sent once the worker was back")

    # No Redis: pages keep working (limits count in memory); /healthz says what is wrong;
    # an export says it is queued, and the worker queues and runs it once Redis is back.
    processes.stop("redis")
    check(healthz() == 503, "/healthz does not report Redis down")
    alice.posted("/", {"post": "Posted while Redis was down"})
    check(
        "Posted while Redis was down" in alice.page("/").get_text(" ", strip=True),
        "posting failed with Redis down",
    )
    alice.page("/explore")
    sink._received.clear()
    alice.posted("/export_posts")
    state = export_state(alice)
    check(
        state == "Your export is queued: it will start when the job queue is back.",
        f"with Redis down the export says {state!r}",
    )
    start_redis()  # empty: it never saw the export
    wait_until(lambda: healthz() == 200, timeout=30, what="/healthz once Redis is back")
    # Nobody looks at the page meanwhile: the worker, reconnected, queues the export itself.
    wait_until(lambda: sink._received, timeout=60, what="the export's mail once Redis is back")
    [mail] = sink._received
    [part] = list(mail.iter_attachments())
    bodies = [p["body"] for p in json.loads(part.get_content())["posts"]]
    check("Posted while Redis was down" in bodies, f"the export after the outage: {bodies}")
    wait_until(lambda: export_state(alice).startswith("Sent"), timeout=20, what="the export done")
    step(
        "Redis stopped: pages served, /healthz 503, the export said queued; Redis back: "
        "/healthz 200, the worker queued the export again and it was mailed"
    )


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code in (
            200,
            503,
        )
    except requests.RequestException:
        return False


def _redis_answers(port: int) -> bool:
    result = subprocess.run(  # noqa: S603
        [shutil.which("redis-cli") or "/usr/bin/redis-cli", "-p", str(port), "ping"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "PONG"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep-logs", type=Path, help="copy the processes' logs here")
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deploy-smoke-") as name:
        tmp = Path(name)
        logs = tmp / "logs"
        logs.mkdir()
        processes = Processes(logs)
        try:
            with ExitStack() as stack:
                stack.callback(processes.stop_all)
                run(tmp, processes, stack)
        except (SmokeFailed, AssertionError) as failure:
            print(f"deploy-smoke: FAILED: {failure}\n{processes.tail()}", file=sys.stderr)
            return 1
        finally:
            if args.keep_logs:
                shutil.copytree(logs, args.keep_logs, dirs_exist_ok=True)
    step(f"passed in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
