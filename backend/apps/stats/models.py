from django.db import models


class TrendingArticle(models.Model):
    """An article's place in the trending ranking (1 is first), rewritten by the task stats.trending_recompute."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="trending"
    )
    rank = models.PositiveIntegerField(db_index=True)
    score = models.FloatField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"#{self.rank}: article {self.article_id}"


class TagPopularity(models.Model):
    """
    A tag's place in the popularity ranking (1 is first), rewritten by the task
    stats.tag_popularity_recompute; GET /tags lists tags in this order (unranked tags last).
    """

    tag = models.OneToOneField("tags.Tag", on_delete=models.CASCADE, primary_key=True, related_name="popularity")
    rank = models.PositiveIntegerField(db_index=True)
    score = models.FloatField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"#{self.rank}: tag {self.tag_id}"
