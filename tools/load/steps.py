"""
The capacity search's plan and per-step figures, shared by the Locust shape (tools/load/capacity_shape.py,
inside Locust) and the runner (tools/load/capacity.py). Kept free of Locust: importing Locust
monkey-patches the process with gevent, which the runner must not be.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Plan:
    """
    Users start, start*factor, ... up to max_users; each step ramps, settles, then is measured. When
    the first step already gives out, the search goes down instead (start/factor, ...; down to one
    user) until a step holds, so that every search ends with the capacity bracketed.
    """

    out: str  # the JSON file the shape writes the steps to
    start: int = 25
    factor: float = 2.0
    max_users: int = 3200
    spawn_rate: float = 50
    settle_s: float = 10
    measure_s: float = 30
    p99_ms: float = 250

    def next_users(self, steps: "list[Step]") -> int | None:
        """The users of the next step, or None: the search is over."""
        last = steps[-1]
        held = [step.held(self.p99_ms) for step in steps]
        if held[-1]:
            up = max(last.users + 1, round(last.users * self.factor))
            # After a search downward, the step above has given out already: nothing left to learn.
            return up if up <= self.max_users and all(held) else None
        if any(held) or last.users <= 1:
            return None
        return max(1, int(last.users / self.factor))


@dataclass
class Step:
    users: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: int = 0
    # Locust's own CPU (it uses one core at most): near 100 %, the load generator is the limit.
    locust_cpu: float = 0.0
    # The endpoint with the highest p99 in the window, e.g. "GET /articles?tag= 8300 ms": what gave out.
    slowest: str = ""
    error_samples: list[str] = field(default_factory=list)

    def held(self, p99_ms: float) -> bool:
        """The step's load held: no failed request and p99 within the limit."""
        return self.errors == 0 and self.requests > 0 and self.p99_ms <= p99_ms

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Step":
        return cls(**data)
