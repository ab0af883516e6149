from typing import Any

from django.test import TestCase
from rest_framework import test


class APIClient(test.APIClient):
    """
    DRF's test client, running each request's on-commit callbacks as a real commit would.

    Tests run inside a transaction that never commits, so without this the cache invalidations
    that services schedule with `transaction.on_commit` would never run between two requests.
    """

    def request(self, **kwargs: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)
