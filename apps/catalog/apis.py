"""Public, read-only REST API of the service catalog (what a resident can ask for)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from apps.catalog.models import ServiceCategory
from apps.catalog.selectors import active_categories, category_by_code
from apps.catalog.serializers import ServiceCategorySerializer


class CatalogPagination(PageNumberPagination):
    # A catalog is tens of categories: a form usually wants all of them at once.
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class CategoryFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", help_text="code of the group: its categories")
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="true: only the groups (categories without a parent)"
    )
    is_group = django_filters.BooleanFilter(
        help_text="false: only categories a request can be filed under; true: only the groups"
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="part of the code, a name, a keyword or the description"
    )

    class Meta:
        model = ServiceCategory
        fields = ["parent", "top_level", "is_group", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(name_en__icontains=value)
            | Q(keywords__icontains=value)
            | Q(description__icontains=value)
        )


@extend_schema(tags=["catalog"], auth=[])
class CategoryListApi(generics.ListAPIView):
    """The categories offered (active, in an active group), with their attributes and guides."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = ServiceCategorySerializer
    filterset_class = CategoryFilter
    pagination_class = CatalogPagination

    def get_queryset(self):
        return active_categories()


@extend_schema(tags=["catalog"], auth=[])
class CategoryDetailApi(generics.RetrieveAPIView):
    """One offered category; an unknown or switched-off code answers 404."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = ServiceCategorySerializer
    lookup_field = "code"
    queryset = ServiceCategory.objects.none()  # for the schema; get_object reads through the selector

    def get_object(self):
        return category_by_code(self.kwargs["code"])
