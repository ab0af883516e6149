from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.problem_errors import ProblemErrors


T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """An error as RFC 9457 problem details (`application/problem+json`): `type` names the kind of
    problem (stable; docs/api-versions.md), `errors` holds the messages per field. The kinds (the end of `type`):
    `malformed-request` (400), `unauthenticated` (401), `forbidden` (403), `not-found` (404), `method-not-allowed`
    (405), `not-acceptable` (406), `conflict` (409), `precondition-failed` (412), `payload-too-large` (413),
    `unsupported-media-type` (415), `validation-failed` (422), `rate-limited` (429), `server-error` (500).

        Attributes:
            type_ (str): The kind of problem: a stable URI (not meant to be fetched).
            title (str): A short summary of the kind of problem.
            status (int): The HTTP status code.
            detail (str): This occurrence, in words.
            errors (ProblemErrors): The messages per field (or `request`, `token`, `resource`...), as v1's envelope has
                them.
    """

    type_: str
    title: str
    status: int
    detail: str
    errors: ProblemErrors
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        errors = self.errors.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
                "errors": errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem_errors import ProblemErrors  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail")

        errors = ProblemErrors.from_dict(d.pop("errors"))

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            errors=errors,
        )

        problem.additional_properties = d
        return problem

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
