"""What a locked-out login gets (django-axes): the API's error shape on API paths, a page elsewhere."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.core.errors import error_body


def lockout_response(request, original_response=None, credentials=None):
    message = _("Too many failed logins. Wait a few minutes and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", message), status=429)
    return render(request, "lockout.html", {"message": message}, status=429)
