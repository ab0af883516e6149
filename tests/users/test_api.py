from datetime import timedelta

import pytest
from django.db import transaction
from rest_framework_simplejwt.tokens import AccessToken

from apps.articles.models import Article, Favorite
from apps.profiles.models import Follow
from apps.users.models import User
from apps.users.services import user_issue_token, user_login, user_revoke_tokens
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import PASSWORD, ArticleFactory, UserFactory
from tests.helpers import BLANK_VALUES, api_url, assert_blank, assert_error, assert_post_rejects_blank

pytestmark = pytest.mark.django_db

REGISTER_URL = api_url("users:register")
LOGIN_URL = api_url("users:login")
CURRENT_URL = api_url("users:current")


def register(client: APIClient, **fields: object):
    payload = {"username": "jake", "email": "jake@jake.jake", "password": "jakejake", **fields}
    return client.post(REGISTER_URL, {"user": payload})


def update(client: APIClient, **fields: object):
    return client.put(CURRENT_URL, {"user": fields})


def token_client(token: str, scheme: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
    return client


# ------------------------------------------------------------------------------
# POST /users
# ------------------------------------------------------------------------------
def test_register_returns_201_with_the_user_and_a_working_token(api_client):
    response = register(api_client)

    assert response.status_code == 201
    user = response.json()["user"]
    assert set(user) == {"email", "token", "username", "bio", "image"}
    assert (user["email"], user["username"], user["bio"], user["image"]) == ("jake@jake.jake", "jake", None, None)
    me = token_client(user["token"]).get(CURRENT_URL)
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "jake"


def test_register_stores_a_hashed_password(api_client):
    register(api_client)
    user = User.objects.get(username="jake")
    assert user.password != "jakejake"
    assert user.check_password("jakejake")


@pytest.mark.parametrize("field", ["username", "email", "password"])
@pytest.mark.parametrize("value", BLANK_VALUES)
def test_register_rejects_a_blank_field(api_client, field, value):
    payload = {"username": "jake", "email": "jake@jake.jake", "password": "jakejake"}
    assert_post_rejects_blank(api_client, REGISTER_URL, "user", payload, field, value)
    assert not User.objects.exists()


def test_register_reports_every_blank_field_at_once(api_client):
    assert_blank(api_client.post(REGISTER_URL, {"user": {}}), "username", "email", "password")


def test_register_without_the_user_envelope_is_422(api_client):
    assert_blank(api_client.post(REGISTER_URL, {"username": "jake"}), "user")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "jake"),
        ("email", "jake@jake.jake"),
        ("email", "JAKE@Jake.Jake"),  # e-mails are unique whatever their case
    ],
)
def test_register_with_a_taken_value_is_409_and_creates_nothing(api_client, field, value):
    UserFactory(username="jake", email="jake@jake.jake")
    fresh = {"username": "other", "email": "other@example.com"}

    response = register(api_client, **{**fresh, field: value})

    assert_error(response, 409, field, "has already been taken")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("username", "has space"),
        ("username", "slash/name"),
        ("username", "x" * 65),
        ("password", "short"),
        ("password", "x" * 129),
    ],
)
def test_register_rejects_an_invalid_value(api_client, field, value):
    assert_error(register(api_client, **{field: value}), 422, field)
    assert not User.objects.exists()


def test_register_accepts_usernames_the_realworld_suites_generate(api_client):
    response = register(api_client, username="celeb_u1700000000.x-y", email="celeb@example.com")
    assert response.status_code == 201


def test_register_ignores_a_stale_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token garbage")
    assert register(api_client).status_code == 201


# ------------------------------------------------------------------------------
# POST /users/login
# ------------------------------------------------------------------------------
def test_login_returns_the_user_with_a_token(api_client):
    user = UserFactory(bio="I work at statefarm")

    response = api_client.post(LOGIN_URL, {"user": {"email": user.email.upper(), "password": PASSWORD}})

    assert response.status_code == 200
    body = response.json()["user"]
    assert body == {
        "email": user.email,
        "token": body["token"],
        "username": user.username,
        "bio": "I work at statefarm",
        "image": None,
    }
    assert token_client(body["token"]).get(CURRENT_URL).status_code == 200


