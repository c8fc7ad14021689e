"""Text the system stores once and everyone reads later."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils import translation


def in_desk_language(func):
    """Run ``func`` with the desk's language (LANGUAGE_CODE) active.

    For text written onto a record that every reader sees afterwards (routing reasons, automatic
    event notes): it must not take the language of whichever request or process happened to
    cause it.
    """

    @wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper
