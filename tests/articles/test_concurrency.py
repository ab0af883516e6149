"""
The denormalized favorites_count stays exact under concurrency: many favorite/unfavorite requests
at once, through the real HTTP stack, each on its own database connection.
"""

import json
import random
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.articles.models import Article, Favorite
from apps.users.services import user_issue_token
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db(transaction=True)

READERS = 12
REQUESTS_PER_READER = 10


def call(method: str, url: str, token: str) -> int:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        json.load(response)
        return response.status


def test_favorites_count_equals_the_rows_after_concurrent_favorites_and_unfavorites(live_server):
    article = ArticleFactory()
    tokens = [user_issue_token(user=UserFactory()) for _ in range(READERS)]
    url = live_server.url + api_url("articles:favorite", slug=article.slug)
    rng = random.Random(7)
    calls = [(rng.choice(["POST", "DELETE"]), token) for token in tokens for _ in range(REQUESTS_PER_READER)]
    rng.shuffle(calls)

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        statuses = list(pool.map(lambda c: call(c[0], url, c[1]), calls))

    assert set(statuses) == {200}
    article.refresh_from_db()
    assert article.favorites_count == Favorite.objects.filter(article=article).count()
    assert 0 <= article.favorites_count <= READERS
    assert Article.objects.get(pk=article.pk).favorites_count == article.favorites_count
