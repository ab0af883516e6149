"""
Conduit's topology as podman containers on this machine (make compose-up / compose-down / compose-check):
the parts of compose.yaml, started from the images of `make images`, with host networking.

    python deploy/containers/topology.py up | down | status | check | kube-play | rollout [--write-docs]

| container | image, command | listens on |
| --- | --- | --- |
| `conduit-c-migrate` | conduit-api: `manage.py migrate`, then `manage.py demo` (run to completion first) | |
| `conduit-c-api1`..N | conduit-api: its default command (uvicorn), CONTAINERS_APPS (3) of them | 127.0.0.1:8301.. |
| `conduit-c-worker`, `-beat`, `-relay` | conduit-api: Celery worker, Celery beat, `manage.py relay_outbox` | |
| `conduit-c-web` | conduit-web: nginx with the SPA, balancing over the API containers | 127.0.0.1:8280, :8281 |

Why not `podman-compose up` on compose.yaml: compose's services find each other through a bridge
network's DNS (`app:8000`, `postgres-primary`), and only host networking works on these machines. So
this is compose.yaml's topology with the same images, commands and settings, where each name becomes a
loopback address: the data services are the machine's own (PostgreSQL 127.0.0.1:5432, database
`conduit_containers`; Redis 127.0.0.1:6379, databases 10 and 11; RabbitMQ 127.0.0.1:5672, virtual host
`conduit_containers`), and nginx runs the loopback balancer of `make cluster`
(deploy/nginx.conf.template, rendered into var/containers/nginx/) instead of the image's Docker-DNS one.

`check` runs the official RealWorld Bruno suite (tools/conformance/run.sh with CONFORMANCE_URL) and the
SPA's browser smoke test (spa-smoke.mjs) through nginx, and fails on any 5xx in nginx's access log.
`kube-play` plays deploy/kubernetes/api-deployment.yaml with podman (kube_play.py). `rollout` replaces
the API containers one at a time under the drills' load (rollout.py, docs/reliability.md).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from deploy.cluster import http_get  # noqa: E402

HERE = ROOT / "deploy" / "containers"
STATE = ROOT / "var" / "containers"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
PREFIX = "conduit-c-"
# uvicorn's drain after SIGTERM (the image's UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN) and podman's wait before
# SIGKILL: longer, as Kubernetes' terminationGracePeriodSeconds (deploy/kubernetes/api-deployment.yaml).
GRACEFUL_SECONDS = 20
STOP_SECONDS = 30


@dataclass(frozen=True)
class Config:
    """Where the topology runs: each value from a CONTAINERS_* variable, or its default."""

    apps: int
    port: int
    internal_port: int
    first_app_port: int
    uvicorn_workers: int
    postgres: str
    database: str
    redis: str
    rabbitmq: str
    api_image: str
    web_image: str
    host: str = "127.0.0.1"
    vhost: str = "conduit_containers"

    @classmethod
    def from_environment(cls) -> Config:
        env = os.environ.get
        return cls(
            apps=int(env("CONTAINERS_APPS") or 3),
            port=int(env("CONTAINERS_PORT") or 8280),
            internal_port=int(env("CONTAINERS_INTERNAL_PORT") or 8281),
            first_app_port=int(env("CONTAINERS_APP_PORT") or 8301),
            # One process per container: three containers share the machine's two cores.
            uvicorn_workers=int(env("CONTAINERS_UVICORN_WORKERS") or 1),
            postgres=env("CONTAINERS_POSTGRES") or "postgres://postgres@127.0.0.1:5432",
            database=env("CONTAINERS_DATABASE") or "conduit_containers",
            redis=env("CONTAINERS_REDIS") or "redis://127.0.0.1:6379",
            rabbitmq=env("CONTAINERS_RABBITMQ") or "amqp://guest:guest@127.0.0.1:5672",
            api_image=env("CONDUIT_API_IMAGE") or "localhost/conduit-api:latest",
            web_image=env("CONDUIT_WEB_IMAGE") or "localhost/conduit-web:latest",
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app_ports(self) -> dict[str, int]:
        return {f"api{number}": self.first_app_port + number - 1 for number in range(1, self.apps + 1)}

    @property
    def database_url(self) -> str:
        return f"{self.postgres.rstrip('/')}/{self.database}"


config = Config.from_environment()


def podman(*args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """podman with the project's containers.conf; a captured output is shown when the command fails."""
    env = {**os.environ, "CONTAINERS_CONF": str(HERE / "containers.conf")}
    result = subprocess.run(["podman", *args], env=env, text=True, capture_output=capture)
    if check and result.returncode != 0:
        print(result.stdout or "", result.stderr or "", sep="", file=sys.stderr)
        result.check_returncode()
    return result


