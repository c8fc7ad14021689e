"""Read-only representations of the catalog for the REST API.

Attributes keep Open311 GeoReport v2 names (``variable``, ``datatype``,
``datatype_description``, ``values`` of ``key``/``name``) so the Open311 layer
and API clients read the same shape.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.models import CategoryAttribute, ServiceCategory
from apps.catalog.sanitize import render_markdown


class AttributeChoiceSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class CategoryAttributeSerializer(serializers.ModelSerializer):
    values = AttributeChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = CategoryAttribute
        fields = [
            "code", "name", "name_en", "datatype", "required", "variable", "order",
            "description", "datatype_description", "values",
        ]  # fmt: skip
        read_only_fields = fields


class GuideSerializer(serializers.Serializer):
    """The service guide: as typed (Markdown) and as sanitised HTML ready to show."""

    materials = serializers.CharField(source="guide_materials", help_text="What to bring, as typed (Markdown).")
    materials_html = serializers.SerializerMethodField(help_text="What to bring, as sanitised HTML.")
    steps = serializers.CharField(source="guide_steps", help_text="The steps, as typed (Markdown).")
    steps_html = serializers.SerializerMethodField(help_text="The steps, as sanitised HTML.")
    time_limit = serializers.CharField(source="guide_time_limit", help_text="The promised time limit, plain text.")

    @extend_schema_field(serializers.CharField())
    def get_materials_html(self, category) -> str:
        return render_markdown(category.guide_materials)

    @extend_schema_field(serializers.CharField())
    def get_steps_html(self, category) -> str:
        return render_markdown(category.guide_steps)


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceCategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Code of the group, or null."
    )
    group = serializers.CharField(
        source="parent.name", default=None, read_only=True, allow_null=True, help_text="Name of the group, or null."
    )
    keywords = serializers.SerializerMethodField()
    guide = GuideSerializer(source="*", read_only=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    attributes = CategoryAttributeSerializer(many=True, read_only=True)
    is_group = serializers.BooleanField(
        read_only=True, help_text="A group only classifies: requests are filed under the categories inside it."
    )

    class Meta:
        model = ServiceCategory
        fields = [
            "code", "name", "name_en", "parent", "group", "is_group", "description", "keywords", "guide",
            "default_priority", "handler", "department", "requires_confirmation", "order", "attributes",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_keywords(self, category) -> list[str]:
        return [word for word in category.keywords.split(",") if word]
