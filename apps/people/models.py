"""Users and their roles, scopes, grid rosters and leave."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    CLERK = "clerk", _("Clerk")
    GRID_WORKER = "grid_worker", _("Grid worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = {Role.CLERK, Role.GRID_WORKER, Role.SUPERVISOR, Role.DEPARTMENT_STAFF, Role.ADMIN}


class DutyStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("On duty")
    OFF = "off", _("Off duty")


class User(AbstractUser):
    """One account per person. The phone is stored whole and shown masked (see people.masking)."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT, db_index=True)
    duty_status = models.CharField(
        _("duty status"), max_length=10, choices=DutyStatus.choices, default=DutyStatus.ON_DUTY
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES or self.is_superuser


class StaffScope(models.Model):
    """What part of the city a staff member sees: an org subtree or a department."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scopes")
    org_node = models.ForeignKey(
        "places.OrgNode", null=True, blank=True, on_delete=models.CASCADE, related_name="staff_scopes"
    )
    department = models.ForeignKey(
        "places.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="staff_scopes"
    )

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(org_node__isnull=False, department__isnull=True))
                | (models.Q(org_node__isnull=True, department__isnull=False)),
                name="staffscope_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "org_node"], name="staffscope_unique_node"),
            models.UniqueConstraint(fields=["user", "department"], name="staffscope_unique_department"),
        ]

    def __str__(self):
        return f"{self.user} → {self.org_node or self.department}"


class GridMembership(models.Model):
    """The ordered roster of a grid: its workers first, then deputies who cover leave."""

    grid = models.ForeignKey(
        "places.OrgNode", on_delete=models.CASCADE, related_name="memberships", limit_choices_to={"level": "grid"}
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grid_memberships")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_deputy = models.BooleanField(_("deputy"), default=False)

    class Meta:
        verbose_name = _("grid membership")
        verbose_name_plural = _("grid memberships")
        ordering = ["grid", "is_deputy", "position"]
        constraints = [models.UniqueConstraint(fields=["grid", "user"], name="gridmembership_unique")]

    def __str__(self):
        return f"{self.grid.code} #{self.position} {self.user}"


class Leave(models.Model):
    """A period (inclusive dates) when a worker is away; routing skips them then."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="leaves")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        indexes = [models.Index(fields=["user", "start_date", "end_date"], name="leave_user_dates")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="leave_dates_order")
        ]

    def __str__(self):
        return f"{self.user} {self.start_date}–{self.end_date}"
