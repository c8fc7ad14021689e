"""Issuing, checking and revoking keys: stored as a digest, shown once, revocable."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.utils import timezone

from apps.core.errors import NotFound, ValidationFailed
from apps.open311.keys import api_key_check, api_key_issue, api_key_revoke, api_key_touch
from apps.open311.models import ApiKey


def test_issue_stores_only_a_digest(db):
    api_key, raw_key = api_key_issue(application="  FixMyStreet  ", contact_email="dev@example.org")
    prefix, _dot, secret = raw_key.partition(".")
    row = ApiKey.objects.get()
    assert (row.application, row.contact_email, row.prefix, row.is_active) == (
        "FixMyStreet",
        "dev@example.org",
        prefix,
        True,
    )
    assert len(prefix) == 8 and len(secret) >= 32
    assert row.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in str(ApiKey.objects.values().get())
    assert api_key_check(raw_key) == api_key


def test_two_keys_differ(db):
    assert api_key_issue(application="A")[1] != api_key_issue(application="A")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_issue_needs_an_application_name(db, name):
    with pytest.raises(ValidationFailed) as refused:
        api_key_issue(application=name)
    assert list(refused.value.fields) == ["application"]
    assert ApiKey.objects.count() == 0


def test_check_refuses_wrong_and_revoked_keys(db):
    api_key, raw_key = api_key_issue(application="A")
    for wrong in ("", "nodot", f"{api_key.prefix}.", f"{api_key.prefix}.x", f"{'f' * 20}.x", raw_key + "x"):
        assert api_key_check(wrong) is None
    revoked = api_key_revoke(prefix=api_key.prefix)
    assert (revoked.is_active, revoked.revoked_at is not None) == (False, True)
    assert api_key_check(raw_key) is None


def test_revoke_accepts_the_whole_key_and_is_idempotent(db):
    api_key, raw_key = api_key_issue(application="A")
    first = api_key_revoke(prefix=raw_key)
    second = api_key_revoke(prefix=api_key.prefix)
    assert second.revoked_at == first.revoked_at


def test_revoke_unknown_prefix(db):
    with pytest.raises(NotFound):
        api_key_revoke(prefix="nothere")


def test_touch_writes_at_most_once_a_minute(db):
    api_key, _raw = api_key_issue(application="A")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_key_touch(api_key)
    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        api_key_touch(ApiKey.objects.get())
    assert ApiKey.objects.get().last_used_at == start
    with time_machine.travel(start + timezone.timedelta(seconds=61), tick=False):
        api_key_touch(ApiKey.objects.get())
    assert ApiKey.objects.get().last_used_at == start + timezone.timedelta(seconds=61)
