import pytest

from apps.users.selectors import user_email_taken, user_username_taken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_username_taken_is_case_sensitive_and_can_exclude_a_user():
    user = UserFactory(username="jake")

    assert user_username_taken(username="jake")
    assert not user_username_taken(username="Jake")
    assert not user_username_taken(username="jake", exclude=user)


def test_user_email_taken_ignores_case_and_can_exclude_a_user():
    user = UserFactory(email="jake@example.com")

    assert user_email_taken(email="JAKE@example.com")
    assert not user_email_taken(email="other@example.com")
    assert not user_email_taken(email="jake@example.com", exclude=user)