def log(message: str) -> None:
    print(f"[containers] {message}", flush=True)


# ------------------------------------------------------------------------------
# The settings of every container of the API image (README.md, "Configuration")
# ------------------------------------------------------------------------------
SECRET_KEY = STATE / "secret_key"


def secret_key() -> str:
    """Made anew by each `up` (with a new database): every container, a replaced one too, shares it."""
    return SECRET_KEY.read_text().strip()


def api_env() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secret_key(),
        "DJANGO_ALLOWED_HOSTS": f"{config.host},localhost",
        # Plain HTTP on loopback: nothing in front terminates TLS here.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_CACHE_KEY_PREFIX": "containers",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": f"{config.redis}/10",
        "SECURITY_REDIS_URL": f"{config.redis}/11",
        "CELERY_BROKER_URL": broker_url(),
        # nginx is the one proxy in front of the API: its X-Forwarded-For entry, no other.
        "NUM_PROXIES": "1",
        "SITE_URL": config.url,
        "UVICORN_HOST": config.host,
        "UVICORN_WORKERS": str(config.uvicorn_workers),
        "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": str(GRACEFUL_SECONDS),
        # Every client here (the suites, the drill's load) comes from 127.0.0.1: per-address limits
        # would count them as one client (as make cluster does; per-account limits keep their defaults).
        "THROTTLE_RATE_SIGNUPS_IP": "100000/hour",
        "THROTTLE_RATE_LOGIN_FAILURES_IP": "100000/hour",
    }


def run_api_image(name: str, *command: str, detach: bool = True, env: dict[str, str] | None = None) -> None:
    """A container of the API image; a detached one restarts on failure, as compose's `unless-stopped`."""
    options = ["--detach", "--restart", "on-failure", "--no-healthcheck"] if detach else ["--rm", "--no-healthcheck"]
    environment = [f"--env={key}={value}" for key, value in {**api_env(), **(env or {})}.items()]
    podman("run", *options, "--name", PREFIX + name, "--stop-timeout", str(STOP_SECONDS), *environment,
           config.api_image, *command, capture=True)  # fmt: skip


# ------------------------------------------------------------------------------
# The data services: this machine's, each part of it the topology's own
# ------------------------------------------------------------------------------
def database_reset() -> None:
    with psycopg.connect(f"{config.postgres.rstrip('/')}/postgres", autocommit=True) as connection:
        name = sql.Identifier(config.database)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def broker_url() -> str:
    """
    RabbitMQ's virtual host of the topology, where its queues are apart from every other user of the
    broker; where rabbitmqctl cannot make one, a Redis database of its own (12) is the broker.
    """
    return f"{config.rabbitmq}/{config.vhost}" if shutil.which("rabbitmqctl") else f"{config.redis}/12"


def broker_prepare() -> None:
    if not shutil.which("rabbitmqctl"):
        import redis

        redis.Redis.from_url(broker_url()).flushdb()
        return
    # Made anew, as the database: a previous run's messages name rows that no longer exist.
    vhosts = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], check=True, text=True, capture_output=True)
    if config.vhost in vhosts.stdout.split():
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", config.vhost], check=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", config.vhost], check=True)
    user = config.rabbitmq.split("//", 1)[1].split(":", 1)[0]
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", config.vhost, user, ".*", ".*", ".*"], check=True)


def redis_flush() -> None:
    import redis

    for number in (10, 11):
        redis.Redis.from_url(f"{config.redis}/{number}").flushdb()


