import pytest

from apps.caching.generations import reset_cache_breaker


@pytest.fixture(autouse=True)
def _breaker_reset():
    """Every caching test starts and ends with the breakers closed and no invalidation pending."""
    reset_cache_breaker()
    yield
    reset_cache_breaker()
