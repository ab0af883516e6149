from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.users.caching import user_tokens_changed
from apps.users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["username", "email", "is_staff", "date_joined"]
    search_fields = ["username", "email"]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Profile", {"fields": ["bio", "image"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]})]

    # A deactivated or deleted user's tokens stop working at once, responses kept for them included
    # (apps.caching.responses answers those before Django checks the user).
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            user_tokens_changed(user_id=obj.pk)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_tokens_changed(user_id=obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user_id in queryset.values_list("pk", flat=True):
            user_tokens_changed(user_id=user_id)
        super().delete_queryset(request, queryset)
