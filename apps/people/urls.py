from django.urls import path

from apps.people import apis

app_name = "people"

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="auth-token"),
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("me/", apis.MeApi.as_view(), name="me"),
]
