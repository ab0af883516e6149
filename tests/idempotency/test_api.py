"""Idempotency-Key on the create endpoints: a retry replays the first response and creates nothing twice."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article
from apps.comments.models import Comment
from apps.idempotency.models import IdempotencyKey
from apps.idempotency.services import idempotency_key_purge_expired
from apps.users.models import User
from apps.users.services import user_issue_token
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url, assert_error

pytestmark = pytest.mark.django_db

KEY = "5f0c6a2e-3c1d-4e55-9d0b-1f2a3b4c5d6e"
ARTICLE = {"article": {"title": "Retry me", "description": "d", "body": "b", "tagList": ["x"]}}


def post(client, url, body, key=KEY):
    return client.post(url, body, HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_article_create_returns_the_first_response_and_creates_one_article(auth_client):
    url = api_url("articles:list")
    first = post(auth_client, url, ARTICLE)
    retry = post(auth_client, url, ARTICLE)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Article.objects.count() == 1


def test_a_retried_comment_create_returns_the_first_response_and_creates_one_comment(auth_client):
    url = api_url("comments:list", slug=ArticleFactory().slug)
    first = post(auth_client, url, {"comment": {"body": "once"}})
    retry = post(auth_client, url, {"comment": {"body": "once"}})

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert Comment.objects.count() == 1


def test_a_retried_sign_up_returns_the_first_response_and_creates_one_user(api_client):
    body = {"user": {"username": "retry", "email": "retry@example.com", "password": "password123"}}
    first = post(api_client, api_url("users:register"), body)
    retry = post(api_client, api_url("users:register"), body)

    assert first.status_code == retry.status_code == 201
    assert {**retry.json()["user"], "token": None} == {**first.json()["user"], "token": None}
    assert User.objects.filter(username="retry").count() == 1
    # No usable token at rest; the replay carries a fresh one for the same user.
    assert IdempotencyKey.objects.get().response_body["user"]["token"] is None
    token = retry.json()["user"]["token"]
    assert (
        APIClient().get(api_url("users:current"), HTTP_AUTHORIZATION=f"Token {token}").json()["user"]["username"]
        == "retry"
    )


def sign_up_body(name: str, email: str) -> dict:
    return {"user": {"username": name, "email": email, "password": "password123"}}


def test_a_replayed_sign_up_never_signs_in_the_account_that_now_holds_the_e_mail(api_client):
    # Ref: #9 (1): the attacker signs up with the victim's e-mail and key K, moves their own account
    # to another e-mail, the victim signs up with theirs, and the attacker replays K.
    body = sign_up_body("attacker", "victim@example.com")
    first = post(api_client, api_url("users:register"), body)
    attacker = client_for(User.objects.get(username="attacker"))
    assert attacker.put(api_url("users:current"), {"user": {"email": "elsewhere@example.com"}}).status_code == 200
    assert api_client.post(api_url("users:register"), sign_up_body("victim", "victim@example.com")).status_code == 201

    replay = post(APIClient(), api_url("users:register"), body)

    assert_error(replay, 409, "Idempotency-Key", "belongs to an account that has changed since; sign in instead")
    assert "victim" not in replay.content.decode() and first.json()["user"]["token"] not in replay.content.decode()


def test_a_replayed_sign_up_after_a_password_change_issues_no_token(api_client):
    # Ref: #9 (1)
    body = sign_up_body("changer", "changer@example.com")
    post(api_client, api_url("users:register"), body)
    client = client_for(User.objects.get(username="changer"))
    assert client.put(api_url("users:current"), {"user": {"password": "another-password"}}).status_code == 200

    assert_error(post(APIClient(), api_url("users:register"), body), 409, "Idempotency-Key")


def test_a_replayed_sign_up_of_a_deleted_account_is_409_not_500(api_client):
    # Ref: #9 (1): with nobody holding the e-mail any more, the replay answered 500.
    body = sign_up_body("gone", "gone@example.com")
    post(api_client, api_url("users:register"), body)
    User.objects.filter(username="gone").delete()

    assert_error(post(APIClient(), api_url("users:register"), body), 409, "Idempotency-Key")


def test_a_replayed_sign_up_of_an_unchanged_account_signs_in_that_account_only(api_client):
    body = sign_up_body("steady", "steady@example.com")
    post(api_client, api_url("users:register"), body)
    UserFactory(username="someone", email="someone@example.com")

    token = post(APIClient(), api_url("users:register"), body).json()["user"]["token"]
    me = APIClient().get(api_url("users:current"), HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["user"]["username"] == "steady"
    # What is kept binds the account by id and a stamp, never a usable secret.
    kept = IdempotencyKey.objects.get().response_body
    assert kept["account"]["id"] == User.objects.get(username="steady").pk
    assert "password" not in json.dumps(kept) and kept["user"]["token"] is None


def test_without_a_key_every_request_creates(auth_client):
    auth_client.post(api_url("articles:list"), ARTICLE)
    auth_client.post(api_url("articles:list"), ARTICLE)
    assert Article.objects.count() == 2


def test_the_same_key_with_a_different_body_is_refused(auth_client):
    url = api_url("articles:list")
    post(auth_client, url, ARTICLE)
    other = {"article": {**ARTICLE["article"], "title": "Something else"}}

    assert_error(post(auth_client, url, other), 422, "Idempotency-Key", "was already used with a different request")
    assert Article.objects.count() == 1


def test_the_same_key_on_another_route_is_refused(auth_client):
    post(auth_client, api_url("articles:list"), ARTICLE)
    response = post(auth_client, api_url("comments:list", slug=Article.objects.get().slug), {"comment": {"body": "b"}})

    assert_error(response, 422, "Idempotency-Key")
    assert Comment.objects.count() == 0


def test_different_users_with_the_same_key_are_independent():
    url = api_url("articles:list")
    first = post(client_for(UserFactory()), url, ARTICLE)
    second = post(client_for(UserFactory()), url, ARTICLE)

    assert first.status_code == second.status_code == 201
    assert first.json()["article"]["author"] != second.json()["article"]["author"]
    assert Article.objects.count() == 2


def test_a_failed_request_keeps_no_key_so_its_retry_runs_afresh(auth_client):
    url = api_url("articles:list")
    invalid = {"article": {"title": "", "description": "d", "body": "b"}}

    assert post(auth_client, url, invalid).status_code == 422
    assert IdempotencyKey.objects.count() == 0
    assert post(auth_client, url, ARTICLE).status_code == 201


def test_anonymous_requests_are_refused_before_the_key_is_looked_at(api_client):
    assert_error(post(api_client, api_url("articles:list"), ARTICLE), 401, "token", "is missing")
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "spaces are not allowed", "é"])
def test_a_malformed_key_is_refused(auth_client, key):
    response = auth_client.post(api_url("articles:list"), ARTICLE, HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"))
    assert_error(response, 422, "Idempotency-Key")
    assert Article.objects.count() == 0


def test_an_expired_key_runs_the_request_again(auth_client):
    url = api_url("articles:list")
    post(auth_client, url, ARTICLE)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert post(auth_client, url, ARTICLE).status_code == 201
    assert Article.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_purge_deletes_only_expired_keys(auth_client):
    post(auth_client, api_url("articles:list"), ARTICLE, key="old")
    post(auth_client, api_url("articles:list"), ARTICLE, key="new")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert idempotency_key_purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


# ------------------------------------------------------------------------------
# Concurrency: the same request sent several times at once, each on its own connection
# ------------------------------------------------------------------------------
def send(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": KEY},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_article(live_server):
    token = user_issue_token(user=UserFactory())
    url = live_server.url + api_url("articles:list")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: send(url, token, ARTICLE), range(6)))

    assert Article.objects.count() == 1
    created = [body for status, body in results if status == 201]
    # Each duplicate either waited for the first and got its response, or was told to retry (409).
    assert created and all(body == created[0] for body in created)
    assert all(status == 409 for status, _ in results if status != 201), results
