from django.urls import path

from apps.users.views import CurrentUserApi, UserLoginApi, UserRegistrationApi, UserRevokeTokensApi

app_name = "users"

urlpatterns = [
    path("users", UserRegistrationApi.as_view(), name="register"),
    path("users/login", UserLoginApi.as_view(), name="login"),
    path("user", CurrentUserApi.as_view(), name="current"),
    path("user/revoke-tokens", UserRevokeTokensApi.as_view(), name="revoke-tokens"),
]
