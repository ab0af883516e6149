"""
The Prometheus metrics of the app, defined once per process.

With several worker processes (uvicorn --workers, Celery's prefork pool) set PROMETHEUS_MULTIPROC_DIR to
a directory shared by all of them (emptied before they start): each process then writes its samples
there, and `/metrics` in any of them reports the sum over all (prometheus_client's multiprocess mode).
Labels are bounded: routes are URL patterns (`/api/articles/{slug}`), never raw paths.
"""

from prometheus_client import Counter, Histogram

# Request latencies are mostly milliseconds; the tail matters up to the balancer's timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)

http_requests = Counter(
    "conduit_http_requests", "HTTP requests answered, by route and status.", ["method", "route", "status"]
)
http_request_duration = Histogram(
    "conduit_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
db_query_duration = Histogram(
    "conduit_db_query_duration_seconds",
    "Time of one SQL statement, by database alias.",
    ["alias"],
    buckets=FAST_BUCKETS,
)
db_query_errors = Counter("conduit_db_query_errors", "SQL statements that raised, by database alias.", ["alias"])
cache_operation_duration = Histogram(
    "conduit_cache_operation_duration_seconds",
    "Time of one cache operation (Redis), by operation.",
    ["operation"],
    buckets=FAST_BUCKETS,
)
cache_operation_errors = Counter("conduit_cache_operation_errors", "Cache operations that raised.", ["operation"])
celery_tasks = Counter(
    "conduit_celery_tasks",
    "Celery tasks finished, by task and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
celery_task_duration = Histogram(
    "conduit_celery_task_duration_seconds", "Run time of a Celery task.", ["task"], buckets=LATENCY_BUCKETS
)
cache_reads = Counter(
    "conduit_cache_reads",
    "Cached reads by layer (response: a whole stored response; entry: one cached entry) and result (hit, miss).",
    ["layer", "result"],
)
