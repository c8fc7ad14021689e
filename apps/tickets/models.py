"""Tickets (工单), their events (the audit trail), comments, attachments and ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.choices import Priority


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_RESIDENT = "waiting_on_resident", _("Waiting on resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS, State.WAITING_ON_RESIDENT)
# Open states whose clock runs: a ticket waiting on the resident has its clock paused and its
# resolve_by is pushed back when it resumes, so it is neither overdue nor in warning meanwhile.
# The metrics' warning/breach queries and the partial index ticket_running_cover use this one tuple.
RUNNING_STATES = (State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS)
# The places' GeoJSON boundaries: never wanted with a ticket, and decoding them for the grid and
# the community of every row made a list page's rows several times dearer. Querysets that
# select_related a ticket's places defer them.
BOUNDARIES = ("grid__boundary", "community__boundary")
FINAL_STATES = (State.CLOSED, State.REJECTED, State.MERGED)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("REST API")
    WINDOW = "window", _("Walk-in at the window")
    PHONE = "phone", _("Phone call")
    PATROL = "patrol", _("Grid worker on patrol")
    OPEN311 = "open311", _("Open311")


class Ticket(models.Model):
    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    category = models.ForeignKey(
        "catalog.ServiceCategory", verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets"
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # For Open311, the application's name; for the window, the service center.
    channel_detail = models.CharField(_("channel detail"), max_length=100, blank=True)

    # Where: a point and/or an address and/or a chosen community.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    community = models.ForeignKey(
        "places.OrgNode", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "places.OrgNode", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "places.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The org path of the place that owns the ticket (grid, else community, else city):
    # scoping a supervisor's lists is one indexed prefix scan, with no join.
    org_path = models.CharField(_("org path"), max_length=255, editable=False)

    # Who.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    resolution_note = models.TextField(_("resolution note"), blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    resolved_at_window = models.BooleanField(_("resolved on the spot"), default=False)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy of Rating.score (null: not rated), written in the same transaction as the Rating
    # (services.ticket_rate). The metrics count "rated" and "satisfied" from the ticket row, so a
    # period's rates read only that period's tickets instead of joining the whole rating table.
    rating_score = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True, editable=False)

    # Time limits (see apps.sla). Stored columns so the scan and the lists use indexes.
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True)
    respond_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_policy_id = models.IntegerField(null=True, blank=True, editable=False)
    sla_calendar = models.CharField(max_length=32, blank=True, editable=False)
    # The outcome, recorded when each target is reached: met or breached, working minutes taken.
    response_met = models.BooleanField(_("response on time"), null=True, blank=True)
    resolution_met = models.BooleanField(_("resolved on time"), null=True, blank=True)
    response_minutes = models.PositiveIntegerField(_("working minutes to respond"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("working minutes to resolve"), null=True, blank=True)
    # Highest org level the breach has been escalated to (0 = none, 1 = community, 2 = subdistrict, 3 = district).
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the SLA scan must next look at this ticket (warning, breach, escalation, auto-close);
    # null when nothing is pending. The scan reads only rows whose time has come.
    next_action_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["org_path"], name="ticket_org_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["assignee", "state", "resolve_by"], name="ticket_assignee_queue"),
            models.Index(fields=["state", "submitted_at"], name="ticket_state_submitted"),
            models.Index(fields=["grid", "state"], name="ticket_grid_state"),
            models.Index(fields=["department", "state"], name="ticket_department_state"),
            # The metrics read a period's tickets from this index alone (an index-only scan): the
            # key is the period, the included columns are every column the rates, the trend and the
            # top categories read (apps.metrics). Also serves the lists ordered by submission.
            models.Index(
                fields=["submitted_at"],
                include=[
                    "state",
                    "org_path",
                    "accepted_at",
                    "respond_by",
                    "resolved_at",
                    "resolve_by",
                    "rating_score",
                    "resolved_at_window",
                    "response_minutes",
                    "resolution_minutes",
                    "category",
                    "assignee",
                ],
                name="ticket_period_cover",
            ),
            # The trend's "resolved per day": tickets resolved in the period, whenever submitted.
            # Partial, so intake (resolved_at still empty) never writes to it.
            models.Index(
                fields=["resolved_at"],
                include=["state", "org_path"],
                condition=Q(resolved_at__isnull=False),
                name="ticket_resolved_cover",
            ),
            # The supervisors' warning/breach list (apps.metrics attention): the tickets whose clock
            # runs, by place, with every column that decides warning, breach and urgency, so the
            # page's ids come from the index alone and only the page's rows are read.
            models.Index(
                fields=["org_path"],
                include=[
                    "id",
                    "state",
                    "accepted_at",
                    "respond_warn_at",
                    "resolve_warn_at",
                    "respond_by",
                    "resolve_by",
                ],
                condition=Q(state__in=list(RUNNING_STATES)),
                opclasses=["varchar_pattern_ops"],
                name="ticket_running_cover",
            ),
            models.Index(fields=["resolve_by"], name="ticket_resolve_by"),
            models.Index(fields=["channel", "submitted_at"], name="ticket_channel_submitted"),
            models.Index(
                fields=["next_action_at"], name="ticket_next_action_due", condition=Q(next_action_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TicketEvent(models.Model):
    """One row per change of a ticket, written in the same transaction. Never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Shown on the resident's tracking page (internal notes and routing details are not).
    is_public = models.BooleanField(_("visible to the resident"), default=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at"),
            models.Index(fields=["action", "at"], name="ticketevent_action_at"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.action} {self.from_state}→{self.to_state}"


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    is_internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]

    def __str__(self):
        return f"comment {self.pk} on {self.ticket_id}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Stored under a random name; served only through a permission-checking view.
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    is_internal = models.BooleanField(_("internal"), default=False)
    # Resolution photos and the like are tied to the event they document.
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [
            # The orphan sweep (orphans.py) reads the stored names one month folder at a time.
            models.Index(fields=["file"], name="attachment_file_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.original_name


class Rating(models.Model):
    """The resident's satisfaction rating (1–5), once per ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5")]

    def __str__(self):
        return f"{self.ticket_id}: {self.score}"


class SlaStep(models.Model):
    """A time-limit step that has happened (reminder, breach, escalation, auto-close).

    The unique key makes each step happen exactly once per ticket, whatever number
    of scan workers race for it or however often the scan task is delivered.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_steps")
    key = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField()

    class Meta:
        verbose_name = _("time-limit step")
        verbose_name_plural = _("time-limit steps")
        constraints = [models.UniqueConstraint(fields=["ticket", "key"], name="slastep_once_per_ticket")]

    def __str__(self):
        return f"{self.ticket_id} {self.key}"


class SupervisionOrder(models.Model):
    """督办: a supervisor's order on a ticket, with a note and its own deadline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="supervision_orders")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), max_length=2000)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("issued at"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ticket", "fulfilled_at"], name="supervision_ticket_open")]

    def __str__(self):
        return f"督办 {self.ticket_id} due {self.due_at:%Y-%m-%d %H:%M}"
