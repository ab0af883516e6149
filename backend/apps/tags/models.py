from django.db import models

TAG_MAX_LENGTH = 64


class Tag(models.Model):
    """A label on articles; the article list can be filtered by one."""

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)
    # The tag's place in the popularity ranking (1 is first) and its score, rewritten by the periodic
    # job stats.tag_popularity_recompute through tag_popularity_set; GET /tags lists the ranked tags in
    # this order, then the others. Null: not ranked (yet).
    popularity_rank = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    popularity_score = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
