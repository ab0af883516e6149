import pytest

from tests.factories import ArticleFactory, FollowFactory, UserFactory
from tests.helpers import LIST_ITEM_KEYS, api_url, assert_timestamps, page_summary, profile_of

pytestmark = pytest.mark.django_db

FEED_URL = api_url("feeds:feed")


def test_feed_of_a_new_user_is_empty(auth_client):
    ArticleFactory()
    response = auth_client.get(FEED_URL)
    assert response.status_code == 200
    assert page_summary(response.json()) == ([], 0)


def test_feed_has_only_articles_by_followed_authors_newest_first(auth_client, user):
    followed = UserFactory()
    FollowFactory(follower=user, followee=followed)
    FollowFactory(follower=followed, followee=UserFactory())  # who they follow does not matter
    older, newer = ArticleFactory.create_batch(2, author=followed)
    ArticleFactory()  # by someone else
    ArticleFactory(author=user)  # your own articles are not in your feed

    page = auth_client.get(FEED_URL).json()

    assert page_summary(page) == ([newer.slug, older.slug], 2)
    item = page["articles"][0]
    assert set(item) == LIST_ITEM_KEYS
    assert item["author"] == profile_of(followed, following=True)
    assert_timestamps(item)


def test_feed_drops_an_author_once_unfollowed(auth_client, user):
    followed = UserFactory()
    ArticleFactory(author=followed)
    auth_client.post(api_url("profiles:follow", username=followed.username))
    assert auth_client.get(FEED_URL).json()["articlesCount"] == 1

    auth_client.delete(api_url("profiles:follow", username=followed.username))
    assert page_summary(auth_client.get(FEED_URL).json()) == ([], 0)
