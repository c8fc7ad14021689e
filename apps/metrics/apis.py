"""REST API of the metrics: the three rates, the drill-down, the trend, the top categories, the
tickets needing attention, and the export of any of them as CSV or XLSX. Thin: parse, call
apps.metrics.rates, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.metrics import rates as metrics
from apps.metrics import serializers as s
from apps.metrics import tables
from apps.metrics.access import can_view_metrics, check_period, node_for
from apps.metrics.exports import to_csv, to_xlsx
from apps.places.models import OrgNode


class CanViewMetrics(BasePermission):
    message = _("Only supervisors, administrators, clerks and grid workers can see the metrics.")

    def has_permission(self, request, view):
        return can_view_metrics(request.user)


ORG = OpenApiParameter("org", str, description="org node code (default: your own part of the tree)")
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="first day, YYYY-MM-DD (default: 1st of this month)")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="last day, inclusive (default: today); ≤ 366 days")
PERIOD = [ORG, FROM, TO]
ERRORS = {
    400: OpenApiResponse(description="invalid parameter (field errors)"),
    403: OpenApiResponse(description="not allowed to see metrics"),
    404: OpenApiResponse(description="unknown org node or outside your scope"),
}


def org_dict(node: OrgNode | None) -> dict | None:
    if node is None:
        return None
    return {"code": node.code, "name": node.name, "level": node.level, "path": node.path}


class _MetricsView(APIView):
    permission_classes = [IsAuthenticated, CanViewMetrics]
    query_serializer = s.PeriodQuerySerializer

    def parse(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        node = node_for(request.user, data.get("org") or None)
        start, end = check_period(data.get("from"), data.get("to"))
        return data, node, start, end

    @staticmethod
    def period(node, start, end) -> dict:
        return {"org": org_dict(node), "from": start.isoformat(), "to": end.isoformat()}


@extend_schema(tags=["metrics"])
class RatesApi(_MetricsView):
    """The three rates (and their counts) for an org node and a period; ``group_by=child`` for the drill-down."""

    query_serializer = s.MetricsQuerySerializer

    @extend_schema(
        parameters=[*PERIOD, OpenApiParameter("group_by", str, enum=["child"], description="one row per child node")],
        responses={
            200: PolymorphicProxySerializer(
                component_name="MetricsAnswer",
                serializers=[s.RatesAnswerSerializer, s.ChildrenAnswerSerializer],
                resource_type_field_name=None,
            ),
            **ERRORS,
        },
        description="With group_by=child the answer is ChildrenAnswer: {org, from, to, rows, total}.",
    )
    def get(self, request):
        data, node, start, end = self.parse(request)
        now = timezone.now()
        if data.get("group_by") == "child":
            rows = metrics.rates_by_child(node=node, start=start, end=end, now=now)
            total = metrics.total_of(rows)
            return Response(
                {**self.period(node, start, end), "rows": [r.as_dict() for r in rows], "total": total.as_dict()}
            )
        rates = metrics.rates_for(node=node, start=start, end=end, now=now)
        return Response({**self.period(node, start, end), **rates.as_dict()})


@extend_schema(tags=["metrics"])
class TrendApi(_MetricsView):
    """Per day of the period: tickets submitted and tickets resolved."""

    @extend_schema(parameters=PERIOD, responses={200: s.TrendAnswerSerializer, **ERRORS})
    def get(self, request):
        _data, node, start, end = self.parse(request)
        days = metrics.daily_trend(node=node, start=start, end=end)
        return Response({**self.period(node, start, end), "days": [d.as_dict() for d in days]})


@extend_schema(tags=["metrics"])
class TopCategoriesApi(_MetricsView):
    """The categories with the most tickets in the period."""

    query_serializer = s.TopCategoriesQuerySerializer

    @extend_schema(
        parameters=[*PERIOD, OpenApiParameter("limit", int, description="1–100, default 10")],
        responses={200: s.TopCategoriesAnswerSerializer, **ERRORS},
    )
    def get(self, request):
        data, node, start, end = self.parse(request)
        rows = metrics.top_categories(node=node, start=start, end=end, limit=data["limit"])
        return Response({**self.period(node, start, end), "rows": [r.as_dict() for r in rows]})


@extend_schema(tags=["metrics"])
class AttentionApi(APIView):
    """Open tickets in warning or in breach, the most urgent first, with their age."""

    permission_classes = [IsAuthenticated, CanViewMetrics]

    @extend_schema(
        parameters=[
            ORG,
            OpenApiParameter("page", int, description="page number, from 1"),
            OpenApiParameter("page_size", int, description="1–200, default 50"),
        ],
        responses={200: s.AttentionAnswerSerializer, **ERRORS},
    )
    def get(self, request):
        query = s.AttentionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        node = node_for(request.user, data.get("org") or None)
        now = timezone.now()
        size, page = data["page_size"], data["page"]
        count = metrics.attention_queryset(node=node, now=now).count()
        rows = metrics.tickets_in_warning_and_breach(node=node, now=now, limit=size, offset=(page - 1) * size)
        return Response(
            {
                "org": org_dict(node),
                "now": now.isoformat(),
                "count": count,
                "page": page,
                "page_size": size,
                "results": [r.as_dict() for r in rows],
            }
        )


class _FormatIsAParameter(DefaultContentNegotiation):
    """``?format=csv|xlsx`` names the file to build, not DRF's renderer; errors stay JSON."""

    class settings:
        URL_FORMAT_OVERRIDE = None


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_ROWS_MAX = metrics.ATTENTION_MAX


def export_table(*, table: str, node, start, end, now) -> tables.Table:
    """The table the dashboard shows under ``table``, for export."""
    name = node.name if node is not None else pgettext("metrics", "Whole city")
    code = node.code if node is not None else ""
    if table == "rates":
        rates = metrics.rates_for(node=node, start=start, end=end, now=now)
        return tables.rates_table(code=code, name=name, rates=rates)
    if table == "children":
        rows = metrics.rates_by_child(node=node, start=start, end=end, now=now)
        total = metrics.total_of(rows)
        total_name = pgettext("metrics", "Total: %(name)s") % {"name": name}
        return tables.children_table(rows=rows, total=total, total_name=total_name)
    if table == "trend":
        return tables.trend_table(metrics.daily_trend(node=node, start=start, end=end))
    if table == "top-categories":
        return tables.categories_table(metrics.top_categories(node=node, start=start, end=end, limit=100))
    return tables.attention_table(metrics.tickets_in_warning_and_breach(node=node, now=now, limit=EXPORT_ROWS_MAX))


@extend_schema(tags=["metrics"])
class ExportApi(_MetricsView):
    """Download a metrics table as CSV (UTF-8 with BOM) or XLSX."""

    query_serializer = s.ExportQuerySerializer
    content_negotiation_class = _FormatIsAParameter

    @extend_schema(
        parameters=[
            *PERIOD,
            OpenApiParameter(
                "table", str, required=True, enum=["rates", "children", "trend", "top-categories", "attention"]
            ),
            OpenApiParameter("format", str, enum=["csv", "xlsx"], description="default csv"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def get(self, request):
        data, node, start, end = self.parse(request)
        table, fmt = data["table"], data["format"]
        headers, rows = export_table(table=table, node=node, start=start, end=end, now=timezone.now())
        body = to_xlsx(headers, rows, title=table) if fmt == "xlsx" else to_csv(headers, rows)
        scope = node.code if node is not None else "all"
        filename = f"metrics-{table}-{scope}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
