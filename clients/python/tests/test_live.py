"""The Python SDK against a live v2 server (make sdk-test): the journey of issue #15.

Sign up, sign in, publish, search, walk a list to its end with the cursor, lose an edit race (412)
and recover, and read a validation problem's per-field errors, each through the generated client.
"""

from conduit_client import AuthenticatedClient, Client
from conduit_client.api.articles import articles_create, articles_get, articles_list, articles_update
from conduit_client.api.users import users_current, users_login, users_update
from conduit_client.models import (
    ArticleCreateBodyRequest,
    ArticleCreateRequest,
    ArticleListResponse,
    ArticleResponse,
    ArticleUpdateBodyRequest,
    ArticleUpdateRequest,
    Problem,
    UserLoginBodyRequest,
    UserLoginRequest,
    UserResponse,
    UserUpdateBodyRequest,
    UserUpdateRequest,
)
from conduit_client.types import UNSET, Unset

from .conftest import PASSWORD, Account, unique

PROBLEM_JSON = "application/problem+json"


def publish(client: AuthenticatedClient, *, title: str, body: str = "Body.", tags: list[str] | None = None) -> str:
    response = articles_create.sync_detailed(
        client=client,
        body=ArticleCreateBodyRequest(
            article=ArticleCreateRequest(title=title, description="About it.", body=body, tag_list=tags or [])
        ),
    )
    assert response.status_code == 201, response.content
    assert isinstance(response.parsed, ArticleResponse)
    return response.parsed.article.slug


def walk(client: Client, *, limit: int, **filters: str) -> tuple[list[str], list[ArticleListResponse]]:
    """Every page of a list, following nextCursor until it is null: the slugs in order, and the pages."""
    slugs: list[str] = []
    pages: list[ArticleListResponse] = []
    cursor: str | Unset = UNSET
    while True:
        page = articles_list.sync(client=client, limit=limit, cursor=cursor, **filters)
        assert isinstance(page, ArticleListResponse), page
        assert len(page.articles) <= limit
        pages.append(page)
        slugs += [article.slug for article in page.articles]
        # links.next is the same page as nextCursor, as a URL for clients that follow links.
        assert (page.links.next_ is None) == (page.next_cursor is None)
        if page.next_cursor is None:
            return slugs, pages
        assert page.links.next_ is not None and "cursor=" in page.links.next_
        assert len(pages) < 100, "the cursor does not move"
        cursor = page.next_cursor


def assert_problem(response_content_type: str | None, problem: object, status: int) -> Problem:
    assert response_content_type is not None and response_content_type.startswith(PROBLEM_JSON)
    assert isinstance(problem, Problem), problem
    assert problem.status == status
    assert problem.type_ and problem.title
    return problem


def test_sign_up_then_sign_in_gives_a_working_token(base_url: str, anonymous: Client, account: Account) -> None:
    response = users_login.sync_detailed(
        client=anonymous, body=UserLoginBodyRequest(user=UserLoginRequest(email=account.email, password=PASSWORD))
    )
    assert response.status_code == 200
    assert isinstance(response.parsed, UserResponse)
    token = response.parsed.user.token

    with AuthenticatedClient(base_url=base_url, token=token, prefix="Token") as client:
        me = users_current.sync(client=client)
    assert isinstance(me, UserResponse)
    assert me.user.username == account.username
    # v2 says "no value" with null, not "" (v1's RealWorld shape).
    assert me.user.bio is None and me.user.image is None


def test_publish_then_find_it_by_search(signed_in: AuthenticatedClient, anonymous: Client) -> None:
    word = unique("zephyr")
    slug = publish(signed_in, title=f"On {word} and other winds", body=f"The {word} blows west.")

    article = articles_get.sync(slug=slug, client=anonymous)
    assert isinstance(article, ArticleResponse)
    # Timestamps carry an explicit offset.
    assert article.article.created_at.utcoffset() is not None

    found = articles_list.sync(client=anonymous, q=word)
    assert isinstance(found, ArticleListResponse)
    assert [a.slug for a in found.articles] == [slug]
    # A search has no cheap exact total: v2 leaves articlesCount out rather than guess.
    assert isinstance(found.articles_count, Unset)


