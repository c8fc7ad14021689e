"""``manage.py open311_key``: create prints the key once, revoke switches it off, list never shows keys."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.open311.keys import api_key_check
from apps.open311.models import ApiKey


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open311_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once(db):
    out, err = run("create", "SeeClickFix", "--email", "ops@example.org")
    raw_key = out.strip()
    api_key = ApiKey.objects.get()
    assert api_key_check(raw_key) == api_key
    assert (api_key.application, api_key.contact_email) == ("SeeClickFix", "ops@example.org")
    assert f"Key {api_key.prefix} issued to SeeClickFix" in err

    listed, _err = run("list")
    assert listed == f"{api_key.prefix}\tactive\tnever used\tSeeClickFix\n"
    assert raw_key not in listed


def test_revoke_by_prefix(db):
    raw_key = run("create", "SeeClickFix")[0].strip()
    prefix = raw_key.split(".")[0]
    out, _err = run("revoke", prefix)
    assert out == f"Revoked {prefix} (SeeClickFix).\n"
    assert api_key_check(raw_key) is None
    assert run("list")[0].startswith(f"{prefix}\trevoked\t")


def test_revoke_unknown_prefix_fails(db):
    with pytest.raises(CommandError, match="No API key has the prefix"):
        run("revoke", "nothere")


def test_create_needs_a_name(db):
    with pytest.raises(CommandError):
        run("create", "  ")
    assert ApiKey.objects.count() == 0
