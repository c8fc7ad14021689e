"""Query parameters and answers of the metrics API (the answers mostly for the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# "from" is a Python keyword, hence the class built with type().
PeriodQuerySerializer = type(
    "PeriodQuerySerializer",
    (serializers.Serializer,),
    {
        "org": serializers.CharField(required=False, allow_blank=True, max_length=32),
        "from": serializers.DateField(required=False, input_formats=["%Y-%m-%d"]),
        "to": serializers.DateField(required=False, input_formats=["%Y-%m-%d"]),
    },
)


class MetricsQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.ChoiceField(choices=[("child", _("one row per child node"))], required=False)


class TopCategoriesQuerySerializer(PeriodQuerySerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)


class AttentionQuerySerializer(serializers.Serializer):
    org = serializers.CharField(required=False, allow_blank=True, max_length=32)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class ExportQuerySerializer(PeriodQuerySerializer):
    table = serializers.ChoiceField(
        choices=[("rates", "rates"), ("children", "children"), ("trend", "trend"),
                 ("top-categories", "top-categories"), ("attention", "attention")]
    )  # fmt: skip
    format = serializers.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")], default="csv")


class OrgSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    path = serializers.CharField()


class RatesFieldsSerializer(serializers.Serializer):
    tickets = serializers.IntegerField()
    responded_on_time = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    resolved_at_window = serializers.IntegerField()
    overdue_open = serializers.IntegerField()
    avg_response_minutes = serializers.FloatField(allow_null=True)
    avg_resolution_minutes = serializers.FloatField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True, help_text="0..1, 4 decimals; null when no tickets")
    resolution_rate = serializers.FloatField(allow_null=True)
    on_time_resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text="null when no ticket was rated")


class _PeriodAnswer(serializers.Serializer):
    org = OrgSerializer(allow_null=True, help_text="null: the whole city (every root node)")


_PeriodAnswer._declared_fields["from"] = serializers.DateField()
_PeriodAnswer._declared_fields["to"] = serializers.DateField()


class RatesAnswerSerializer(_PeriodAnswer, RatesFieldsSerializer):
    pass


class ChildRowSerializer(RatesFieldsSerializer):
    kind = serializers.ChoiceField(choices=["node", "worker", "direct", "unassigned"])
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class ChildrenAnswerSerializer(_PeriodAnswer):
    rows = ChildRowSerializer(many=True)
    total = RatesFieldsSerializer()


class TrendDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    submitted = serializers.IntegerField()
    resolved = serializers.IntegerField()


class TrendAnswerSerializer(_PeriodAnswer):
    days = TrendDaySerializer(many=True)


class CategoryRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    tickets = serializers.IntegerField()
    resolved = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class TopCategoriesAnswerSerializer(_PeriodAnswer):
    rows = CategoryRowSerializer(many=True)


class AttentionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    status = serializers.ChoiceField(choices=["breach", "warning"])
    due_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    age_minutes = serializers.IntegerField()
    overdue_minutes = serializers.IntegerField()
    category = serializers.CharField()
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    assignee = serializers.CharField()


class AttentionAnswerSerializer(serializers.Serializer):
    org = OrgSerializer(allow_null=True)
    now = serializers.DateTimeField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = AttentionRowSerializer(many=True)
