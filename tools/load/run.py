"""
make loadtest / make loadtest-fixed: Locust, headless, through the running cluster's balancer (make
cluster).

    python tools/load/run.py --capacity [--start 25] [--factor 2] [--step-time 30] [--microcache off,on]
    python tools/load/run.py [--users 200] [--spawn-rate 20] [--time 60s] [--no-docs]

--capacity (make loadtest) steps the users up until p99 exceeds a limit or a request fails, with the
micro-cache off then on (tools/load/capacity.py): the `capacity` section of docs/reliability.md and
docs/reliability-capacity.png. Without it (make loadtest-fixed), a fixed number of users for a bounded
time: the figures per endpoint (requests, rps, p50/p95/p99, errors) go between the `loadtest` markers
and the chart to docs/reliability-load.png; it exits non-zero when any request failed (a status other
than the expected one, or no answer).
"""

import argparse
import csv
import datetime as dt
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy.cluster import STATE, Cluster, http_get  # noqa: E402
from tools.load.capacity import capacity_arguments, capacity_run  # noqa: E402
from tools.reliability_doc import reliability_doc_write  # noqa: E402

CHART = ROOT / "docs" / "reliability-load.png"
OUT = STATE / "loadtest"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", 200)))
    parser.add_argument("--spawn-rate", type=float, default=None, help="users started per second (20; capacity: 50)")
    parser.add_argument("--time", default="60s")
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    capacity_arguments(parser)
    args = parser.parse_args()
    # The capacity search spawns faster: a step of 1,600 more users should not ramp for 80 s.
    args.spawn_rate = args.spawn_rate or (50 if args.capacity else 20)

    cluster = Cluster()
    url = cluster.config.url
    if http_get(f"{url}/readyz")[0] != 200:
        print(f"the cluster does not answer on {url}/readyz: run `make cluster` first", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    if args.capacity:
        return capacity_run(args, cluster, OUT)
    for old in OUT.glob("locust_*"):
        old.unlink()
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", str(ROOT / "tools" / "load" / "locustfile.py"),
        "--headless", "--only-summary",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.time,
        "--host", url,
        "--csv", str(OUT / "locust"), "--csv-full-history",
        "--stop-timeout", "10",
    ]  # fmt: skip
    print("$", shlex.join(command), flush=True)
    started = dt.datetime.now(dt.UTC)
    result = subprocess.run(command, cwd=ROOT)
    rows = _read(OUT / "locust_stats.csv")
    failures = _read(OUT / "locust_failures.csv")
    history = _read(OUT / "locust_stats_history.csv")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    report = _report(args, rows, failures, cluster, started)
    print(report)
    if not args.no_docs:
        _chart(history, args)
        reliability_doc_write("loadtest", f"{report}\n\n![load test](reliability-load.png)")
        print(f"written: docs/reliability.md, {CHART.relative_to(ROOT)}")
    if errors or result.returncode not in (0, 1):
        print(f"FAILED: {errors} failed request(s)", file=sys.stderr)
        return 1
    return 0


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _ms(value: str) -> str:
    try:
        return f"{float(value):,.0f}"
    except ValueError:
        return value


def _report(
    args: argparse.Namespace,
    rows: list[dict[str, str]],
    failures: list[dict[str, str]],
    cluster: Cluster,
    started: dt.datetime,
) -> str:
    config = cluster.config
    lines = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC: `make loadtest-fixed` (`LOADTEST_USERS={args.users}`, spawn rate "
        f"{args.spawn_rate:g}/s, {args.time}), through nginx on :{config.port} to {config.apps} app instances "
        f"(one uvicorn process each), a streaming replica, Redis; micro-cache "
        f"{'on' if config.microcache else 'off'}. Machine: {os.cpu_count()} cores ({platform.machine()}), shared "
        "with Locust itself, the database, the workers and whatever else runs there.",
        "",
        "| endpoint | requests | rps | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ordered = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda row: row["Name"])
    for row in [*ordered, *(row for row in rows if row["Name"] == "Aggregated")]:
        name = "**all**" if row["Name"] == "Aggregated" else f"`{row['Name']}`"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} | {_ms(row['50%'])} | "
            f"{_ms(row['95%'])} | {_ms(row['99%'])} | {_ms(row['Max Response Time'])} | {row['Failure Count']} |"
        )
    if failures:
        lines += ["", "Failures:", ""]
        lines += [f"- `{row['Method']} {row['Name']}`: {row['Error']} ({row['Occurrences']}x)" for row in failures]
    return "\n".join(lines)


def _chart(history: list[dict[str, str]], args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [row for row in history if row["Name"] == "Aggregated" and row["Requests/s"] not in ("", "N/A")]
    if not points:
        return
    start = int(points[0]["Timestamp"])
    seconds = [int(row["Timestamp"]) - start for row in points]

    def series(column: str) -> list[float]:
        return [float(row[column]) if row[column] not in ("", "N/A") else float("nan") for row in points]

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.plot(seconds, series("Requests/s"), label="requests/s", color="tab:blue")
    top.plot(seconds, series("Failures/s"), label="failures/s", color="tab:red")
    top.set_ylabel("per second")
    users = top.twinx()
    users.plot(seconds, series("User Count"), label="users", color="tab:gray", linestyle="--")
    users.set_ylabel("users")
    top.legend(loc="upper left")
    users.legend(loc="lower right")
    for column, color in (("50%", "tab:green"), ("95%", "tab:orange"), ("99%", "tab:red")):
        bottom.plot(seconds, series(column), label=f"p{column.rstrip('%')}", color=color)
    bottom.set_ylabel("response time (ms), all endpoints")
    bottom.set_xlabel("seconds")
    bottom.legend(loc="upper left")
    figure.suptitle(f"make loadtest-fixed: {args.users} users through nginx (percentiles over a 10 s window)")
    figure.tight_layout()
    figure.savefig(CHART, dpi=100)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