def test_cursor_pagination_walks_the_list_to_its_end(
    signed_in: AuthenticatedClient, anonymous: Client, account: Account
) -> None:
    published = [publish(signed_in, title=f"Page test {n} {unique('t')}") for n in range(7)]

    slugs, pages = walk(anonymous, limit=3, author=account.username)
    assert slugs == published[::-1]  # newest first, each once
    assert [len(page.articles) for page in pages] == [3, 3, 1]
    # Lists by author have an exact count from counter rows.
    assert {page.articles_count for page in pages} == {7}

    # The whole list too: ours are all there, newest first, none twice.
    everything, _ = walk(anonymous, limit=5)
    assert len(everything) == len(set(everything))
    assert [slug for slug in everything if slug in published] == published[::-1]


def test_a_stale_if_match_gets_412_and_writes_nothing(signed_in: AuthenticatedClient) -> None:
    slug = publish(signed_in, title=unique("Concurrent "))
    first = articles_get.sync_detailed(slug=slug, client=signed_in)
    stale_etag = first.headers["ETag"]

    # Another editor saves first, with the ETag it read...
    saved = articles_update.sync_detailed(
        slug=slug,
        client=signed_in,
        body=ArticleUpdateBodyRequest(article=ArticleUpdateRequest(body="Their edit.")),
        if_match=stale_etag,
    )
    assert saved.status_code == 200, saved.content
    assert saved.headers["ETag"] != stale_etag

    # ...so this one, based on the old representation, is refused.
    lost = articles_update.sync_detailed(
        slug=slug,
        client=signed_in,
        body=ArticleUpdateBodyRequest(article=ArticleUpdateRequest(body="My edit.")),
        if_match=stale_etag,
    )
    assert lost.status_code == 412
    problem = assert_problem(lost.headers.get("Content-Type"), lost.parsed, 412)
    assert problem.type_.endswith("precondition-failed")

    # Nothing was written; the client re-reads, merges and retries with the current ETag.
    current = articles_get.sync_detailed(slug=slug, client=signed_in)
    assert isinstance(current.parsed, ArticleResponse)
    assert current.parsed.article.body == "Their edit."
    retried = articles_update.sync_detailed(
        slug=slug,
        client=signed_in,
        body=ArticleUpdateBodyRequest(article=ArticleUpdateRequest(body="Their edit. My edit.")),
        if_match=current.headers["ETag"],
    )
    assert retried.status_code == 200
    assert isinstance(retried.parsed, ArticleResponse)
    assert retried.parsed.article.body == "Their edit. My edit."


def test_a_stale_if_match_on_the_user_gets_412(signed_in: AuthenticatedClient) -> None:
    stale_etag = users_current.sync_detailed(client=signed_in).headers["ETag"]

    def set_bio(bio: str) -> int:
        body = UserUpdateBodyRequest(user=UserUpdateRequest(bio=bio))
        response = users_update.sync_detailed(client=signed_in, body=body, if_match=stale_etag)
        return response.status_code

    assert set_bio("From my phone.") == 200
    assert set_bio("From my laptop.") == 412  # read before the phone's change
    me = users_current.sync(client=signed_in)
    assert isinstance(me, UserResponse)
    assert me.user.bio == "From my phone."


def test_a_validation_error_is_a_problem_with_field_errors(signed_in: AuthenticatedClient, anonymous: Client) -> None:
    response = articles_create.sync_detailed(
        client=signed_in,
        body=ArticleCreateBodyRequest(article=ArticleCreateRequest(title="", description="d", body="b")),
    )
    assert response.status_code == 422
    problem = assert_problem(response.headers.get("Content-Type"), response.parsed, 422)
    assert not isinstance(problem.errors, Unset)
    assert problem.errors.additional_properties["title"]  # the messages a form shows beside the field

    # A search cannot be combined with a filter: the problem names the parameter.
    mixed = articles_list.sync_detailed(client=anonymous, q="wind", tag="weather")
    problem = assert_problem(mixed.headers.get("Content-Type"), mixed.parsed, 422)
    assert not isinstance(problem.errors, Unset)
    assert "q" in problem.errors.additional_properties
