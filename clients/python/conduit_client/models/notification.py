from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_kind_enum import NotificationKindEnum, check_notification_kind_enum

if TYPE_CHECKING:
    from ..models.notification_actor import NotificationActor
    from ..models.notification_article import NotificationArticle
    from ..models.notification_comment import NotificationComment


T = TypeVar("T", bound="Notification")


@_attrs_define
class Notification:
    """`kind` says what happened: `article_published` (`actor`, whom you follow, published `article`),
    `article_commented` (`actor` commented on your `article`: `comment`), `article_favorited`
    (`actor` favorited your `article`). `readAt` is null while unread.

        Attributes:
            id (int):
            kind (NotificationKindEnum): * `article_published` - An author you follow published an article
                * `article_commented` - Someone commented on your article
                * `article_favorited` - Someone favorited your article
            created_at (datetime.datetime):
            read_at (datetime.datetime | None):
            actor (NotificationActor): Who caused the notification.
            article (NotificationArticle):
            comment (None | NotificationComment):
    """

    id: int
    kind: NotificationKindEnum
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    actor: NotificationActor
    article: NotificationArticle
    comment: None | NotificationComment
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_comment import NotificationComment  # noqa: PLC0415

        id = self.id

        kind: str = self.kind

        created_at = self.created_at.isoformat()

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        actor = self.actor.to_dict()

        article = self.article.to_dict()

        comment: dict[str, Any] | None
        if isinstance(self.comment, NotificationComment):
            comment = self.comment.to_dict()
        else:
            comment = self.comment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "createdAt": created_at,
                "readAt": read_at,
                "actor": actor,
                "article": article,
                "comment": comment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_actor import NotificationActor  # noqa: PLC0415
        from ..models.notification_article import NotificationArticle  # noqa: PLC0415
        from ..models.notification_comment import NotificationComment  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = check_notification_kind_enum(d.pop("kind"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("readAt"))

        actor = NotificationActor.from_dict(d.pop("actor"))

        article = NotificationArticle.from_dict(d.pop("article"))

        def _parse_comment(data: object) -> None | NotificationComment:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                comment_type_1 = NotificationComment.from_dict(data)

                return comment_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotificationComment, data)

        comment = _parse_comment(d.pop("comment"))

        notification = cls(
            id=id,
            kind=kind,
            created_at=created_at,
            read_at=read_at,
            actor=actor,
            article=article,
            comment=comment,
        )

        notification.additional_properties = d
        return notification

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
