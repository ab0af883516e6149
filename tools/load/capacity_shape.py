"""
The capacity search's load shape (make loadtest, tools/load/capacity.py), loaded by Locust next to
locustfile.py: users step up (start, start*factor, ...) until a step's p99 exceeds the limit or any
request fails (or down, when the first step gives out already: `Plan.next_users`); each step's
figures go to a JSON file as soon as the step ends.

A step is: spawn up to its user count, settle (the new users' first requests, sign-ups, cold
caches), then a measured window with Locust's stats reset at its start. Errors count from the step's
first second, the ramp included, so that no failure slips between two windows. The plan comes from
the environment (`CAPACITY_PLAN`, JSON of `Plan`), because Locust owns the command line.
"""

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from locust import LoadTestShape, events

from tools.load.steps import Plan, Step

# Every failure since the process started (Locust's own stats are reset every step).
_failures: list[str] = []


@events.request.add_listener
def _count_failure(request_type: str, name: str, exception: BaseException | None, **_: Any) -> None:
    if exception is not None:
        _failures.append(f"{name}: {str(exception)[:160]}")  # the name has the method already


class CapacitySteps(LoadTestShape):
    def __init__(self) -> None:
        super().__init__()
        self.plan = Plan(**json.loads(os.environ["CAPACITY_PLAN"]))
        self.steps: list[Step] = []
        self.users = self.plan.start
        self.phase = "ramp"
        self.phase_started = time.monotonic()
        self.failures_at_start = 0
        self.cpu = 0.0

    def tick(self) -> tuple[int, float] | None:
        runner = self.runner
        assert runner is not None
        now = time.monotonic()
        if self.phase == "ramp" and runner.user_count == self.users:  # spawned, or stopped when going down
            self._enter("settle", now)
        elif self.phase == "settle" and now - self.phase_started >= self.plan.settle_s:
            runner.stats.reset_all()  # the measured window starts here
            self.cpu = 0.0
            self._enter("measure", now)
        elif self.phase == "measure":
            self.cpu = max(self.cpu, runner.current_cpu_usage)
            if now - self.phase_started >= self.plan.measure_s:
                self._record(now - self.phase_started)
                users = self.plan.next_users(self.steps)
                if users is None:
                    return None  # the end: Locust stops every user and exits
                self.users = users
                self.failures_at_start = len(_failures)
                self._enter("ramp", now)
        return self.users, self.plan.spawn_rate

    def _enter(self, phase: str, now: float) -> None:
        self.phase, self.phase_started = phase, now

    def _slowest(self) -> str:
        assert self.runner is not None
        entries = [entry for entry in self.runner.stats.entries.values() if entry.num_requests]
        if not entries:
            return ""
        worst = max(entries, key=lambda entry: entry.get_response_time_percentile(0.99) or 0)
        return f"{worst.name} {worst.get_response_time_percentile(0.99) or 0:.0f} ms"

    def _record(self, seconds: float) -> None:
        assert self.runner is not None
        total = self.runner.stats.total
        errors = _failures[self.failures_at_start :]
        step = Step(
            users=self.users,
            requests=total.num_requests,
            rps=total.num_requests / seconds,
            p50_ms=total.get_response_time_percentile(0.5) or 0.0,
            p95_ms=total.get_response_time_percentile(0.95) or 0.0,
            p99_ms=total.get_response_time_percentile(0.99) or 0.0,
            max_ms=total.max_response_time or 0.0,
            errors=len(errors),
            locust_cpu=self.cpu,
            slowest=self._slowest(),
            error_samples=sorted(set(errors))[:5],
        )
        self.steps.append(step)
        print(
            f"[capacity] {step.users} users: {step.rps:.1f} req/s, p50 {step.p50_ms:.0f} ms, "
            f"p99 {step.p99_ms:.0f} ms (slowest: {step.slowest}), {step.errors} errors, "
            f"Locust CPU {step.locust_cpu:.0f} %",
            flush=True,
        )
        # Written after every step: a run cut short still leaves the steps it finished.
        Path(self.plan.out).write_text(json.dumps([asdict(done) for done in self.steps], indent=2))
