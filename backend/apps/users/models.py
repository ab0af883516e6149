from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, username: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email), username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, username: str, password: str | None = None, **extra: object) -> "User":
        return self.create_user(email, username, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A Conduit account: signs in with its e-mail, appears to others as its unique username."""

    email = models.EmailField(max_length=254, unique=True)
    username = models.CharField(max_length=64, unique=True)
    # RealWorld distinguishes "no bio/image" (null) from a value, so these are nullable.
    bio = models.TextField(null=True, blank=True)  # noqa: DJ001
    # Any string, as the RealWorld spec types it (usually a URL); clients render it safely.
    image = models.TextField(null=True, blank=True)  # noqa: DJ001
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Opt-in to e-mailed notifications (apps.notifications); not part of the RealWorld user shape.
    email_notifications = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        constraints = [
            # E-mail addresses are unique whatever their case, so one person cannot sign up twice.
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username
