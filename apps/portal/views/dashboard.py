"""The supervisor's dashboard: the three rates for a part of the city and a period, the drill-down,
what is in warning or breach, the top categories, the daily trend — and every table as CSV/XLSX."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound, ValidationFailed
from apps.metrics import tables
from apps.metrics.access import can_view_metrics, check_period, node_for
from apps.metrics.exports import to_csv, to_xlsx
from apps.metrics.rates import (
    daily_trend,
    rates_by_child,
    rates_for,
    tickets_in_warning_and_breach,
    top_categories,
    total_of,
)
from apps.people.scopes import scope_for
from apps.places.models import OrgNode
from apps.places.selectors import ancestors
from apps.portal.charts import trend_chart

ATTENTION_ROWS = 50
EXPORTABLE = ("summary", "children", "trend", "categories", "attention")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def _parse_date(raw: str | None, name: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Give a date such as 2026-11-01.")]
        return None


def _selection(request):
    """(node, start, end, errors) from ?org=&from=&to=, within the user's scope."""
    user = request.user
    if not user.is_authenticated:
        return None
    if not can_view_metrics(user):
        raise PermissionDenied
    errors: dict = {}
    code = request.GET.get("org") or None
    try:
        node = node_for(user, code)
    except NotFound:
        raise Http404 from None
    except ValidationFailed:
        # Several separate subtrees: start with the first of them.
        first = scope_for(user).paths[0]
        node = OrgNode.objects.filter(path=first).only("id", "code", "name", "level", "path").first()
    start = _parse_date(request.GET.get("from"), "from", errors)
    end = _parse_date(request.GET.get("to"), "to", errors)
    try:
        start, end = check_period(start, end)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        start, end = check_period(None, None)
    return node, start, end, errors


def _breadcrumb(user, node):
    if node is None:
        return []
    scope = scope_for(user)
    return [n for n in ancestors(node) if scope.covers_path(n.path)]


def dashboard(request):
    selection = _selection(request)
    if selection is None:
        return redirect_to_login(request.get_full_path())
    node, start, end, errors = selection
    now = timezone.now()
    children = rates_by_child(node=node, start=start, end=end, now=now)
    # The rows cover every ticket of the node: their sum is the node's figures, with no second pass.
    total = total_of(children)
    trend = daily_trend(node=node, start=start, end=end)
    ctx = {
        "node": node,
        "start": start,
        "end": end,
        "errors": errors,
        "total": total,
        "children": children,
        "breadcrumb": _breadcrumb(request.user, node),
        "attention": tickets_in_warning_and_breach(node=node, now=now, limit=ATTENTION_ROWS),
        "categories": top_categories(node=node, start=start, end=end, limit=10),
        "trend": trend,
        "chart": trend_chart(trend, submitted_label=_("Submitted"), resolved_label=_("Resolved")),
        "query": {"org": node.code if node else "", "from": start.isoformat(), "to": end.isoformat()},
        "exportable": EXPORTABLE,
    }
    return render(request, "portal/dashboard.html", ctx, status=400 if errors else 200)


def export(request, table: str, fmt: str):
    if table not in EXPORTABLE or fmt not in FORMATS:
        raise Http404
    selection = _selection(request)
    if selection is None:
        return redirect_to_login(request.get_full_path())
    node, start, end, _errors = selection
    now = timezone.now()
    name = node.name if node else _("City")
    if table == "summary":
        headers, rows = tables.rates_table(
            code=node.code if node else "", name=name, rates=rates_for(node=node, start=start, end=end, now=now)
        )
    elif table == "children":
        children = rates_by_child(node=node, start=start, end=end, now=now)
        # The rows cover every ticket of the node, so their sum is its total: no second scan.
        headers, rows = tables.children_table(rows=children, total=total_of(children), total_name=name)
    elif table == "trend":
        headers, rows = tables.trend_table(daily_trend(node=node, start=start, end=end))
    elif table == "categories":
        headers, rows = tables.categories_table(top_categories(node=node, start=start, end=end, limit=50))
    else:
        headers, rows = tables.attention_table(tickets_in_warning_and_breach(node=node, now=now, limit=500))
    content_type, writer = FORMATS[fmt]
    body = writer(headers, rows, title=table) if fmt == "xlsx" else writer(headers, rows)
    filename = f"{table}-{node.code if node else 'all'}-{start.isoformat()}-{end.isoformat()}.{fmt}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
