import pytest

from apps.users.selectors import user_email_taken, user_username_taken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_username_taken_ignores_case_and_can_exclude_a_user():
    # Ref: #9 (12): "Jake" and "jake" would be two people told apart by case alone.
    user = UserFactory(username="jake")

    assert user_username_taken(username="jake")
    assert user_username_taken(username="Jake")
    assert not user_username_taken(username="JAKE", exclude=user)


def test_user_email_taken_ignores_case_and_can_exclude_a_user():
    user = UserFactory(email="jake@example.com")

    assert user_email_taken(email="JAKE@example.com")
    assert not user_email_taken(email="other@example.com")
    assert not user_email_taken(email="jake@example.com", exclude=user)
