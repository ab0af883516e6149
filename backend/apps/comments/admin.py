from django.contrib import admin

from apps.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "article", "author", "created_at"]
    raw_id_fields = ["article", "author"]
