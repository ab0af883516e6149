"""
Static checks of deploy/containers/ (make images, compose-up, kube-play, rollout-drill), which
`make containers-ci` runs for real: what would silently drift without a container started.
"""

import re
import tomllib

import pytest

from deploy.containers.kube_play import MANIFEST, playable_manifest
from tests.deploy.test_files import DOCKERFILE, ROOT

CONTAINERS = ROOT / "deploy" / "containers"


def test_podman_runs_with_runc_host_networking_and_no_default_ulimits() -> None:
    conf = tomllib.loads((CONTAINERS / "containers.conf").read_text())
    assert conf["engine"]["runtime"] == "runc"
    assert conf["containers"]["default_ulimits"] == []
    assert conf["containers"]["netns"] == "host"


def test_base_images_stay_the_public_ones_and_the_local_build_passes_each() -> None:
    defaults = dict(re.findall(r"^ARG (\w+_IMAGE)=(\S+)$", DOCKERFILE.read_text(), re.M))
    assert defaults == {
        "PYTHON_IMAGE": "python:3.11-slim-bookworm",
        "NODE_IMAGE": "node:20-bookworm-slim",
        "NGINX_IMAGE": "nginx:1.27-alpine",
    }
    script = (CONTAINERS / "images.sh").read_text()
    for argument in defaults:
        assert f"--build-arg {argument}=" in script, argument


def test_kube_play_runs_the_manifests_pod_with_only_the_local_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    # The key `make compose-up` writes; none exists on a fresh clone.
    monkeypatch.setattr("deploy.containers.topology.secret_key", lambda: "k" * 64)
    original = yaml.safe_load(MANIFEST.read_text())["spec"]["template"]["spec"]
    played = playable_manifest()["spec"]["template"]["spec"]
    assert played.pop("hostNetwork") is True
    assert {key: value for key, value in original.items() if key != "containers"} == {
        key: value for key, value in played.items() if key != "containers"
    }
    before, after = original["containers"][0], played["containers"][0]
    for key in ("command", "args", "resources", "securityContext", "lifecycle", "volumeMounts"):
        assert before.get(key) == after.get(key), key
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert before[probe]["httpGet"]["path"] == after[probe]["httpGet"]["path"]
    assert "envFrom" not in after and after["env"]
