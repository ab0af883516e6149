from django.contrib import admin

from apps.stats.models import TagPopularity, TrendingArticle


@admin.register(TrendingArticle)
class TrendingArticleAdmin(admin.ModelAdmin):
    list_display = ["rank", "article", "score", "computed_at"]
    ordering = ["rank"]
    raw_id_fields = ["article"]


@admin.register(TagPopularity)
class TagPopularityAdmin(admin.ModelAdmin):
    list_display = ["rank", "tag", "score", "computed_at"]
    ordering = ["rank"]
    raw_id_fields = ["tag"]
