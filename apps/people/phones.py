"""What a phone number may look like, and how to clean what people type."""

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")  # a mainland China mobile number


def normalize_phone(phone: str) -> str:
    """Drop what people type around a number: spaces, dashes, a +86 / 0086 prefix."""
    phone = re.sub(r"[\s\-]", "", phone or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            return phone[len(prefix) :]
    return phone
