from django.contrib import admin

from apps.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "created_at", "attempts", "sent_at"]
    list_filter = ["task"]
    search_fields = ["task", "dedup_key", "request_id"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
