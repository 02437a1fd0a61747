"""Load generators: wrk (from Debian, installed when missing) or a bounded Python
stand-in, against the served app; and measuring a list of pages, in-process and under load."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse

from bench.data import BENCH, at_least_one
from bench.endpoints import READER, Endpoint, Measure
from bench.in_process import in_process
from bench.server import Session, gunicorn, log_in


def add_load_arguments(parser: argparse.ArgumentParser, *, in_process_repeat: int) -> None:
    """How the app is served and loaded, and how often each page is timed in-process."""
    parser.add_argument("--workers", type=at_least_one, default=2)
    parser.add_argument("--connections", type=at_least_one, default=2)
    parser.add_argument("--duration", type=float, default=2, help="seconds per load run")
    parser.add_argument("--rounds", type=at_least_one, default=5)
    parser.add_argument("--in-process-repeat", type=at_least_one, default=in_process_repeat)


def ensure_wrk() -> str | None:
    """wrk from Debian, installed when missing (needs root); None means use the fallback."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...", flush=True)
        result = subprocess.run(
            ["apt-get", "install", "-y", "wrk"], capture_output=True, timeout=300, check=False
        )
        if result.returncode == 0:
            return shutil.which("wrk")
    print("wrk unavailable: using the bounded Python load generator", flush=True)
    return None


WRK_SCRIPT = """
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format(%(method)s, paths[(n %% #paths) + 1], nil, %(body)s)
end
"""


def request_headers(endpoint: Endpoint, session: Session) -> dict[str, str]:
    headers = {"Cookie": session.cookie}
    if endpoint.htmx:
        headers["HX-Request"] = "true"
    if endpoint.method == "POST":
        headers["X-CSRFToken"] = session.csrf
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def run_wrk(
    wrk: str, port: int, endpoint: Endpoint, session: Session, connections: int, seconds: float
) -> dict:
    headers = request_headers(endpoint, session)
    paths = [endpoint.path] + ([endpoint.toggle_path] if endpoint.toggle_path else [])
    body = urllib.parse.urlencode(endpoint.form) if endpoint.method == "POST" else None
    script = BENCH / "results" / "tmp" / "request.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        WRK_SCRIPT
        % {
            "paths": ", ".join(json.dumps(p) for p in paths),
            "method": json.dumps(endpoint.method),
            "body": json.dumps(body) if body is not None else "nil",
        }
    )
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}/")
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if run.returncode:
        raise RuntimeError(f"wrk failed: {run.stderr or run.stdout}")
    return parse_wrk(run.stdout)


def parse_wrk(output: str) -> dict:
    def duration_ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.MULTILINE))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{output}")
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?): (\d+)", output)
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": duration_ms(percentiles["50"]),
        "p99_ms": duration_ms(percentiles["99"]),
        "errors": errors,
    }


def run_load(
    wrk: str | None,
    port: int,
    endpoint: Endpoint,
    session: Session,
    connections: int,
    seconds: float,
) -> dict:
    """One run against `endpoint`: with wrk when there is one, else the Python stand-in."""
    if wrk:
        return run_wrk(wrk, port, endpoint, session, connections, seconds)
    return run_python_load(port, endpoint, session, connections, seconds)


def measure_reads(args: argparse.Namespace, url: str, targets: list[Endpoint]) -> list[Measure]:
    """Each GET of `targets` in-process (server time, SQL statements), then under load as the
    reader on gunicorn: `args.rounds` rounds, the endpoints interleaved in each, so a busy
    moment hits every one alike."""
    measures = {e.name: Measure(e.name, e.method, e.path) for e in targets}
    print("in-process server time and SQL statements ...", flush=True)
    cases = [(e.name, url, e) for e in targets]
    for name, found in in_process(cases, args.in_process_repeat).items():
        measures[name].record_in_process(found)
    wrk = ensure_wrk()
    with gunicorn(url, args.workers) as port:
        reader = log_in(port, READER)
        for round_ in range(args.rounds):
            for endpoint in targets:
                result = run_load(wrk, port, endpoint, reader, args.connections, args.duration)
                measures[endpoint.name].rounds.append(result)
                print(
                    f"  round {round_ + 1}  {endpoint.name:40} p50 {result['p50_ms']:7.2f} ms",
                    flush=True,
                )
    for item in measures.values():
        item.summarize()
    return list(measures.values())


def run_python_load(
    port: int, endpoint: Endpoint, session: Session, connections: int, seconds: float
) -> dict:
    """A bounded stand-in for wrk: `connections` threads, keep-alive, for `seconds`."""
    headers = request_headers(endpoint, session)
    paths = [endpoint.path] + ([endpoint.toggle_path] if endpoint.toggle_path else [])
    body = urllib.parse.urlencode(endpoint.form) if endpoint.method == "POST" else None
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            started = time.perf_counter()
            connection.request(endpoint.method, paths[n % len(paths)], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status >= 400:
                errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors[0],
    }
