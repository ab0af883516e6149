"""
The production topology on loopback: `make cluster`, `make cluster-down`, `make cluster-status`.

    python deploy/cluster.py up | down | status [--json]

Everything lives under var/cluster/ (configuration, pid files, logs, the replica's data):

| part | what | default port |
| --- | --- | --- |
| `nginx` | load balancer + the SPA's dist/ (deploy/nginx.conf.template); internal side: /metrics | 8080, 8081 |
| `app1`..`appN` | `uvicorn config.asgi:application`, one process each (CLUSTER_APPS=3) | 8101.. |
| `worker`, `beat`, `relay` | Celery worker (every queue), Celery beat, `manage.py relay_outbox` | |
| `redis-cache` | its own redis-server: the data cache (evicts the least recently used keys when full) | 6390 |
| `redis-security` | its own redis-server, never evicting: rate-limit counters, read-your-writes markers | 6392 |
| `redis-broker` | its own redis-server (append-only file): the Celery broker | 6391 |
| `replica` | a streaming replica of the running PostgreSQL (deploy/replica.py), DATABASE_REPLICA_URL | 5440 |
| primary | the running PostgreSQL server, database CLUSTER_DATABASE (`conduit_cluster`), never stopped here | 5432 |

With CLUSTER_DATABASE_TEMPLATE=<db>, a missing CLUSTER_DATABASE is created as a copy of <db> (e.g. the bench's
1M-article set, docs/reliability.md), so that the cluster's demo data and load-test writes stay out of <db>.

The app runs on the production settings (config.settings.base, DEBUG off) with a secret key generated
once into var/cluster/secret_key. `up` is idempotent: it starts what is not running. `down` sends
SIGTERM to every part (uvicorn finishes its in-flight requests, the worker its tasks), SIGKILL after a
grace period, and removes the replica; the database and the secret key stay. The drills
(tools/drills) use `Cluster` to break parts on purpose.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import conninfo_to_dict  # noqa: E402

from deploy.replica import ReplicaServer  # noqa: E402

BACKEND = ROOT / "backend"
STATE = ROOT / "var" / "cluster"
BIN = Path(sys.executable).parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
# Seconds uvicorn lets in-flight requests finish after SIGTERM (then `down` waits a little longer).
GRACEFUL_SECONDS = 20
# nginx's passive health check: an instance that failed twice gets no requests for this long.
FAIL_TIMEOUT = 3
# Environment variables of the caller that must not leak into the cluster's processes.
_OWN_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "PROMETHEUS_", "NUM_PROXIES", "HTTP_CACHE_")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# The Redis servers of the cluster, in start order.
REDIS_PARTS = ("redis-cache", "redis-security", "redis-broker")


# ------------------------------------------------------------------------------
# Configuration: chosen at the first `up`, kept in var/cluster/cluster.json
# ------------------------------------------------------------------------------
@dataclass
class Config:
    apps: int = field(default_factory=lambda: _env_int("CLUSTER_APPS", 3))
    host: str = "127.0.0.1"
    port: int = field(default_factory=lambda: _env_int("CLUSTER_PORT", 8080))
    internal_port: int = field(default_factory=lambda: _env_int("CLUSTER_INTERNAL_PORT", 8081))
    first_app_port: int = field(default_factory=lambda: _env_int("CLUSTER_APP_PORT", 8101))
    redis_port: int = field(default_factory=lambda: _env_int("CLUSTER_REDIS_PORT", 6390))
    broker_port: int = field(default_factory=lambda: _env_int("CLUSTER_BROKER_PORT", 6391))
    security_port: int = field(default_factory=lambda: _env_int("CLUSTER_SECURITY_REDIS_PORT", 6392))
    replica_port: int = field(default_factory=lambda: _env_int("CLUSTER_REPLICA_PORT", 5440))
    postgres: str = field(
        default_factory=lambda: os.environ.get("CLUSTER_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    database: str = field(default_factory=lambda: os.environ.get("CLUSTER_DATABASE", "conduit_cluster"))
    # A database to copy when `database` does not exist yet (CREATE DATABASE ... TEMPLATE), e.g. the
    # bench's 1M-article set: the cluster then writes into its own copy, never into the bench's data.
    template: str = field(default_factory=lambda: os.environ.get("CLUSTER_DATABASE_TEMPLATE", ""))
    worker_concurrency: int = field(default_factory=lambda: _env_int("CLUSTER_WORKER_CONCURRENCY", 2))
    microcache: bool = field(default_factory=lambda: os.environ.get("CLUSTER_MICROCACHE", "0") in ("1", "true", "on"))
    # Seconds before a dead worker's unacknowledged task goes back to its queue (Redis broker).
    visibility_timeout: int = field(default_factory=lambda: _env_int("CLUSTER_VISIBILITY_TIMEOUT", 20))

    @classmethod
    def load(cls) -> Config:
        path = STATE / "cluster.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        return cls()

    def save(self) -> None:
        (STATE / "cluster.json").write_text(json.dumps(asdict(self), indent=2) + "\n")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app_ports(self) -> list[int]:
        return [self.first_app_port + number for number in range(self.apps)]

    @property
    def database_url(self) -> str:
        return f"{self.postgres.rstrip('/')}/{self.database}"

    @property
    def replica_url(self) -> str:
        return f"postgres://postgres@{self.host}:{self.replica_port}/{self.database}"

    @property
    def primary_settings(self) -> dict[str, Any]:
        """The primary as a Django DATABASES entry, for deploy/replica.py."""
        info = conninfo_to_dict(self.database_url)
        return {
            "NAME": info.get("dbname"),
            "HOST": info.get("host"),
            "PORT": info.get("port"),
            "USER": info.get("user"),
            "PASSWORD": info.get("password"),
        }


# ------------------------------------------------------------------------------
# Processes: one pid file per part, checked against the process's start time (no pid reuse)
# ------------------------------------------------------------------------------
@dataclass
class Part:
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    port: int | None = None
    # Signal for a graceful stop, and how long to wait for it before SIGKILL.
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 10


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def http_get(url: str, timeout: float = 2.0, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """(status, body) of a GET; status 0 when nothing answered."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


