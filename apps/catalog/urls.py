from django.urls import path

from apps.catalog import apis

urlpatterns = [
    path("categories/", apis.CategoryListApi.as_view(), name="catalog-category-list"),
    path("categories/<str:code>/", apis.CategoryDetailApi.as_view(), name="catalog-category-detail"),
]
