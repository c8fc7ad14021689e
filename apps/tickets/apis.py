"""The tickets REST API. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import ServiceCategory
from apps.core.errors import NotFound, ValidationFailed
from apps.core.throttles import AnonymousSubmitThrottle, TrackThrottle
from apps.people.models import Role, User
from apps.people.phones import normalize_phone
from apps.places.models import Level, OrgNode
from apps.tickets import services
from apps.tickets.attachments import attachment_add, prepare_upload
from apps.tickets.filters import StrictFilterBackend, TicketFilter
from apps.tickets.models import Channel
from apps.tickets.selectors import ticket_detail, ticket_list, track, visible_tickets
from apps.tickets.serializers import (
    AttachmentSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    MergeSerializer,
    NoteSerializer,
    RateSerializer,
    ReasonSerializer,
    ReassignSerializer,
    ReclassifySerializer,
    SuperviseSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketListSerializer,
    TrackedTicketSerializer,
    TransferSerializer,
)


class CreateOrAuthenticated(permissions.BasePermission):
    """Anyone may submit a ticket (residents need no account); everything else needs a login."""

    def has_permission(self, request, view):
        return view.action == "create" or bool(request.user and request.user.is_authenticated)


def _channel_for(user, requested: str | None) -> str:
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    if requested:
        return requested
    return {Role.CLERK: Channel.WINDOW, Role.GRID_WORKER: Channel.PATROL}.get(role, Channel.API)


def submit_from_input(*, data: dict, user, channel_detail: str = ""):
    """Shared by the API and the pages: resolve codes to rows, then call ticket_submit."""
    category = ServiceCategory.objects.select_related("department", "parent").filter(code=data["category"]).first()
    if category is None:
        raise ValidationFailed(_("No such service category."), fields={"category": [_("No such service category.")]})
    community = None
    if data.get("community"):
        community = OrgNode.objects.filter(code=data["community"], level=Level.COMMUNITY).first()
        if community is None:
            raise ValidationFailed(_("No such community."), fields={"community": [_("No such community.")]})
    authenticated = getattr(user, "is_authenticated", False)
    channel = _channel_for(user, data.get("channel"))
    resident = None
    if authenticated and user.role == Role.RESIDENT:
        resident = user
    elif authenticated and channel in (Channel.WINDOW, Channel.PHONE) and data.get("contact_phone"):
        # A walk-in who has an account sees the request under "my requests".
        phone = normalize_phone(data["contact_phone"])
        resident = User.objects.filter(role=Role.RESIDENT, phone=phone, is_active=True).first()
    return services.ticket_submit(
        category=category,
        title=data.get("title", ""),
        description=data.get("description", ""),
        attributes=data.get("attributes") or {},
        lat=data.get("lat"),
        lng=data.get("lng"),
        address=data.get("address", ""),
        community=community,
        priority=data.get("priority"),
        contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""),
        channel=channel,
        channel_detail=channel_detail,
        resident=resident,
        actor=user if authenticated else None,
        resolve_on_spot=data.get("resolve_on_spot", False),
        resolution_note=data.get("resolution_note", ""),
    )


def _action(name, serializer_class, call, *, parsers=None, summary="", attr=None):
    """Build the POST /tickets/{id}/<name>/ endpoint for one workflow action."""

    def endpoint(self, request, pk=None):
        ticket = self.get_object_for_action()
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        call(request, ticket, payload.validated_data)
        return self.detail_response(ticket.pk)

    # DRF maps the HTTP method to the function's name when decorating: name it first.
    endpoint.__name__ = attr or name
    endpoint = action(
        detail=True, methods=["post"], url_path=name, url_name=name, parser_classes=parsers or [JSONParser, FormParser]
    )(endpoint)
    return extend_schema(request=serializer_class, responses={200: TicketDetailSerializer}, summary=summary)(endpoint)


def _resolve(request, ticket, data):
    # Every photo is checked before anything is written: one bad photo refuses the whole resolve.
    photos = [prepare_upload(upload) for upload in request.FILES.getlist("photos")]
    with transaction.atomic():
        ticket, event = services.ticket_resolve(ticket=ticket, actor=request.user, note=data["note"])
        for photo in photos:
            attachment_add(ticket=ticket, uploaded_by=request.user, upload=photo, event=event)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Tickets visible to the caller (resident → own; staff → their scope; admin → all)."""

    permission_classes = [CreateOrAuthenticated]
    filter_backends = [StrictFilterBackend]
    filterset_class = TicketFilter
    queryset = visible_tickets(None)  # replaced per request; declared for the schema

    def get_queryset(self):
        if self.action == "list":
            return ticket_list(self.request.user)
        return visible_tickets(self.request.user)

    def get_throttles(self):
        if self.action == "create" and not self.request.user.is_authenticated:
            return [AnonymousSubmitThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        if self.action == "create":
            return TicketCreateSerializer
        if self.action == "list":
            return TicketListSerializer
        return TicketDetailSerializer

    def get_object_for_action(self):
        if not str(self.kwargs["pk"]).isdigit():
            raise NotFound(_("No such ticket."))
        ticket = visible_tickets(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if ticket is None:
            raise NotFound(_("No such ticket."))
        return ticket

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        ticket = ticket_detail(self.request.user, pk)
        return Response(TicketDetailSerializer(ticket, context={"request": self.request}).data, status=status_code)

    def retrieve(self, request, pk=None):
        if not str(pk).isdigit():
            raise NotFound(_("No such ticket."))
        ticket = ticket_detail(request.user, int(pk))
        if ticket is None:
            raise NotFound(_("No such ticket."))
        return Response(TicketDetailSerializer(ticket, context={"request": request}).data)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request):
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = submit_from_input(data=payload.validated_data, user=request.user)
        if not request.user.is_authenticated:
            # An anonymous resident gets the tracking code and nothing more.
            return Response(
                {"code": ticket.code, "state": ticket.state, "resolve_by": ticket.resolve_by},
                status=status.HTTP_201_CREATED,
            )
        return self.detail_response(ticket.pk, status.HTTP_201_CREATED)

    accept = _action(
        "accept", NoteSerializer, lambda r, t, d: services.ticket_accept(ticket=t, actor=r.user, note=d["note"])
    )
    start = _action(
        "start", NoteSerializer, lambda r, t, d: services.ticket_start(ticket=t, actor=r.user, note=d["note"])
    )
    wait_on_resident = _action(
        "wait_on_resident",
        NoteSerializer,
        lambda r, t, d: services.ticket_wait_on_resident(ticket=t, actor=r.user, note=d["note"]),
    )
    resume = _action(
        "resume", NoteSerializer, lambda r, t, d: services.ticket_resume(ticket=t, actor=r.user, note=d["note"])
    )
    resolve = _action("resolve", NoteSerializer, _resolve, parsers=[JSONParser, FormParser, MultiPartParser])
    close = _action(
        "close", NoteSerializer, lambda r, t, d: services.ticket_close(ticket=t, actor=r.user, note=d["note"])
    )
    reopen = _action(
        "reopen", NoteSerializer, lambda r, t, d: services.ticket_reopen(ticket=t, actor=r.user, note=d["note"])
    )
    reject = _action(
        "reject", ReasonSerializer, lambda r, t, d: services.ticket_reject(ticket=t, actor=r.user, reason=d["reason"])
    )
    transfer = _action(
        "transfer",
        TransferSerializer,
        lambda r, t, d: services.ticket_transfer(
            ticket=t,
            actor=r.user,
            reason=d["reason"],
            grid_code=d["grid"] or None,
            department_code=d["department"] or None,
        ),
    )
    return_ = _action(
        "return",
        ReasonSerializer,
        lambda r, t, d: services.ticket_return(ticket=t, actor=r.user, reason=d["reason"]),
        attr="return_",
    )
    reassign = _action(
        "reassign",
        ReassignSerializer,
        lambda r, t, d: services.ticket_reassign(ticket=t, actor=r.user, assignee_id=d["assignee"], note=d["note"]),
    )
    merge = _action(
        "merge",
        MergeSerializer,
        lambda r, t, d: services.ticket_merge(ticket=t, actor=r.user, into_id=d["into"], note=d["note"]),
    )
    rate = _action(
        "rate",
        RateSerializer,
        lambda r, t, d: services.ticket_rate(ticket=t, actor=r.user, score=d["score"], comment=d["comment"]),
    )

    supervise = _action(
        "supervise",
        SuperviseSerializer,
        lambda r, t, d: services.ticket_supervise(ticket=t, actor=r.user, note=d["note"], due_at=d["due_at"]),
        summary="Issue a supervision order (督办) with a note and a new deadline",
    )
    reclassify = _action(
        "reclassify",
        ReclassifySerializer,
        lambda r, t, d: services.ticket_reclassify(
            ticket=t, actor=r.user, category_code=d["category"] or None, priority=d["priority"] or None, note=d["note"]
        ),
        summary="Change category or priority; deadlines are recomputed keeping the time spent",
    )

    @extend_schema(methods=["get"], responses={200: CommentSerializer(many=True)})
    @extend_schema(methods=["post"], request=CommentCreateSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], url_path="comments")
    def comments(self, request, pk=None):
        ticket = self.get_object_for_action()
        if request.method == "GET":
            qs = ticket.comments.select_related("author").order_by("created_at", "id")
            if request.user.role == Role.RESIDENT:
                qs = qs.filter(is_internal=False)
            return Response(CommentSerializer(qs, many=True).data)
        payload = CommentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.ticket_comment(ticket=ticket, actor=request.user, **payload.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: AttachmentSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request={
            "multipart/form-data": inline_serializer(
                "AttachmentUpload",
                {"file": serializers.FileField(), "is_internal": serializers.BooleanField(required=False)},
            )
        },
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="attachments", parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        ticket = self.get_object_for_action()
        if request.method == "GET":
            qs = ticket.attachments.order_by("created_at", "id")
            if request.user.role == Role.RESIDENT:
                qs = qs.filter(is_internal=False)
            return Response(AttachmentSerializer(qs, many=True).data)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(_("Choose a file."), fields={"file": [_("Choose a file.")]})
        is_internal = str(request.data.get("is_internal", "")).lower() in ("1", "true", "on", "yes")
        if is_internal and request.user.role == Role.RESIDENT:
            is_internal = False
        attachment = attachment_add(ticket=ticket, uploaded_by=request.user, upload=upload, is_internal=is_internal)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadView(APIView):
    """Serve a stored file only to someone who may see its ticket (and, if internal, is staff)."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, ticket_id: int, attachment_id: int):
        ticket = visible_tickets(request.user).filter(pk=ticket_id).first()
        attachment = ticket.attachments.filter(pk=attachment_id).first() if ticket else None
        if attachment is None or (attachment.is_internal and request.user.role == Role.RESIDENT):
            raise NotFound(_("No such attachment."))
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "private, no-store"
        return response


class TrackView(APIView):
    """Anonymous tracking by code + last four phone digits. A wrong code and wrong digits look the same."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True), OpenApiParameter("phone_last4", str, required=True)],
        responses={200: TrackedTicketSerializer},
    )
    def get(self, request):
        ticket = track(
            code=request.query_params.get("code", ""), phone_last4=request.query_params.get("phone_last4", "")
        )
        if ticket is None:
            raise NotFound(_("No ticket matches this code and phone number."))
        return Response(TrackedTicketSerializer(ticket).data)
