from django.contrib import admin

from apps.idempotency.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["id", "scope", "key", "status_code", "created_at", "expires_at"]
    search_fields = ["scope", "key"]
    readonly_fields = [field.name for field in IdempotencyKey._meta.fields]
