import pytest

from apps.core.exceptions import AuthenticationError, ConflictError
from apps.users.models import User
from apps.users.services import user_login, user_register, user_update
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_user_register_creates_a_user_with_a_hashed_password_and_no_bio_or_image():
    user = user_register(username="jake", email="jake@Example.COM", password="jakejake")

    user.refresh_from_db()
    assert (user.username, user.email, user.bio, user.image) == ("jake", "jake@example.com", None, None)
    assert user.check_password("jakejake")


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("jake", "new@example.com", "username"), ("new", "JAKE@example.com", "email")],
)
def test_user_register_refuses_a_taken_username_or_email(username, email, field):
    UserFactory(username="jake", email="jake@example.com")

    with pytest.raises(ConflictError) as error:
        user_register(username=username, email=email, password="jakejake")

    assert (error.value.field, error.value.message) == (field, "has already been taken")
    assert User.objects.count() == 1


def test_user_login_matches_the_email_case_insensitively():
    user = UserFactory(email="jake@example.com")
    assert user_login(email="JAKE@example.com", password=PASSWORD) == user


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("jake@example.com", "wrong-password", True),
        ("nobody@example.com", PASSWORD, True),
        ("jake@example.com", PASSWORD, False),
    ],
)
def test_user_login_refuses_bad_credentials_and_inactive_users(email, password, active):
    UserFactory(email="jake@example.com", is_active=active)

    with pytest.raises(AuthenticationError) as error:
        user_login(email=email, password=password)

    assert (error.value.field, error.value.message) == ("credentials", "invalid")


def test_user_update_changes_only_the_given_fields():
    user = UserFactory(bio="old", image="https://example.com/a.png")

    user_update(user=user, changes={"bio": "new", "password": "new-password"})

    user.refresh_from_db()
    assert (user.bio, user.image) == ("new", "https://example.com/a.png")
    assert user.check_password("new-password")


def test_user_update_clears_an_empty_bio_and_image():
    user = UserFactory(bio="old", image="https://example.com/a.png")

    user_update(user=user, changes={"bio": "", "image": None})

    user.refresh_from_db()
    assert (user.bio, user.image) == (None, None)


@pytest.mark.parametrize(("field", "value"), [("username", "taken"), ("email", "Taken@Example.com")])
def test_user_update_refuses_a_value_taken_by_someone_else(field, value):
    UserFactory(username="taken", email="taken@example.com")
    user = UserFactory(bio="old")

    with pytest.raises(ConflictError) as error:
        user_update(user=user, changes={field: value, "bio": "new"})

    assert error.value.field == field
    assert User.objects.get(pk=user.pk).bio == "old"


def test_user_update_keeps_your_own_username_and_email():
    user = UserFactory(username="jake", email="jake@example.com")
    user_update(user=user, changes={"username": "jake", "email": "JAKE@example.com", "bio": "hi"})
    assert User.objects.get(pk=user.pk).bio == "hi"
