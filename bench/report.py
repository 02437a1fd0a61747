"""The results: the machine, the targets met or not, Markdown tables, bench/README.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from bench.data import BENCH, ROOT, SCALES
from bench.endpoints import Measure


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": memory, "loadavg_start": load}


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    )
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode
    return result.stdout.strip() + ("+dirty" if dirty else "")


def run_record(
    args: argparse.Namespace, started: datetime, info: dict[str, str], measures: list[Measure]
) -> dict:
    """What a run was (when, which commit, database, data set, machine, settings) and what
    it measured: the start of its JSON record."""
    return {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "db": args.db,
        "scale": args.scale,
        "data": SCALES[args.scale],
        "machine": {**info, "loadavg_end": " ".join(f"{x:.2f}" for x in os.getloadavg())},
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "duration": args.duration,
            "rounds": args.rounds,
            "in_process_repeat": args.in_process_repeat,
            "load_generator": "wrk" if shutil.which("wrk") else "python",
        },
        "endpoints": [asdict(m) for m in measures],
    }


def save_results(stem: str, result: dict, text: str) -> None:
    """bench/results/<stem>.json (the record) and .md (`text`)."""
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"{stem}.md").write_text(text)
    print(f"written: bench/results/{stem}.md and .json")


def check_targets(measures: list[Measure], scales: list[Measure], small: str) -> list[dict]:
    by_name = {m.name: m for m in measures}
    checks: list[dict] = []

    def ratio(what: str, a: str, b: str, limit: float, attr: str = "p50_ms") -> None:
        if a in by_name and b in by_name:
            value = getattr(by_name[a], attr) / getattr(by_name[b], attr)
            checks.append({"target": what, "value": round(value, 2), "limit": limit})

    ratio("home page 1 / explore page 1 (p50)", "home page 1", "explore page 1", 3.0)
    ratio("home page 90 / home page 1 (p50)", "home page 90", "home page 1", 1.5)
    ratio("explore page 200 / explore page 1 (p50)", "explore page 200", "explore page 1", 1.5)
    for attr, label in (("server_ms", "server time"), ("server_cpu_ms", "server CPU time")):
        ratio(
            f"home page 2: htmx fragment / full page ({label})",
            "home page 2 (htmx fragment)",
            "home page 2",
            0.7,
            attr,
        )
        ratio(
            f"explore page 2: htmx fragment / full page ({label})",
            "explore page 2 (htmx fragment)",
            "explore page 2",
            0.7,
            attr,
        )
    ratio(
        "home page 90 / home page 1 (server time)", "home page 90", "home page 1", 1.5, "server_ms"
    )
    ratio(
        "explore page 200 / explore page 1 (server time)",
        "explore page 200",
        "explore page 1",
        1.5,
        "server_ms",
    )
    counted = [m for m in measures if m.queries is not None]
    if counted:
        worst = max(counted, key=lambda m: m.queries)
        checks.append(
            {
                "target": f"SQL statements per page (max: {worst.name})",
                "value": worst.queries,
                "limit": 5,
            }
        )
        checks.append(
            {
                "target": "database writes on a GET",
                "value": sum(m.writes for m in counted),
                "limit": 0,
            }
        )
    side_by_side = {m.name: m for m in scales}
    for name in ("home page 1", "explore page 1"):
        large = side_by_side.get(f"{name} @ large")
        reference = side_by_side.get(f"{name} @ {small}")
        if large and reference:
            for attr, label in (("p50_ms", "p50"), ("server_ms", "server time")):
                checks.append(
                    {
                        "target": f"{name}: large / {small} scale, side by side ({label})",
                        "value": round(getattr(large, attr) / getattr(reference, attr), 2),
                        "limit": 1.5,
                    }
                )
    for check in checks:
        check["met"] = check["value"] <= check["limit"]
    return checks


def markdown(result: dict) -> str:
    data = result["data"]
    m = result["machine"]
    lines = [
        f"**{result['db']}, {result['scale']} scale** ({data['users']:,} users x "
        f"{data['follows']} follows x {data['posts']:,} posts) — {result['date']}, "
        f"commit {result['commit']}, {m['nproc']} x {m['cpu']}, {m['memory']}, "
        f"load average at start {m['loadavg_start']}; gunicorn {result['settings']['workers']} "
        f"workers, {result['settings']['load_generator']} with {result['settings']['connections']} "
        f"connections, {result['settings']['rounds']} rounds x {result['settings']['duration']} s "
        "per endpoint (medians).",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | server ms | server CPU ms | SQL | writes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in result["endpoints"]:
        server = f"{e['server_ms']:.2f}" if e["server_ms"] is not None else "-"
        cpu = f"{e['server_cpu_ms']:.2f}" if e["server_cpu_ms"] is not None else "-"
        queries = str(e["queries"]) if e["queries"] is not None else "-"
        writes = str(e["writes"]) if e["writes"] is not None else "-"
        errors = f" ({e['errors']} errors)" if e["errors"] else ""
        lines.append(
            f"| {e['method']} `{e['path']}` {e['name']}{errors} | {e['rps']:.0f} | "
            f"{e['p50_ms']:.2f} | {e['p99_ms']:.2f} | {server} | {cpu} | {queries} | {writes} |"
        )
    if result.get("scale_comparison"):
        lines += [
            "",
            "Page 1 at both scales, served side by side and measured in turns:",
            "",
            "| endpoint @ scale | req/s | p50 ms | p99 ms | server ms | server CPU ms | SQL |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for e in result["scale_comparison"]:
            lines.append(
                f"| {e['name']} | {e['rps']:.0f} | {e['p50_ms']:.2f} | {e['p99_ms']:.2f} | "
                f"{e['server_ms']:.2f} | {e['server_cpu_ms']:.2f} | {e['queries']} |"
            )
    return "\n".join([*lines, "", *targets_table(result["targets"])]) + "\n"


def run_conditions(result: dict, *, in_process: bool = False) -> str:
    """When, on what and how a run measured: "2026-12-02 04:36 UTC, commit …, 2 x CPU, load
    average at start …; gunicorn 2 workers, wrk with 2 connections, 5 rounds x 2 s per
    endpoint (medians)." (`in_process`: with the number of in-process requests.)"""
    m, settings = result["machine"], result["settings"]
    repeat = f"in-process {settings['in_process_repeat']} requests each; " if in_process else ""
    return (
        f"{result['date']}, commit {result['commit']}, {m['nproc']} x {m['cpu']}, load average "
        f"at start {m['loadavg_start']}; {repeat}gunicorn {settings['workers']} workers, "
        f"{settings['load_generator']} with {settings['connections']} connections, "
        f"{settings['rounds']} rounds x {settings['duration']} s per endpoint (medians)."
    )


