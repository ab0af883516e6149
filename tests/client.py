from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.test import TestCase
from rest_framework import test


@contextmanager
def on_commit_callbacks(*, using: str = DEFAULT_DB_ALIAS, execute: bool = False) -> Iterator[list[Callable[[], Any]]]:
    """
    Django's `captureOnCommitCallbacks`, and with `execute=True` the block is as good as committed: its
    callbacks run, then are forgotten, as after a real commit. (Django's leaves them queued in the test's
    transaction, and the cached reads go to the database while invalidations wait: apps.caching.reads.)
    """
    connection = connections[using]
    start = len(connection.run_on_commit)
    with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
        yield callbacks
    if execute:
        del connection.run_on_commit[start:]


class APIClient(test.APIClient):
    """
    DRF's test client, running each request's on-commit callbacks as a real commit would.

    Tests run inside a transaction that never commits, so without this the cache invalidations
    that services schedule with `transaction.on_commit` would never run between two requests.
    """

    def request(self, **kwargs: Any) -> Any:
        with on_commit_callbacks(execute=True):
            return super().request(**kwargs)
