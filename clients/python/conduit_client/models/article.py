from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.profile import Profile


T = TypeVar("T", bound="Article")


@_attrs_define
class Article:
    """A whole article, body included.

    Attributes:
        slug (str):
        title (str):
        description (str):
        tag_list (list[str]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        favorited (bool):
        favorites_count (int):
        author (Profile): A user as others see them; `following` is false for anonymous viewers.
        body (str):
    """

    slug: str
    title: str
    description: str
    tag_list: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    favorited: bool
    favorites_count: int
    author: Profile
    body: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        title = self.title

        description = self.description

        tag_list = self.tag_list

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        favorited = self.favorited

        favorites_count = self.favorites_count

        author = self.author.to_dict()

        body = self.body

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "slug": slug,
                "title": title,
                "description": description,
                "tagList": tag_list,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "favorited": favorited,
                "favoritesCount": favorites_count,
                "author": author,
                "body": body,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile import Profile  # noqa: PLC0415

        d = dict(src_dict)
        slug = d.pop("slug")

        title = d.pop("title")

        description = d.pop("description")

        tag_list = cast(list[str], d.pop("tagList"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        favorited = d.pop("favorited")

        favorites_count = d.pop("favoritesCount")

        author = Profile.from_dict(d.pop("author"))

        body = d.pop("body")

        article = cls(
            slug=slug,
            title=title,
            description=description,
            tag_list=tag_list,
            created_at=created_at,
            updated_at=updated_at,
            favorited=favorited,
            favorites_count=favorites_count,
            author=author,
            body=body,
        )

        article.additional_properties = d
        return article

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
