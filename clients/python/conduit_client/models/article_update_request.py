from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ArticleUpdateRequest")


@_attrs_define
class ArticleUpdateRequest:
    """Every field is optional; only those sent change. `tagList: []` clears the tags.

    Attributes:
        title (str | Unset):
        description (str | Unset):
        body (str | Unset):
        tag_list (list[str] | Unset):
    """

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    body: str | Unset = UNSET
    tag_list: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description = self.description

        body = self.body

        tag_list: list[str] | Unset = UNSET
        if not isinstance(self.tag_list, Unset):
            tag_list = self.tag_list

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if body is not UNSET:
            field_dict["body"] = body
        if tag_list is not UNSET:
            field_dict["tagList"] = tag_list

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        body = d.pop("body", UNSET)

        tag_list = cast(list[str], d.pop("tagList", UNSET))

        article_update_request = cls(
            title=title,
            description=description,
            body=body,
            tag_list=tag_list,
        )

        article_update_request.additional_properties = d
        return article_update_request

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
