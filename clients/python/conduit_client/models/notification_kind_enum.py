from typing import Literal

NotificationKindEnum = Literal["article_commented", "article_favorited", "article_published"]

NOTIFICATION_KIND_ENUM_VALUES: set[NotificationKindEnum] = {
    "article_commented",
    "article_favorited",
    "article_published",
}


def check_notification_kind_enum(value: str) -> NotificationKindEnum:
    if value in NOTIFICATION_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {NOTIFICATION_KIND_ENUM_VALUES!r}")
