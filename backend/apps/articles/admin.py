from django.contrib import admin

from apps.articles.models import Article, Favorite


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "favorites_count", "created_at"]
    search_fields = ["title", "slug"]
    raw_id_fields = ["author"]
    readonly_fields = ["slug", "favorites_count"]
    filter_horizontal = ["tags"]


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "created_at"]
    raw_id_fields = ["user", "article"]