@pytest.mark.parametrize(("email", "password"), [("known", "wrong-password"), ("nobody@example.com", PASSWORD)])
def test_login_with_wrong_credentials_is_401(api_client, user, email, password):
    email = user.email if email == "known" else email
    response = api_client.post(LOGIN_URL, {"user": {"email": email, "password": password}})
    assert_error(response, 401, "credentials", "invalid")


def test_login_of_an_inactive_user_is_401(api_client):
    user = UserFactory(is_active=False)
    response = api_client.post(LOGIN_URL, {"user": {"email": user.email, "password": PASSWORD}})
    assert_error(response, 401, "credentials", "invalid")


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_rejects_a_blank_field(api_client, field):
    payload = {"email": "jake@jake.jake", "password": "jakejake", field: ""}
    assert_blank(api_client.post(LOGIN_URL, {"user": payload}), field)


# ------------------------------------------------------------------------------
# GET /user and tokens
# ------------------------------------------------------------------------------
def test_current_user_returns_the_signed_in_user(auth_client, user):
    response = auth_client.get(CURRENT_URL)
    assert response.status_code == 200
    assert response.json()["user"] | {"token": None} == {
        "email": user.email,
        "token": None,
        "username": user.username,
        "bio": None,
        "image": None,
    }


@pytest.mark.parametrize("method", ["get", "put"])
def test_current_user_without_a_token_is_401(api_client, method):
    response = getattr(api_client, method)(CURRENT_URL, {"user": {"bio": "x"}})
    assert_error(response, 401, "token", "is missing")
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_both_auth_schemes_are_accepted(user, scheme):
    response = token_client(user_issue_token(user=user), scheme).get(CURRENT_URL)
    assert response.status_code == 200
    assert response.json()["user"]["username"] == user.username


def test_an_unknown_auth_scheme_counts_as_no_token(user):
    response = token_client(user_issue_token(user=user), "Basic").get(CURRENT_URL)
    assert_error(response, 401, "token", "is missing")


def expired_token(user: User) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def forged_token(user: User) -> str:
    token = user_issue_token(user=user)
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[::-1]}"


def deleted_users_token(user: User) -> str:
    token = user_issue_token(user=user)
    user.delete()
    return token


def revoked_token(user: User) -> str:
    token = user_issue_token(user=user)
    user_revoke_tokens(user=user)
    return token


def inactive_users_token(user: User) -> str:
    User.objects.filter(pk=user.pk).update(is_active=False)
    return user_issue_token(user=user)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: "garbage",
        lambda user: "",
        expired_token,
        forged_token,
        deleted_users_token,
        inactive_users_token,
    ],
    ids=["garbage", "empty", "expired", "forged", "deleted-user", "inactive-user"],
)
def test_a_bad_token_is_401_wherever_sign_in_is_required(user, make_token):
    client = token_client(make_token(user))
    assert_error(client.get(CURRENT_URL), 401, "token", "is invalid")
    assert_error(client.get(api_url("feeds:feed")), 401, "token", "is invalid")
    body = {"article": {"title": "t", "description": "d", "body": "b"}}
    assert_error(client.post(api_url("articles:list"), body), 401, "token", "is invalid")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "make_token",
    [lambda user: "garbage", expired_token, forged_token, deleted_users_token, inactive_users_token, revoked_token],
    ids=["garbage", "expired", "forged", "deleted-user", "inactive-user", "revoked"],
)
def test_a_bad_token_on_a_public_read_is_answered_as_to_an_anonymous_reader(user, make_token):
    # Ref: #9 (13): a stale token must not break the public pages, nor show anyone's own view.
    author = UserFactory()
    article = ArticleFactory(author=author)
    Favorite.objects.create(user=user, article=article)
    Follow.objects.create(follower=user, followee=author)
    client = token_client(make_token(user))
    for url in (
        api_url("articles:list"),
        api_url("articles:detail", slug=article.slug),
        api_url("comments:list", slug=article.slug),
        api_url("profiles:detail", username=author.username),
        api_url("tags:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response["WWW-Authenticate"] == 'Token error="invalid_token"'
        assert b'"favorited":true' not in response.content and b'"following":true' not in response.content, url


def test_a_valid_token_on_a_public_read_has_no_challenge(auth_client):
    assert "WWW-Authenticate" not in auth_client.get(api_url("articles:list"))


# ------------------------------------------------------------------------------
# PUT /user
# ------------------------------------------------------------------------------
def test_update_changes_only_the_fields_sent(auth_client, user):
    response = update(auth_client, bio="I like to skateboard", image="https://i.stack.imgur.com/xHWG8.jpg")

    assert response.status_code == 200
    body = response.json()["user"]
    assert (body["bio"], body["image"]) == ("I like to skateboard", "https://i.stack.imgur.com/xHWG8.jpg")
    assert (body["username"], body["email"]) == (user.username, user.email)
    user.refresh_from_db()
    assert user.bio == "I like to skateboard"
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("value", ["", None])
@pytest.mark.parametrize("field", ["bio", "image"])
def test_update_stores_an_empty_bio_or_image_as_null(field, value):
    user = UserFactory(bio="old bio", image="https://example.com/old.png")

    response = update(client_for(user), **{field: value})

    assert response.status_code == 200
    assert response.json()["user"][field] is None
    user.refresh_from_db()
    assert getattr(user, field) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", ""),
        ("email", None),
        ("email", "not-an-email"),
        ("username", ""),
        ("username", None),
        ("password", ""),
        ("password", None),
        ("password", "x" * 7),
    ],
)
def test_update_rejects_an_invalid_value_and_changes_nothing(auth_client, user, field, value):
    before = User.objects.values().get(pk=user.pk)

    assert_error(update(auth_client, **{field: value, "bio": "should not be saved"}), 422, field)
    assert User.objects.values().get(pk=user.pk) == before


