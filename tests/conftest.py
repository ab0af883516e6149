from typing import cast

import pytest
from django.core.cache import caches

from apps.articles.search_registry import search_registry_mark
from apps.users.models import User
from apps.users.services import user_issue_token
from tests.client import APIClient, on_commit_callbacks
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    for alias in ("default", "security"):
        caches[alias].clear()
    # A flushed cache holds no search page that a publish could leave stale: the registry of searched
    # texts starts marked, as it is once the first search has marked it (its loss: tests/articles/test_search.py).
    search_registry_mark()
    yield
    for alias in ("default", "security"):
        caches[alias].clear()


@pytest.fixture
def django_capture_on_commit_callbacks():
    """pytest-django's fixture, whose `execute=True` block counts as committed (tests.client.on_commit_callbacks)."""
    return on_commit_callbacks


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return cast(User, UserFactory())


def client_for(user: User) -> APIClient:
    """An API client that sends `user`'s token, as a RealWorld client does."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user_issue_token(user=user)}")
    return client


@pytest.fixture
def auth_client(user: User) -> APIClient:
    return client_for(user)
