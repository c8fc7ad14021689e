"""Auth and "who am I": token login, resident sign-up, /me."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.core.errors import ValidationFailed
from apps.people.conf import auth_token_rate
from apps.people.models import DutyStatus, Role
from apps.people.scopes import scope_for
from apps.people.services import resident_register

ERROR = inline_serializer(
    "Error",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


class AuthRateThrottle(AnonRateThrottle):
    """Limits password guessing and mass sign-up per client address (settings.AUTH_TOKEN_RATE)."""

    scope = "auth"

    def get_rate(self):
        return auth_token_rate()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    authentication_classes: list = []  # a login needs no session, so no CSRF dance
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="auth_token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(ERROR, description="Wrong username or password")},
        auth=[],
        tags=["auth"],
        summary="Exchange username and password for an API token (header: Authorization: Token <token>)",
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The HttpRequest, not DRF's wrapper: django-axes marks a lockout on the request it is
        # given, and AxesMiddleware reads it from the HttpRequest to answer 429.
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            # One message whether the name or the password is wrong: no hint which accounts exist.
            msg = _("Wrong username or password — check both and try again.")
            raise ValidationFailed(msg, code="invalid_credentials", fields={"password": [msg]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class RegisterSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=100)


class RegisteredSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    token = serializers.CharField()


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="auth_register",
        request=RegisterSerializer,
        responses={
            201: RegisteredSerializer,
            400: OpenApiResponse(ERROR, description="Bad or already registered phone, weak password"),
        },
        auth=[],
        tags=["auth"],
        summary="Resident sign-up: the mobile number becomes the username; returns an API token",
    )
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = resident_register(**data.validated_data)
        token = Token.objects.create(user=user)
        return Response(
            {"username": user.username, "full_name": user.full_name, "token": token.key},
            status=status.HTTP_201_CREATED,
        )


class ScopeItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["org_node", "department"])
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(allow_null=True, help_text="org level; null for a department")


class GridItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    is_deputy = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    phone = serializers.CharField(help_text="your own number, whole")
    role = serializers.ChoiceField(choices=Role.choices)
    duty_status = serializers.ChoiceField(choices=DutyStatus.choices)
    is_staff_member = serializers.BooleanField()
    sees_everything = serializers.BooleanField(help_text="administrators: no scope limit")
    scope = ScopeItemSerializer(many=True)
    grids = GridItemSerializer(many=True, help_text="grid workers: the grids whose roster lists you")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me", responses={200: MeSerializer}, tags=["auth"], summary="Who am I")
    def get(self, request):
        user = request.user
        scopes = user.scopes.select_related("org_node", "department").order_by("org_node__path", "department__code")
        items = [
            {"type": "org_node", "code": s.org_node.code, "name": s.org_node.name, "level": s.org_node.level}
            if s.org_node_id
            else {"type": "department", "code": s.department.code, "name": s.department.name, "level": None}
            for s in scopes
        ]
        grids = []
        if user.role == Role.GRID_WORKER:
            memberships = user.grid_memberships.select_related("grid").order_by("is_deputy", "grid__path")
            grids = [
                {"code": m.grid.code, "name": m.grid.name, "position": m.position, "is_deputy": m.is_deputy}
                for m in memberships
            ]
        body = {
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone,
            "role": user.role,
            "duty_status": user.duty_status,
            "is_staff_member": user.is_staff_member,
            "sees_everything": scope_for(user).everything,
            "scope": items,
            "grids": grids,
        }
        return Response(MeSerializer(body).data)
