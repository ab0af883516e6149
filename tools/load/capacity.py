"""
make loadtest's capacity search (tools/load/run.py --capacity): for each micro-cache setting, one Locust
run through the cluster's balancer whose users step up (tools/load/capacity_shape.py) until p99 exceeds
the limit or a request fails; the highest step that held is the cluster's capacity for this workload.
The micro-cache is switched on the running cluster (an nginx reload) between the runs and put back as
it was at the end. Figures and a chart go to docs/reliability.md (`capacity` markers) and
docs/reliability-capacity.png.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import psycopg

from deploy.cluster import Cluster
from tools.load.steps import Plan, Step
from tools.reliability_doc import reliability_doc_write

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "docs" / "reliability-capacity.png"
SHAPE = ROOT / "tools" / "load" / "capacity_shape.py"
PAUSE_S = 15


def capacity_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("capacity search (--capacity)")
    group.add_argument("--capacity", action="store_true", help="step users up until p99 or errors give out")
    group.add_argument("--start", type=int, default=25, help="users of the first step")
    group.add_argument("--factor", type=float, default=2.0, help="users of a step over the previous one")
    group.add_argument("--max-users", type=int, default=3200, help="the search stops after this step")
    group.add_argument("--step-time", type=float, default=30, help="measured seconds per step")
    group.add_argument("--settle", type=float, default=10, help="seconds between a step's ramp and its window")
    group.add_argument("--p99-ms", type=float, default=250, help="a step holds while its p99 stays at most this")
    group.add_argument("--microcache", default="off,on", help="micro-cache settings to search, in order")


def capacity_run(args: argparse.Namespace, cluster: Cluster, out: Path) -> int:
    """Both searches, then the report; exits 0 once the searches ran (a step giving out is the result)."""
    started = dt.datetime.now(dt.UTC)
    data_set = _data_set(cluster)
    searches: dict[str, list[Step]] = {}
    with _microcache_restored(cluster):
        for number, setting in enumerate(part.strip() for part in args.microcache.split(",") if part.strip()):
            if number:
                # What the last run left in flight (requests, fan-out tasks) must not weigh on the next one.
                time.sleep(PAUSE_S)
            cluster.microcache_set(setting == "on")
            print(f"\n== micro-cache {setting}", flush=True)
            searches[setting] = _search(_plan(args, out / f"capacity-{setting}.json"), cluster.config.url)
    (out / "capacity.json").write_text(
        json.dumps({key: [asdict(step) for step in steps] for key, steps in searches.items()}, indent=2)
    )
    report = _report(args, searches, cluster, data_set, started)
    print(f"\n{report}")
    if not args.no_docs:
        _chart(searches, args)
        reliability_doc_write("capacity", f"{report}\n\n![capacity](reliability-capacity.png)")
        print(f"written: docs/reliability.md, {CHART.relative_to(ROOT)}")
    return 0 if all(searches.values()) else 1


def _plan(args: argparse.Namespace, out: Path) -> Plan:
    return Plan(
        out=str(out),
        start=args.start,
        factor=args.factor,
        max_users=args.max_users,
        spawn_rate=args.spawn_rate,
        settle_s=args.settle,
        measure_s=args.step_time,
        p99_ms=args.p99_ms,
    )


@contextlib.contextmanager
def _microcache_restored(cluster: Cluster) -> Iterator[None]:
    """Whatever happens, the cluster gets back the micro-cache setting it had (the drills expect it)."""
    before = cluster.config.microcache
    try:
        yield
    finally:
        cluster.microcache_set(before)


def _search(plan: Plan, url: str) -> list[Step]:
    """One Locust run with the stepping shape; the steps it finished."""
    Path(plan.out).unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", f"{ROOT / 'tools' / 'load' / 'locustfile.py'},{SHAPE}",
        "--headless", "--only-summary", "--host", url, "--stop-timeout", "10",
    ]  # fmt: skip
    # The shape imports tools.load.steps; Locust only puts the locustfile's own directory on sys.path.
    env = {**os.environ, "CAPACITY_PLAN": json.dumps(asdict(plan)), "PYTHONPATH": str(ROOT)}
    print("$", shlex.join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env)
    path = Path(plan.out)
    return [Step.from_json(row) for row in json.loads(path.read_text())] if path.exists() else []


def _data_set(cluster: Cluster) -> str:
    """What the primary holds, counted at the start: the figures mean little without it."""
    with psycopg.connect(cluster.config.database_url, connect_timeout=5) as connection:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM articles_article), (SELECT count(*) FROM users_user)"
        ).fetchone()
    articles, users = counts if counts else (0, 0)
    return f"database `{cluster.config.database}`: {articles:,} articles, {users:,} users"


def _verdict(steps: list[Step], args: argparse.Namespace) -> str:
    """The highest step that held, and the lowest above it that gave out (the capacity lies between)."""
    held = [step for step in steps if step.held(args.p99_ms)]
    if not steps:
        return "no step finished (see the Locust output)"
    if not held:
        lowest = min(steps, key=lambda step: step.users)
        return f"no step held, not even {lowest.users} user(s): {_why(lowest, args)}"
    best = max(held, key=lambda step: step.users)
    figures = f"**{best.users} users, {best.rps:.1f} requests/s** (p50 {best.p50_ms:.0f} ms, p99 {best.p99_ms:.0f} ms)"
    above = [step for step in steps if step.users > best.users]
    if not above:
        return f"{figures}, and the search stopped at its ceiling (--max-users): the capacity is higher"
    failed = min(above, key=lambda step: step.users)
    return f"{figures}; at {failed.users} users, {_why(failed, args)}"


def _why(step: Step, args: argparse.Namespace) -> str:
    reasons = []
    if step.p99_ms > args.p99_ms:
        reasons.append(f"p99 {step.p99_ms:.0f} ms > {args.p99_ms:.0f} ms (slowest: {step.slowest})")
    if step.errors:
        reasons.append(f"{step.errors} failed request(s)")
    return " and ".join(reasons) or "no request answered"


def _report(
    args: argparse.Namespace,
    searches: dict[str, list[Step]],
    cluster: Cluster,
    data_set: str,
    started: dt.datetime,
) -> str:
    config = cluster.config
    command = shlex.join(["tools/load/run.py", *sys.argv[1:]])
    lines = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC: `{command}` through nginx on :{config.port} to {config.apps} app "
        f"instances, a streaming replica, Redis; {data_set}. Users start at {args.start} and grow x{args.factor:g} "
        f"per step (spawned at {args.spawn_rate:g}/s, {args.settle:g} s to settle, then {args.step_time:g} s "
        f"measured) until p99 > {args.p99_ms:g} ms or any error. Machine: {os.cpu_count()} cores "
        f"({platform.machine()}), shared with Locust itself (one core at most; its CPU is the last column).",
        "",
    ]
    lines += [f"- micro-cache {setting}: {_verdict(steps, args)}" for setting, steps in searches.items()]
    lines += [
        "",
        "| micro-cache | users | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | held "
        "| slowest endpoint (p99) | Locust CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for setting, steps in searches.items():
        lines += [
            f"| {setting} | {step.users:,} | {step.rps:.1f} | {step.p50_ms:.0f} | {step.p95_ms:.0f} | "
            f"{step.p99_ms:.0f} | {step.max_ms:.0f} | {step.errors} | {'yes' if step.held(args.p99_ms) else '**no**'} "
            f"| `{step.slowest}` | {step.locust_cpu:.0f} % |"
            for step in steps  # in the order they ran
        ]
    samples = [(setting, sample) for setting, steps in searches.items() for s in steps for sample in s.error_samples]
    if samples:
        lines += ["", "Failures (first of each kind):", ""]
        lines += [f"- micro-cache {setting}: `{sample}`" for setting, sample in samples]
    return "\n".join(lines)


def _chart(searches: dict[str, list[Step]], args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"off": "tab:blue", "on": "tab:orange"}
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for setting, ran in searches.items():
        steps = sorted(ran, key=lambda step: step.users)  # a search may have gone down first
        users = [step.users for step in steps]
        color = colors.get(setting, "tab:gray")
        top.plot(users, [step.rps for step in steps], marker="o", color=color, label=f"micro-cache {setting}")
        bottom.plot(users, [step.p99_ms for step in steps], marker="o", color=color, label=f"p99, cache {setting}")
        bottom.plot(users, [step.p50_ms for step in steps], marker=".", color=color, linestyle=":", alpha=0.7)
        # A step that gave out is marked with a cross on both panels.
        failed = [step for step in steps if not step.held(args.p99_ms)]
        top.scatter([s.users for s in failed], [s.rps for s in failed], marker="x", s=90, color="tab:red", zorder=3)
        bottom.scatter([s.users for s in failed], [s.p99_ms for s in failed], marker="x", s=90, color="tab:red")
    bottom.axhline(args.p99_ms, color="tab:red", linestyle="--", linewidth=1, label=f"limit {args.p99_ms:g} ms")
    top.set_ylabel("requests/s")
    top.legend(loc="upper left")
    bottom.set_ylabel("ms (solid p99, dotted p50)")
    bottom.set_yscale("log")
    bottom.set_xscale("log", base=2)  # the users double: equal steps on the axis
    ticks = sorted({step.users for steps in searches.values() for step in steps})
    bottom.set_xticks(ticks, [str(tick) for tick in ticks])
    bottom.set_xlabel("concurrent users (1-3 s think time each)")
    bottom.legend(loc="upper left")
    figure.suptitle("make loadtest: capacity search through nginx (x: step that gave out)")
    figure.tight_layout()
    figure.savefig(CHART, dpi=100)
    plt.close(figure)
