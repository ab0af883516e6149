"""
Static checks of deploy/kubernetes/ (the schemas themselves are checked by `make kube-validate`, and the
API Deployment is run by `make kube-play`): what a schema cannot know, such as the probes' paths, the
grace period against uvicorn's drain, exactly one beat, and the Ingress keeping /metrics private.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.test_files import ROOT, compose, settings_variables, stage_named

MANIFESTS = ROOT / "deploy" / "kubernetes"
API_IMAGE_COMPONENTS = {"api", "worker", "beat", "relay", "migrate"}


def documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def resources() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(MANIFESTS.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in documents(path)
    ]


def resource(kind: str, name: str) -> dict[str, Any]:
    found = [item for item in resources() if item["kind"] == kind and item["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def workloads() -> list[dict[str, Any]]:
    return [item for item in resources() if item["kind"] in {"Deployment", "Job"}]


def env_value(name: str) -> str:
    data: dict[str, str] = resource("ConfigMap", "conduit-settings")["data"]
    return data[name]


def test_every_file_is_a_complete_manifest_in_the_namespace() -> None:
    for document in resources():
        assert {"apiVersion", "kind", "metadata"} <= document.keys(), document
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "conduit", document["kind"]


def test_kustomization_lists_every_manifest_and_only_those() -> None:
    kustomization = documents(MANIFESTS / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    present = {path.name for path in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml", "migrate-job.yaml"}
    # The migrations Job is applied on its own, before the rollout (docs/deploy.md, "Release").
    assert listed == present
    assert {image["name"] for image in kustomization["images"]} == {"conduit-api", "conduit-web"}


def test_api_deployment_probes_and_graceful_shutdown_match_uvicorn() -> None:
    api = resource("Deployment", "conduit-api")
    pod = pod_spec(api)
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = int(env_value("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"))
    # The pod leaves the endpoints, preStop pauses, uvicorn drains: all before SIGKILL.
    assert pause + drain < pod["terminationGracePeriodSeconds"]
    dockerfile_drain = re.search(r"UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=(\d+)", "\n".join(stage_named("api")))
    assert dockerfile_drain and int(dockerfile_drain.group(1)) == drain
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_api_image_pods_run_as_the_images_non_root_user_on_a_read_only_root() -> None:
    user = re.search(r"^USER (\d+):(\d+)$", "\n".join(stage_named("api")), re.M)
    assert user
    for workload in workloads():
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        if workload["metadata"]["labels"]["app.kubernetes.io/component"] in API_IMAGE_COMPONENTS:
            assert pod["securityContext"]["runAsUser"] == int(user.group(1))
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), workload["metadata"]["name"]
            assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), workload["metadata"]["name"]


def test_exactly_one_beat() -> None:
    beat = resource("Deployment", "conduit-beat")
    assert beat["spec"]["replicas"] == 1
    # A rolling update would run the old and the new beat side by side.
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    scaled = {
        item["spec"]["scaleTargetRef"]["name"] for item in resources() if item["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled == {"conduit-api"}


def test_pdb_and_hpa_target_the_api_pods() -> None:
    labels = resource("Deployment", "conduit-api")["spec"]["template"]["metadata"]["labels"]
    selector = resource("PodDisruptionBudget", "conduit-api")["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    hpa = resource("HorizontalPodAutoscaler", "conduit-api")
    assert hpa["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("component", ["worker", "beat", "relay", "migrate"])
def test_background_commands_are_compose_yamls(component: str) -> None:
    name = "conduit-migrate" if component == "migrate" else f"conduit-{component}"
    kind = "Job" if component == "migrate" else "Deployment"
    command = pod_spec(resource(kind, name))["containers"][0]["command"]
    compose_command = compose()["services"][component]["command"]
    assert command[:4] == compose_command[:4]


def test_services_select_pods_and_the_ingress_keeps_internal_paths_private() -> None:
    pods = [pod["spec"]["template"]["metadata"]["labels"] for pod in workloads()]
    services = {item["metadata"]["name"]: item for item in resources() if item["kind"] == "Service"}
    for name, service in services.items():
        assert any(service["spec"]["selector"].items() <= labels.items() for labels in pods), name
    ingress = resource("Ingress", "conduit")
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    for path in paths:
        assert path["backend"]["service"]["name"] in services
        assert not re.match(r"^/(metrics|admin|healthz|readyz)", path["path"]), path["path"]
    # /metrics would otherwise match a catch-all to the API.
    assert [path["backend"]["service"]["name"] for path in paths if path["path"] == "/"] == ["conduit-web"]


def test_settings_are_variables_the_settings_read() -> None:
    known = settings_variables() | {"UVICORN_WORKERS", "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"}
    names = set(resource("ConfigMap", "conduit-settings")["data"]) | set(
        resource("Secret", "conduit-secrets")["stringData"]
    )
    assert names <= known, f"not read by the settings: {sorted(names - known)}"
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} <= names


def test_network_policies_deny_by_default() -> None:
    policies = {item["metadata"]["name"]: item["spec"] for item in resources() if item["kind"] == "NetworkPolicy"}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
