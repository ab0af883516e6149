"""
deploy/kubernetes/api-deployment.yaml played by podman (make kube-play): `podman kube play` runs the
Deployment's pod from the manifest itself (image, command, security context, resources, probes,
read-only root with its emptyDir), then /readyz must answer 200 and one RealWorld request (sign up, then
GET /api/v1/user with the token) must succeed, as uid 10001.

What differs from a cluster, and why: one replica; host networking on port 8311 (the machines' only
working network, which takes no port mappings: the probes name the port by number); the image is the
local build (localhost/conduit-api:latest); and the settings are inlined as `env` (those of `make
compose-up`, whose migrated database it shares) instead of the ConfigMap and Secret, whose example
values point at a managed cloud.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import yaml

from deploy.containers.topology import ROOT, STATE, api_env, config, log, podman, wait_ready

MANIFEST = ROOT / "deploy" / "kubernetes" / "api-deployment.yaml"
PORT = 8311


def playable_manifest() -> dict[str, Any]:
    deployment = yaml.safe_load(MANIFEST.read_text())
    deployment["spec"]["replicas"] = 1
    pod = deployment["spec"]["template"]["spec"]
    pod["hostNetwork"] = True
    container = pod["containers"][0]
    container["image"] = config.api_image
    container.pop("envFrom")
    settings = {**api_env(), "UVICORN_PORT": str(PORT)}
    container["env"] = [{"name": name, "value": value} for name, value in settings.items()]
    # Host networking takes no port mappings: the probes name the port by number instead.
    del container["ports"]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        container[probe]["httpGet"]["port"] = PORT
    return deployment


def api_call(path: str, body: dict[str, Any] | None = None, token: str = "") -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://{config.host}:{PORT}/api/v1{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def kube_play() -> int:
    manifest = STATE / "kube" / "api-deployment.yaml"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(yaml.safe_dump(playable_manifest(), sort_keys=False))
    started = time.monotonic()
    podman("kube", "play", "--replace", str(manifest), capture=True)
    try:
        waited = wait_ready(f"http://{config.host}:{PORT}/readyz", timeout=120)
        log(f"kube play: the Deployment's pod is ready (/readyz 200) {waited:.1f} s after it started")
        name = f"play{uuid.uuid4().hex[:8]}"
        user = {"username": name, "email": f"{name}@example.com", "password": "kube-play-password-1"}
        token = api_call("/users", {"user": user})["user"]["token"]
        current = api_call("/user", token=token)["user"]
        assert current["username"] == name, current
        log(f"kube play: signed up {name} and read it back with GET /api/v1/user")
        # podman names the pod's containers <deployment>-pod-<n>-<container>.
        names = podman("ps", "--filter", "name=^conduit-api-pod", "--format", "{{.Names}}", capture=True).stdout.split()
        api = next(name for name in names if name.endswith("-api"))
        uid = podman("exec", api, "id", "-u", capture=True).stdout.strip()
        assert uid == "10001", f"the API runs as uid {uid}, not 10001"
        read_only = podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", api, capture=True).stdout.strip()
        assert read_only == "true", "the root file system is writable"
        log(f"kube play PASSED in {time.monotonic() - started:.0f} s ({api}: uid {uid}, read-only root)")
        return 0
    finally:
        podman("kube", "down", str(manifest), check=False, capture=True)
