from django.db import models

TAG_MAX_LENGTH = 64


class Tag(models.Model):
    """A label on articles; the article list can be filtered by one."""

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)

    def __str__(self) -> str:
        return self.name
