"""The files in deploy/ (and the Procfile, Dockerfile, docker-compose.yml): boot.sh and the
container health check run for real; nginx checks its site; the rest must agree with them."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from microblog import config
from servers import free_port
from tests.deploy.processes import (
    BIN,
    PROJECT,
    app_environment,
    http_status,
    running,
    wait_until,
)
from tests.helpers import skip_or_fail

DEPLOY = PROJECT / "deploy"
SITE_TEMPLATE = DEPLOY / "nginx" / "microblog.conf.template"
PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def boot_environment(tmp_path, database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = app_environment(
        SECRET_KEY="boot-test-secret",
        BASE_URL="http://127.0.0.1",
        DATABASE_URL=database_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        LOG_TO_STDOUT="1",
        **extra,
    )
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"  # as in the image: the venv comes first
    return env


def test_boot_sh_migrates_then_becomes_gunicorn(tmp_path):
    database = tmp_path / "site.db"
    port = free_port()
    env = boot_environment(tmp_path, f"sqlite:///{database}", port)
    log = tmp_path / "boot.log"
    with running([str(DEPLOY / "boot.sh")], env=env, log=log, cwd=tmp_path) as boot:
        wait_until(lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200, timeout=60)
        # exec: the process that was boot.sh is now gunicorn's master, which gets the signals.
        command_line = Path(f"/proc/{boot.pid}/cmdline").read_bytes().split(b"\0")
        assert any(part.endswith(b"gunicorn") for part in command_line)
        tables = sa.inspect(sa.create_engine(f"sqlite:///{database}")).get_table_names()
        assert {"user", "post", "alembic_version"} <= set(tables)
        # The container health check sees the same.
        check = [sys.executable, str(DEPLOY / "healthcheck.py")]
        assert subprocess.run(check, env=env, timeout=30).returncode == 0  # noqa: S603
    assert subprocess.run(check, env=env, timeout=30).returncode == 1  # noqa: S603


def test_boot_sh_gives_up_when_the_database_never_answers(tmp_path, closed_port):
    port = free_port()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/nowhere"
    env = boot_environment(tmp_path, url, port, MIGRATE_ATTEMPTS="2", MIGRATE_DELAY="0")
    result = subprocess.run(  # noqa: S603
        [str(DEPLOY / "boot.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "retrying" in result.stderr
    assert "the migrations failed 2 times; not starting the web server" in result.stderr
    assert http_status(f"http://127.0.0.1:{port}/healthz") is None


def site_settings(tmp_path) -> dict[str, str]:
    (tmp_path / "cert.pem").touch()
    return {
        "SERVER_NAME": "microblog.example.com",
        "LISTEN_HTTP": f"127.0.0.1:{free_port()}",
        "LISTEN_HTTPS": f"127.0.0.1:{free_port()}",
        "HTTPS_PORT_SUFFIX": "",
        "UPSTREAM_SERVERS": "server 127.0.0.1:8000; server 127.0.0.1:8001;",
        "STATIC_ROOT": str(PROJECT / "static"),
        "TLS_CERTIFICATE": str(tmp_path / "cert.pem"),
        "TLS_CERTIFICATE_KEY": str(tmp_path / "key.pem"),
    }


def render(template, settings: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], **settings}
    return subprocess.run(  # noqa: S603
        [str(DEPLOY / "render"), str(template)], env=env, capture_output=True, text=True
    )


def test_render_fills_in_the_placeholders_and_leaves_nginx_variables_alone(tmp_path):
    result = render(SITE_TEMPLATE, site_settings(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "server_name microblog.example.com;" in result.stdout
    assert "server 127.0.0.1:8000; server 127.0.0.1:8001;" in result.stdout
    assert "return 301 https://$host$request_uri;" in result.stdout
    assert not PLACEHOLDER.search(result.stdout.split("upstream", 1)[1])


def test_render_refuses_a_missing_setting(tmp_path):
    settings = site_settings(tmp_path)
    del settings["STATIC_ROOT"]
    result = render(SITE_TEMPLATE, settings)
    assert result.returncode == 1
    assert "needs STATIC_ROOT" in result.stderr


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        skip_or_fail("nginx is not installed (apt-get install nginx)")
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    subprocess.run(  # noqa: S603 - a throwaway certificate for the check
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = tmp_path / "site.conf"
    site.write_text(render(SITE_TEMPLATE, site_settings(tmp_path)).stdout)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; include {site}; }}\n"
    )
    result = subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_refuses_what_the_app_would_refuse():
    size = re.search(r"client_max_body_size (\d+)m;", SITE_TEMPLATE.read_text())
    assert size, "client_max_body_size is not set in MiB"
    assert int(size.group(1)) * 1024 * 1024 == config.TestConfig().MAX_CONTENT_LENGTH


def procfile() -> dict[str, str]:
    lines = (PROJECT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_the_procfile_migrates_on_release_and_runs_web_and_worker():
    processes = procfile()
    assert processes == {
        "release": "flask --app microblog:create_app db upgrade",
        "web": "gunicorn -c gunicorn.conf.py",
        "worker": "flask --app microblog:create_app worker",
    }


def _without_paths(command: str) -> str:
    return command.replace("/srv/microblog/.venv/bin/", "").replace("/srv/microblog/", "")


SUPERVISOR_TEMPLATE = DEPLOY / "supervisor" / "microblog.conf.template"
# What the README renders the supervisor programs with.
SERVER = {
    "MICROBLOG_HOME": "/srv/microblog",
    "MICROBLOG_USER": "microblog",
    "MICROBLOG_LOG_DIR": "/var/log/microblog",
}


def test_supervisor_and_systemd_run_what_the_procfile_runs():
    processes = procfile()
    rendered = render(SUPERVISOR_TEMPLATE, SERVER)
    assert rendered.returncode == 0, rendered.stderr
    supervisor = configparser.RawConfigParser(inline_comment_prefixes=(";",))
    supervisor.read_string(rendered.stdout)
    assert _without_paths(supervisor["program:microblog-web"]["command"]) == processes["web"]
    assert _without_paths(supervisor["program:microblog-worker"]["command"]) == processes["worker"]
    assert supervisor["group:microblog"]["programs"] == "microblog-web,microblog-worker"
    for program, log in (("microblog-web", "web"), ("microblog-worker", "worker")):
        section = supervisor[f"program:{program}"]
        assert (section["user"], section["directory"]) == ("microblog", "/srv/microblog")
        assert section["stdout_logfile"] == f"/var/log/microblog/{log}.log"

    def unit(name: str) -> configparser.SectionProxy:
        parser = configparser.RawConfigParser(strict=False)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(DEPLOY / "systemd" / name)
        return parser["Service"]

    web, worker = unit("microblog-web.service"), unit("microblog-worker.service")
    assert _without_paths(web["ExecStart"]) == processes["web"]
    assert _without_paths(web["ExecStartPre"]) == processes["release"]
    assert web["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert _without_paths(worker["ExecStart"]) == processes["worker"]
    assert web["User"] == worker["User"] == "microblog"


def test_the_supervisor_template_needs_its_three_settings():
    result = render(SUPERVISOR_TEMPLATE, {})
    assert result.returncode == 1
    assert "needs MICROBLOG_HOME MICROBLOG_LOG_DIR MICROBLOG_USER" in result.stderr


def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units, with /srv/microblog being this checkout (it
    checks that the commands exist): no unknown key, no bad value, nothing missing."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        skip_or_fail("systemd-analyze is not installed (apt-get install systemd)")
    for unit in ("microblog-web.service", "microblog-worker.service"):
        text = (DEPLOY / "systemd" / unit).read_text()
        (tmp_path / unit).write_text(text.replace("/srv/microblog", str(PROJECT)))
    result = subprocess.run(  # noqa: S603
        [analyze, "verify", *sorted(str(path) for path in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def dockerfile_stages() -> list[str]:
    return re.split(r"^FROM ", (PROJECT / "Dockerfile").read_text(), flags=re.M)[1:]


def test_the_image_is_built_in_two_stages_and_runs_without_privileges():
    build, final = dockerfile_stages()
    assert build.startswith("python:3.11-slim AS build")
    assert final.startswith("python:3.11-slim\n")
    assert "pybabel compile -d translations" in build
    assert "COPY --from=build /venv /venv" in final
    # Nothing is installed in the final stage: no compiler, no pip.
    assert "apt-get" not in final and "pip install" not in final
    users = re.findall(r"^USER (\S+)", final, flags=re.M)
    assert users == ["microblog"]
    assert 'CMD ["deploy/boot.sh"]' in final
    assert os.access(DEPLOY / "boot.sh", os.X_OK)
    ignored = (PROJECT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "instance"} <= set(ignored)


def test_compose_runs_two_web_servers_a_worker_and_nginx_from_the_same_files():
    compose = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web1", "web2", "worker", "nginx"}
    for name in ("web1", "web2", "worker"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["TRUSTED_PROXIES"] == "1"
    assert services["worker"]["command"] == procfile()["worker"].split()
    assert services["web2"]["depends_on"] == {"web1": {"condition": "service_healthy"}}
    nginx = services["nginx"]
    assert (
        "./deploy/nginx/microblog.conf.template:/etc/nginx/templates/microblog.conf.template:ro"
        in nginx["volumes"]
    )
    assert nginx["environment"]["UPSTREAM_SERVERS"] == "server web1:8000; server web2:8000;"
    # Every placeholder of the site is given, and let through the image's envsubst filter.
    placeholders = set(PLACEHOLDER.findall(SITE_TEMPLATE.read_text()))
    assert placeholders <= set(nginx["environment"])
    allowed = re.compile(nginx["environment"]["NGINX_ENVSUBST_FILTER"].replace("$$", "$"))
    assert all(allowed.search(name) for name in placeholders)
    assert not allowed.search("host")


@pytest.mark.parametrize("path", ["deploy/pythonanywhere_wsgi.py", "deploy/healthcheck.py"])
def test_the_python_files_of_deploy_compile(path):
    compile((PROJECT / path).read_text(), path, "exec")


def test_the_pythonanywhere_file_builds_the_app_from_the_project(tmp_path):
    env = app_environment(
        SECRET_KEY="pa-secret",
        BASE_URL="https://someone.pythonanywhere.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'pa.db'}",
        MICROBLOG_HOME=str(PROJECT),
        LOG_TO_STDOUT="1",
    )
    code = (
        "import runpy; app = runpy.run_path('deploy/pythonanywhere_wsgi.py')['application'];"
        "print(app.config['BASE_URL'], app.name)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://someone.pythonanywhere.com", "microblog"]
