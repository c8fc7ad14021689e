"""The JSON shapes of org nodes, grids and a located point."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.places.models import OrgNode


class OrgNodeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgNode
        fields = ["code", "name", "level"]


class OrgNodeSerializer(serializers.ModelSerializer):
    # Annotated by the selector (parent__code), so a page of nodes costs one query.
    parent = serializers.CharField(source="parent_code", read_only=True, allow_null=True, help_text="parent's code")

    class Meta:
        model = OrgNode
        fields = ["code", "name", "level", "parent", "path", "lat", "lng", "is_active"]


class OrgNodeDetailSerializer(OrgNodeSerializer):
    ancestors = OrgNodeRefSerializer(many=True, read_only=True, help_text="from the city down")

    class Meta(OrgNodeSerializer.Meta):
        fields = [*OrgNodeSerializer.Meta.fields, "ancestors"]


@extend_schema_field(
    {
        "type": "object",
        "description": "GeoJSON Polygon or MultiPolygon, WGS84, [longitude, latitude]",
        "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array", "items": {}},
        },
        "nullable": True,
    }
)
class BoundaryField(serializers.JSONField):
    pass


class GridSerializer(OrgNodeSerializer):
    boundary = BoundaryField(read_only=True)

    class Meta(OrgNodeSerializer.Meta):
        fields = [*OrgNodeSerializer.Meta.fields, "boundary"]


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="WGS84 latitude")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="WGS84 longitude")


class LocationSerializer(serializers.Serializer):
    grid = OrgNodeRefSerializer(allow_null=True, read_only=True)
    community = OrgNodeRefSerializer(allow_null=True, read_only=True)
    distance_m = serializers.FloatField(
        allow_null=True, read_only=True, help_text="0 inside a grid; metres to the nearest community's grids; null"
    )
    reason = serializers.CharField(read_only=True)


__all__ = [
    "GridSerializer",
    "LocateQuerySerializer",
    "LocationSerializer",
    "OrgNodeDetailSerializer",
    "OrgNodeRefSerializer",
    "OrgNodeSerializer",
]