# ------------------------------------------------------------------------------
# nginx: the loopback balancer of make cluster, rendered for the web container
# ------------------------------------------------------------------------------
def drained() -> set[str]:
    path = STATE / "drained"
    return set(path.read_text().split()) if path.exists() else set()


def nginx_render(drain: set[str] | None = None) -> None:
    """deploy/nginx.conf.template for the web container; `drain`: API containers taken out (`down`)."""
    if drain is not None:
        (STATE / "drained").write_text(" ".join(sorted(drain)))
    nginx = STATE / "nginx"
    for sub in ("conf", "cache/tmp", "cache/cache", "logs"):
        (nginx / sub).mkdir(parents=True, exist_ok=True)
    for sub in ("cache/tmp", "cache/cache", "logs"):
        shutil.chown(nginx / sub, user="nobody")  # nginx's workers run as nobody
    if drain is None:  # a new nginx: a new access log, which `check` reads for 5xx
        for log_file in (nginx / "logs").glob("*.log"):
            log_file.unlink()
    upstream = "\n".join(
        f"        server {config.host}:{port} max_fails=2 fail_timeout=3s{' down' if name in drained() else ''};"
        for name, port in config.app_ports.items()
    )
    values = {
        "WORKER_PROCESSES": "2",
        "RUN_DIR": "/run",
        "LOG_DIR": "/var/log/conduit",
        "NGINX_DIR": "/var/cache/nginx",
        "UPSTREAM_SERVERS": upstream,
        "LISTEN": f"{config.host}:{config.port}",
        "INTERNAL_LISTEN": f"{config.host}:{config.internal_port}",
        "SPA_DIR": "/usr/share/nginx/html",
        "SPA_HEADERS": "/etc/nginx/spa-headers.conf",
        "MICROCACHE_SKIP_ANONYMOUS": "1",
    }
    text = NGINX_TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise RuntimeError("deploy/nginx.conf.template: a placeholder was left unreplaced")
    # Written in place: the container sees the file through its bind mount of the directory.
    (nginx / "conf" / "nginx.conf").write_text(text)


NGINX_CONF = "/etc/nginx/conduit/nginx.conf"


def nginx_reload(drain: set[str]) -> None:
    """A graceful reload: new workers take the new upstream, the old ones finish their requests."""
    nginx_render(drain)
    podman("exec", PREFIX + "web", "nginx", "-c", NGINX_CONF, "-s", "reload", capture=True)
    time.sleep(1)


def run_web() -> None:
    nginx = STATE / "nginx"
    podman(
        "run", "--detach", "--restart", "on-failure", "--no-healthcheck", "--name", PREFIX + "web",
        "--volume", f"{nginx / 'conf'}:/etc/nginx/conduit:ro",
        "--volume", f"{nginx / 'cache'}:/var/cache/nginx",
        "--volume", f"{nginx / 'logs'}:/var/log/conduit",
        config.web_image, "nginx", "-c", NGINX_CONF, "-g", "daemon off;", capture=True,
    )  # fmt: skip


# ------------------------------------------------------------------------------
# up / down / status
# ------------------------------------------------------------------------------
def wait_ready(url: str, timeout: float = 90) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if http_get(url)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.3)
    raise RuntimeError(f"{url}: not ready within {timeout:.0f} s")


def image_health_check(container: str, image: str) -> None:
    """
    Runs the image's HEALTHCHECK command in the container, as Docker would. podman schedules health
    checks with systemd timers, which these machines lack (hence --no-healthcheck on every container).
    """
    inspected = json.loads(podman("image", "inspect", image, capture=True).stdout)[0]
    test = (inspected.get("Healthcheck") or {}).get("Test") or []
    if test[:1] != ["CMD"]:
        raise RuntimeError(f"{image}: no HEALTHCHECK in exec form (built without --format docker?)")
    podman("exec", container, *test[1:], capture=True)
    log(f"{container}: the image's HEALTHCHECK passes")


