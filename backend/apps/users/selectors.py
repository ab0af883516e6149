from apps.users.models import User


def user_username_taken(*, username: str, exclude: User | None = None) -> bool:
    users = User.objects.filter(username=username)
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()


def user_email_taken(*, email: str, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    return (users.exclude(pk=exclude.pk) if exclude else users).exists()
