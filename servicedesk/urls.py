from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.views import healthz

api_v1 = [
    path("", include("apps.people.urls")),
    path("", include("apps.places.urls")),
    path("", include("apps.catalog.urls")),
    path("", include("apps.tickets.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.metrics.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("apps.open311.urls")),
    path("", include("apps.portal.urls")),
]
