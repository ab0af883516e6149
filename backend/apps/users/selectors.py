import hashlib

from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from apps.users.models import User


def user_list_by_email(*, email: str) -> QuerySet[User]:
    """
    The user with this e-mail in any case (at most one: e-mails are unique by LOWER(email)).

    Compared as LOWER(email) = LOWER(%s), the expression of that unique index, so it is an index
    lookup; `email__iexact` compiles to UPPER(email) on PostgreSQL, which no index serves: a
    sequential scan of every user on each login (docs/queries.md).
    """
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))


def user_username_taken(*, username: str, exclude: User | None = None) -> bool:
    """Whether another user has this username in any case (LOWER(username) is unique, and indexed)."""
    users = User.objects.alias(username_lower=Lower("username")).filter(username_lower=Lower(Value(username)))
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()


def user_email_taken(*, email: str, exclude: User | None = None) -> bool:
    users = user_list_by_email(email=email)
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()


def user_get_by_username(*, username: str) -> User:
    return User.objects.get(username=username)


def user_account_stamp(*, user: User) -> str:
    """
    A digest of what identifies and authenticates the account (e-mail, username, password hash,
    token version): it changes when any of them does. No secret can be read back from it.
    """
    material = "\0".join((user.email.lower(), user.username, user.password, str(user.token_version)))
    return hashlib.sha256(material.encode()).hexdigest()


def user_get_unchanged(*, user_id: object, stamp: object) -> User | None:
    """The active user `user_id` if its account stamp is still `stamp`; None otherwise (or if gone)."""
    if not isinstance(user_id, int) or not isinstance(stamp, str):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user if user is not None and user_account_stamp(user=user) == stamp else None
