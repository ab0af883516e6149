from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.article_list_response import ArticleListResponse
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    author: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    favorited: str | Unset = UNSET,
    limit: int | Unset = 20,
    q: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["author"] = author

    params["cursor"] = cursor

    params["favorited"] = favorited

    params["limit"] = limit

    params["q"] = q

    params["tag"] = tag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/articles",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ArticleListResponse | Problem | None:
    if response.status_code == 200:
        response_200 = ArticleListResponse.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ArticleListResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    author: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    favorited: str | Unset = UNSET,
    limit: int | Unset = 20,
    q: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[ArticleListResponse | Problem]:
    """Articles, newest first

    Args:
        author (str | Unset):
        cursor (str | Unset):
        favorited (str | Unset):
        limit (int | Unset):  Default: 20.
        q (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArticleListResponse | Problem]
    """

    kwargs = _get_kwargs(
        author=author,
        cursor=cursor,
        favorited=favorited,
        limit=limit,
        q=q,
        tag=tag,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    author: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    favorited: str | Unset = UNSET,
    limit: int | Unset = 20,
    q: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> ArticleListResponse | Problem | None:
    """Articles, newest first

    Args:
        author (str | Unset):
        cursor (str | Unset):
        favorited (str | Unset):
        limit (int | Unset):  Default: 20.
        q (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArticleListResponse | Problem
    """

    return sync_detailed(
        client=client,
        author=author,
        cursor=cursor,
        favorited=favorited,
        limit=limit,
        q=q,
        tag=tag,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    author: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    favorited: str | Unset = UNSET,
    limit: int | Unset = 20,
    q: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[ArticleListResponse | Problem]:
    """Articles, newest first

    Args:
        author (str | Unset):
        cursor (str | Unset):
        favorited (str | Unset):
        limit (int | Unset):  Default: 20.
        q (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArticleListResponse | Problem]
    """

    kwargs = _get_kwargs(
        author=author,
        cursor=cursor,
        favorited=favorited,
        limit=limit,
        q=q,
        tag=tag,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    author: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    favorited: str | Unset = UNSET,
    limit: int | Unset = 20,
    q: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> ArticleListResponse | Problem | None:
    """Articles, newest first

    Args:
        author (str | Unset):
        cursor (str | Unset):
        favorited (str | Unset):
        limit (int | Unset):  Default: 20.
        q (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArticleListResponse | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            author=author,
            cursor=cursor,
            favorited=favorited,
            limit=limit,
            q=q,
            tag=tag,
        )
    ).parsed
