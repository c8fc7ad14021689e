"""The service catalog (事项目录): kinds of request, their guides and typed attributes."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.choices import Priority


class Handler(models.TextChoices):
    GRID = "grid", _("Grid worker of the place")
    DEPARTMENT = "department", _("A named department")


# Letters, digits, "-" and "_": a code sits in URLs such as Open311's
# ``services/{service_code}.json``, where a "." or "/" would be ambiguous.
CODE_PATTERN = r"^[A-Za-z0-9_-]+$"
code_validator = RegexValidator(CODE_PATTERN, _("Use only letters, digits, '-' and '_'."))


class ServiceCategory(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True, help_text=_("Comma-separated."))
    # The service guide (办事指南). Materials and steps are stored as the operator
    # typed them (Markdown) and every HTML rendering goes through
    # catalog.sanitize.render_markdown, so a better sanitiser later fixes old rows too.
    guide_materials = models.TextField(_("what to bring"), blank=True)
    guide_steps = models.TextField(_("steps"), blank=True)
    guide_time_limit = models.CharField(_("promised time limit"), max_length=100, blank=True)
    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    handler = models.CharField(_("handled by"), max_length=12, choices=Handler.choices, default=Handler.GRID)
    department = models.ForeignKey(
        "places.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    requires_confirmation = models.BooleanField(_("resident confirms the result"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handler="grid") | models.Q(department__isnull=False),
                name="category_department_handler_has_department",
            )
        ]

    def __str__(self):
        return self.name


class Datatype(models.TextChoices):
    """The attribute types of Open311 GeoReport v2, used by the request form too."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("Single choice")
    MULTIVALUELIST = "multivaluelist", _("Multiple choice")


class CategoryAttribute(models.Model):
    category = models.ForeignKey(ServiceCategory, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("question"), max_length=200)
    name_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    datatype = models.CharField(_("type"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    # Open311's ``variable``: false means the attribute only shows information
    # (its description) and takes no answer.
    variable = models.BooleanField(_("takes an answer"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    description = models.CharField(_("help text"), max_length=300, blank=True)
    datatype_description = models.CharField(_("format hint"), max_length=200, blank=True)
    # For the list types: [{"key": "...", "name": "..."}, ...]
    values = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="attribute_code_unique")]

    def __str__(self):
        return f"{self.category.code}.{self.code}"

    def clean(self):
        from apps.catalog.definitions import check_attribute_definition

        problems = check_attribute_definition(
            datatype=self.datatype, values=self.values, required=self.required, variable=self.variable
        )
        if problems:
            raise ValidationError(problems)
