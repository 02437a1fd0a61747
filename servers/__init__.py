"""Servers of our own for tests and benchmarks, never the machine's shared ones: a PostgreSQL
cluster (`servers.pg_cluster`) and a Redis (`servers.redis_server`) in temporary folders, and free
ports on 127.0.0.1 for them and for the site. Not part of the site (not installed with it)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
