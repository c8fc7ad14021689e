"""Read-only REST API of the org tree (staff only, scoped) and the point → grid lookup."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import NotFound
from apps.places.locator import locate
from apps.places.models import Level, OrgNode
from apps.places.selectors import ancestors, nodes_visible_to
from apps.places.serializers import (
    GridSerializer,
    LocateQuerySerializer,
    LocationSerializer,
    OrgNodeDetailSerializer,
    OrgNodeSerializer,
)


class IsStaffMember(BasePermission):
    message = _("Only staff members can use this endpoint.")

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_staff_member", False))


class OrgNodeFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", help_text="code of the parent node")
    within = django_filters.CharFilter(method="filter_within", help_text="code of a node: its subtree, itself included")
    search = django_filters.CharFilter(method="filter_search", help_text="part of a code or a name")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = OrgNode
        fields = ["level", "parent", "within", "search", "is_active"]

    def filter_within(self, queryset, name, value):
        path = OrgNode.objects.filter(code=value).values_list("path", flat=True).first()
        return queryset.filter(path__startswith=path) if path else queryset.none()

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class NodePagination(PageNumberPagination):
    # A map client pulls the grids of a community or subdistrict in a few pages.
    page_size_query_param = "page_size"
    max_page_size = 500


class _ScopedNodes:
    permission_classes = [IsAuthenticated, IsStaffMember]
    pagination_class = NodePagination
    lookup_field = "code"
    lookup_url_kwarg = "code"

    def base_queryset(self):
        # defer: the boundary can be large and only grid endpoints show it.
        return nodes_visible_to(self.request.user).annotate(parent_code=F("parent__code")).defer("boundary")

    def get_object(self):
        node = self.filter_queryset(self.get_queryset()).filter(code=self.kwargs["code"]).first()
        if node is None:
            # Unknown and out-of-scope look the same, so codes outside the scope are not revealed.
            raise NotFound(_("No org node with this code in your scope."))
        return node


@extend_schema(tags=["places"])
class OrgNodeListApi(_ScopedNodes, generics.ListAPIView):
    """Org nodes in the caller's scope, ordered by path."""

    serializer_class = OrgNodeSerializer
    filterset_class = OrgNodeFilter

    def get_queryset(self):
        return self.base_queryset()


@extend_schema(tags=["places"])
class OrgNodeDetailApi(_ScopedNodes, generics.RetrieveAPIView):
    """One org node by code, with its ancestors; 404 when unknown or outside the caller's scope."""

    serializer_class = OrgNodeDetailSerializer

    def get_queryset(self):
        return self.base_queryset()

    def retrieve(self, request, *args, **kwargs):
        node = self.get_object()
        node.ancestors = ancestors(node)
        return Response(self.get_serializer(node).data)


@extend_schema(tags=["places"])
class GridListApi(_ScopedNodes, generics.ListAPIView):
    """Grids in the caller's scope, with their boundaries (GeoJSON)."""

    serializer_class = GridSerializer
    filterset_class = OrgNodeFilter

    def get_queryset(self):
        return nodes_visible_to(self.request.user).filter(level=Level.GRID).annotate(parent_code=F("parent__code"))


@extend_schema(tags=["places"])
class GridDetailApi(_ScopedNodes, generics.RetrieveAPIView):
    """One grid by code, with its boundary; 404 when unknown or outside the caller's scope."""

    serializer_class = GridSerializer

    def get_queryset(self):
        return nodes_visible_to(self.request.user).filter(level=Level.GRID).annotate(parent_code=F("parent__code"))


class LocateApi(APIView):
    """The grid at a point (or the nearest community within the configured distance)."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        tags=["places"],
        parameters=[
            OpenApiParameter("lat", float, required=True, description="WGS84 latitude"),
            OpenApiParameter("lng", float, required=True, description="WGS84 longitude"),
        ],
        responses=LocationSerializer,
    )
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        location = locate(lat=query.validated_data["lat"], lng=query.validated_data["lng"])
        return Response(LocationSerializer(location).data)
