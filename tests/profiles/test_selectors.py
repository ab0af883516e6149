import pytest
from django.contrib.auth.models import AnonymousUser

from apps.core.exceptions import NotFoundError
from apps.profiles.caching import profile_detail
from apps.profiles.selectors import followed_ids, profile_for_viewer, profile_user_get
from tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def following(username: str, viewer) -> bool:
    return profile_for_viewer(profile_detail(username=username), viewer=viewer)["following"]


def test_profile_for_viewer_shows_following_for_the_viewer():
    follow = FollowFactory()
    celeb = follow.followee

    assert following(celeb.username, follow.follower) is True
    assert following(celeb.username, UserFactory()) is False
    assert following(celeb.username, AnonymousUser()) is False
    # Following is one-way.
    assert following(follow.follower.username, celeb) is False


def test_followed_ids_are_the_followed_users_among_the_given_ones():
    follow = FollowFactory()
    stranger = UserFactory()
    ids = {follow.followee.pk, stranger.pk}

    assert followed_ids(viewer=follow.follower, user_ids=ids) == {follow.followee.pk}
    assert followed_ids(viewer=AnonymousUser(), user_ids=ids) == set()


@pytest.mark.parametrize(
    "select",
    [
        lambda: profile_user_get(username="nobody"),
        lambda: profile_detail(username="nobody"),
    ],
    ids=["user_get", "detail"],
)
def test_profile_selectors_raise_not_found_for_an_unknown_username(select):
    with pytest.raises(NotFoundError) as error:
        select()
    assert error.value.field == "profile"
