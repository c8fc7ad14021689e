"""Shapes of tickets in the API. Input serializers parse; services validate the domain."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.choices import Priority
from apps.people.masking import mask_phone
from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.tickets import workflow
from apps.tickets.models import OPEN_STATES, Attachment, Channel, Comment, Rating, Ticket, TicketEvent


def phone_visible_to(viewer, ticket: Ticket) -> bool:
    """Whole to the resident, the assignee, supervisors of the scope and admins; masked to everyone else."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk in (ticket.resident_id, ticket.assignee_id):
        return True
    scope = scope_for(viewer)
    return scope.everything or (viewer.role == Role.SUPERVISOR and scope.covers_path(ticket.org_path))


# --- input ---------------------------------------------------------------------------------------
class TicketCreateSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=32, help_text=_("Service category code."))
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=4000)
    attributes = serializers.DictField(required=False, default=dict)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    community = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        choices=[Channel.API, Channel.WEB, Channel.WINDOW, Channel.PHONE, Channel.PATROL], required=False, default=None
    )
    resolve_on_spot = serializers.BooleanField(required=False, default=False)
    resolution_note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class TransferSerializer(ReasonSerializer):
    grid = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    department = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class ReassignSerializer(NoteSerializer):
    assignee = serializers.IntegerField(min_value=1)


class MergeSerializer(NoteSerializer):
    into = serializers.IntegerField(min_value=1, help_text=_("Id of the open ticket this one duplicates."))


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)
    is_internal = serializers.BooleanField(required=False, default=False)


class SuperviseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    due_at = serializers.DateTimeField(help_text=_("The new deadline, ISO 8601 with offset."))


class ReclassifySerializer(NoteSerializer):
    category = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True, default="")


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- output --------------------------------------------------------------------------------------
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["id", "action", "from_state", "to_state", "at", "note", "data", "actor", "is_public"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        if event.actor is None:
            return None
        return event.actor.full_name or event.actor.username


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "body", "is_internal", "created_at", "author"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, comment) -> str | None:
        return (comment.author.full_name or comment.author.username) if comment.author else None


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "is_internal", "event", "created_at", "url"]

    def get_url(self, attachment) -> str:
        return f"/api/v1/tickets/{attachment.ticket_id}/attachments/{attachment.pk}/download/"


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["score", "comment", "created_at"]


class TicketListSerializer(serializers.ModelSerializer):
    category = serializers.SerializerMethodField()
    grid = serializers.SerializerMethodField()
    community = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "code",
            "title",
            "category",
            "state",
            "priority",
            "channel",
            "address",
            "lat",
            "lng",
            "grid",
            "community",
            "department",
            "assignee",
            "contact_name",
            "contact_phone",
            "submitted_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "respond_by",
            "resolve_by",
            "overdue",
            "reopen_count",
            "resolved_at_window",
        ]

    @extend_schema_field(PlaceSerializer)
    def get_category(self, t):
        return {"code": t.category.code, "name": t.category.name}

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_grid(self, t):
        return {"code": t.grid.code, "name": t.grid.name} if t.grid_id else None

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_community(self, t):
        return {"code": t.community.code, "name": t.community.name} if t.community_id else None

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_department(self, t):
        return {"code": t.department.code, "name": t.department.name} if t.department_id else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, t):
        a = t.assignee
        return {"id": a.pk, "username": a.username, "full_name": a.full_name} if a else None

    def get_contact_phone(self, t) -> str:
        viewer = self.context["request"].user
        return t.contact_phone if phone_visible_to(viewer, t) else mask_phone(t.contact_phone)

    def get_overdue(self, t) -> bool:
        if t.state not in OPEN_STATES:
            return False
        now = self.context.get("now") or timezone.now()
        late_response = t.accepted_at is None and t.respond_by is not None and t.respond_by < now
        return late_response or (t.resolve_by is not None and t.resolve_by < now)


class TicketDetailSerializer(TicketListSerializer):
    events = EventSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    rating = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "description",
            "attributes",
            "resolution_note",
            "reject_reason",
            "merged_into",
            "events",
            "comments",
            "attachments",
            "rating",
            "allowed_actions",
        ]

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, t):
        rating = getattr(t, "rating", None)
        return RatingSerializer(rating).data if rating else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_merged_into(self, t) -> str | None:
        return t.merged_into.code if t.merged_into_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, t) -> list[str]:
        return workflow.allowed_actions(self.context["request"].user, t)


class PublicEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["action", "to_state", "at", "note"]


class TrackedTicketSerializer(serializers.ModelSerializer):
    """What anyone holding the code and the phone's last four digits may see: no personal data."""

    category = serializers.CharField(source="category.name")
    events = PublicEventSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "code",
            "title",
            "category",
            "state",
            "submitted_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "resolve_by",
            "resolution_note",
            "reject_reason",
            "events",
        ]