class Cluster:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.load()
        self.pids = STATE / "pids"
        self.logs = STATE / "logs"
        self.nginx_dir = STATE / "nginx"

    # --------------------------------------------------------------------------
    # The environment of the app's processes
    # --------------------------------------------------------------------------
    def secret_key(self) -> str:
        path = STATE / "secret_key"
        if not path.exists():
            STATE.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(64))
            path.chmod(0o600)
        return path.read_text().strip()

    def app_env(self, *, replica: bool = True) -> dict[str, str]:
        config = self.config
        env = {key: value for key, value in os.environ.items() if not key.startswith(_OWN_PREFIXES)}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DJANGO_READ_DOT_ENV="false",  # a developer's .env (DEBUG on...) must not leak in
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=self.secret_key(),
            DJANGO_ALLOWED_HOSTS=f"{config.host},localhost",
            DJANGO_CORS_ALLOWED_ORIGINS=f"{config.url},http://localhost:{config.port}",
            # Plain HTTP on loopback: no redirect to https (a TLS-terminating balancer would set
            # X-Forwarded-Proto and keep the production default).
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_FORMAT="json",
            DJANGO_CACHE_KEY_PREFIX="cluster",
            DATABASE_URL=config.database_url,
            REDIS_URL=f"redis://{config.host}:{config.redis_port}/0",
            SECURITY_REDIS_URL=f"redis://{config.host}:{config.security_port}/0",
            CELERY_BROKER_URL=f"redis://{config.host}:{config.broker_port}/0",
            CELERY_BROKER_VISIBILITY_TIMEOUT=str(config.visibility_timeout),
            # nginx is the one proxy in front of the app: trust its X-Forwarded-For entry, no other.
            NUM_PROXIES="1",
            PROMETHEUS_MULTIPROC_DIR=str(STATE / "metrics"),
            # The API's shared-cache lifetime for anonymous reads = the balancer's micro-cache TTL.
            HTTP_CACHE_S_MAXAGE="1",
            SITE_URL=config.url,
            # A fan-out spans more, smaller tasks (default 500 followers each): the worker drill kills
            # the worker in the middle of one.
            NOTIFICATIONS_FANOUT_CHUNK_SIZE=os.environ.get("NOTIFICATIONS_FANOUT_CHUNK_SIZE", "100"),
            # Every client of this loopback cluster (the load test's 200 users, the drills) has the
            # same address, 127.0.0.1: per-address limits would count them as one client. Per-account
            # and per-user limits keep their defaults. Set THROTTLE_RATE_* to override.
            THROTTLE_RATE_SIGNUPS_IP=os.environ.get("THROTTLE_RATE_SIGNUPS_IP", "100000/hour"),
            THROTTLE_RATE_LOGIN_FAILURES_IP=os.environ.get("THROTTLE_RATE_LOGIN_FAILURES_IP", "100000/hour"),
            PYTHONUNBUFFERED="1",
        )
        if replica:
            env["DATABASE_REPLICA_URL"] = config.replica_url
        return env

    # --------------------------------------------------------------------------
    # The parts
    # --------------------------------------------------------------------------
    def parts(self) -> dict[str, Part]:
        config, env = self.config, self.app_env()
        python, manage = str(BIN / "python"), str(BACKEND / "manage.py")
        parts: dict[str, Part] = {}
        for name, port, extra in (
            # A cache: full, it evicts the least recently used entries.
            (
                "redis-cache",
                config.redis_port,
                ["--save", "", "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"],
            ),
            # Security state: never evicted by pressure (every key has a TTL; full, writes fail open).
            (
                "redis-security",
                config.security_port,
                ["--save", "", "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "noeviction"],
            ),
            # The broker keeps its queues across a restart (the broker drill stops it).
            ("redis-broker", config.broker_port, ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]),
        ):
            directory = STATE / name
            parts[name] = Part(
                name,
                [
                    "redis-server",
                    "--bind",
                    config.host,
                    "--port",
                    str(port),
                    "--dir",
                    str(directory),
                    "--daemonize",
                    "no",
                    "--logfile",
                    "",
                    *extra,
                ],
                directory,
                {"PATH": os.environ.get("PATH", "")},
                port,
            )
        for number, port in enumerate(config.app_ports, start=1):
            parts[f"app{number}"] = Part(
                f"app{number}",
                [
                    str(BIN / "uvicorn"),
                    "config.asgi:application",
                    "--interface",
                    "asgi3",
                    "--http",
                    "httptools",
                    "--loop",
                    "uvloop",
                    "--host",
                    config.host,
                    "--port",
                    str(port),
                    "--timeout-graceful-shutdown",
                    str(GRACEFUL_SECONDS),
                    # Longer than nginx's upstream keepalive (60 s): nginx, not uvicorn, closes idle
                    # connections, so a request never goes out on a connection the instance just closed.
                    "--timeout-keep-alive",
                    "75",
                    # nginx logs every request; the app logs what happens inside (JSON, with the request id).
                    "--no-access-log",
                    # The Makefile's UVICORN_OPTIONS end here: uvicorn believes no X-Forwarded-* header;
                    # Django's NUM_PROXIES (1: nginx) alone decides which X-Forwarded-For entry to trust.
                    "--no-proxy-headers",
                ],
                BACKEND,
                env,
                port,
                stop_timeout=GRACEFUL_SECONDS + 5,
            )
        parts["worker"] = Part(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(config.worker_concurrency),
                "--hostname",
                "worker1@%h",
            ],
            BACKEND,
            env,
            stop_timeout=30,
        )
        parts["beat"] = Part(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(STATE / "celerybeat-schedule"),
            ],
            BACKEND,
            env,
        )
        parts["relay"] = Part("relay", [python, manage, "relay_outbox"], BACKEND, env)
        parts["nginx"] = Part(
            "nginx",
            [*self.nginx_command(), "-g", "daemon off;"],
            self.nginx_dir,
            {"PATH": os.environ.get("PATH", "")},
            config.port,
            stop_signal=signal.SIGQUIT,
            stop_timeout=GRACEFUL_SECONDS + 5,
        )
        return parts

    def running(self) -> list[str]:
        return [name for name in self.parts() if self.pid(name)]

    def pid(self, name: str) -> int | None:
        """The pid of a running part, or None (a stale pid file is removed)."""
        path = self.pids / f"{name}.pid"
        try:
            pid_text, started = path.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return None
        if _start_time(pid) != started:
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return None  # a zombie of ours (the drills reap their own children)
        return pid

    def start(self, name: str) -> int:
        """Starts one part (in its own session and process group) unless it runs; returns its pid."""
        pid = self.pid(name)
        if pid:
            return pid
        part = self.parts()[name]
        self.logs.mkdir(parents=True, exist_ok=True)
        self.pids.mkdir(parents=True, exist_ok=True)
        part.cwd.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                part.argv,
                cwd=part.cwd,
                env=part.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        (self.pids / f"{name}.pid").write_text(f"{process.pid} {_start_time(process.pid)}\n")
        return process.pid

    def stop(self, name: str, *, sig: int | None = None, timeout: float | None = None) -> None:
        """Graceful stop (the part's stop signal), SIGKILL of its process group after the timeout."""
        pid = self.pid(name)
        if not pid:
            return
        part = self.parts()[name]
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig or part.stop_signal)
        deadline = time.monotonic() + (part.stop_timeout if timeout is None else timeout)
        while self.pid(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # what is left: the process and its children (prefork pool)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        (self.pids / f"{name}.pid").unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """SIGKILL to the part's whole process group, no grace: a crash."""
        pid = self.pid(name)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.pid(name) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                time.sleep(0.05)
            (self.pids / f"{name}.pid").unlink(missing_ok=True)

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        part = self.parts()[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pid(name):
                raise RuntimeError(f"{name} exited; see {self.logs / (name + '.log')}:\n{self.log_tail(name)}")
            if self.ready(name, part):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} not ready after {timeout} s; see {self.logs / (name + '.log')}")

    def ready(self, name: str, part: Part | None = None) -> bool:
        part = part or self.parts()[name]
        if name.startswith("app"):
            return self.app_probe(part.port or 0)[0] == 200
        if name == "nginx":
            return http_get(f"{self.config.url}/healthz", timeout=1)[0] == 200 or _port_open(
                self.config.host, self.config.port
            )
        if part.port:
            return _port_open(self.config.host, part.port)
        return self.pid(name) is not None

    def app_probe(self, port: int) -> tuple[int, str]:
        """An instance's readiness: /readyz when the app has it, else an API read."""
        status, body = http_get(f"http://{self.config.host}:{port}/readyz", timeout=2)
        if status == 404:
            status, body = http_get(f"http://{self.config.host}:{port}/api/v1/tags", timeout=2)
            return status, "tags" if status == 200 else body.decode(errors="replace")[:200]
        return status, body.decode(errors="replace")[:200]

    def log_tail(self, name: str, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.logs / f"{name}.log").read_text(errors="replace").splitlines()[-lines:])
        return ""

    # --------------------------------------------------------------------------
    # The replica (deploy/replica.py) and the database
    # --------------------------------------------------------------------------
    @property
    def replica_dir(self) -> Path:
        return STATE / "replica"

    def replica(self) -> ReplicaServer | None:
        if not (self.replica_dir / "data" / "PG_VERSION").exists():
            return None
        return ReplicaServer.attach(
            primary=self.config.primary_settings, directory=self.replica_dir, port=self.config.replica_port
        )

    def replica_up(self) -> None:
        server = self.replica()
        if server is not None and server.is_running():
            return
        if server is not None:
            with contextlib.suppress(Exception):
                server.start()  # a stopped replica resumes streaming where it left off
                return
            server.destroy()
        shutil.rmtree(self.replica_dir, ignore_errors=True)
        ReplicaServer.create(
            primary=self.config.primary_settings, directory=self.replica_dir, port=self.config.replica_port
        )

    def database_create(self) -> None:
        with psycopg.connect(f"{self.config.postgres.rstrip('/')}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.config.database]
            ).fetchone()
            if exists:
                return
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.config.database))
            if self.config.template:
                # A file-level copy: fails when anyone else is connected to the template (a bench run).
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(self.config.template))
            connection.execute(create)

    def manage(self, *args: str) -> None:
        env = self.app_env(replica=False)
        del env["PROMETHEUS_MULTIPROC_DIR"]  # one-off commands: their samples would stay in the shared files
        subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=BACKEND, env=env, check=True)

    # --------------------------------------------------------------------------
    # nginx
    # --------------------------------------------------------------------------
    def nginx_command(self) -> list[str]:
        """nginx on the rendered configuration, with its prefix and error log under var/cluster."""
        return [
            "nginx",
            "-p",
            str(self.nginx_dir),
            "-c",
            str(self.nginx_dir / "nginx.conf"),
            "-e",
            str(self.logs / "nginx-error.log"),
        ]

    def nginx_render(self) -> None:
        config = self.config
        for sub in ("tmp", "cache"):
            (self.nginx_dir / sub).mkdir(parents=True, exist_ok=True)
        drained = self.drained()
        upstream = "\n".join(
            f"        server {config.host}:{port} max_fails=2 fail_timeout={FAIL_TIMEOUT}s"
            + (" down;" if f"app{number}" in drained else ";")
            for number, port in enumerate(config.app_ports, start=1)
        )
        values = {
            "WORKER_PROCESSES": self.nginx_workers,
            "RUN_DIR": str(self.nginx_dir),
            "LOG_DIR": str(self.logs),
            "NGINX_DIR": str(self.nginx_dir),
            "UPSTREAM_SERVERS": upstream,
            "LISTEN": f"{config.host}:{config.port}",
            "INTERNAL_LISTEN": f"{config.host}:{config.internal_port}",
            "SPA_DIR": str(ROOT / "frontend" / "dist"),
            "SPA_HEADERS": str(ROOT / "deploy" / "spa-headers.conf"),
            "MICROCACHE_SKIP_ANONYMOUS": "0" if config.microcache else "1",
        }
        text = TEMPLATE.read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        if "{{" in text:
            raise RuntimeError("deploy/nginx.conf.template: a placeholder was left unreplaced")
        (self.nginx_dir / "nginx.conf").write_text(text)
        if os.geteuid() == 0:
            # The workers run as nobody and write their scratch files and the micro-cache here.
            for path in [self.nginx_dir / "tmp", self.nginx_dir / "cache"]:
                shutil.chown(path, user="nobody")
        result = subprocess.run(
            [*self.nginx_command(), "-t", "-q"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{result.stderr}")

    def drained(self) -> set[str]:
        path = STATE / "drained"
        return set(path.read_text().split()) if path.exists() else set()

    def drain(self, name: str, *, drained: bool = True) -> None:
        """
        Takes an app instance out of the balancer (`down` in the upstream, then a graceful reload) or
        puts it back. Before a planned stop, so that no request, not even one racing on an idle
        keep-alive connection, reaches the instance while it shuts down (a deploy's deregistration).
        """
        names = self.drained() | {name} if drained else self.drained() - {name}
        (STATE / "drained").write_text(" ".join(sorted(names)))
        self.nginx_reload()

    def microcache_set(self, on: bool) -> None:
        """Turns the balancer's micro-cache on or off on the running cluster (kept until `down`)."""
        self.config.microcache = on
        self.config.save()
        self.nginx_reload()

    def nginx_reload(self) -> None:
        """Renders the configuration again and reloads nginx gracefully, waiting for its old workers."""
        self.nginx_render()
        pid = self.pid("nginx")
        if pid:
            os.kill(pid, signal.SIGHUP)
            # The old workers finish their requests and close their connections to the instances.
            deadline = time.monotonic() + 10
            time.sleep(0.5)
            while time.monotonic() < deadline and any("shutting down" in _cmdline(child) for child in _children(pid)):
                time.sleep(0.1)

    nginx_workers = "2"

    # --------------------------------------------------------------------------
    # up / down / status
    # --------------------------------------------------------------------------
    def up(self) -> None:
        STATE.mkdir(parents=True, exist_ok=True)
        self.config.save()
        (STATE / "drained").unlink(missing_ok=True)  # every instance gets traffic
        self.logs.mkdir(parents=True, exist_ok=True)
        if not (ROOT / "frontend" / "dist" / "index.html").exists():
            raise RuntimeError("frontend/dist/ is missing: build the SPA first (make cluster does)")
        step = _Steps()
        with step("redis: cache, security state and broker"):
            for name in REDIS_PARTS:
                self.start(name)
            for name in REDIS_PARTS:
                self.wait_ready(name, timeout=10)
        with step(f"database {self.config.database}: create, migrate, static files, demo data"):
            self.database_create()
            self.manage("migrate", "--noinput", "--verbosity", "0")
            # The admin's files (WhiteNoise, hashed and compressed): slow, so only once.
            if not (ROOT / "var" / "static" / "staticfiles.json").exists():
                self.manage("collectstatic", "--noinput", "--verbosity", "0")
            self.manage("demo")
        with step(f"streaming replica on port {self.config.replica_port}"):
            self.replica_up()
        apps = [f"app{number}" for number in range(1, self.config.apps + 1)]
        with step(f"{len(apps)} app instances on ports {self.config.app_ports[0]}..{self.config.app_ports[-1]}"):
            if not any(self.pid(name) for name in apps):
                # Multi-process metrics: start from an empty directory, shared by every instance.
                shutil.rmtree(STATE / "metrics", ignore_errors=True)
            (STATE / "metrics").mkdir(exist_ok=True)
            for name in apps:
                self.start(name)
            for name in apps:
                self.wait_ready(name, timeout=90)
        with step("celery worker, beat, outbox relay"):
            for name in ("worker", "beat", "relay"):
                self.start(name)
        with step(f"nginx on {self.config.url} (internal side :{self.config.internal_port})"):
            self.nginx_render()
            if self.pid("nginx"):
                os.kill(self.pid("nginx") or 0, signal.SIGHUP)  # reload the new configuration
            else:
                self.start("nginx")
            self.wait_ready("nginx", timeout=10)
        print(
            f"\ncluster up: {self.config.url}/ (SPA)  {self.config.url}/api/v1/  "
            f"metrics: http://{self.config.host}:{self.config.internal_port}/metrics\n"
        )

    def down(self) -> None:
        if not STATE.exists():
            print("cluster: nothing to stop")
            return
        order = [
            "nginx",
            *(f"app{n}" for n in range(1, self.config.apps + 1)),
            "relay",
            "beat",
            "worker",
            *REDIS_PARTS,
        ]
        # The app instances drain in parallel: SIGTERM to all, then wait.
        for name in order:
            pid = self.pid(name)
            if pid:
                print(f"stopping {name} (pid {pid})", flush=True)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, self.parts()[name].stop_signal)
        for name in order:
            self.stop(name)
        server = self.replica()
        if server is not None:
            print("stopping the replica and removing its data", flush=True)
            server.destroy()
        shutil.rmtree(self.replica_dir, ignore_errors=True)
        print("cluster down")

    def status(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        parts = self.parts()
        for name, part in parts.items():
            pid = self.pid(name)
            row: dict[str, Any] = {"part": name, "pid": pid, "port": part.port, "up": bool(pid)}
            if name.startswith("app") and pid:
                status, body = self.app_probe(part.port or 0)
                row["ready"] = status == 200
                row["detail"] = body.strip()
            elif name == "nginx" and pid:
                status, raw = http_get(f"{self.config.url}/readyz", timeout=2)
                row["ready"] = status == 200
                row["detail"] = f"via balancer: {status} {raw.decode(errors='replace').strip()[:120]}"
            elif pid and part.port:
                row["ready"] = _port_open(self.config.host, part.port)
            else:
                row["ready"] = bool(pid)
            rows.append(row)
        server = self.replica()
        row = {"part": "replica", "pid": None, "port": self.config.replica_port, "up": False, "ready": False}
        if server is not None and server.is_running():
            row["up"] = True
            with contextlib.suppress(Exception), server.connect() as connection:
                recovery = connection.execute("SELECT pg_is_in_recovery()").fetchone()
                receiver = connection.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
                row["ready"] = bool(recovery and recovery[0] and receiver and receiver[0] == "streaming")
                row["detail"] = f"in recovery, wal receiver {receiver[0] if receiver else 'absent'}"
            with contextlib.suppress(OSError, ValueError):
                row["pid"] = int((server.data / "postmaster.pid").read_text().split()[0])
        rows.append(row)
        primary = {"part": "primary", "pid": None, "port": 5432, "up": False, "ready": False}
        with contextlib.suppress(Exception), psycopg.connect(self.config.database_url, connect_timeout=2) as connection:
            streaming = connection.execute(
                "SELECT count(*), max(replay_lag)::text FROM pg_stat_replication WHERE state = 'streaming'"
            ).fetchone()
            count, lag = streaming if streaming else (0, None)
            primary.update(
                up=True, ready=True, detail=f"database {self.config.database}; {count} replica(s) streaming, lag {lag}"
            )
        rows.append(primary)
        return rows


class _Steps:
    """Prints each step of `up` with its duration."""

    @contextlib.contextmanager
    def __call__(self, what: str) -> Any:
        started = time.monotonic()
        print(f"-> {what}", flush=True)
        yield
        print(f"   done in {time.monotonic() - started:.1f} s", flush=True)


def _print_status(rows: list[dict[str, Any]]) -> None:
    print(f"{'part':<14} {'pid':>8} {'port':>6}  {'up':<4} {'ready':<6} detail")
    for row in rows:
        print(
            f"{row['part']:<14} {row['pid'] or '-':>8} {row['port'] or '-':>6}  {'yes' if row['up'] else 'no':<4} "
            f"{'yes' if row['ready'] else 'no':<6} {row.get('detail', '')}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--json", action="store_true", help="status as JSON")
    args = parser.parse_args()
    cluster = Cluster()
    if args.command == "up" and not cluster.running():
        cluster = Cluster(Config())  # nothing runs: take the settings from the environment afresh
    elif args.command == "up" and "CLUSTER_MICROCACHE" in os.environ:
        cluster.config.microcache = Config().microcache  # switchable on a running cluster (an nginx reload)
    if args.command == "up":
        try:
            cluster.up()
        except (RuntimeError, subprocess.CalledProcessError) as error:
            print(f"\nmake cluster failed: {error}\n(`make cluster-down` stops what did start)", file=sys.stderr)
            return 1
        _print_status(cluster.status())
        return 0
    if args.command == "down":
        cluster.down()
        return 0
    rows = cluster.status()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_status(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
