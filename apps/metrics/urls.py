from django.urls import path

from apps.metrics import apis

urlpatterns = [
    path("metrics/", apis.RatesApi.as_view(), name="metrics-rates"),
    path("metrics/trend/", apis.TrendApi.as_view(), name="metrics-trend"),
    path("metrics/top-categories/", apis.TopCategoriesApi.as_view(), name="metrics-top-categories"),
    path("metrics/attention/", apis.AttentionApi.as_view(), name="metrics-attention"),
    path("metrics/export/", apis.ExportApi.as_view(), name="metrics-export"),
]