def endpoints_table(endpoints: list[dict], *, writes: bool = False) -> list[str]:
    """A run's endpoints as Markdown table rows: throughput and latency under load, server
    time and SQL statements in process (and the writes among them)."""
    extra = " writes |" if writes else ""
    lines = [
        f"| endpoint | req/s | p50 ms | p99 ms | server ms | server CPU ms | SQL |{extra}",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if writes else ""),
    ]
    for e in endpoints:
        errors = f" ({e['errors']} errors)" if e["errors"] else ""
        lines.append(
            f"| `{e['path']}` {e['name']}{errors} | {e['rps']:.0f} | {e['p50_ms']:.2f} | "
            f"{e['p99_ms']:.2f} | {e['server_ms']:.2f} | {e['server_cpu_ms']:.2f} | "
            f"{e['queries']} |" + (f" {e['writes']} |" if writes else "")
        )
    return lines


def targets_table(targets: list[dict]) -> list[str]:
    """The targets as Markdown table rows; a row without a limit is shown, not judged."""
    lines = ["| target | value | limit | met |", "| --- | ---: | ---: | --- |"]
    for c in targets:
        limit = "" if c["limit"] is None else c["limit"]
        met = "" if c.get("met") is None else "yes" if c["met"] else "**no**"
        lines.append(f"| {c['target']} | {c['value']} | {limit} | {met} |")
    return lines


def plans_markdown(plans: dict[str, str]) -> str:
    return "".join(f"{name}:\n\n```\n{plan}\n```\n" for name, plan in plans.items())


def update_readme(key: str, table: str) -> None:
    readme = BENCH / "README.md"
    if not readme.exists():
        return
    text = readme.read_text()
    begin, end = f"<!-- BEGIN {key} -->", f"<!-- END {key} -->"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{begin}\n{table}{end}{after}")