@pytest.mark.parametrize("password", ["x" * 8, "y" * 64])
def test_update_accepts_a_new_password_of_8_to_64_characters(api_client, auth_client, user, password):
    assert update(auth_client, password=password).status_code == 200

    response = api_client.post(LOGIN_URL, {"user": {"email": user.email, "password": password}})
    assert response.status_code == 200
    old = api_client.post(LOGIN_URL, {"user": {"email": user.email, "password": PASSWORD}})
    assert_error(old, 401, "credentials", "invalid")


@pytest.mark.parametrize(("field", "value"), [("username", "taken"), ("email", "TAKEN@example.com")])
def test_update_to_a_taken_value_is_409_and_writes_nothing(auth_client, user, field, value):
    UserFactory(username="taken", email="taken@example.com")
    before = User.objects.values().get(pk=user.pk)

    response = update(auth_client, **{field: value, "bio": "should not be saved", "password": "new-password"})

    assert_error(response, 409, field, "has already been taken")
    assert User.objects.values().get(pk=user.pk) == before


def test_update_to_your_own_username_and_email_is_allowed(auth_client, user):
    response = update(auth_client, username=user.username, email=user.email.upper())
    assert response.status_code == 200


def test_update_token_survives_a_username_and_email_change(user):
    old_token = user_issue_token(user=user)

    response = update(token_client(old_token), username="renamed", email="renamed@example.com")

    assert response.status_code == 200
    new_token = response.json()["user"]["token"]
    for token in (old_token, new_token):
        me = token_client(token).get(CURRENT_URL)
        assert me.status_code == 200
        assert me.json()["user"]["username"] == "renamed"


def test_update_with_an_empty_user_object_changes_nothing(auth_client, user):
    before = User.objects.values().get(pk=user.pk)
    assert update(auth_client).status_code == 200
    assert User.objects.values().get(pk=user.pk) == before


# ------------------------------------------------------------------------------
# Request parsing (shared by every endpoint with a body)
# ------------------------------------------------------------------------------
def test_malformed_json_is_422(api_client):
    response = api_client.post(REGISTER_URL, data='{"user": {', content_type="application/json")
    assert_error(response, 422, "request", "is not valid JSON")


