import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from apps.outbox.services import outbox_relay

logger = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 30.0


class Command(BaseCommand):
    help = (
        "Publishes the outbox's pending tasks to the broker, in a loop (or once with --once). "
        "Independent of Celery beat: it keeps retrying while the broker is down. Several may run at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Publish what is due, then exit.")
        parser.add_argument("--batch-size", type=int, default=200, help="Rows per transaction (default 200).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle (default 1).")

    def handle(self, *args: Any, once: bool, batch_size: int, interval: float, **options: Any) -> None:
        self._stopping = False
        if once:
            self._drain(batch_size)
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        self.stdout.write(f"relay_outbox: publishing pending tasks every {interval:g} s (Ctrl-C to stop)")
        delay = interval
        while not self._stopping:
            try:
                sent, broker_error = self._drain(batch_size)
            except Exception:
                logger.exception("relay_outbox: relay failed; retrying")
                close_old_connections()
                sent, broker_error = 0, "error"
            # Back off while the broker (or the database) is away; come back to `interval` after.
            delay = min(delay * 2, MAX_IDLE_SECONDS) if broker_error else interval
            if not sent or broker_error:
                self._sleep(delay)

    def _drain(self, batch_size: int) -> tuple[int, str | None]:
        """Relays batches until nothing is due or the broker fails; returns (rows sent, broker error)."""
        total = 0
        while not self._stopping:
            result = outbox_relay(limit=batch_size)
            total += result.sent
            if result.sent or result.failed:
                self.stdout.write(f"relay_outbox: sent {result.sent}, failed {result.failed}")
            if result.broker_error:
                self.stderr.write(f"relay_outbox: broker unavailable: {result.broker_error}")
                return total, result.broker_error
            if result.sent + result.failed < batch_size:
                return total, None
        return total, None

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))

    def _stop(self, signum: int, frame: Any) -> None:
        self._stopping = True
