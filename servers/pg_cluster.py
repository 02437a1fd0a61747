"""A PostgreSQL server of our own, for tests and benchmarks that stop and restart the
database: `initdb` in a temporary folder, listening on 127.0.0.1 at a free port (no Unix
socket), trust authentication for the user `postgres`. Never the machine's shared server.

As root it runs the server as the `postgres` system user (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from servers import Server, free_port

# Where Debian and Ubuntu install the server binaries, one folder per major version.
SEARCH_PATTERN = "/usr/lib/postgresql/*/bin"
SYSTEM_USER = "postgres"


class ClusterUnavailable(Exception):
    """This machine cannot run a PostgreSQL server of our own (the reason is the message)."""


def find_binaries() -> Path:
    """The folder of initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/*/bin,
    else the PATH's."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob(SEARCH_PATTERN), key=lambda path: int(path.split("/")[-2]))[::-1]
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise ClusterUnavailable(f"no initdb and pg_ctl (looked in $PG_BIN, {SEARCH_PATTERN}, PATH)")


class PostgresCluster(Server):
    """`with PostgresCluster() as cluster:` a running server at `cluster.url()`; `stop()`
    and `start()` it at will; it is stopped and its folder deleted when the block ends."""

    def __init__(self, *, settings: dict[str, str] | None = None) -> None:
        self.bin = find_binaries()
        self.as_root = os.geteuid() == 0
        if self.as_root and not shutil.which("runuser"):
            raise ClusterUnavailable("running as root without runuser to become postgres")
        self.root = Path(tempfile.mkdtemp(prefix="microblog-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "''",
            "max_connections": "60",
            "shared_buffers": "32MB",
            **(settings or {}),
        }
        if self.as_root:
            shutil.chown(self.root, SYSTEM_USER, SYSTEM_USER)

    def _run(self, *command: str, timeout: float = 60) -> None:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", SYSTEM_USER, "--", *argv]
        result = subprocess.run(  # noqa: S603 - our own commands
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterUnavailable(
                f"{command[0]} failed ({result.returncode}): {result.stderr.strip()} {log}"
            )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in self.settings.items())

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" ends every session cleanly, "immediate" as in a crash
        (committed work survives in the write-ahead log)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        """A new database on the server; its URL."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def setup(self) -> None:
        self.init()
        self.start()

    def remove(self) -> None:
        """Stop the server if it runs (waiting a little for it) and delete its folder."""
        if self.is_running():
            with suppress(ClusterUnavailable):
                self.stop("immediate")
        deadline = time.monotonic() + 10
        while self.is_running() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
