"""Hostile or odd input ends as a 4xx in the envelope, never as a 500 (PostgreSQL rejects NUL in text)."""

import itertools
from pathlib import Path
from typing import cast

import pytest
import yaml
from django.core.exceptions import ValidationError

from apps.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from apps.articles.models import BODY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Article
from apps.comments.models import COMMENT_BODY_MAX_LENGTH, COMMENT_PAGE_MAX_SIZE, Comment
from apps.tags.models import TAG_MAX_LENGTH
from apps.tags.serializers import TagListField
from apps.users.models import BIO_MAX_LENGTH, IMAGE_MAX_LENGTH, User
from apps.users.serializers import USERNAME_MAX_LENGTH
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.helpers import api_url, assert_error

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("method", "url_name", "body", "field"),
    [
        ("post", "users:register", {"user": {"username": NUL, "email": "a@b.co", "password": "password"}}, "username"),
        ("post", "users:login", {"user": {"email": NUL, "password": "password"}}, "email"),
        ("put", "users:current", {"user": {"bio": NUL}}, "bio"),
        ("post", "articles:list", {"article": {"title": NUL, "description": "d", "body": "b"}}, "title"),
        (
            "post",
            "articles:list",
            {"article": {"title": "t", "description": "d", "body": "b", "tagList": [NUL]}},
            "tagList",
        ),
    ],
)
def test_nul_characters_in_a_body_are_422(auth_client, method, url_name, body, field):
    assert_error(getattr(auth_client, method)(api_url(url_name), body), 422, field)


@pytest.mark.parametrize("param", ["tag", "author", "favorited"])
def test_nul_characters_in_a_filter_are_422(api_client, param):
    assert_error(api_client.get(api_url("articles:list"), {param: NUL}), 422, param)


@pytest.mark.parametrize("path", ["articles/a%00b", "profiles/a%00b", "articles/a%00b/comments"])
def test_nul_characters_in_a_path_are_404(api_client, path):
    # A raw path: reverse() cannot build a URL with a NUL in it.
    assert_error(api_client.get(f"/api/{path}"), 404, "resource", "not found")


def test_a_comment_on_an_article_with_nul_is_422(auth_client):
    url = api_url("comments:list", slug=ArticleFactory().slug)
    assert_error(auth_client.post(url, {"comment": {"body": NUL}}), 422, "body")


def test_an_unsupported_method_is_405_in_the_envelope(auth_client):
    assert_error(auth_client.patch(api_url("articles:detail", slug=ArticleFactory().slug), {}), 405, "method")


def test_a_client_that_accepts_no_json_gets_406_in_the_envelope(api_client):
    assert_error(api_client.get(api_url("tags:list"), HTTP_ACCEPT="text/html"), 406, "request")


# ------------------------------------------------------------------------------
# Nesting depth of JSON bodies
# ------------------------------------------------------------------------------
OPENAPI = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
# Every operation that takes a body, from the published schema: a new one is covered by itself.
BODY_OPERATIONS = sorted(
    (method, path)
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    if isinstance(operation, dict) and "requestBody" in operation
)
NESTING_MESSAGE = f"is nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"


def nested_body(depth: int) -> str:
    """A JSON object whose arrays and objects nest `depth` levels deep in all."""
    return '{"user": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 300, 100_000])
@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_a_body_nested_too_deeply_is_422_on_every_operation_with_a_body(user, method, path, depth):
    # Ref: #9 (100,000 levels: RecursionError, a 500; 300: past orjson.dumps' limit in the idempotency fingerprint)
    slug = ArticleFactory(author=user).slug
    client = client_for(user)
    response = getattr(client, method)(
        "/api" + path.replace("{slug}", slug),
        nested_body(depth),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="deep-1",
    )
    assert_error(response, 422, "request", NESTING_MESSAGE)


def test_a_body_nested_as_deep_as_allowed_reaches_validation(auth_client):
    # Ref: #9
    response = auth_client.post(
        api_url("articles:list"),
        nested_body(MAX_JSON_DEPTH).replace("user", "article"),
        content_type="application/json",
    )
    assert_error(response, 422, "article")


@pytest.mark.parametrize(
    ("value", "deep"),
    [(1, False), ([], False), ({"a": [1]}, False), ([[[]]], True), ({"a": [[]]}, True), ({"a": {"b": {"c": 1}}}, True)],
)
def test_json_depth_exceeds_counts_arrays_and_objects(value, deep):
    assert json_depth_exceeds(value, 2) is deep


def test_json_depth_exceeds_needs_no_recursion():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert json_depth_exceeds(value, MAX_JSON_DEPTH)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{", "application/json"),
        ('{"user": NaN}', "application/json"),
        ('{"user": "\\ud800"}', "application/json"),
        (b'{"user": "\xff"}', "application/json"),
        ('{"user": {"email": "caf\u00e9"}}'.encode("latin-1"), "application/json; charset=latin-1"),
    ],
)
def test_malformed_json_is_422_and_a_declared_charset_is_honoured(api_client, body, content_type):
    response = api_client.post(api_url("users:login"), body, content_type=content_type)
    if "latin-1" in content_type:
        assert_error(response, 422, "password", "can't be blank")  # decoded: validation saw the e-mail
    else:
        assert_error(response, 422, "request", "is not valid JSON")


