from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework_simplejwt.tokens import AccessToken

from apps.core.exceptions import AuthenticationError, ConflictError
from apps.notifications.hooks import notify_user_registered
from apps.users.caching import user_profile_changed, user_registered, user_tokens_changed
from apps.users.models import User
from apps.users.selectors import user_email_taken, user_list_by_email, user_username_taken

# The JWT claim that carries the user's token version (apps.users.authentication checks it).
TOKEN_VERSION_CLAIM = "tv"


def user_issue_token(*, user: User) -> str:
    """
    The JWT a client sends back as `Authorization: Token <jwt>`. Keyed on the id, it survives renames;
    it carries the user's token version, so `user_revoke_tokens` (and a password change) ends it.
    """
    token = AccessToken.for_user(user)
    token[TOKEN_VERSION_CLAIM] = user.token_version
    return str(token)


@transaction.atomic
def user_revoke_tokens(*, user: User) -> None:
    """Signs the user out everywhere: every token issued so far stops working, the caller's included."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1, token_kept_jti="")
    user.refresh_from_db(fields=["token_version", "token_kept_jti"])
    user_tokens_changed(user_id=user.pk)


@transaction.atomic
def user_register(*, username: str, email: str, password: str) -> User:
    _ensure_available(username=username, email=email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError:
        # Lost a race with a concurrent sign-up: report which value was taken.
        _ensure_available(username=username, email=email)
        raise
    notify_user_registered(user_id=user.pk)
    user_registered(username=user.username)
    return user


def user_login(*, email: str, password: str) -> User:
    """The active user with this e-mail (any case) and password; AuthenticationError otherwise."""
    user = user_list_by_email(email=email).first()
    if user is None:
        # Hash anyway, so that response time does not tell which e-mails have accounts.
        User().set_password(password)
    elif user.check_password(password) and user.is_active:
        return user
    raise AuthenticationError("credentials", "invalid")


class UserChanges(TypedDict, total=False):
    """What a user update may change: only the fields present do (`bio`/`image` None or "" clears them)."""

    email: str
    username: str
    password: str
    bio: str | None
    image: str | None


def user_lock(*, user_id: int) -> User:
    """
    The user's row as it is now, held (SELECT ... FOR UPDATE) until the caller's transaction ends: a
    conditional update (v2's `If-Match`) compares it and writes it under the lock. On SQLite the
    write transactions run one at a time anyway (they start IMMEDIATE: config.settings).
    """
    return User.objects.select_for_update().get(pk=user_id)


@transaction.atomic
def user_update(*, user: User, changes: UserChanges, token_id: str = "") -> User:
    """
    Changes only the fields present in `changes` (email, username, password, bio, image).

    An empty `bio` or `image` is stored as null, as RealWorld clients send "" to clear them. A new
    password revokes every token of the user but the one that sent it (its `jti`, `token_id`).
    """
    email, username = changes.get("email"), changes.get("username")
    old_username = user.username
    _ensure_available(
        username=username if username and username != user.username else None,
        email=email if email and email.lower() != user.email.lower() else None,
        exclude=user,
    )
    if email is not None:
        user.email = email
    if username is not None:
        user.username = username
    if "bio" in changes:
        user.bio = changes["bio"] or None
    if "image" in changes:
        user.image = changes["image"] or None
    if "password" in changes:
        user.set_password(changes["password"])
        # Whoever else held a token (a stolen one included) must sign in with the new password; this
        # client keeps its token, and gets one of the new version in the response too.
        user.token_version = F("token_version") + 1
        user.token_kept_jti = token_id
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        _ensure_available(username=username, email=email, exclude=user)
        raise
    if "password" in changes:
        user.refresh_from_db(fields=["token_version", "token_kept_jti"])
        user_tokens_changed(user_id=user.pk)
    if {"username", "bio", "image"} & changes.keys():
        renamed = user.username != old_username
        user_profile_changed(user_id=user.pk, usernames=(old_username, user.username) if renamed else ())
    return user


def _ensure_available(*, username: str | None, email: str | None, exclude: User | None = None) -> None:
    if username and user_username_taken(username=username, exclude=exclude):
        raise ConflictError("username")
    if email and user_email_taken(email=email, exclude=exclude):
        raise ConflictError("email")
