"""
The mixed-workload benchmark's writer (issue #11): writes at a fixed rate while wrk reads, until
SIGTERM/SIGINT or --seconds, then prints what it did as one JSON object on stdout.

    python -m tools.bench.writer --base http://127.0.0.1:8790 --files var/bench/small/mixed.json [--rate 10]

Each second (at the default 10 writes/s): 2 publishes (POST /articles, as the bench writer, unique
titles, bodies made of the words the search cases look for, so that a publish changes what some
searches find), 6 favorite toggles (POST then DELETE /articles/{slug}/favorite, alternating per user, on
random articles, by several signed-in users in turn) and 2 comments (POST /articles/{slug}/comments).

Open loop: a write is scheduled every 1/rate seconds whatever the server's latency, and sent by a
small thread pool (one keep-alive connection per thread), so a slow write delays no other. wrk has
no rate limit, hence this script. What it reports is what it made: writes per kind, the rate
actually reached, each non-2xx status, the errors (no answer), and the writes' own latency.
"""

import argparse
import http.client
import json
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.bench.search_texts import SEARCH_QUERIES

API = "/api/v1"
# The plain words of the searched texts (no phrase, `or` or `-word`): a published body takes a few.
SEARCHED_WORDS = [text for text in SEARCH_QUERIES if text.isalpha()]
# Ten slots cycled in order: 2 publishes, 6 favorite toggles and 2 comments, spread over the cycle.
PATTERN = ["publish", "favorite", "comment", "favorite", "favorite"] * 2
POOL_THREADS = 8  # writes in flight at most; more than 10 writes/s x the ~20 ms a write takes
TIMEOUT_SECONDS = 10  # the same per-request timeout as wrk's


@dataclass(frozen=True)
class Write:
    kind: str  # publish | favorite | unfavorite | comment
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None


@dataclass
class Plan:
    """What to write next: the state of the favorite toggles lives here, in the scheduling thread only."""

    writer_token: str
    user_tokens: list[str]
    slugs: list[str]
    run_id: str
    rng: random.Random
    count: int = 0
    turns: Counter[str] = field(default_factory=Counter)  # the users favorite, and comment, in turn
    # Per user, the slug it favorited last and has not unfavorited yet (so POST and DELETE alternate).
    pending: dict[int, str] = field(default_factory=dict)

    def next(self) -> Write:
        kind = PATTERN[self.count % len(PATTERN)]
        self.count += 1
        if kind == "publish":
            title = f"Mixed {self.run_id} {self.count}"
            text = f"Written while readers read, about {' and '.join(self.rng.sample(SEARCHED_WORDS, 3))}."
            article = {"title": title, "description": "Mixed workload", "body": text, "tagList": ["bench"]}
            return Write("publish", "POST", f"{API}/articles", self.writer_token, {"article": article})
        self.turns[kind] += 1
        user = self.turns[kind] % len(self.user_tokens)
        token = self.user_tokens[user]
        if kind == "comment":
            body = {"comment": {"body": f"Comment {self.run_id} {self.count}"}}
            return Write("comment", "POST", f"{API}/articles/{self.rng.choice(self.slugs)}/comments", token, body)
        if user in self.pending:
            return Write("unfavorite", "DELETE", f"{API}/articles/{self.pending.pop(user)}/favorite", token)
        self.pending[user] = self.rng.choice(self.slugs)
        return Write("favorite", "POST", f"{API}/articles/{self.pending[user]}/favorite", token)


@dataclass
class Tally:
    """What the pool's threads did, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)  # non-2xx only, "<kind> <status>"
    errors: Counter[str] = field(default_factory=Counter)  # no answer: "<kind> <exception class>"
    latencies_ms: list[float] = field(default_factory=list)

    def record(self, write: Write, status: int | None, error: str | None, elapsed_ms: float) -> None:
        with self.lock:
            self.writes[write.kind] += 1
            self.latencies_ms.append(elapsed_ms)
            if error:
                self.errors[f"{write.kind} {error}"] += 1
            elif status is not None and not 200 <= status < 300:
                self.statuses[f"{write.kind} {status}"] += 1


_connections = threading.local()


def send(host: str, port: int, write: Write, tally: Tally) -> None:
    """One write on this thread's keep-alive connection (reopened after any failure)."""
    headers = {"Authorization": f"Token {write.token}"}
    body = None
    if write.body is not None:
        body = json.dumps(write.body).encode()
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    status, error = None, None
    try:
        if getattr(_connections, "connection", None) is None:
            _connections.connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        _connections.connection.request(write.method, write.path, body=body, headers=headers)
        response = _connections.connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        error = type(exc).__name__
        _connections.connection.close()
        _connections.connection = None
    tally.record(write, status, error, (time.perf_counter() - started) * 1000)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    files = json.loads(Path(args.files).read_text())
    plan = Plan(files["writer_token"], files["user_tokens"], files["slugs"], args.run_id, random.Random(args.seed))
    address = urlsplit(args.base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    tally = Tally()
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    interval, started, scheduled = 1.0 / args.rate, time.monotonic(), 0
    pool = ThreadPoolExecutor(max_workers=POOL_THREADS)
    while not stopping.is_set() and time.monotonic() - started < args.seconds:
        pool.submit(send, host, port, plan.next(), tally)
        scheduled += 1
        # The schedule is absolute (started + n x interval): a late tick does not shift the next ones.
        stopping.wait(max(0.0, started + scheduled * interval - time.monotonic()))
    elapsed = time.monotonic() - started
    # Writes in flight are waited for (and counted); writes still queued behind a saturated pool are
    # dropped: `scheduled` - `writes` says how far the server made the writer fall behind.
    pool.shutdown(wait=True, cancel_futures=True)
    total = sum(tally.writes.values())
    return {
        "rate_wanted": args.rate,
        "seconds": round(elapsed, 2),
        "scheduled": scheduled,
        "writes": total,
        "rate": round(total / elapsed, 2) if elapsed else 0.0,
        "by_kind": dict(tally.writes),
        "non_2xx": dict(tally.statuses),
        "errors": dict(tally.errors),
        "p50_ms": percentile(tally.latencies_ms, 0.5),
        "p99_ms": percentile(tally.latencies_ms, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8790")
    parser.add_argument("--files", required=True, help="JSON: writer_token, user_tokens, slugs (run.py writes it)")
    parser.add_argument("--rate", type=float, default=10.0, help="writes per second (default: 10)")
    parser.add_argument("--seconds", type=float, default=600.0, help="stop after this long at the latest")
    parser.add_argument("--run-id", default=f"{time.time_ns():x}", help="makes the titles unique across runs")
    parser.add_argument("--seed", type=int, default=1, help="of the random choice of articles")
    print(json.dumps(run(parser.parse_args())), flush=True)


if __name__ == "__main__":
    main()