# ------------------------------------------------------------------------------
# Bounded texts: every stored text has a maximum, so every response that shows it is bounded
# ------------------------------------------------------------------------------
# The character JSON spells longest: a control character leaves as `\u0001`, six bytes.
WORST = "\x01"
JSON_BYTES_PER_CHAR = 6


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def article_body(**fields: object) -> dict:
    return {"article": {"title": "t", "description": "d", "body": "b", **fields}}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bio", too_long(BIO_MAX_LENGTH), f"Ensure this field has no more than {BIO_MAX_LENGTH} characters."),
        ("image", "https://example.com/" + too_long(IMAGE_MAX_LENGTH), None),
        ("image", "javascript:alert(1)", "must be an http(s) URL"),
        ("image", "data:image/png;base64,iVBORw0KGgo=", "must be an http(s) URL"),
        ("image", "ftp://example.com/photo.jpg", "must be an http(s) URL"),
        ("image", "/media/photo.jpg", "must be an http(s) URL"),
        ("image", "photo", "must be an http(s) URL"),
        ("image", 7, "must be a string"),
    ],
)
def test_user_update_refuses_an_unbounded_bio_and_anything_but_an_http_url_as_image(
    auth_client, user, field, value, message
):
    # Ref: #9 (a 900 KB image made a 10-article list page 7.2 MB)
    assert_error(auth_client.put(api_url("users:current"), {"user": {field: value}}), 422, field, message)
    user.refresh_from_db()
    assert (user.bio, user.image) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("bio", "b" * BIO_MAX_LENGTH, "b" * BIO_MAX_LENGTH),
        ("image", "https://example.com/photo.jpg", "https://example.com/photo.jpg"),
        (
            "image",
            "http://example.com/" + "p" * (IMAGE_MAX_LENGTH - 19),
            "http://example.com/" + "p" * (IMAGE_MAX_LENGTH - 19),
        ),
        ("image", "", None),
        ("image", None, None),
    ],
)
def test_user_update_accepts_a_bio_and_image_within_the_bounds(auth_client, user, field, value, stored):
    # Ref: #9
    response = auth_client.put(api_url("users:current"), {"user": {field: value}})
    assert response.status_code == 200, response.content
    assert response.json()["user"][field] == stored


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", TITLE_MAX_LENGTH), ("description", DESCRIPTION_MAX_LENGTH), ("body", BODY_MAX_LENGTH)],
)
def test_article_texts_are_bounded_on_create_and_update(auth_client, user, field, limit):
    # Ref: #9
    message = f"Ensure this field has no more than {limit} characters."
    assert_error(
        auth_client.post(api_url("articles:list"), article_body(**{field: too_long(limit)})), 422, field, message
    )
    assert not Article.objects.exists()
    article = ArticleFactory(author=user)
    url = api_url("articles:detail", slug=article.slug)
    assert_error(auth_client.put(url, {"article": {field: too_long(limit)}}), 422, field, message)
    assert getattr(Article.objects.get(pk=article.pk), field) == getattr(article, field)
    response = auth_client.put(url, {"article": {field: "y" * limit}})
    assert response.status_code == 200, response.content


def test_tag_lists_are_bounded_in_number_and_length(auth_client):
    # Ref: #9
    tags = [f"t{n}" for n in range(TagListField.MAX_TAGS + 1)]
    assert_error(auth_client.post(api_url("articles:list"), article_body(tagList=tags)), 422, "tagList")
    assert_error(
        auth_client.post(api_url("articles:list"), article_body(tagList=[too_long(TAG_MAX_LENGTH)])), 422, "tagList"
    )
    assert not Article.objects.exists()


def test_comment_bodies_are_bounded(auth_client):
    # Ref: #9 (five 1 MB comments made one comments response 5 MB)
    url = api_url("comments:list", slug=ArticleFactory().slug)
    message = f"Ensure this field has no more than {COMMENT_BODY_MAX_LENGTH} characters."
    assert_error(auth_client.post(url, {"comment": {"body": too_long(COMMENT_BODY_MAX_LENGTH)}}), 422, "body", message)
    assert not Comment.objects.exists()
    assert auth_client.post(url, {"comment": {"body": "c" * COMMENT_BODY_MAX_LENGTH}}).status_code == 201


