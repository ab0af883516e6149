import pytest

from apps.core.exceptions import InvalidError, NotFoundError
from apps.profiles.models import Follow
from apps.profiles.services import profile_follow, profile_unfollow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_follow_creates_one_follow_however_often_it_is_called():
    follower, celeb = UserFactory(), UserFactory()

    for _ in range(2):
        profile_follow(follower=follower, username=celeb.username)

    assert Follow.objects.filter(follower=follower, followee=celeb).count() == 1


def test_profile_unfollow_deletes_the_follow_and_tolerates_a_missing_one():
    follower, other, celeb = UserFactory.create_batch(3)
    for user in (follower, other):
        profile_follow(follower=user, username=celeb.username)

    for _ in range(2):
        profile_unfollow(follower=follower, username=celeb.username)

    assert list(Follow.objects.values_list("follower_id", flat=True)) == [other.pk]


def test_profile_follow_refuses_to_follow_yourself():
    user = UserFactory()
    with pytest.raises(InvalidError):
        profile_follow(follower=user, username=user.username)
    assert not Follow.objects.exists()


@pytest.mark.parametrize("service", [profile_follow, profile_unfollow])
def test_profile_follow_services_raise_not_found_for_an_unknown_user(service):
    with pytest.raises(NotFoundError) as error:
        service(follower=UserFactory(), username="nobody")
    assert error.value.field == "profile"
