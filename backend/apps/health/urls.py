from django.urls import path

from apps.health.views import healthz, readyz

app_name = "health"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