def up() -> None:
    """Starts anew: whatever a previous run left is removed, the database and the secret key are new."""
    down()
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "drained").unlink(missing_ok=True)
    SECRET_KEY.touch(mode=0o600)
    SECRET_KEY.write_text(secrets.token_urlsafe(64))
    started = time.monotonic()
    log(f"database {config.database} (new), Redis databases 10-11 (flushed), broker {broker_url().split('@')[-1]}")
    database_reset()
    redis_flush()
    broker_prepare()
    log("release step: migrate, then the demo data (conduit-c-migrate, run to completion)")
    run_api_image("migrate", "sh", "-c", "python manage.py migrate --noinput && python manage.py demo", detach=False)
    for name, port in config.app_ports.items():
        run_api_image(name, env={"UVICORN_PORT": str(port)})
    for name, port in config.app_ports.items():
        log(f"{PREFIX}{name} ready on :{port} in {wait_ready(f'http://{config.host}:{port}/readyz'):.1f} s")
    image_health_check(PREFIX + "api1", config.api_image)
    run_api_image("worker", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2")
    run_api_image("beat", "celery", "-A", "config", "beat", "--loglevel", "INFO")
    run_api_image("relay", "python", "manage.py", "relay_outbox")
    nginx_render()
    run_web()
    wait_ready(f"{config.url}/readyz")
    log(f"up in {time.monotonic() - started:.0f} s: {config.url}/ (SPA), {config.url}/api/v1/")


def containers() -> list[dict[str, str]]:
    result = podman("ps", "--all", "--filter", f"name=^{PREFIX}", "--format", "json", capture=True)
    return [
        {"name": item["Names"][0], "state": item["State"], "image": item["Image"], "status": item.get("Status", "")}
        for item in json.loads(result.stdout or "[]")
    ]


def down() -> None:
    names = [item["name"] for item in containers()]
    if not names:
        log("nothing runs")
        return
    # nginx first (no new requests), then the rest in parallel: SIGTERM, SIGKILL after STOP_SECONDS.
    if PREFIX + "web" in names:
        podman("stop", PREFIX + "web", check=False, capture=True)
    podman("stop", "--time", str(STOP_SECONDS), *names, check=False, capture=True)
    podman("rm", "--force", *names, check=False, capture=True)
    log(f"removed {len(names)} containers")


def status() -> None:
    for item in containers():
        print(f"  {item['name']:<22} {item['state']:<10} {item['image']}")
    for name, port in config.app_ports.items():
        print(f"  {name}: /readyz {http_get(f'http://{config.host}:{port}/readyz')[0]}")
    print(f"  nginx {config.url}/readyz: {http_get(f'{config.url}/readyz')[0]}")


# ------------------------------------------------------------------------------
# check: the RealWorld suite and the SPA through nginx
# ------------------------------------------------------------------------------
def nginx_server_errors() -> list[str]:
    path = STATE / "nginx" / "logs" / "nginx-access.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line for line in lines if json.loads(line).get("status", 0) >= 500]


def passes(what: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    started = time.monotonic()
    ok = subprocess.run(command, env=env).returncode == 0
    log(f"{what}: {'passed' if ok else 'FAILED'} ({time.monotonic() - started:.0f} s)")
    return ok


def check() -> int:
    conformance = passes(
        "RealWorld suites through nginx",
        ["bash", str(ROOT / "tools" / "conformance" / "run.sh")],
        env={**os.environ, "CONFORMANCE_URL": config.url, "CONFORMANCE_RUNS": "1"},
    )
    smoke = passes("SPA smoke test", ["node", str(HERE / "spa-smoke.mjs"), config.url])
    time.sleep(1.5)  # nginx's access log is buffered for up to 1 s
    errors = nginx_server_errors()
    log(f"nginx access log: {len(errors)} 5xx responses" + "".join(f"\n  {line}" for line in errors[:10]))
    return 0 if conformance and smoke and not errors else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "check", "kube-play", "rollout"])
    parser.add_argument("--write-docs", action="store_true", help="rollout: write docs/reliability.md's section")
    args = parser.parse_args()
    if args.command == "up":
        up()
    elif args.command == "down":
        down()
    elif args.command == "status":
        status()
    elif args.command == "check":
        return check()
    elif args.command == "kube-play":
        from deploy.containers.kube_play import kube_play

        return kube_play()
    elif args.command == "rollout":
        from deploy.containers.rollout import rollout

        return rollout(write_docs=args.write_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
