"""Small helpers shared by the portal's views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from apps.core.pagination import CappedPaginator
from apps.core.throttles import AnonymousSubmitThrottle, TrackThrottle
from apps.people.models import Role

PAGE_SIZE = 25


def role_required(*roles):
    """Log in first; then only these roles (admins and superusers always) — others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_superuser or user.role == Role.ADMIN or user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    # Rows by LIMIT/OFFSET and a count capped at COUNT_CAP: the page's cost does not grow with the data.
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def throttled(request, kind: str) -> bool:
    """The API's rate limits, applied to the pages' anonymous forms too."""
    throttle = {"submit": AnonymousSubmitThrottle, "track": TrackThrottle}[kind]()
    return not throttle.allow_request(request, None)
