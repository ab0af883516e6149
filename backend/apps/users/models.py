from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower

# Stored texts are bounded: every response that embeds a profile (lists, comments) stays small.
BIO_MAX_LENGTH = 1000
IMAGE_MAX_LENGTH = 2048


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
    bio = models.TextField(null=True, blank=True, validators=[MaxLengthValidator(BIO_MAX_LENGTH)])  # noqa: DJ001
    # An http(s) URL (the API validates it); a text column, its length bounded by the validator.
    image = models.TextField(null=True, blank=True, validators=[MaxLengthValidator(IMAGE_MAX_LENGTH)])  # noqa: DJ001
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Opt-in to e-mailed notifications (apps.notifications); not part of the RealWorld user shape.
    email_notifications = models.BooleanField(default=False)
    # Carried by every token as its `tv` claim: bumping it (password change, "sign out everywhere")
    # revokes every token issued before, at no extra query (authentication loads the user anyway).
    token_version = models.PositiveIntegerField(default=0)
    # The `jti` of the token that changed the password last: that client stays signed in (RealWorld
    # clients, and the official suite, go on with the token they sent); "sign out everywhere" clears it.
    token_kept_jti = models.CharField(max_length=64, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        constraints = [
            # E-mail addresses are unique whatever their case, so one person cannot sign up twice.
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
            # Nor can "Alice" and "alice" be two people: profiles would be told apart by case alone.
            models.UniqueConstraint(Lower("username"), name="users_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username
