import pytest

from apps.profiles.models import Follow
from tests.conftest import client_for
from tests.factories import FollowFactory, UserFactory
from tests.helpers import api_url, assert_error, profile_of

pytestmark = pytest.mark.django_db


def profile_url(username: str) -> str:
    return api_url("profiles:detail", username=username)


def follow_url(username: str) -> str:
    return api_url("profiles:follow", username=username)


def test_profile_get_works_anonymously_with_following_false(api_client):
    celeb = UserFactory(bio="I sing", image=None)

    response = api_client.get(profile_url(celeb.username))

    assert response.status_code == 200
    assert response.json() == {
        "profile": {"username": celeb.username, "bio": "I sing", "image": None, "following": False}
    }


def test_profile_get_shows_whether_the_viewer_follows(auth_client, user):
    followed, other = UserFactory(), UserFactory()
    FollowFactory(follower=user, followee=followed)

    assert auth_client.get(profile_url(followed.username)).json()["profile"]["following"] is True
    assert auth_client.get(profile_url(other.username)).json()["profile"]["following"] is False


def test_profile_get_of_an_unknown_user_is_404(api_client):
    assert_error(api_client.get(profile_url("nobody")), 404, "profile", "not found")


def test_profile_follow_returns_the_profile_with_following_true(auth_client, user):
    celeb = UserFactory()

    response = auth_client.post(follow_url(celeb.username))

    assert response.status_code == 200
    assert response.json() == {"profile": profile_of(celeb, following=True)}
    assert Follow.objects.filter(follower=user, followee=celeb).exists()


def test_profile_follow_is_idempotent_and_ignores_a_stray_body(auth_client, user):
    celeb = UserFactory()

    for _ in range(2):
        response = auth_client.post(follow_url(celeb.username), {"user": {"email": "x"}})
        assert response.json()["profile"]["following"] is True

    assert Follow.objects.filter(follower=user, followee=celeb).count() == 1


def test_profile_unfollow_returns_the_profile_with_following_false_and_is_idempotent(auth_client, user):
    celeb = UserFactory()
    FollowFactory(follower=user, followee=celeb)

    for _ in range(2):
        response = auth_client.delete(follow_url(celeb.username))
        assert response.status_code == 200
        assert response.json() == {"profile": profile_of(celeb, following=False)}

    assert not Follow.objects.exists()


def test_profile_unfollow_leaves_other_followers_alone(auth_client):
    celeb = UserFactory()
    FollowFactory(followee=celeb)
    auth_client.delete(follow_url(celeb.username))
    assert Follow.objects.filter(followee=celeb).count() == 1


def test_profile_follow_yourself_is_422(auth_client, user):
    assert_error(auth_client.post(follow_url(user.username)), 422, "profile")
    assert not Follow.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_profile_follow_of_an_unknown_user_is_404(auth_client, method):
    assert_error(getattr(auth_client, method)(follow_url("nobody")), 404, "profile", "not found")


def test_profile_follow_is_seen_by_the_follower_only(user):
    celeb = UserFactory()
    client_for(user).post(follow_url(celeb.username))

    assert client_for(user).get(profile_url(celeb.username)).json()["profile"]["following"] is True
    assert client_for(UserFactory()).get(profile_url(celeb.username)).json()["profile"]["following"] is False
