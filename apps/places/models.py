"""The org tree (city → district → subdistrict → community → grid), departments, service centers."""

from itertools import pairwise

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID]
PARENT_LEVEL = {child: parent for parent, child in pairwise(LEVEL_ORDER)}
# Each level's name inside a sentence ("a grid must have a community as its parent"); the
# Level labels are capitalised for lists and forms.
LEVEL_NAMES = {
    Level.CITY: _("city"),
    Level.DISTRICT: _("district"),
    Level.SUBDISTRICT: _("subdistrict"),
    Level.COMMUNITY: _("community"),
    Level.GRID: _("grid"),
}


def level_name(level: str) -> str:
    """The translated in-sentence name of a level (the code itself for an unknown one)."""
    return str(LEVEL_NAMES.get(level, level))


class OrgNode(models.Model):
    """One node of the org tree.

    ``path`` is the materialised path of codes (``370100/370112/370112001/``):
    a subtree is one indexed prefix scan (``path__startswith``), which is how
    every scoped list (a supervisor's tickets, a district's rates) is filtered.
    Tickets copy the path of their place, so scoping them needs no join; when a
    subtree is re-rooted, ``apps.places.signals.subtree_moved`` makes the copies follow.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, editable=False)
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84 lng/lat) — grids only.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    # A representative point (for "nearest community" and maps); from the boundary when known.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("org node")
        verbose_name_plural = _("org nodes")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="orgnode_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "is_active"], name="orgnode_level_active"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def build_path(self) -> str:
        return f"{self.parent.path if self.parent_id else ''}{self.code}/"


class GridVersion(models.Model):
    """A single-row stamp bumped whenever any grid boundary changes.

    Each process compares it with the version its in-memory spatial index was
    built from, so every gunicorn and Celery process notices an import.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"grid version {self.version}"


class Department(models.Model):
    """A handling unit outside the grid chain (城管, 物业, 供水 …) serving an org node's area."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    org_node = models.ForeignKey(
        OrgNode, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ServiceCenter(models.Model):
    """A community's service center: the one window."""

    community = models.OneToOneField(
        OrgNode,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_center",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")

    def __str__(self):
        return self.name
