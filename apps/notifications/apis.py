from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.notifications import selectors, services
from apps.notifications.models import Notification, Preference


class NotificationSerializer(serializers.ModelSerializer):
    ticket_code = serializers.CharField(source="ticket.code", default=None, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "ticket", "ticket_code", "created_at", "read_at"]


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["email", "sms", "language"]


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's in-app inbox, newest first."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; the real one is per user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.inbox(self.request.user)

    @extend_schema(responses={200: inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(
        request=inline_serializer(
            "MarkRead", {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)}
        ),
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"ids": ['Send a JSON object such as {"ids": [1, 2]}.']})
        ids = request.data.get("ids")
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
            raise serializers.ValidationError({"ids": ["A list of notification ids."]})
        return Response({"marked": services.mark_read(user=request.user, ids=ids)})

    @extend_schema(methods=["get"], responses={200: PreferenceSerializer})
    @extend_schema(methods=["put"], request=PreferenceSerializer, responses={200: PreferenceSerializer})
    @action(detail=False, methods=["get", "put"], url_path="preferences")
    def preferences(self, request):
        pref, _ = Preference.objects.get_or_create(user=request.user)
        if request.method == "PUT":
            payload = PreferenceSerializer(pref, data=request.data, partial=True)
            payload.is_valid(raise_exception=True)
            payload.save()
        return Response(PreferenceSerializer(pref).data)
