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
    users = User.objects.filter(username=username)
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()


def user_email_taken(*, email: str, exclude: User | None = None) -> bool:
    users = user_list_by_email(email=email)
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()
