"""A Redis server of our own, for tests that stop and start the job queue: Debian's
`redis-server` in a temporary folder, on 127.0.0.1 at a free port, keeping nothing on disk (a
restart comes back empty, as a Redis without persistence does). Never the machine's shared
server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from servers import Server, free_port


class RedisUnavailable(Exception):
    """This machine cannot run a Redis server of our own (the reason is the message)."""


class RedisServer(Server):
    """`with RedisServer() as server:` a running Redis at `server.url`; `stop()` and
    `start()` it at will (on the same port); it is stopped and its folder deleted at the end."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="microblog-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def answers(self) -> bool:
        client = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except RedisError:
            return False
        finally:
            client.close()

    def start(self, timeout: float = 20) -> None:
        """Start the server and wait (at most `timeout` seconds) until it answers."""
        if self.process is not None:
            return
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                text = (self.root / "server.log").read_text(errors="replace")[-2000:]
                raise RedisUnavailable(f"redis-server did not come up: {text}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (its data goes with it) and wait until it is gone."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def setup(self) -> None:
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