@pytest.mark.parametrize("body", ["[]", '"user"', '{"user": "jake"}'])
def test_a_body_of_the_wrong_json_type_is_422(api_client, body):
    response = api_client.post(REGISTER_URL, data=body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) <= {"request", "user"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_that_is_not_json_is_415(api_client, content_type):
    response = api_client.post(REGISTER_URL, data="user=jake", content_type=content_type)
    assert_error(response, 415, "request")
    assert not User.objects.exists()


def test_responses_are_utf8_json(auth_client):
    assert auth_client.get(CURRENT_URL)["Content-Type"] == "application/json; charset=utf-8"


# ------------------------------------------------------------------------------
# Usernames and token revocation (Ref: #9 (6), (12))
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("taken", ["Jake", "JAKE", "jAkE"])
def test_usernames_are_unique_whatever_their_case(api_client, taken):
    UserFactory(username="jake")
    assert_error(register(api_client, username=taken, email="other@example.com"), 409, "username")
    other = client_for(UserFactory(username="other"))
    assert_error(update(other, username=taken), 409, "username")


def test_a_user_may_change_the_case_of_their_own_username(auth_client, user):
    response = update(auth_client, username=user.username.upper())
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "username", [".", "..", "a..b", ".hidden", "trailing.", "\u0430dmin", "j\u00e4ke", "name\u200b"]
)
def test_register_rejects_usernames_that_are_path_segments_or_look_alikes(api_client, username):
    assert_error(register(api_client, username=username), 422, "username")
    assert not User.objects.exists()


def test_changing_the_password_revokes_every_other_token(user):
    other_client = client_for(user)
    changer = client_for(user)

    response = update(changer, password="a-new-password")

    assert response.status_code == 200
    assert_error(other_client.get(CURRENT_URL), 401, "token", "is invalid")
    # The client that changed it goes on, with the token it sent (as the RealWorld suite does) or
    # the one of the response; and may change it again.
    assert changer.get(CURRENT_URL).status_code == 200
    assert token_client(response.json()["user"]["token"]).get(CURRENT_URL).status_code == 200
    assert update(changer, password="a-third-password").status_code == 200
    assert changer.get(CURRENT_URL).status_code == 200


def test_a_password_change_by_one_token_revokes_a_token_kept_by_an_earlier_change(user):
    first, second = client_for(user), client_for(user)
    assert update(first, password="a-new-password").status_code == 200
    login = APIClient().post(LOGIN_URL, {"user": {"email": user.email, "password": "a-new-password"}})
    third = token_client(login.json()["user"]["token"])
    assert update(third, password="a-third-password").status_code == 200
    for client in (first, second):
        assert_error(client.get(CURRENT_URL), 401, "token", "is invalid")
    assert third.get(CURRENT_URL).status_code == 200


def test_other_profile_changes_keep_tokens_valid(auth_client):
    assert update(auth_client, bio="new", email="new@example.com").status_code == 200
    assert auth_client.get(CURRENT_URL).status_code == 200


def test_sign_out_everywhere_revokes_every_token_this_one_included(user):
    clients = [client_for(user), client_for(user)]

    assert clients[0].post(api_url("users:revoke-tokens")).status_code == 204

    for client in clients:
        assert_error(client.get(CURRENT_URL), 401, "token", "is invalid")
    login = APIClient().post(LOGIN_URL, {"user": {"email": user.email, "password": PASSWORD}})
    assert token_client(login.json()["user"]["token"]).get(CURRENT_URL).status_code == 200


def test_sign_out_everywhere_needs_a_valid_token(api_client):
    assert_error(api_client.post(api_url("users:revoke-tokens")), 401, "token")


def test_checking_the_token_version_costs_no_query(auth_client, django_assert_num_queries):
    # The user row is loaded to authenticate anyway: the version rides along.
    with django_assert_num_queries(1):
        assert auth_client.get(CURRENT_URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_login_opens_no_database_transaction(user, monkeypatch):
    # A login writes nothing: on SQLite a write transaction made concurrent logins queue (and time out)
    # behind each other's password hashing.
    from apps.users import views

    seen = []

    def spy(**credentials):
        seen.append(transaction.get_connection().in_atomic_block)
        return user_login(**credentials)

    monkeypatch.setattr(views, "user_login", spy)
    response = APIClient().post(LOGIN_URL, {"user": {"email": user.email, "password": PASSWORD}})
    assert response.status_code == 200
    assert seen == [False]
