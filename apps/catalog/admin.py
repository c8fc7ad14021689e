"""Admin for the service catalog.

Attribute choices are edited as JSON and checked by ``CategoryAttribute.clean``
(the same rules ``import_catalog`` applies). Categories are switched off, not
deleted: tickets keep pointing at them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.catalog.models import CategoryAttribute, Handler, ServiceCategory
from apps.catalog.sanitize import render_markdown
from apps.catalog.services import categories_switch

_MONOSPACE = {"style": "font-family: monospace"}


class CategoryAttributeForm(forms.ModelForm):
    class Meta:
        model = CategoryAttribute
        fields = [
            "category", "code", "name", "name_en", "datatype", "required", "variable", "order",
            "description", "datatype_description", "values",
        ]  # fmt: skip
        widgets = {"values": forms.Textarea(attrs={"rows": 3, "cols": 60, **_MONOSPACE})}
        help_texts = {
            "values": _(
                'Only for single and multiple choice: [{"key": "a", "name": "…"}, …]; keys unique, without commas.'
            ),
        }


class CategoryAttributeInline(admin.StackedInline):
    model = CategoryAttribute
    form = CategoryAttributeForm
    extra = 0
    ordering = ["order", "id"]


class ServiceCategoryForm(forms.ModelForm):
    class Meta:
        model = ServiceCategory
        fields = [
            "code", "name", "name_en", "parent", "description", "keywords", "order", "is_active",
            "guide_materials", "guide_steps", "guide_time_limit",
            "handler", "department", "default_priority", "requires_confirmation",
        ]  # fmt: skip
        widgets = {
            "guide_materials": forms.Textarea(attrs={"rows": 5, "cols": 80}),
            "guide_steps": forms.Textarea(attrs={"rows": 6, "cols": 80}),
        }
        help_texts = {
            "guide_materials": _(
                "Markdown. Shown to residents after sanitising (no scripts; links http, https or mailto only)."
            ),
            "guide_steps": _("Markdown, e.g. a numbered list “1. …”."),
        }

    def clean(self):
        data = super().clean()
        handler, department, parent = data.get("handler"), data.get("department"), data.get("parent")
        if handler == Handler.DEPARTMENT and department is None:
            self.add_error("department", _("Choose the department that handles this category."))
        if handler == Handler.GRID and department is not None:
            self.add_error("department", _("Leave empty when the grid worker handles it, or change “handled by”."))
        # Two levels, like Open311's ``group``: a group holds categories, nothing deeper.
        if parent is not None and parent.parent_id is not None:
            self.add_error(
                "parent",
                _("Choose a top-level group: “%(parent)s” is itself inside a group.") % {"parent": parent.name},
            )
        elif (
            parent is not None
            and self.instance.pk is not None
            and (parent.pk == self.instance.pk or self.instance.children.exists())
        ):
            self.add_error("parent", _("This category is a group (or would contain itself): leave the group empty."))
        return data


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    form = ServiceCategoryForm
    inlines = [CategoryAttributeInline]
    list_display = ["code", "name", "parent", "handler", "department", "default_priority", "is_active", "order"]
    list_filter = [
        "is_active",
        "handler",
        "default_priority",
        "requires_confirmation",
        "department",
        ("parent", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "name", "name_en", "keywords"]
    list_select_related = ["parent", "department"]
    list_editable = ["order"]
    ordering = ["order", "code"]
    readonly_fields = ["guide_preview"]
    actions = ["switch_on", "switch_off"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "parent", "description", "keywords", "order", "is_active"]}),
        (
            _("Service guide"),
            {"fields": ["guide_materials", "guide_steps", "guide_time_limit", "guide_preview"]},
        ),
        (_("Handling"), {"fields": ["handler", "department", "default_priority", "requires_confirmation"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent", "department")

    @admin.display(description=_("guide as residents see it"))
    def guide_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        # render_markdown output is sanitised by nh3, so it may be marked safe.
        materials = mark_safe(render_markdown(obj.guide_materials))  # noqa: S308
        steps = mark_safe(render_markdown(obj.guide_steps))  # noqa: S308
        return format_html("<div>{}</div><div>{}</div><p>{}</p>", materials, steps, obj.guide_time_limit)

    @admin.action(description=_("Switch on the selected categories"))
    def switch_on(self, request, queryset):
        count = len(categories_switch(categories=queryset, active=True))
        self.message_user(
            request, ngettext("%d category switched on.", "%d categories switched on.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Switch off the selected categories (history is kept)"))
    def switch_off(self, request, queryset):
        count = len(categories_switch(categories=queryset, active=False))
        self.message_user(
            request,
            ngettext("%d category switched off.", "%d categories switched off.", count) % count,
            messages.SUCCESS,
        )


@admin.register(CategoryAttribute)
class CategoryAttributeAdmin(admin.ModelAdmin):
    form = CategoryAttributeForm
    list_display = ["code", "name", "category", "datatype", "required", "variable", "order"]
    list_filter = ["datatype", "required", "variable", "category"]
    search_fields = ["code", "name", "name_en", "category__code", "category__name"]
    list_select_related = ["category"]
    ordering = ["category__order", "category__code", "order", "id"]
