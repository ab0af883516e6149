"""Fixtures of the SDK's live tests: the server's URL (CONDUIT_API_URL) and signed-up users."""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conduit_client import AuthenticatedClient, Client
from conduit_client.api.users import users_register
from conduit_client.models import UserRegistrationBodyRequest, UserRegistrationRequest, UserResponse

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    token: str


def unique(prefix: str) -> str:
    """A name no other run of the tests has used (the database may be shared between runs)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("CONDUIT_API_URL")
    if not url:
        pytest.fail("set CONDUIT_API_URL to a running v2 API, e.g. http://127.0.0.1:8000/api/v2 (make sdk-test does)")
    return url.rstrip("/")


@pytest.fixture
def anonymous(base_url: str) -> Iterator[Client]:
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        yield client


def sign_up(client: Client) -> Account:
    username = unique("sdkpy")
    email = f"{username}@example.com"
    response = users_register.sync_detailed(
        client=client,
        body=UserRegistrationBodyRequest(
            user=UserRegistrationRequest(username=username, email=email, password=PASSWORD)
        ),
    )
    assert response.status_code == 201, response.content
    assert isinstance(response.parsed, UserResponse)
    return Account(username=username, email=email, token=response.parsed.user.token)


@pytest.fixture
def account(anonymous: Client) -> Account:
    return sign_up(anonymous)


@pytest.fixture
def signed_in(base_url: str, account: Account) -> Iterator[AuthenticatedClient]:
    # The API takes "Authorization: Token <jwt>" (the generator's default prefix is "Bearer").
    with AuthenticatedClient(
        base_url=base_url, token=account.token, prefix="Token", raise_on_unexpected_status=True
    ) as client:
        yield client
