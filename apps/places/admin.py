"""Admin for the org tree. Boundaries are edited as GeoJSON text and checked like the import checks them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.places.geometry import BoundaryError, parse_boundary
from apps.places.models import PARENT_LEVEL, Department, GridVersion, Level, OrgNode, ServiceCenter, level_name
from apps.places.services import bump_grid_version, org_node_delete, org_node_save


class OrgNodeForm(forms.ModelForm):
    class Meta:
        model = OrgNode
        fields = ["code", "name", "level", "parent", "boundary", "lat", "lng", "is_active"]
        widgets = {"boundary": forms.Textarea(attrs={"rows": 8, "cols": 100, "style": "font-family: monospace"})}
        help_texts = {
            "boundary": _('GeoJSON Polygon or MultiPolygon in WGS84, e.g. {"type": "Polygon", "coordinates": [...]}'),
            "lat": _("Set from the boundary for grids."),
            "lng": _("Set from the boundary for grids."),
        }

    def clean_boundary(self):
        boundary = self.cleaned_data.get("boundary")
        if boundary in (None, "", {}):
            return None
        try:
            parse_boundary(boundary)
        except BoundaryError as exc:
            raise forms.ValidationError(f"{exc.problem.field}: {exc.problem.problem} — {exc.problem.fix}") from exc
        return {"type": boundary["type"], "coordinates": boundary["coordinates"]}

    def clean(self):
        data = super().clean()
        level, parent = data.get("level"), data.get("parent")
        if level:
            expected = PARENT_LEVEL.get(level)
            if expected is None and parent is not None:
                self.add_error("parent", _("A city has no parent."))
            elif expected is not None and (parent is None or parent.level != expected):
                self.add_error("parent", _("Choose a %(level)s as the parent.") % {"level": level_name(expected)})
            if data.get("boundary") and level != Level.GRID:
                self.add_error("boundary", _("Only grids have a boundary."))
        return data


@admin.register(OrgNode)
class OrgNodeAdmin(admin.ModelAdmin):
    form = OrgNodeForm
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "created_at", "updated_at"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        # The service recomputes the path (and the subtree's on a move or recode) and bumps the grid version.
        org_node_save(node=obj)

    def delete_model(self, request, obj):
        org_node_delete(node=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            bump_grid_version()


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_node", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "org_node__code", "org_node__name"]
    list_select_related = ["org_node"]
    raw_id_fields = ["org_node"]


@admin.register(ServiceCenter)
class ServiceCenterAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "phone", "opening_hours"]
    search_fields = ["name", "community__code", "community__name", "address"]
    list_select_related = ["community"]
    raw_id_fields = ["community"]


@admin.register(GridVersion)
class GridVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "version", "changed_at"]
    readonly_fields = ["id", "version", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
