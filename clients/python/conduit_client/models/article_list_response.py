from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.article_list_item import ArticleListItem
    from ..models.page_links import PageLinks


T = TypeVar("T", bound="ArticleListResponse")


@_attrs_define
class ArticleListResponse:
    """
    Attributes:
        next_cursor (None | str): Pass as `cursor` for the next page; null on the last page.
        links (PageLinks):
        articles (list[ArticleListItem]):
        articles_count (int | Unset): All the matches, only where it is exact and cheap: the lists by at most one
            filter, the feed.
    """

    next_cursor: None | str
    links: PageLinks
    articles: list[ArticleListItem]
    articles_count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_cursor: None | str
        next_cursor = self.next_cursor

        links = self.links.to_dict()

        articles = []
        for articles_item_data in self.articles:
            articles_item = articles_item_data.to_dict()
            articles.append(articles_item)

        articles_count = self.articles_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "nextCursor": next_cursor,
                "links": links,
                "articles": articles,
            }
        )
        if articles_count is not UNSET:
            field_dict["articlesCount"] = articles_count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.article_list_item import ArticleListItem  # noqa: PLC0415
        from ..models.page_links import PageLinks  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("nextCursor"))

        links = PageLinks.from_dict(d.pop("links"))

        articles = []
        _articles = d.pop("articles")
        for articles_item_data in _articles:
            articles_item = ArticleListItem.from_dict(articles_item_data)

            articles.append(articles_item)

        articles_count = d.pop("articlesCount", UNSET)

        article_list_response = cls(
            next_cursor=next_cursor,
            links=links,
            articles=articles,
            articles_count=articles_count,
        )

        article_list_response.additional_properties = d
        return article_list_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
