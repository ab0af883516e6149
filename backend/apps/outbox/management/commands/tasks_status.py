import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.outbox.selectors import broker_queue_lengths, outbox_backlog
from config.celery import app as celery_app


class Command(BaseCommand):
    help = "Shows the background work waiting: the outbox backlog and the length of each broker queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")

    def handle(self, *args: Any, as_json: bool = False, **options: Any) -> None:
        status = {"outbox": outbox_backlog(), **self._queues()}
        if as_json:
            self.stdout.write(_dumps(status))
            return
        outbox = status["outbox"]
        self.stdout.write(
            f"outbox: {outbox['pending']} pending ({outbox['due']} due now, {outbox['failing']} failed at least once)"
            + (f", oldest {outbox['oldest_age_seconds']} s old" if outbox["oldest_age_seconds"] is not None else "")
        )
        if outbox["last_failure"]:
            failure = outbox["last_failure"]
            self.stdout.write(
                f"  last failure: #{failure['pk']} {failure['task']} after {failure['attempts']} attempt(s): "
                f"{failure['last_error']}"
            )
        self.stdout.write(f"broker: {status['broker']}")
        if status.get("broker_error"):
            self.stdout.write(f"  unreachable: {status['broker_error']}")
        for name, length in status["queues"].items():
            self.stdout.write(f"  queue {name}: {'not declared yet' if length is None else length}")

    def _queues(self) -> dict[str, Any]:
        if celery_app.conf.task_always_eager:
            return {"broker": "none (tasks run eagerly, in-process)", "queues": {}}
        broker = celery_app.connection_for_read().as_uri()  # the password is masked
        try:
            return {"broker": broker, "queues": broker_queue_lengths()}
        except Exception as exc:
            return {"broker": broker, "broker_error": f"{type(exc).__name__}: {exc}", "queues": {}}


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, indent=2)