@pytest.mark.parametrize(
    ("make", "field", "limit"),
    [
        (
            lambda text: ArticleFactory.build(author=UserFactory(), description=text),
            "description",
            DESCRIPTION_MAX_LENGTH,
        ),
        (lambda text: ArticleFactory.build(author=UserFactory(), body=text), "body", BODY_MAX_LENGTH),
        (
            lambda text: CommentFactory.build(article=ArticleFactory(), author=UserFactory(), body=text),
            "body",
            COMMENT_BODY_MAX_LENGTH,
        ),
    ],
)
def test_models_bound_their_texts_so_the_admin_does_too(make, field, limit):
    # Ref: #9
    make("x" * limit).full_clean()
    with pytest.raises(ValidationError) as raised:
        make(too_long(limit)).full_clean()
    assert set(raised.value.message_dict) == {field}


HUGE = 900_000  # the image; in ASCII, the body stays under the 1 MB request limit


def maximal_author() -> APIClient:
    """
    A signed-in client whose profile is as large as the API lets it be, in the characters JSON
    spells longest; it then tries to store far more (accepted before #9, refused since).
    """
    client = client_for(cast(User, UserFactory(username=str(next(_usernames)).rjust(USERNAME_MAX_LENGTH, "u"))))
    largest = {"bio": WORST * BIO_MAX_LENGTH, "image": "https://example.com/" + WORST * (IMAGE_MAX_LENGTH - 20)}
    assert client.put(api_url("users:current"), {"user": largest}).status_code == 200
    for huge in ({"bio": "x" * HUGE}, {"image": "https://example.com/" + "x" * HUGE}):
        assert client.put(api_url("users:current"), {"user": huge}).status_code < 500
    return client


_usernames = itertools.count()


def test_an_article_list_page_is_bounded_whatever_its_authors_and_articles_hold(api_client):
    # Ref: #9: 10 articles by authors with 900 KB images made a 7.2 MB page; now at most ~350 KB.
    tags = [str(n).rjust(TAG_MAX_LENGTH, WORST) for n in range(TagListField.MAX_TAGS)]
    largest = {"title": WORST * TITLE_MAX_LENGTH, "description": WORST * DESCRIPTION_MAX_LENGTH, "tagList": tags}
    for _ in range(10):
        author = maximal_author()
        response = author.post(api_url("articles:list"), article_body(**largest))
        assert response.status_code == 201, response.content
        url = api_url("articles:detail", slug=response.json()["article"]["slug"])
        assert author.put(url, {"article": {"description": "x" * HUGE}}).status_code < 500
    texts = TITLE_MAX_LENGTH + DESCRIPTION_MAX_LENGTH + TagListField.MAX_TAGS * TAG_MAX_LENGTH
    profile = USERNAME_MAX_LENGTH + BIO_MAX_LENGTH + IMAGE_MAX_LENGTH
    item_bound = JSON_BYTES_PER_CHAR * (texts + profile) + 255 + 500  # + slug + keys, dates, numbers
    page = api_client.get(api_url("articles:list"), {"limit": 10})
    assert page.status_code == 200
    assert len(page.json()["articles"]) == 10
    assert len(page.content) <= 10 * item_bound <= 350_000


def test_a_comments_response_is_bounded_whatever_its_comments_and_authors_hold(api_client):
    # Ref: #9: five 1 MB comments made a 5 MB response; now a page holds at most 100 bounded comments.
    article = ArticleFactory()
    url = api_url("comments:list", slug=article.slug)
    authors = [maximal_author() for _ in range(3)]
    for n in range(COMMENT_PAGE_MAX_SIZE + 5):
        response = authors[n % 3].post(url, {"comment": {"body": WORST * COMMENT_BODY_MAX_LENGTH}})
        assert response.status_code == 201
    for author in authors:
        assert author.post(url, {"comment": {"body": "x" * HUGE}}).status_code < 500
    profile = USERNAME_MAX_LENGTH + BIO_MAX_LENGTH + IMAGE_MAX_LENGTH
    comment_bound = JSON_BYTES_PER_CHAR * (COMMENT_BODY_MAX_LENGTH + profile) + 300  # + id, dates, keys
    response = api_client.get(url, {"limit": 1000})
    assert response.status_code == 200
    assert len(response.json()["comments"]) == COMMENT_PAGE_MAX_SIZE
    assert len(response.content) <= COMMENT_PAGE_MAX_SIZE * comment_bound + 200 <= 5_000_000


@pytest.mark.parametrize(
    ("url_name", "param"),
    [("articles:list", "limit"), ("articles:list", "offset"), ("feeds:feed", "limit"), ("notifications:list", "limit")],
)
def test_an_empty_number_parameter_is_a_422_not_the_default(auth_client, url_name, param):
    # An empty value is not an absent one: the schema types it an integer (found by the API fuzzing).
    response = auth_client.get(api_url(url_name), {param: ""})
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [param]


@pytest.mark.parametrize("name", ["tag", "author", "favorited"])
def test_a_list_filter_longer_than_any_tag_or_username_is_a_422(api_client, name):
    # Ref: #9: each made-up value was a query and a stored response of its own.
    assert api_client.get(api_url("articles:list"), {name: "x" * 64}).status_code == 200
    response = api_client.get(api_url("articles:list"), {name: "x" * 65})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [name]
