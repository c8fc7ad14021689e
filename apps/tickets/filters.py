"""List filters and the ordering allow-list: nothing outside these fields can be filtered or sorted on."""

from __future__ import annotations

import datetime as dt

import django_filters
import django_filters.rest_framework
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.core.errors import ValidationFailed
from apps.places.models import OrgNode
from apps.tickets.codes import normalise
from apps.tickets.models import Channel, State, Ticket
from apps.tickets.selectors import overdue_q


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time turned into UTC before it reaches SQL: PostgreSQL refuses offsets beyond
    ±15:59 (``+23:36``), and a time that cannot be expressed in UTC is a 400, not a 500."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(dt.timezone.utc)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("This time is out of range."), code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true/false/1/0 only: anything else is a 400 (a BooleanFilter reads it as "not given")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)


class TicketFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    category = django_filters.CharFilter(field_name="category__code")
    grid = django_filters.CharFilter(field_name="grid__code")
    org = django_filters.CharFilter(method="filter_org", label=_("Org node code (its whole subtree)"))
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("User id, or 'me'"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    created_after = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    overdue = StrictBooleanFilter(method="filter_overdue")
    search = django_filters.CharFilter(method="filter_search", max_length=100)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("submitted_at", "submitted_at"),
            ("resolve_by", "resolve_by"),
            ("respond_by", "respond_by"),
            ("updated_at", "updated_at"),
            ("id", "id"),
        )
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_org(self, qs, name, value):
        node = OrgNode.objects.filter(code=value).only("path").first()
        return qs.filter(org_path__startswith=node.path) if node else qs.none()

    def filter_assignee(self, qs, name, value):
        if value == "me":
            return qs.filter(assignee=self.request.user)
        if value == "none":
            return qs.filter(assignee__isnull=True)
        if not value.isdigit():
            return qs.none()
        return qs.filter(assignee_id=int(value))

    def filter_overdue(self, qs, name, value):
        condition = overdue_q(timezone.now())
        return qs.filter(condition) if value else qs.exclude(condition)

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        code = normalise(value)
        return qs.filter(
            Q(code=code) | Q(title__icontains=value) | Q(description__icontains=value) | Q(address__icontains=value)
        )


class StrictFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """Refuse query parameters outside the allow-list: a filter on another column (such as
    ``assignee__password__startswith``) is a 400, never silently ignored or probed."""

    always_allowed = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and request.method == "GET":
            allowed = set(filterset_class.base_filters) | self.always_allowed
            unknown = sorted(set(request.query_params) - allowed)
            if unknown:
                message = _("Unknown query parameter; allowed: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
                raise ValidationFailed(message, fields={name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)
