from apps.stats.models import TrendingArticle


def trending_article_ids(*, limit: int = 20) -> list[int]:
    """The ids of the trending articles, first first, as last computed (empty before the first run)."""
    return list(TrendingArticle.objects.order_by("rank").values_list("article_id", flat=True)[:limit])
