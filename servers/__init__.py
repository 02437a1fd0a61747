"""Servers of our own for tests and benchmarks, never the machine's shared ones: a PostgreSQL
cluster (`servers.pg_cluster`) and a Redis (`servers.redis_server`) in temporary folders, and free
ports on 127.0.0.1 for them and for the site. Not part of the site (not installed with it)."""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Self


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server of our own as a context manager: `with` sets it up (`setup()`) and removes it
    at the end (`remove()`), also when setting up failed half-way."""

    def setup(self) -> None:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.setup()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.remove()
