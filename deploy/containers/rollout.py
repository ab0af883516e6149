"""
The rolling update of the API containers, under load (make rollout-drill): each API container in turn
is taken out of nginx's upstream, stopped with SIGTERM while a slow request is in flight on it (uvicorn
finishes it, then exits), replaced by a new container of the new image, and put back once its /readyz
answers 200. This is what a Kubernetes rolling update with maxUnavailable 0 does (deploy/kubernetes/:
the endpoint leaves the Service, preStop, SIGTERM, the new pod's readiness gate).

The load and the acknowledged-writes check are the fault drills' (tools/drills/run.py): readers, and a
writer whose articles and comments answered 201 must all be in the database afterwards. It passes with
0 failed requests (no 5xx, no write retried; a read whose reused connection nginx dropped is sent
once more, as browsers do, and counted apart), every in-flight request answered,
and every acknowledged write present. --write-docs puts the result in docs/reliability.md.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time

from deploy.containers.topology import (
    PREFIX,
    STOP_SECONDS,
    api_env,
    config,
    drained,
    log,
    nginx_reload,
    podman,
    run_api_image,
    wait_ready,
)
from tools.drills import run as drills
from tools.reliability_doc import reliability_doc_write


def _django_setup() -> None:
    """Django on the topology's settings, for reading the database directly (the acknowledged writes)."""
    os.environ.update(api_env(), DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_READ_DOT_ENV="false")
    sys.path.insert(0, str(drills.ROOT / "backend"))
    import django

    django.setup()


def _replace(name: str, port: int, in_flight: list[int | str]) -> dict[str, float]:
    """One container replaced; the seconds each phase took."""
    timings: dict[str, float] = {}
    started = time.monotonic()
    nginx_reload(drained() | {name})  # out of the balancer first, as an endpoint leaves a Service
    slow = threading.Thread(target=drills._sign_up_direct, args=(port, in_flight))
    slow.start()
    time.sleep(0.1)
    stop_started = time.monotonic()
    podman("stop", "--time", str(STOP_SECONDS), PREFIX + name, capture=True)
    timings["stop"] = time.monotonic() - stop_started
    slow.join()
    podman("rm", PREFIX + name, capture=True)
    run_api_image(name, env={"UVICORN_PORT": str(port)})
    timings["ready"] = wait_ready(f"http://{config.host}:{port}/readyz")
    nginx_reload(drained() - {name})
    timings["total"] = time.monotonic() - started
    return timings


def rollout(*, write_docs: bool) -> int:
    _django_setup()
    drills.BASE = config.url  # the drills' load goes through the containers' nginx
    image = podman("image", "inspect", "--format", "{{.Id}}", config.api_image, capture=True).stdout.strip()[:12]
    _, token = drills.sign_up("rollout")
    in_flight: list[int | str] = []
    timings: dict[str, dict[str, float]] = {}
    started = time.monotonic()
    with drills.Load(writer_token=token) as load:
        time.sleep(2)
        for name, port in config.app_ports.items():
            timings[name] = _replace(name, port, in_flight)
            log(
                f"{PREFIX}{name} replaced: " + ", ".join(f"{key} {value:.1f} s" for key, value in timings[name].items())
            )
            time.sleep(2)
    elapsed = time.monotonic() - started
    tally = load.tally
    lines = [
        f"{len(timings)} API containers replaced one at a time by new containers of {config.api_image} "
        f"({image}) in {elapsed:.0f} s; each stopped with SIGTERM in "
        + ", ".join(f"{value['stop']:.1f}" for value in timings.values())
        + " s and ready (/readyz 200) in "
        + ", ".join(f"{value['ready']:.1f}" for value in timings.values())
        + " s",
        f"the sign-up in flight on each container at SIGTERM answered {', '.join(map(str, in_flight))}",
        drills.summary(tally),
    ]
    try:
        drills.check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
        drills.check(not tally.failures and not tally.retried_writes, f"unexpected answers: {tally.failures[:5]}")
        drills.check(in_flight == [201] * len(timings), f"sign-ups in flight at SIGTERM answered {in_flight}")
        lines.append(drills.verify_writes(tally))
        passed = True
    except drills.DrillFailed as error:
        lines.append(f"FAILED: {error}")
        passed = False
    for line in lines:
        log(line)
    now = dt.datetime.now(dt.UTC)
    report = "\n".join(
        [
            f"Run of {now:%Y-%m-%d %H:%M} UTC: `make rollout-drill` against `make compose-up` "
            f"({config.apps} API containers behind the web container's nginx): **{'pass' if passed else 'FAIL'}**.",
            "",
            *(f"- {line}" for line in lines),
        ]
    )
    if write_docs:
        reliability_doc_write("containers-rollout", report)
        log("written: docs/reliability.md")
    log(f"rolling update {'PASSED' if passed else 'FAILED'}")
    return 0 if passed else 1
