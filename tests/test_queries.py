"""
No N+1: the list endpoints run the same number of queries for a page of 1 and a page of 100.

The data is made in bulk (fast) but complete: 100 articles by five authors the reader follows,
three tags each, favorites by the reader and by others, and comments by several authors.
"""

from dataclasses import dataclass
from typing import Any, cast

import pytest

from apps.articles.models import Article, Favorite
from apps.comments.models import Comment
from apps.profiles.models import Follow
from apps.tags.models import Tag
from apps.users.models import User
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

ARTICLES = 100
TAGS_PER_ARTICLE = 3
PAGE_SIZES = [1, 100]


@dataclass
class World:
    reader: User
    commented: Article  # carries `size` comments


def build_world(size: int) -> World:
    """`ARTICLES` articles; `size` comments on one of them; `TAGS_PER_ARTICLE * size` tags in use."""
    reader = cast(User, UserFactory())
    authors = UserFactory.create_batch(5)
    fans = UserFactory.create_batch(3)
    Follow.objects.bulk_create([Follow(follower=reader, followee=author) for author in authors])
    Follow.objects.bulk_create([Follow(follower=fan, followee=authors[0]) for fan in fans])

    articles = Article.objects.bulk_create(
        Article(slug=f"article-{i}", title=f"Article {i}", description="d", body="b", author=authors[i % len(authors)])
        for i in range(ARTICLES)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"tag-{i}") for i in range(TAGS_PER_ARTICLE * size))
    Article.tags.through.objects.bulk_create(
        Article.tags.through(article_id=article.pk, tag_id=tags[(i * TAGS_PER_ARTICLE + k) % len(tags)].pk)
        for i, article in enumerate(articles)
        for k in range(TAGS_PER_ARTICLE)
    )
    favorites = [Favorite(user=fan, article=article) for article in articles for fan in fans[: article.pk % 4]]
    favorites += [Favorite(user=reader, article=article) for article in articles[::2]]
    Favorite.objects.bulk_create(favorites)
    for article in articles:
        article.favorites_count = sum(1 for favorite in favorites if favorite.article is article)
    Article.objects.bulk_update(articles, ["favorites_count"])

    commenters = [*authors, *fans, reader]
    Comment.objects.bulk_create(
        Comment(article=articles[0], author=commenters[i % len(commenters)], body=f"comment {i}") for i in range(size)
    )
    return World(reader=reader, commented=articles[0])


@dataclass(frozen=True)
class ListEndpoint:
    url_name: str
    key: str  # the list in the response
    # The query bounds, whatever the page size: for anonymous (None: not allowed) and signed-in readers.
    anonymous_queries: int | None
    signed_in_queries: int
    paged: bool = True

    def get(self, client: APIClient, world: World, size: int) -> list[Any]:
        kwargs = {"slug": world.commented.slug} if self.url_name == "comments:list" else {}
        response = client.get(api_url(self.url_name, **kwargs), {"limit": size} if self.paged else {})
        assert response.status_code == 200, response.content
        return response.json()[self.key]


# With a cold cache (apps.articles.caching: each part of a page is its own entry). Articles: the
# page's ids and its counter row, the articles' rows with their authors (content, favorites count,
# profile: one query) and their tags; signed in, also the token's user and the viewer's flags
# (favorited ids, followed ids) laid over the page. The feed (apps.feeds.caching): whom the reader
# follows, the authors read at read time, the sum of the followed authors' counters, the timeline's
# rebuild, the pending fan-outs, then the articles as above. Comments: the article by slug, the page,
# the authors' profiles. Tags: the ranked tags, then the unranked ones with their counts
# (tags.selectors.tag_list_popular).
ENDPOINTS = {
    "GET /articles": ListEndpoint("articles:list", "articles", anonymous_queries=4, signed_in_queries=7),
    "GET /articles/feed": ListEndpoint("feeds:feed", "articles", anonymous_queries=None, signed_in_queries=10),
    "GET /articles/{slug}/comments": ListEndpoint(
        "comments:list", "comments", anonymous_queries=3, signed_in_queries=5
    ),
    "GET /tags": ListEndpoint("tags:list", "tags", anonymous_queries=2, signed_in_queries=3, paged=False),
}
CASES = [
    pytest.param(endpoint, signed_in, id=f"{name}-{'signed-in' if signed_in else 'anonymous'}")
    for name, endpoint in ENDPOINTS.items()
    for signed_in in (False, True)
    if signed_in or endpoint.anonymous_queries is not None
]


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize(("endpoint", "signed_in"), CASES)
def test_list_endpoint_query_count_does_not_grow_with_the_page(
    django_assert_max_num_queries, endpoint, signed_in, size
):
    world = build_world(size)
    client = client_for(world.reader) if signed_in else APIClient()
    bound = endpoint.signed_in_queries if signed_in else endpoint.anonymous_queries

    for cache_state in ("cold cache", "warm cache"):
        with django_assert_max_num_queries(bound, info=cache_state):
            items = endpoint.get(client, world, size)
        assert len(items) == (TAGS_PER_ARTICLE * size if endpoint.key == "tags" else size)
